#include "lab_aws/endpoint_server.h"

#include <httplib.h>

#include "lab/wait.h"
#include "lab_aws/form.h"

namespace dr::lab_aws {

namespace {

void send(httplib::Response& res, const WireResponse& w) {
  res.status = w.status;
  res.set_content(w.body, w.content_type.c_str());
}

// The request as the signer saw it: the path as on the wire, the query decoded.
std::expected<aws::HttpRequest, AwsError> to_aws(const httplib::Request& req) {
  aws::HttpRequest out;
  out.method = req.method;
  out.scheme = "http";
  out.host = req.get_header_value("Host");
  const auto q = req.target.find('?');
  out.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view query(req.target);
    query.remove_prefix(q + 1);
    std::size_t pos = 0;
    while (pos < query.size()) {
      auto amp = query.find('&', pos);
      if (amp == std::string_view::npos) amp = query.size();
      const auto pair = query.substr(pos, amp - pos);
      pos = amp + 1;
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      auto k = percent_decode(pair.substr(0, eq), false);
      auto v = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), false);
      if (!k || !v)
        return std::unexpected(
            AwsError{400, "InvalidQueryParameter",
                     "The AWS query string is malformed: " + (k ? v.error() : k.error())});
      out.query.emplace_back(std::move(*k), std::move(*v));
    }
  }
  for (const auto& [k, v] : req.headers) {
    // httplib adds the connection's addresses as pseudo headers; no client sent them.
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT")
      continue;
    out.headers.emplace_back(k, v);
  }
  out.body = req.body;
  return out;
}

}  // namespace

EndpointServer::EndpointServer(const Dispatcher& dispatcher)
    : dispatcher_(dispatcher), server_(std::make_unique<httplib::Server>()) {
  auto& s = *server_;
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    auto request = to_aws(req);
    if (!request) {
      send(res, render_error(request.error(), Protocol::kQuery, new_request_id()));
      return;
    }
    send(res, dispatcher_.handle(*request));
  };
  s.Get(".*", handle);
  s.Post(".*", handle);
  s.Put(".*", handle);
  s.Delete(".*", handle);
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const AwsError e =
            res.status == 413
                ? AwsError{413, "RequestEntityTooLargeException",
                           "The request body is larger than " + std::to_string(kMaxBodyBytes) +
                               " bytes."}
                : AwsError{res.status, "MalformedHttpRequestException",
                           "The lab's AWS endpoint could not read the HTTP request (HTTP " +
                               std::to_string(res.status) + ")."};
        send(res, render_error(e, Protocol::kQuery, new_request_id()));
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        send(res, render_error(internal_failure(what), Protocol::kQuery, new_request_id()));
      });
  s.set_payload_max_length(kMaxBodyBytes);
}

EndpointServer::~EndpointServer() {
  stop();
}

lab::Result<std::uint16_t> EndpointServer::start(const std::string& address, int port) {
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(address);
  } else if (!server_->bind_to_port(address, port)) {
    bound = -1;
  }
  if (bound <= 0)
    return lab::fail(lab::ErrorKind::kSystem,
                     "AWS endpoint: cannot listen on " + address + ":" + std::to_string(port));
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto up = lab::wait_until("the AWS endpoint serves", [this] { return server_->is_running(); },
                            {.timeout = std::chrono::seconds(5)});
  if (!up) {
    stop();
    return std::unexpected(up.error());
  }
  return static_cast<std::uint16_t>(bound);
}

void EndpointServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace dr::lab_aws
