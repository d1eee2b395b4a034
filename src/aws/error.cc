#include "aws/error.h"

namespace dr::aws {

std::string to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNotSent:
      return "not-sent";
    case ErrorKind::kOutcomeUnknown:
      return "outcome-unknown";
    case ErrorKind::kServiceError:
      return "service-error";
    case ErrorKind::kParseError:
      return "parse-error";
    case ErrorKind::kCredentials:
      return "credentials";
    case ErrorKind::kInvalidArgument:
      return "invalid-argument";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out = to_string(kind) + ": " + code;
  if (http_status != 0) out += " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

std::ostream& operator<<(std::ostream& os, ErrorKind kind) {
  return os << to_string(kind);
}
std::ostream& operator<<(std::ostream& os, const Error& error) {
  return os << error.describe();
}

}  // namespace dr::aws
