// One client connection to MariaDB/MySQL (libmariadb). Every wait is bounded: connect, read and
// write timeouts are always set, so a dead or frozen server costs the caller a known time, never
// a hang. Automatic reconnect is off: a silent reconnect would lose session state and hide from
// the caller that a write's outcome is unknown.
//
// A Connection is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/error.h"

struct st_mysql;

namespace dr::db {

struct ConnectOptions {
  std::string host;         // an IP literal; ignored when unix_socket is set
  std::uint16_t port = 0;   // required for TCP
  std::string unix_socket;  // a path: connect through it instead of TCP
  std::string user;
  std::string password;
  std::string database;  // empty: none selected
  // The local address to connect from (MYSQL_OPT_BIND). Empty: the kernel's choice, which is
  // 127.0.0.1 for every 127.x server, so a cut between lab sites would not cut the connection.
  std::string bind_address;
  // libmariadb counts these in whole seconds; they are rounded up (at least 1 s). A connect
  // timeout that is not whole seconds is also honoured to the ms: a TCP connect of our own,
  // bounded by it, comes first (a server across a cut drops the SYN).
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};

  std::string describe() const;  // "user@host:port" or "user@unix:path", for messages
};

using Row = std::vector<std::optional<std::string>>;  // nullopt is SQL NULL

struct Rows {
  std::vector<std::string> columns;
  std::vector<Row> rows;

  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
  // The index of a column by name; nullopt when there is no such column.
  std::optional<std::size_t> column(std::string_view name) const;
  // The value in row `row` of the column named `name`; nullopt for NULL or a missing column.
  std::optional<std::string> get(std::size_t row, std::string_view name) const;
};

struct ExecResult {
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
};

class Connection {
 public:
  static Result<Connection> connect(const ConnectOptions& options);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // A statement whose rows, if any, are discarded.
  Result<ExecResult> exec(std::string_view sql);
  // A statement that returns rows (SELECT, SHOW, ...).
  Result<Rows> query(std::string_view sql);
  // The first column of the first row; nullopt when there is no row or the value is NULL.
  Result<std::optional<std::string>> query_value(std::string_view sql);

  // Escapes for use inside single quotes, in the connection's character set.
  std::string escape(std::string_view text) const;
  // escape() wrapped in single quotes: a complete SQL string literal.
  std::string quote(std::string_view text) const;

  Result<void> ping();
  const ConnectOptions& options() const { return options_; }

 private:
  struct Closer {
    void operator()(st_mysql* handle) const;
  };
  Connection(std::unique_ptr<st_mysql, Closer> handle, ConnectOptions options);
  Error last_error() const;
  Result<void> run(std::string_view sql);

  std::unique_ptr<st_mysql, Closer> handle_;
  ConnectOptions options_;
};

}  // namespace dr::db
