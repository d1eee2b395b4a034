// The lab's HTTP APIs (the supervisor's control API, the witness) can SIGKILL databases and steer
// failovers, so every request passes one gate before any route runs, whichever route it is:
//  - Host must name the address:port the server listens on (403): a DNS-rebound page cannot
//    reach it under its own name;
//  - requests a browser made (Origin or Sec-Fetch-* headers) are refused (403): no legitimate
//    client is a browser, so no web page can forge one (CSRF);
//  - Authorization: Bearer <the lab's control token> (401 otherwise; lab/control_token.h);
//  - a path served under other methods answers 405 with Allow, an unknown one 404;
//  - a body is JSON only (415), and POST/PUT need a Content-Length (411; "{}" when empty).
// Every error body is {"error": "..."}: the gate's, the routes', and httplib's own (400, 404,
// 413) and escaped exceptions (500).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "lab/error.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace dr::lab {

void reply_json(httplib::Response& res, int status, const nlohmann::json& body);
void reply_error(httplib::Response& res, int status, const std::string& message);

class ApiServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // `name` is for messages ("control API"); `token` is what Authorization must carry.
  ApiServer(std::string name, std::string token);
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;
  ~ApiServer();

  // Adds a route: GET, POST, PUT or DELETE; `pattern` must match the whole path (httplib's
  // rule). Before start().
  void route(const std::string& method, const std::string& pattern, Handler handler);

  // Binds `address` (port 0: a free one), serves in a thread, and returns once it is serving.
  Result<std::uint16_t> start(const std::string& address, int port = 0);
  // Stops serving. Safe at any time, also at once after start() and twice.
  void stop();

 private:
  struct Route {
    std::string method;
    std::regex pattern;
  };
  // The gate: true when it has answered (the request goes no further).
  bool refuse(const httplib::Request& req, httplib::Response& res) const;

  std::string name_;
  std::string token_;
  std::unique_ptr<httplib::Server> server_;
  std::vector<Route> routes_;
  std::string authority_;  // host:port, set before the server thread starts
  std::thread thread_;
  std::atomic<bool> thread_done_{false};
};

}  // namespace dr::lab
