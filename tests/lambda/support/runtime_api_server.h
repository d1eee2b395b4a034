// A loopback Lambda Runtime API for tests and the init benchmark: GET invocation/next hands out
// queued invocations (and blocks, as the real one does, while there is none), and every POST is
// recorded with its arrival time. close() releases a blocked `next` so the server can stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/support/loopback_server.h"

namespace dr::test {

struct QueuedInvocation {
  std::string request_id;
  int64_t deadline_ms = 0;
  std::string body;
  std::string trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  std::string raw_deadline = {};  // sent instead of deadline_ms when set (a malformed header)
};

struct RuntimePost {
  std::string path;
  std::string error_type;  // Lambda-Runtime-Function-Error-Type
  std::string body;
  int64_t received_ms = 0;  // Unix time
};

inline int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RuntimeApiServer {
 public:
  RuntimeApiServer() {
    server_.http().Get("/2018-06-01/runtime/invocation/next", [this](const httplib::Request&,
                                                                     httplib::Response& res) {
      std::unique_lock lock(mu_);
      ++next_calls_;
      if (!first_next_ms_) first_next_ms_ = unix_ms_now();
      cv_.notify_all();
      cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
      if (closed_) {
        res.status = 500;  // the runtime must exit
        return;
      }
      auto inv = std::move(queue_.front());
      queue_.pop_front();
      res.set_header("Lambda-Runtime-Aws-Request-Id", inv.request_id);
      res.set_header("Lambda-Runtime-Deadline-Ms",
                     inv.raw_deadline.empty() ? std::to_string(inv.deadline_ms) : inv.raw_deadline);
      res.set_header("Lambda-Runtime-Trace-Id", inv.trace_id);
      res.set_header("Lambda-Runtime-Invoked-Function-Arn",
                     "arn:aws:lambda:us-west-2:123456789012:function:dr-failover-controller");
      res.set_content(inv.body, "application/json");
    });
    server_.http().Post(R"(.*)", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      posts_.push_back({req.path, req.get_header_value("Lambda-Runtime-Function-Error-Type"),
                        req.body, unix_ms_now()});
      res.status = 202;
      res.set_content(R"({"status":"OK"})", "application/json");
      cv_.notify_all();
    });
    server_.start();
  }
  ~RuntimeApiServer() {
    close();
    server_.stop();
  }
  RuntimeApiServer(const RuntimeApiServer&) = delete;
  RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

  std::string host() const { return server_.host(); }

  void push(QueuedInvocation inv) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(inv));
    cv_.notify_all();
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

  // Waits (up to `timeout`) until `count` posts have arrived; returns those there are.
  std::vector<RuntimePost> wait_posts(
      size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return posts_.size() >= count; });
    return posts_;
  }

  // Waits until `next` has been asked `count` times.
  bool wait_next_calls(int count, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return next_calls_ >= count; });
  }

  std::optional<int64_t> first_next_ms() {
    std::lock_guard lock(mu_);
    return first_next_ms_;
  }

 private:
  LoopbackServer server_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<QueuedInvocation> queue_;
  std::vector<RuntimePost> posts_;
  int next_calls_ = 0;
  std::optional<int64_t> first_next_ms_;
  bool closed_ = false;
};

}  // namespace dr::test
