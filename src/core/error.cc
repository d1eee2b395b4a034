#include "core/error.h"

namespace dr::core {

std::string to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUnreachable:
      return "unreachable";
    case ErrorKind::kRefused:
      return "refused";
    case ErrorKind::kTimeout:
      return "timeout";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kOutcomeUnknown:
      return "outcome-unknown";
    case ErrorKind::kNotSupported:
      return "not-supported";
  }
  return "unknown-kind";  // not reached: every kind is named above (-Wswitch checks)
}

std::string Error::describe() const {
  return to_string(kind) + ": " + message;
}

std::string to_string(const Error& error) {
  return error.describe();
}

std::ostream& operator<<(std::ostream& os, ErrorKind kind) {
  return os << to_string(kind);
}

std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.describe();
}

}  // namespace dr::core
