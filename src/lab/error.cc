#include "lab/error.h"

#include <cstring>

namespace dr::lab {

std::string to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kSystem:
      return "system";
    case ErrorKind::kSpawn:
      return "spawn";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kExited:
      return "exited";
    case ErrorKind::kConfig:
      return "config";
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kProtocol:
      return "protocol";
    case ErrorKind::kDatabase:
      return "database";
    case ErrorKind::kRefused:
      return "refused";
  }
  return "unknown";
}

Error Error::system(const std::string& what, int errnum) {
  return {ErrorKind::kSystem, what + ": " + std::strerror(errnum)};
}

std::ostream& operator<<(std::ostream& os, ErrorKind kind) {
  return os << to_string(kind);
}
std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.describe();
}

}  // namespace dr::lab
