#include "db/connection.h"

#include "net/connect.h"

#include <arpa/inet.h>
#include <mysql.h>

#include <mutex>

namespace dr::db {
namespace {

// mysql_library_init is not thread-safe and mysql_init calls it implicitly: do it once, first.
void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

unsigned int whole_seconds(std::chrono::milliseconds ms) {
  const auto count = (ms.count() + 999) / 1000;
  return count < 1 ? 1U : static_cast<unsigned int>(count);
}

// libmariadb's connect timeout is whole seconds. A caller that asked for less (the controller
// fencing a server across a cut: a dropped SYN would cost it a whole second, twice in one
// runbook) gets a TCP connect of its own first, bounded in ms. nullopt: reachable, or not an
// IPv4 literal (libmariadb then decides alone, as it does on a bad bind address or when the
// local system fails us); else why not.
std::optional<std::string> unreachable_within(const ConnectOptions& o) {
  in_addr v4{};
  if (::inet_pton(AF_INET, o.host.c_str(), &v4) != 1) return std::nullopt;
  auto fd = net::connect_within(o.host, o.port, o.bind_address, o.connect_timeout);
  if (fd) return std::nullopt;
  switch (fd.error().kind) {
    case net::ErrorKind::kRefused:
    case net::ErrorKind::kUnreachable:
      return fd.error().message;
    case net::ErrorKind::kTimeout:
      return "no TCP connect within " + std::to_string(o.connect_timeout.count()) + " ms";
    case net::ErrorKind::kBadAddress:
    case net::ErrorKind::kSystem:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::string ConnectOptions::describe() const {
  if (!unix_socket.empty()) return user + "@unix:" + unix_socket;
  return user + "@" + host + ":" + std::to_string(port);
}

std::optional<std::size_t> Rows::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<std::string> Rows::get(std::size_t row, std::string_view name) const {
  const auto index = column(name);
  if (!index || row >= rows.size() || *index >= rows[row].size()) return std::nullopt;
  return rows[row][*index];
}

void Connection::Closer::operator()(st_mysql* handle) const {
  mysql_close(handle);
}

Connection::Connection(std::unique_ptr<st_mysql, Closer> handle, ConnectOptions options)
    : handle_(std::move(handle)), options_(std::move(options)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Result<Connection> Connection::connect(const ConnectOptions& options) {
  init_library_once();
  std::unique_ptr<st_mysql, Closer> handle(mysql_init(nullptr));
  if (!handle) return std::unexpected(Error::client("mysql_init: out of memory"));

  const unsigned int connect_timeout = whole_seconds(options.connect_timeout);
  const unsigned int read_timeout = whole_seconds(options.read_timeout);
  const unsigned int write_timeout = whole_seconds(options.write_timeout);
  const my_bool reconnect = 0;
  const unsigned int protocol =
      options.unix_socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
  mysql_optionsv(handle.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(handle.get(), MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(handle.get(), MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
  mysql_optionsv(handle.get(), MYSQL_OPT_RECONNECT, &reconnect);
  mysql_optionsv(handle.get(), MYSQL_OPT_PROTOCOL, &protocol);
  mysql_optionsv(handle.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  if (!options.bind_address.empty()) {
    mysql_optionsv(handle.get(), MYSQL_OPT_BIND, options.bind_address.c_str());
  }

  const bool socket = !options.unix_socket.empty();
  if (!socket && options.connect_timeout.count() % 1000 != 0) {
    if (auto why = unreachable_within(options))
      return std::unexpected(Error{ErrorKind::kConnectFailed, 2003, "HY000",
                                   options.describe() + ": Can't connect to server on '" +
                                       options.host + "' (" + *why + ")"});
  }
  if (mysql_real_connect(handle.get(), socket ? "localhost" : options.host.c_str(),
                         options.user.c_str(), options.password.c_str(),
                         options.database.empty() ? nullptr : options.database.c_str(),
                         socket ? 0U : options.port, socket ? options.unix_socket.c_str() : nullptr,
                         0) == nullptr) {
    Error error = Error::from_code(mysql_errno(handle.get()), mysql_sqlstate(handle.get()),
                                   options.describe() + ": " + mysql_error(handle.get()));
    // A connect that reached the server and then broke (2013 during the handshake) still sent
    // nothing the server could act on: for the caller it is a failed connect.
    if (error.kind == ErrorKind::kConnectionLost) error.kind = ErrorKind::kConnectFailed;
    return std::unexpected(std::move(error));
  }
  return Connection(std::move(handle), options);
}

Error Connection::last_error() const {
  return Error::from_code(mysql_errno(handle_.get()), mysql_sqlstate(handle_.get()),
                          mysql_error(handle_.get()));
}

Result<void> Connection::run(std::string_view sql) {
  if (!handle_) return std::unexpected(Error::client("connection was moved from"));
  if (mysql_real_query(handle_.get(), sql.data(), static_cast<unsigned long>(sql.size())) != 0) {
    return std::unexpected(last_error());
  }
  return {};
}

Result<ExecResult> Connection::exec(std::string_view sql) {
  if (auto ran = run(sql); !ran) return std::unexpected(ran.error());
  ExecResult result;
  // Rows from a statement that returns some must still be read, or the connection is out of
  // sync for the next statement.
  do {
    if (MYSQL_RES* res = mysql_store_result(handle_.get()); res != nullptr) {
      mysql_free_result(res);
    } else if (mysql_field_count(handle_.get()) != 0) {
      return std::unexpected(last_error());
    } else {
      result.affected_rows = mysql_affected_rows(handle_.get());
      result.last_insert_id = mysql_insert_id(handle_.get());
    }
    const int next = mysql_next_result(handle_.get());
    if (next > 0) return std::unexpected(last_error());
    if (next < 0) break;
  } while (true);
  return result;
}

Result<Rows> Connection::query(std::string_view sql) {
  if (auto ran = run(sql); !ran) return std::unexpected(ran.error());
  MYSQL_RES* res = mysql_store_result(handle_.get());
  if (res == nullptr) {
    if (mysql_field_count(handle_.get()) != 0) return std::unexpected(last_error());
    return Rows{};  // a statement without a result set
  }
  std::unique_ptr<MYSQL_RES, decltype(&mysql_free_result)> owned(res, &mysql_free_result);
  Rows rows;
  const unsigned int fields = mysql_num_fields(res);
  const MYSQL_FIELD* field_info = mysql_fetch_fields(res);
  for (unsigned int i = 0; i < fields; ++i) rows.columns.emplace_back(field_info[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    Row out;
    out.reserve(fields);
    for (unsigned int i = 0; i < fields; ++i) {
      if (row[i] == nullptr) {
        out.emplace_back(std::nullopt);
      } else {
        out.emplace_back(std::string(row[i], lengths[i]));
      }
    }
    rows.rows.push_back(std::move(out));
  }
  if (mysql_errno(handle_.get()) != 0) return std::unexpected(last_error());
  // Drain any further result sets so the next statement is in sync.
  while (mysql_next_result(handle_.get()) == 0) {
    if (MYSQL_RES* more = mysql_store_result(handle_.get()); more != nullptr) {
      mysql_free_result(more);
    }
  }
  return rows;
}

Result<std::optional<std::string>> Connection::query_value(std::string_view sql) {
  auto rows = query(sql);
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty() || rows->rows.front().empty()) return std::optional<std::string>{};
  return rows->rows.front().front();
}

std::string Connection::escape(std::string_view text) const {
  std::string out(text.size() * 2 + 1, '\0');
  const unsigned long n = mysql_real_escape_string(handle_.get(), out.data(), text.data(),
                                                   static_cast<unsigned long>(text.size()));
  out.resize(n);
  return out;
}

std::string Connection::quote(std::string_view text) const {
  return "'" + escape(text) + "'";
}

Result<void> Connection::ping() {
  if (!handle_) return std::unexpected(Error::client("connection was moved from"));
  if (mysql_ping(handle_.get()) != 0) return std::unexpected(last_error());
  return {};
}

}  // namespace dr::db
