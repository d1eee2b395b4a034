// Errors at the AWS client's boundary. The three outcomes a DR controller must never confuse are
// kept apart: a request that was never sent (safe to retry anywhere), one that was sent but whose
// outcome is unknown (it may have been applied: re-read before acting), and one the service
// refused (it said no; the code says why).
#pragma once

#include <expected>
#include <ostream>
#include <string>

namespace dr::aws {

enum class ErrorKind {
  kNotSent,          // connect failed, DNS failed, request could not be built or signed
  kOutcomeUnknown,   // sent, then the connection broke or timed out before a full response
  kServiceError,     // the service answered with an error (4xx/5xx and an error code)
  kParseError,       // the service answered, but the body is not what the protocol promises
  kCredentials,      // no usable credentials (names the source and why)
  kInvalidArgument,  // the caller's input is not valid for the operation
};

std::string to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kNotSent;
  std::string code;     // service error code (e.g. ConditionalCheckFailedException), or ours
  std::string message;  // human-readable detail
  int http_status = 0;  // 0 when no HTTP response was received
  std::string request_id;
  std::string raw_body;  // the service's error body, kept for callers that need details

  static Error not_sent(std::string message) {
    return {ErrorKind::kNotSent, "NotSent", std::move(message), 0, {}, {}};
  }
  static Error outcome_unknown(std::string message) {
    return {ErrorKind::kOutcomeUnknown, "OutcomeUnknown", std::move(message), 0, {}, {}};
  }
  static Error parse(std::string message) {
    return {ErrorKind::kParseError, "ParseError", std::move(message), 0, {}, {}};
  }
  static Error credentials(std::string message) {
    return {ErrorKind::kCredentials, "CredentialsError", std::move(message), 0, {}, {}};
  }
  static Error invalid_argument(std::string message) {
    return {ErrorKind::kInvalidArgument, "InvalidArgument", std::move(message), 0, {}, {}};
  }
  static Error service(int status, std::string code, std::string message) {
    return {ErrorKind::kServiceError, std::move(code), std::move(message), status, {}, {}};
  }

  std::string describe() const;
};

std::ostream& operator<<(std::ostream& os, ErrorKind kind);
std::ostream& operator<<(std::ostream& os, const Error& error);

template <class T>
using Result = std::expected<T, Error>;

}  // namespace dr::aws
