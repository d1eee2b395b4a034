// OrderStore on MySQL: writes through the writer endpoint's pool, reads through the reader's.
// The schema is created on first use (idempotent), so an app that starts while its database is
// down still serves /health and starts writing once the database is back.
#pragma once

#include <atomic>
#include <mutex>

#include "app/db_pool.h"
#include "app/order_store.h"

namespace dr::app {

class MysqlOrderStore final : public OrderStore {
 public:
  MysqlOrderStore(DbPool& writer, DbPool& reader, std::string region);

  std::expected<OrderWrite, StoreError> create(const CreateOrder& create,
                                               std::optional<int64_t> epoch) override;
  std::expected<Order, StoreError> get(int64_t id, bool consistent) override;
  std::expected<void, std::string> check_writer() override;

  // CREATE TABLE IF NOT EXISTS on the writer, in the connection's database.
  std::expected<void, StoreError> migrate();

 private:
  std::expected<Order, StoreError> select_one(db::Connection& conn, const std::string& where);
  std::expected<void, StoreError> ensure_migrated(db::Connection& conn);

  DbPool& writer_;
  DbPool& reader_;
  std::string region_;
  std::atomic<bool> migrated_{false};
  // The highest epoch this instance has raised the guard row to: a new lease holder's first write
  // raises it, so that from then on no write of an older holder can commit here.
  std::atomic<int64_t> raised_epoch_{0};
  std::mutex migrate_mu_;
};

StoreError store_error(const db::Error& e, const std::string& what);

}  // namespace dr::app
