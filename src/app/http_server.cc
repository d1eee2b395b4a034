#include "app/http_server.h"

#include <chrono>

namespace dr::app {

namespace {

void send(httplib::Response& res, const Reply& reply) {
  res.status = reply.status;
  if (reply.content_type == "application/json") {
    res.set_content(reply.body.dump() + "\n", "application/json");
  } else {
    res.set_content(reply.text, reply.content_type);
  }
}

using Handler = std::function<Reply(const httplib::Request&)>;

// Wraps a handler with timing; `route` is the template ("/orders/{id}"), never the raw path, so
// the metric's cardinality stays bounded.
httplib::Server::Handler timed(Metrics& metrics, std::string route, Handler handler) {
  return [&metrics, route = std::move(route), handler = std::move(handler)](
             const httplib::Request& req, httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    send(res, handler(req));
    metrics.observe_request(route, req.method, res.status,
                            std::chrono::steady_clock::now() - start);
  };
}

bool authorized(const httplib::Request& req, const std::string& token) {
  return !token.empty() && req.get_header_value("Authorization") == "Bearer " + token;
}

}  // namespace

void install_routes(httplib::Server& server, Service& service, Metrics& metrics,
                    const HttpOptions& options) {
  // Bodies above the limit are refused by the server before our handler runs (413).
  server.set_payload_max_length(kMaxBodyBytes);
  // Headers and body go out in separate writes: with Nagle on, the body waits for the client's
  // delayed ACK (~40 ms per request through HAProxy).
  server.set_tcp_nodelay(true);
  server.new_task_queue = [threads = options.threads] { return new httplib::ThreadPool(threads); };

  server.Post("/orders", timed(metrics, "/orders", [&](const httplib::Request& req) {
                return service.create_order(req.body);
              }));
  server.Get(R"(/orders/([^/]+))", timed(metrics, "/orders/{id}", [&](const httplib::Request& req) {
               return service.get_order(req.matches[1],
                                        req.get_param_value("consistent") == "true");
             }));
  server.Put(R"(/sessions/([^/]+))",
             timed(metrics, "/sessions/{id}", [&](const httplib::Request& req) {
               return service.put_session(req.matches[1], req.body);
             }));
  server.Get(R"(/sessions/([^/]+))",
             timed(metrics, "/sessions/{id}", [&](const httplib::Request& req) {
               return service.get_session(req.matches[1]);
             }));
  server.Get("/health",
             timed(metrics, "/health", [&](const httplib::Request&) { return service.health(); }));
  server.Get("/health/deep", timed(metrics, "/health/deep",
                                   [&](const httplib::Request&) { return service.health_deep(); }));
  server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
    send(res, service.metrics());
  });
  if (!options.admin_token.empty()) {
    const std::string token = options.admin_token;
    server.Post("/admin/fence",
                timed(metrics, "/admin/fence", [&, token](const httplib::Request& req) {
                  if (!authorized(req, token))
                    return Reply{401, {{"error", "unauthorized"}}, {}, "application/json"};
                  return service.fence(req.get_param_value("reason"));
                }));
    server.Post("/admin/unfence",
                timed(metrics, "/admin/unfence", [&, token](const httplib::Request& req) {
                  if (!authorized(req, token))
                    return Reply{401, {{"error", "unauthorized"}}, {}, "application/json"};
                  return service.unfence();
                }));
  }
  // Anything else (unknown route, wrong method, a body over the limit) gets a JSON error too.
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string code = res.status == 404   ? "not_found"
                       : res.status == 413 ? "body_too_large"
                       : res.status == 405 ? "method_not_allowed"
                                           : "bad_request";
    res.set_content(nlohmann::json{{"error", code}}.dump() + "\n", "application/json");
  });
}

}  // namespace dr::app
