#include "lease/error.h"

namespace dr::lease {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUnavailable:
      return "unavailable";
    case ErrorKind::kRefused:
      return "refused";
    case ErrorKind::kBadReply:
      return "bad reply";
    case ErrorKind::kTimeout:
      return "timeout";
  }
  return "?";
}

std::string Error::describe() const {
  return std::string(to_string(kind)) + ": " + message;
}

std::ostream& operator<<(std::ostream& out, const Error& error) {
  return out << error.describe();
}

}  // namespace dr::lease
