// The write lease's errors: a closed kind that says what the caller must do, as aws/error.h does.
#pragma once

#include <expected>
#include <ostream>
#include <string>

namespace dr::lease {

enum class ErrorKind {
  kUnavailable,  // no quorum answered (cut off, members down, timeout): the lease runs out by time
  kRefused,      // the store answered no: another region holds the lease, or a compare failed
  kBadReply,     // the store answered something we cannot read (or the record is corrupt)
  kTimeout,      // a taker's wait for the old holder's lease to run out ended, still renewed
};

struct Error {
  ErrorKind kind = ErrorKind::kUnavailable;
  std::string message;

  std::string describe() const;
};

template <class T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected(Error{kind, std::move(message)});
}

const char* to_string(ErrorKind kind);
std::ostream& operator<<(std::ostream& out, const Error& error);

}  // namespace dr::lease
