#include "lab_lambda/runtime_api_server.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>

#include "lab/wait.h"
#include "lab_lambda/peer_owner.h"

namespace dr::lab_lambda {

namespace {

constexpr const char* kPrefix = "/2018-06-01/runtime";

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The API's error body (the OpenAPI spec's ErrorResponse: errorMessage, errorType).
void reply(httplib::Response& res, int status, const std::string& type,
           const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump(),
                  "application/json");
}

void accepted(httplib::Response& res) {
  res.status = 202;
  res.set_content(R"({"status":"OK"})", "application/json");
}

// An error post's body: {"errorMessage", "errorType", "stackTrace"}; the header's type wins, as
// Lambda reports the Lambda-Runtime-Function-Error-Type. A body that is not JSON is kept as the
// message (bounded): the runtime's words are the operator's best clue.
RuntimePost error_post(RuntimePost::Kind kind, const httplib::Request& req) {
  RuntimePost post;
  post.kind = kind;
  post.body = req.body;
  post.received_ms = unix_ms();
  post.error_type = req.get_header_value("Lambda-Runtime-Function-Error-Type");
  auto j = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_object()) {
    if (auto m = j.find("errorMessage"); m != j.end() && m->is_string())
      post.error_message = m->get<std::string>();
    if (auto t = j.find("errorType"); post.error_type.empty() && t != j.end() && t->is_string())
      post.error_type = t->get<std::string>();
  } else {
    post.error_message = req.body.substr(0, 1024);
  }
  // Lambda's type for an error the runtime did not name.
  if (post.error_type.empty()) post.error_type = "Unhandled";
  return post;
}

}  // namespace

RuntimeApiServer::RuntimeApiServer() : server_(std::make_unique<httplib::Server>()) {
  // One slot over Lambda's limit, so that an oversized post reaches the route and gets the
  // API's own 413 (httplib's would have no errorType).
  server_->set_payload_max_length(kMaxPayloadBytes + 1024);
  server_->set_tcp_nodelay(true);
  server_->Get(std::string(kPrefix) + "/invocation/next",
               [this](const httplib::Request& req, httplib::Response& res) { on_next(req, res); });
  server_->Post(std::string(kPrefix) + R"(/invocation/([A-Za-z0-9-]{1,128})/response)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  on_invocation_post(req, res, false);
                });
  server_->Post(std::string(kPrefix) + R"(/invocation/([A-Za-z0-9-]{1,128})/error)",
                [this](const httplib::Request& req, httplib::Response& res) {
                  on_invocation_post(req, res, true);
                });
  server_->Post(
      std::string(kPrefix) + "/init/error",
      [this](const httplib::Request& req, httplib::Response& res) { on_init_error(req, res); });
  // Only this user's processes may talk to it (see peer_owner.h): another user's request is
  // refused before any route runs, so it can neither take an event nor answer one.
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const auto owner = loopback_peer_uid(req.remote_addr, req.remote_port, address_, port_);
    if (owner && *owner == ::geteuid()) return httplib::Server::HandlerResponse::Unhandled;
    reply(res, 403, "AccessDenied", "the Runtime API serves only its own user's runtime");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.status == 404) reply(res, 404, "NotFound", "no such Runtime API path");
    if (res.status == 413) reply(res, 413, "RequestEntityTooLarge", "payload over 6 MB");
  });
}

RuntimeApiServer::~RuntimeApiServer() {
  stop();
}

lab::Result<std::uint16_t> RuntimeApiServer::start(const std::string& address) {
  const int port = server_->bind_to_any_port(address);
  if (port <= 0)
    return lab::fail(lab::ErrorKind::kSystem, "Runtime API: cannot listen on " + address);
  address_ = address;
  port_ = port;
  host_port_ = address + ":" + std::to_string(port);
  auto done = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, done] {
    server_->listen_after_bind();
    *done = true;
  });
  auto serving =
      lab::wait_until("Runtime API serving", [&] { return server_->is_running() || done->load(); });
  if (!serving || !server_->is_running()) {
    stop();
    return lab::fail(lab::ErrorKind::kSystem, "Runtime API on " + host_port_ + " did not start");
  }
  return static_cast<std::uint16_t>(port);
}

