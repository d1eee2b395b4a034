#include "db/error.h"

namespace dr::db {

ErrorKind classify(unsigned code) {
  switch (code) {
    case 2002:  // can't connect through the socket
    case 2003:  // can't connect to the server (TCP refused / timed out)
    case 2005:  // unknown host
    case 2026:  // TLS error
      return ErrorKind::kConnectFailed;
    case 1044:
    case 1045:
    case 1698:
      return ErrorKind::kAccessDenied;
    case 1053:  // server shutdown in progress
    case 1927:  // connection was killed
    case 2006:  // server has gone away
    case 2013:  // lost connection during query (also: read/write timeout)
    case 2055:  // lost connection at the system-error stage
      return ErrorKind::kConnectionLost;
    case 1062:
    case 1586:
      return ErrorKind::kDuplicateKey;
    case 1290:
    case 1792:
      return ErrorKind::kReadOnly;
    case 1213:
      return ErrorKind::kDeadlock;
    case 1205:
      return ErrorKind::kLockWaitTimeout;
    default:
      return code >= 2000 && code < 3000 ? ErrorKind::kClientError : ErrorKind::kServerError;
  }
}

Error Error::from_code(unsigned code, std::string sqlstate, std::string message) {
  return {classify(code), code, std::move(sqlstate), std::move(message)};
}

std::string to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnectFailed:
      return "connect-failed";
    case ErrorKind::kAccessDenied:
      return "access-denied";
    case ErrorKind::kConnectionLost:
      return "connection-lost";
    case ErrorKind::kDuplicateKey:
      return "duplicate-key";
    case ErrorKind::kReadOnly:
      return "read-only";
    case ErrorKind::kDeadlock:
      return "deadlock";
    case ErrorKind::kLockWaitTimeout:
      return "lock-wait-timeout";
    case ErrorKind::kServerError:
      return "server-error";
    case ErrorKind::kClientError:
      return "client-error";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out = to_string(kind);
  if (code != 0)
    out += " (" + std::to_string(code) + (sqlstate.empty() ? "" : "/" + sqlstate) + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

std::ostream& operator<<(std::ostream& os, ErrorKind kind) {
  return os << to_string(kind);
}
std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.describe();
}

}  // namespace dr::db
