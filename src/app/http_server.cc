#include "app/http_server.h"

#include <chrono>
#include <regex>
#include <vector>

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

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump() + "\n", "application/json");
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

// One X-Ray segment per request when tracing is on (xray.h): joins the ALB's trace, answers
// with the trace id, and sends the segment after the response is built.
httplib::Server::Handler traced(XRay* xray, std::string route, httplib::Server::Handler inner) {
  if (xray == nullptr) return inner;
  return [xray, route = std::move(route), inner = std::move(inner)](const httplib::Request& req,
                                                                    httplib::Response& res) {
    const auto span = xray->begin(req.get_header_value("X-Amzn-Trace-Id"));
    inner(req, res);
    res.set_header("X-Amzn-Trace-Id", XRay::response_header(span));
    Segment s;
    s.method = req.method;
    s.url = "http://" + req.get_header_value("Host") + req.path;
    // Behind the ALB the client is the first X-Forwarded-For address.
    const std::string forwarded = req.get_header_value("X-Forwarded-For");
    s.client_ip = forwarded.empty() ? req.remote_addr : forwarded.substr(0, forwarded.find(','));
    s.user_agent = req.get_header_value("User-Agent");
    s.status = res.status;
    s.content_length = res.body.size();
    s.route = route;
    xray->end(span, std::move(s));
  };
}

bool authorized(const httplib::Request& req, const std::string& token) {
  return !token.empty() && req.get_header_value("Authorization") == "Bearer " + token;
}

// One route of ours: its pattern and the methods it answers. A request for a known path with
// another method gets 405 and `Allow` (httplib alone would say 404).
struct Route {
  std::regex pattern;
  std::string allow;  // "GET" or "GET, PUT"
};

bool method_listed(const std::string& allow, const std::string& method) {
  // HEAD is answered wherever GET is (httplib does that).
  const std::string m = method == "HEAD" ? "GET" : method;
  size_t pos = 0;
  while (pos <= allow.size()) {
    size_t end = allow.find(", ", pos);
    if (allow.substr(pos, end == std::string::npos ? std::string::npos : end - pos) == m)
      return true;
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  return false;
}

// Before routing (and before httplib reads a body): wrong methods and bodies without a length.
httplib::Server::HandlerResponse check_method_and_length(const std::vector<Route>& routes,
                                                         const httplib::Request& req,
                                                         httplib::Response& res) {
  for (const auto& r : routes) {
    if (!std::regex_match(req.path, r.pattern)) continue;
    if (method_listed(r.allow, req.method)) break;
    res.set_header("Allow", r.allow);
    send_json(res, 405,
              {{"error", "method_not_allowed"},
               {"message", req.method + " is not allowed on " + req.path + "; use " + r.allow}});
    return httplib::Server::HandlerResponse::Handled;
  }
  // RFC 9112 6.3: a request with neither Content-Length nor Transfer-Encoding has no body.
  // httplib 0.11 would instead read a POST/PUT/DELETE until the client closes or the read timeout
  // passes (then a bare 400), so `curl -X POST` hung for 5 s. Say "length 0" for it. The request
  // object is httplib's own non-const local; the handler is merely given a const view.
  if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding"))
    const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
  return httplib::Server::HandlerResponse::Unhandled;
}

// Anything else (unknown route, a body over the limit, a malformed request) gets a JSON error
// with a message.
void install_error_handler(httplib::Server& server) {
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string code = "bad_request";
    std::string message = "the request could not be read";
    if (res.status == 404) {
      code = "not_found";
      message = "no route " + req.method + " " + req.path;
    } else if (res.status == 413) {
      code = "body_too_large";
      message = "the body is over the limit of " + std::to_string(kMaxBodyBytes) + " bytes";
    }
    send_json(res, res.status, {{"error", code}, {"message", message}});
  });
}

void install_health(httplib::Server& server, Service& service, Metrics& metrics) {
  server.Get("/health",
             timed(metrics, "/health", [&](const httplib::Request&) { return service.health(); }));
  server.Get("/health/deep", timed(metrics, "/health/deep",
                                   [&](const httplib::Request&) { return service.health_deep(); }));
}