void RuntimeApiServer::stop() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  // httplib's stop() is a no-op until the server runs; start() waited for that (or failed).
  server_->stop();
  thread_.join();
}

void RuntimeApiServer::new_environment() {
  {
    std::lock_guard lock(mu_);
    ++generation_;
    offered_.reset();
    current_.reset();
    const int waiting = view_.waiting_polls;  // the old environment's polls are still there
    view_ = {};
    view_.waiting_polls = waiting;
  }
  cv_.notify_all();
}

void RuntimeApiServer::offer(OfferedInvocation invocation) {
  {
    std::lock_guard lock(mu_);
    offered_ = std::move(invocation);
    current_.reset();
    view_.handed_ms.reset();
    view_.deadline_ms = 0;
    view_.result.reset();
  }
  cv_.notify_all();
}

RuntimeView RuntimeApiServer::view() {
  std::lock_guard lock(mu_);
  return view_;
}

void RuntimeApiServer::on_next(const httplib::Request&, httplib::Response& res) {
  std::unique_lock lock(mu_);
  const auto generation = generation_;
  view_.polled = true;
  if (current_ && !view_.result) {
    // Asking for the next event without answering this one: Lambda would count it as done with
    // nothing to return; the lab records it as an error so that a runtime bug shows.
    view_.result = RuntimePost{RuntimePost::Kind::kError, "", "Runtime.NoResponse",
                               "the runtime asked for the next event without answering", unix_ms()};
  }
  cv_.notify_all();
  ++view_.waiting_polls;
  cv_.wait(lock, [&] { return closing_ || generation_ != generation || offered_.has_value(); });
  --view_.waiting_polls;
  if (closing_ || generation_ != generation) {
    // This environment is gone; a 500 tells its runtime to exit.
    reply(res, 500, "Runtime.EnvironmentReset", "the execution environment was reset");
    return;
  }
  current_ = std::move(offered_);
  offered_.reset();
  const int64_t now = unix_ms();
  view_.handed_ms = now;
  view_.deadline_ms = now + current_->timeout.count();
  res.status = 200;
  res.set_header("Lambda-Runtime-Aws-Request-Id", current_->request_id);
  res.set_header("Lambda-Runtime-Deadline-Ms", std::to_string(view_.deadline_ms));
  res.set_header("Lambda-Runtime-Invoked-Function-Arn", current_->function_arn);
  res.set_header("Lambda-Runtime-Trace-Id", current_->trace_id);
  res.set_content(current_->event, "application/json");
  cv_.notify_all();
}

void RuntimeApiServer::on_invocation_post(const httplib::Request& req, httplib::Response& res,
                                          bool is_error) {
  const std::string id = req.matches[1];
  if (req.body.size() > kMaxPayloadBytes)
    return reply(res, 413, "RequestEntityTooLarge",
                 "payload of " + std::to_string(req.body.size()) + " bytes (at most 6 MB)");
  std::lock_guard lock(mu_);
  if (!current_ || current_->request_id != id)
    return reply(res, 400, "InvalidRequestID", "no invocation " + id + " in flight");
  if (view_.result)
    return reply(res, 403, "InvalidStateTransition", "invocation " + id + " was already answered");
  if (is_error) {
    view_.result = error_post(RuntimePost::Kind::kError, req);
  } else {
    view_.result = RuntimePost{RuntimePost::Kind::kResponse, req.body, "", "", unix_ms()};
  }
  accepted(res);
  cv_.notify_all();
}

void RuntimeApiServer::on_init_error(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  if (view_.polled)
    return reply(res, 403, "InvalidStateTransition", "init is over: the runtime called next");
  if (view_.init_error)
    return reply(res, 403, "InvalidStateTransition", "init error already reported");
  view_.init_error = error_post(RuntimePost::Kind::kInitError, req);
  accepted(res);
  cv_.notify_all();
}

}  // namespace dr::lab_lambda
