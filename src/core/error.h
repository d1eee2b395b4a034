// Errors at core's ports. The kind says what the runbook must do with a failed step, whatever the
// target (AWS or the lab) and whatever the wording of the message:
// - unreachable: the thing is gone or cut off (a dead region). Nothing was done. A failover may go
//   on without it where its region is abandoned anyway.
// - refused: it answered no (bad state, bad credentials, a precondition). Stop and say why.
// - timeout: it did not finish in time; nothing is known to have been done.
// - conflict: someone else holds the runbook (another controller, an operator). Stop; never
//   fight over it.
// - outcome-unknown: the request was sent and the answer lost. It may have been applied: re-read
//   before retrying (the step runs again next tick, and each port re-reads first).
// - not-supported: this target does not do that (Aurora fences its own writer). Skip it.
#pragma once

#include <expected>
#include <ostream>
#include <string>

namespace dr::core {

enum class ErrorKind {
  kUnreachable,
  kRefused,
  kTimeout,
  kConflict,
  kOutcomeUnknown,
  kNotSupported
};

std::string to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kRefused;
  std::string message;  // written for the operator; names what failed

  // "<kind>: <message>"
  std::string describe() const;
  // The same error, its message prefixed with where it happened ("b1: ", "catch-up source ").
  Error in(const std::string& context) const { return {kind, context + message}; }
};

std::string to_string(const Error& error);
std::ostream& operator<<(std::ostream& os, ErrorKind kind);
std::ostream& operator<<(std::ostream& os, const Error& error);

template <class T = void>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected(Error{kind, std::move(message)});
}

}  // namespace dr::core
