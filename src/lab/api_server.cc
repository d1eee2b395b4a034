#include "lab/api_server.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

#include "lab/wait.h"

namespace dr::lab {
using nlohmann::json;
using namespace std::chrono_literals;

void reply_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, json{{"error", message}});
}

namespace {

std::string lower(std::string s) {
  std::ranges::transform(s, s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Compares in time independent of where the first difference is: the token is a secret.
bool same_secret(const std::string& given, const std::string& token) {
  if (token.empty() || given.size() != token.size()) return false;  // its length is no secret
  unsigned char diff = 0;
  for (std::size_t i = 0; i < token.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

bool carries_body(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

// "application/json; charset=utf-8" -> "application/json".
std::string media_type(const std::string& content_type) {
  std::string t = lower(content_type.substr(0, content_type.find(';')));
  t.erase(0, t.find_first_not_of(" \t"));
  t.erase(t.find_last_not_of(" \t") + 1);
  return t;
}

// httplib's own errors come with an empty body: give them the documented shape.
std::string message_for(int status) {
  switch (status) {
    case 400:
      return "bad request: not a well-formed HTTP request";
    case 404:
      return "no such route";
    case 413:
      return "the body is too large";
    case 414:
      return "the URI is too long";
    default:
      return "HTTP " + std::to_string(status);
  }
}

}  // namespace

ApiServer::ApiServer(std::string name, std::string token)
    : name_(std::move(name)),
      token_(std::move(token)),
      server_(std::make_unique<httplib::Server>()) {
  auto& s = *server_;
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return refuse(req, res) ? httplib::Server::HandlerResponse::Handled
                            : httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        reply_error(res, res.status, message_for(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [this](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        reply_error(res, 500, name_ + ": " + req.method + " " + req.path + " failed: " + what);
      });
  s.set_payload_max_length(64 * 1024);
}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::route(const std::string& method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, std::regex(pattern)});
  auto& s = *server_;
  if (method == "GET") {
    s.Get(pattern, std::move(handler));
  } else if (method == "POST") {
    s.Post(pattern, std::move(handler));
  } else if (method == "PUT") {
    s.Put(pattern, std::move(handler));
  } else if (method == "DELETE") {
    s.Delete(pattern, std::move(handler));
  } else {
    throw std::invalid_argument("ApiServer::route: unsupported method " + method);
  }
}

bool ApiServer::refuse(const httplib::Request& req, httplib::Response& res) const {
  const std::string host = req.get_header_value("Host");
  if (host != authority_) {
    reply_error(res, 403,
                "Host must be " + authority_ + " (got \"" + host + "\"): the " + name_ +
                    " answers only under its own address");
    return true;
  }
  for (const char* header : {"Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest"}) {
    if (req.has_header(header)) {
      reply_error(res, 403,
                  "requests from a browser (" + std::string(header) + " header) are refused: the " +
                      name_ + " is for drctl and the controller");
      return true;
    }
  }
  const std::string auth = req.get_header_value("Authorization");
  const std::string scheme = "Bearer ";
  if (auth.size() <= scheme.size() || lower(auth.substr(0, scheme.size())) != lower(scheme) ||
      !same_secret(auth.substr(scheme.size()), token_)) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"dr-lab\"");
    reply_error(res, 401,
                std::string(auth.empty() ? "no" : "a wrong") +
                    " bearer token: send \"Authorization: Bearer <token>\" with the token in "
                    "<lab dir>/control-token");
    return true;
  }
  // The routes: 404 for an unknown path, 405 + Allow for a known path under another method.
  std::vector<std::string> allowed;
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  bool served = false;
  for (const auto& r : routes_) {
    if (!std::regex_match(req.path, r.pattern)) continue;
    if (r.method == method) served = true;
    if (std::ranges::find(allowed, r.method) == allowed.end()) allowed.push_back(r.method);
  }
  if (allowed.empty()) {
    reply_error(res, 404, "no route " + req.path + " in the " + name_);
    return true;
  }
  if (!served) {
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    res.set_header("Allow", allow);
    reply_error(res, 405,
                req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
    return true;
  }
  if (carries_body(req.method)) {
    const bool chunked = lower(req.get_header_value("Transfer-Encoding")) == "chunked";
    if (req.method != "DELETE" && !req.has_header("Content-Length") && !chunked) {
      // Without a length httplib would wait for the client to close the connection.
      reply_error(res, 411,
                  req.method + " " + req.path +
                      " needs a body with Content-Length: a JSON object, {} when there is "
                      "nothing to say");
      return true;
    }
    const bool has_body = chunked || (req.has_header("Content-Length") &&
                                      req.get_header_value("Content-Length") != "0");
    if ((has_body || req.has_header("Content-Type")) &&
        media_type(req.get_header_value("Content-Type")) != "application/json") {
      reply_error(res, 415,
                  "the body must be JSON (Content-Type: application/json), not \"" +
                      req.get_header_value("Content-Type") + "\"");
      return true;
    }
  }
  return false;
}

Result<std::uint16_t> ApiServer::start(const std::string& address, int port) {
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(address);
  } else if (!server_->bind_to_port(address, port)) {
    bound = -1;
  }
  if (bound <= 0)
    return fail(ErrorKind::kSystem,
                name_ + ": cannot listen on " + address + ":" + std::to_string(port));
  authority_ = address + (bound == 80 ? "" : ":" + std::to_string(bound));
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    thread_done_ = true;
  });
  auto serving =
      wait_until(name_ + " serving", [this] { return server_->is_running() || thread_done_; });
  if (!serving || !server_->is_running()) {
    stop();
    return fail(ErrorKind::kSystem, name_ + ": the server on " + authority_ + " did not start");
  }
  return static_cast<std::uint16_t>(bound);
}

void ApiServer::stop() {
  if (!thread_.joinable()) return;
  // httplib's stop() is a no-op until listen_after_bind() has marked the server running, and the
  // thread would then listen forever: wait for it to run (or give up) first.
  (void)wait_until(name_ + " running before it stops",
                   [this] { return server_->is_running() || thread_done_; });
  server_->stop();
  thread_.join();
}

}  // namespace dr::lab
