#include "lambda/runtime_api.h"

#include <nlohmann/json.hpp>

#include <charconv>

namespace dr::lambda {

namespace {

constexpr const char* kPrefix = "/2018-06-01/runtime/";

RuntimeApiError api_error(bool fatal, std::string message) {
  return {fatal, std::move(message), {}};
}

std::string status_text(const aws::HttpResponse& r) {
  std::string body = r.body.substr(0, 300);
  return "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + body);
}

}  // namespace

std::string ErrorReport::to_json() const {
  // dump() with replace: an invalid UTF-8 byte in a message must not throw.
  return nlohmann::json{
      {"errorMessage", message}, {"errorType", type}, {"stackTrace", nlohmann::json::array()}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_valid_request_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  return true;
}

RuntimeApi::RuntimeApi(std::string host_port, std::shared_ptr<aws::HttpTransport> next_transport,
                       std::shared_ptr<aws::HttpTransport> post_transport)
    : host_port_(std::move(host_port)),
      next_(std::move(next_transport)),
      post_(std::move(post_transport)) {}

RuntimeApi RuntimeApi::with_default_transport(std::string host_port) {
  aws::TransportOptions next_options;
  // 0 is "no timeout" (both transports): Lambda freezes the process inside this call between
  // invocations, for minutes.
  next_options.request_timeout = std::chrono::milliseconds(0);
  next_options.max_response_bytes = 8 * 1024 * 1024;  // 6 MB is Lambda's largest payload
  aws::TransportOptions post_options;
  post_options.request_timeout = std::chrono::milliseconds(10000);
  post_options.max_response_bytes = 64 * 1024;
  return RuntimeApi(std::move(host_port), aws::make_default_transport(next_options),
                    aws::make_default_transport(post_options));
}

std::expected<Invocation, RuntimeApiError> RuntimeApi::next() {
  aws::HttpRequest request;
  request.method = "GET";
  request.scheme = "http";
  request.host = host_port_;
  request.path = std::string(kPrefix) + "invocation/next";
  auto response = next_->send(request);
  if (!response) return std::unexpected(api_error(false, "next: " + response.error().describe()));
  if (response->status != 200)
    return std::unexpected(api_error(response->status >= 500, "next: " + status_text(*response)));
  Invocation inv;
  auto header = [&](const char* name) {
    const std::string* v = response->header(name);
    return v ? *v : std::string();
  };
  inv.request_id = header("Lambda-Runtime-Aws-Request-Id");
  if (!is_valid_request_id(inv.request_id))
    return std::unexpected(
        api_error(false, "next: bad Lambda-Runtime-Aws-Request-Id '" + inv.request_id + "'"));
  auto deadline = header("Lambda-Runtime-Deadline-Ms");
  auto [end, ec] =
      std::from_chars(deadline.data(), deadline.data() + deadline.size(), inv.deadline_ms);
  if (ec != std::errc() || end != deadline.data() + deadline.size() || inv.deadline_ms <= 0)
    return std::unexpected(RuntimeApiError{
        false, "next: bad Lambda-Runtime-Deadline-Ms '" + deadline + "'", inv.request_id});
  inv.trace_id = header("Lambda-Runtime-Trace-Id");
  inv.function_arn = header("Lambda-Runtime-Invoked-Function-Arn");
  inv.body = std::move(response->body);
  return inv;
}

std::expected<void, RuntimeApiError> RuntimeApi::post(const std::string& path, std::string body,
                                                      const std::string& error_type) {
  aws::HttpRequest request;
  request.method = "POST";
  request.scheme = "http";
  request.host = host_port_;
  request.path = std::string(kPrefix) + path;
  request.body = std::move(body);
  request.set_header("Content-Type", "application/json");
  if (!error_type.empty()) request.set_header("Lambda-Runtime-Function-Error-Type", error_type);
  auto response = post_->send(request);
  if (!response)
    return std::unexpected(api_error(false, path + ": " + response.error().describe()));
  // 202 Accepted; 400/403/413 say the post was refused; 500: the runtime must exit.
  if (response->status != 202)
    return std::unexpected(
        api_error(response->status >= 500, path + ": " + status_text(*response)));
  return {};
}

std::expected<void, RuntimeApiError> RuntimeApi::respond(const std::string& request_id,
                                                         const std::string& body) {
  return post("invocation/" + request_id + "/response", body, "");
}

std::expected<void, RuntimeApiError> RuntimeApi::fail(const std::string& request_id,
                                                      const ErrorReport& error) {
  return post("invocation/" + request_id + "/error", error.to_json(), error.type);
}

std::expected<void, RuntimeApiError> RuntimeApi::init_error(const ErrorReport& error) {
  return post("init/error", error.to_json(), error.type);
}

}  // namespace dr::lambda
