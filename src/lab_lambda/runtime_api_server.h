// The Lambda Runtime API (version 2018-06-01) as AWS documents it for custom runtimes, served for
// one execution environment at a time:
//   GET  /2018-06-01/runtime/invocation/next          a long poll: blocks until there is an
//        event; the headers Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn,
//        -Trace-Id carry the invocation, the body is the event;
//   POST /2018-06-01/runtime/invocation/<id>/response  202; 400 for an id that is not the one in
//        flight, 403 when it was already answered, 413 over 6 MB;
//   POST /2018-06-01/runtime/invocation/<id>/error     202 (same checks), with
//        Lambda-Runtime-Function-Error-Type and {"errorMessage","errorType","stackTrace"};
//   POST /2018-06-01/runtime/init/error                202 before the first `next`, 403 after.
// Requests from another user's process get a 403 (peer_owner.h).
// A 500 tells the runtime to exit: a `next` still blocked when its environment is reset gets one.
// The emulator (lambda_emulator.h) drives it: it offers one invocation, then reads what came back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lab/error.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace dr::lab_lambda {

// Lambda's limit on a synchronous invocation's response (and on its event).
inline constexpr std::size_t kMaxPayloadBytes = 6 * 1024 * 1024;

struct OfferedInvocation {
  std::string request_id;  // [A-Za-z0-9-] (a UUID)
  std::string event;       // the body `next` returns
  std::string function_arn;
  std::string trace_id;
  std::chrono::milliseconds timeout{3000};  // the deadline is set when `next` hands it out
};

// What the runtime posted.
struct RuntimePost {
  enum class Kind { kResponse, kError, kInitError } kind = Kind::kResponse;
  std::string body;           // as posted (a response's payload; an error's JSON)
  std::string error_type;     // Lambda-Runtime-Function-Error-Type, else the body's errorType
  std::string error_message;  // the body's errorMessage (or the body itself when not JSON)
  int64_t received_ms = 0;    // Unix time
};

// The state of the current environment, copied under the lock.
struct RuntimeView {
  bool polled = false;               // the runtime called `next` (its init is over)
  std::optional<int64_t> handed_ms;  // when `next` handed the offered invocation out
  int64_t deadline_ms = 0;           // its Lambda-Runtime-Deadline-Ms
  std::optional<RuntimePost> result;
  std::optional<RuntimePost> init_error;
  int waiting_polls = 0;  // `next` calls blocked right now (a dead environment's included)
};

class RuntimeApiServer {
 public:
  RuntimeApiServer();
  ~RuntimeApiServer();
  RuntimeApiServer(const RuntimeApiServer&) = delete;
  RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

  // Binds `address` on a free port and serves; returns the port.
  lab::Result<std::uint16_t> start(const std::string& address);
  // Releases blocked polls (500) and stops serving. Safe twice.
  void stop();
  // host:port, what AWS_LAMBDA_RUNTIME_API carries.
  std::string host_port() const { return host_port_; }

  // A new execution environment: the previous one's blocked poll gets a 500, its unanswered
  // invocation and its posts are forgotten (a late post for it gets a 400).
  void new_environment();
  // The one invocation the environment's next `next` hands out.
  void offer(OfferedInvocation invocation);
  RuntimeView view();

 private:
  void on_next(const httplib::Request& req, httplib::Response& res);
  void on_invocation_post(const httplib::Request& req, httplib::Response& res, bool is_error);
  void on_init_error(const httplib::Request& req, httplib::Response& res);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string address_;
  int port_ = 0;
  std::string host_port_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool closing_ = false;
  std::uint64_t generation_ = 0;
  std::optional<OfferedInvocation> offered_;  // not handed out yet
  std::optional<OfferedInvocation> current_;  // handed out, its result may be in view_
  RuntimeView view_;
};

}  // namespace dr::lab_lambda
