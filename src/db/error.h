// Errors from the database client. What a DR caller must tell apart: the server is unreachable
// (try another, fail over), the connection broke mid-statement (the write may or may not have
// committed: re-read before retrying), the server is fenced (read_only: someone else is the
// primary), and the statement itself was refused (duplicate key: the idempotent "already done").
#pragma once

#include <expected>
#include <ostream>
#include <string>

namespace dr::db {

enum class ErrorKind {
  kConnectFailed,    // no connection was made (2002, 2003, 2005, ...): nothing was sent
  kAccessDenied,     // the server refused the credentials (1044, 1045, 1698)
  kConnectionLost,   // the connection broke during a statement (2006, 2013, ...): outcome unknown
  kDuplicateKey,     // 1062, 1586
  kReadOnly,         // the server is fenced (1290 --read-only, 1792 read-only transaction)
  kDeadlock,         // 1213: the transaction was rolled back; safe to retry
  kLockWaitTimeout,  // 1205
  kServerError,      // any other error the server reported
  kClientError,      // misuse or an unexpected result shape, found on our side
};

std::string to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kServerError;
  unsigned code = 0;     // the MySQL error number (mysql_errno), 0 for our own errors
  std::string sqlstate;  // e.g. "23000"; empty for our own errors
  std::string message;

  // From a MySQL error number: the kind is derived from the number.
  static Error from_code(unsigned code, std::string sqlstate, std::string message);
  static Error client(std::string message) {
    return {ErrorKind::kClientError, 0, {}, std::move(message)};
  }

  // The server is gone or unreachable: 2002/2003/2006/2013 and friends.
  bool server_gone() const {
    return kind == ErrorKind::kConnectFailed || kind == ErrorKind::kConnectionLost;
  }
  // A write that failed this way may have committed anyway.
  bool outcome_unknown() const { return kind == ErrorKind::kConnectionLost; }

  std::string describe() const;
};

ErrorKind classify(unsigned code);

std::ostream& operator<<(std::ostream& os, ErrorKind kind);
std::ostream& operator<<(std::ostream& os, const Error& error);

template <class T>
using Result = std::expected<T, Error>;

}  // namespace dr::db
