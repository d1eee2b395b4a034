// A client of the Lambda Runtime API (version 2018-06-01) as AWS documents it for custom
// runtimes: GET invocation/next (a long poll: it blocks until Lambda has an event, so it has no
// timeout), POST invocation/<id>/response, invocation/<id>/error and init/error. The errors carry
// {"errorMessage", "errorType", "stackTrace"} and the Lambda-Runtime-Function-Error-Type header.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <string>

#include "aws/transport.h"

namespace dr::lambda {

struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;   // Lambda-Runtime-Deadline-Ms: Unix time in milliseconds
  std::string trace_id;      // Lambda-Runtime-Trace-Id (may be empty)
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string body;          // the event
};

// What goes to /error and /init/error.
struct ErrorReport {
  std::string type;     // "Runtime.InvalidEvent", "Runtime.ConfigInvalid", ...
  std::string message;  // one line for the operator
  std::string to_json() const;
};

struct RuntimeApiError {
  // A 500 from the Runtime API means the runtime must exit (the environment is broken); any
  // other failure is reported and the loop goes on.
  bool fatal = false;
  std::string message;
  // Set when `next` named a valid request id but the rest of the invocation is unusable (a bad
  // deadline): that invocation gets an /error post instead of hanging until its timeout.
  std::string request_id;
};

class RuntimeApi {
 public:
  // `host_port` is AWS_LAMBDA_RUNTIME_API. `next_transport` serves the long poll and must not
  // time out; `post_transport` serves the short posts.
  RuntimeApi(std::string host_port, std::shared_ptr<aws::HttpTransport> next_transport,
             std::shared_ptr<aws::HttpTransport> post_transport);

  // The program's transports (aws::make_default_transport): no timeout on next, a bounded
  // one on the posts.
  static RuntimeApi with_default_transport(std::string host_port);

  std::expected<Invocation, RuntimeApiError> next();
  std::expected<void, RuntimeApiError> respond(const std::string& request_id,
                                               const std::string& body);
  std::expected<void, RuntimeApiError> fail(const std::string& request_id,
                                            const ErrorReport& error);
  std::expected<void, RuntimeApiError> init_error(const ErrorReport& error);

 private:
  std::expected<void, RuntimeApiError> post(const std::string& path, std::string body,
                                            const std::string& error_type);

  std::string host_port_;
  std::shared_ptr<aws::HttpTransport> next_;
  std::shared_ptr<aws::HttpTransport> post_;
};

// A request id goes into a URL path: only [A-Za-z0-9-] (AWS sends UUIDs), so a hostile value
// can never reach another path.
bool is_valid_request_id(const std::string& id);

}  // namespace dr::lambda
