// A small pool of database connections to one endpoint. A connection that saw the server go away
// is dropped, never reused, so the next caller reconnects (through the endpoint, which may now
// point at a new primary). Connecting is bounded by the connect timeout: a dead database costs a
// caller at most that long.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "db/connection.h"

namespace dr::app {

class DbPool {
 public:
  DbPool(db::ConnectOptions options, size_t max_idle);

  class Lease {
   public:
    Lease(DbPool& pool, db::Connection conn) : pool_(&pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    db::Connection& operator*() { return *conn_; }
    db::Connection* operator->() { return &*conn_; }
    // The connection is suspect (server gone, outcome unknown): close it instead of pooling it.
    void discard() { conn_.reset(); }

   private:
    DbPool* pool_;
    std::optional<db::Connection> conn_;
  };

  db::Result<Lease> acquire();

  size_t idle() const;
  size_t in_use() const;
  const db::ConnectOptions& options() const { return options_; }

 private:
  db::ConnectOptions options_;
  size_t max_idle_;
  mutable std::mutex mu_;
  std::vector<db::Connection> idle_;
  size_t in_use_ = 0;
};

}  // namespace dr::app