void common_settings(httplib::Server& server) {
  // Bodies above the limit are refused by the server before our handler runs (413).
  server.set_payload_max_length(kMaxBodyBytes);
  // Headers and body go out in separate writes: with Nagle on, the body waits for the client's
  // delayed ACK (~40 ms per request through HAProxy).
  server.set_tcp_nodelay(true);
}

}  // namespace

void install_public_routes(httplib::Server& server, Service& service, Metrics& metrics,
                           const HttpOptions& options) {
  common_settings(server);
  server.new_task_queue = [limits = options.limits] { return new SheddingQueue(limits); };
  // One request per connection: a kept-alive connection would hold a worker while idle (httplib
  // serves a connection on one thread), so the queue would bound connections, not requests, and a
  // queued request could wait for idle ones. Behind the ALB, connecting is a loopback handshake.
  server.set_keep_alive_max_count(1);
  // A client that sends its request slowly holds a thread (a shed thread too) this long at most.
  server.set_read_timeout(std::chrono::seconds(2));

  const std::vector<Route> routes = {{std::regex("/orders"), "POST"},
                                     {std::regex("/orders/[^/]+"), "GET"},
                                     {std::regex("/sessions/[^/]+"), "GET, PUT"},
                                     {std::regex("/health"), "GET"},
                                     {std::regex("/health/deep"), "GET"}};
  const std::string retry_after = std::to_string(options.retry_after_s);
  server.set_pre_routing_handler([&metrics, routes, retry_after](const httplib::Request& req,
                                                                 httplib::Response& res) {
    // Over capacity: answer now, cheaply, rather than let the request wait past the client's
    // timeout. The shallow /health costs nothing, so it is still answered.
    if (SheddingQueue::on_shed_thread() && req.path != "/health") {
      res.set_header("Retry-After", retry_after);
      send_json(res, 503,
                {{"error", "overloaded"},
                 {"message", "the instance is at capacity; retry after " + retry_after + " s"}});
      metrics.observe_request("(shed)", req.method, 503, std::chrono::nanoseconds(0));
      return httplib::Server::HandlerResponse::Handled;
    }
    return check_method_and_length(routes, req, res);
  });

  // The client-facing routes are traced; health checks and admin calls are not (the ALB's
  // checks alone would use up X-Ray's one-per-second reservoir).
  auto route = [&](std::string name, Handler handler) {
    return traced(options.xray, name, timed(metrics, name, std::move(handler)));
  };
  server.Post("/orders", route("/orders", [&](const httplib::Request& req) {
                return service.create_order(req.body);
              }));
  server.Get(R"(/orders/([^/]+))", route("/orders/{id}", [&](const httplib::Request& req) {
               return service.get_order(req.matches[1],
                                        req.get_param_value("consistent") == "true");
             }));
  server.Put(R"(/sessions/([^/]+))", route("/sessions/{id}", [&](const httplib::Request& req) {
               return service.put_session(req.matches[1], req.body);
             }));
  server.Get(R"(/sessions/([^/]+))", route("/sessions/{id}", [&](const httplib::Request& req) {
               return service.get_session(req.matches[1]);
             }));
  install_health(server, service, metrics);
  install_error_handler(server);
}

void install_admin_routes(httplib::Server& server, Service& service, Metrics& metrics,
                          const HttpOptions& options) {
  common_settings(server);
  server.new_task_queue = [n = options.admin_threads] { return new httplib::ThreadPool(n); };
  // Health checkers reconnect each time; nothing here needs a kept-alive connection.
  server.set_keep_alive_max_count(1);
  server.set_read_timeout(std::chrono::seconds(1));
  std::vector<Route> routes = {{std::regex("/health"), "GET"},
                               {std::regex("/health/deep"), "GET"},
                               {std::regex("/metrics"), "GET"}};
  if (!options.admin_token.empty()) {
    routes.push_back({std::regex("/admin/fence"), "POST"});
    routes.push_back({std::regex("/admin/unfence"), "POST"});
  }
  server.set_pre_routing_handler([routes](const httplib::Request& req, httplib::Response& res) {
    return check_method_and_length(routes, req, res);
  });
  install_health(server, service, metrics);
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
  install_error_handler(server);
}

}  // namespace dr::app
