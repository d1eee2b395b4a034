// Errors at the lab's boundary. A lab failure must say which component failed and which log to
// read, so every error carries a message written for the operator, not just a code.
#pragma once

#include <expected>
#include <ostream>
#include <string>

namespace dr::lab {

enum class ErrorKind {
  kSystem,    // a system call failed (errno text in the message)
  kSpawn,     // a child process could not be started (exec failed, bad working dir, ...)
  kTimeout,   // a condition was not met before its deadline
  kExited,    // a child process died while we waited for it to become ready
  kConfig,    // a generated config was rejected, or an input cannot make a valid config
  kNotFound,  // a binary, jar or file we need is missing
  kProtocol,  // a server answered, but not in the form we expect
  kDatabase,  // a MariaDB operation failed (the message carries the server's error)
  kRefused,   // the operation would be unsafe (e.g. rejoining with errant transactions)
};

std::string to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kSystem;
  std::string message;

  static Error make(ErrorKind kind, std::string message) { return {kind, std::move(message)}; }
  // errno-based failures: "what: strerror(errno)".
  static Error system(const std::string& what, int errnum);

  std::string describe() const { return to_string(kind) + ": " + message; }
};

std::ostream& operator<<(std::ostream& os, ErrorKind kind);
std::ostream& operator<<(std::ostream& os, const Error& error);

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected(Error::make(kind, std::move(message)));
}

}  // namespace dr::lab
