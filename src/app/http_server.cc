#include "app/http_server.h"

#include <chrono>
#include <memory>
#include <regex>
#include <vector>

#include "app/requests.h"

namespace dr::app {

namespace {

HttpResponse to_response(const Reply& reply) {
  HttpResponse res;
  res.status = reply.status;
  res.content_type = reply.content_type;
  res.body = reply.content_type == "application/json" ? reply.body.dump() + "\n" : reply.text;
  return res;
}

using Captures = std::smatch;
using RouteHandler = std::function<HttpResponse(const HttpRequest&, const Captures&)>;
using ReplyHandler = std::function<Reply(const HttpRequest&, const Captures&)>;

// Wraps a handler with timing; `route` is the template ("/orders/{id}"), never the raw path, so
// the metric's cardinality stays bounded.
RouteHandler timed(Metrics& metrics, std::string route, ReplyHandler handler) {
  return [&metrics, route = std::move(route), handler = std::move(handler)](const HttpRequest& req,
                                                                            const Captures& m) {
    const auto start = std::chrono::steady_clock::now();
    HttpResponse res = to_response(handler(req, m));
    metrics.observe_request(route, req.method, res.status,
                            std::chrono::steady_clock::now() - start);
    return res;
  };
}

// One X-Ray segment per request when tracing is on (xray.h): joins the ALB's trace, answers
// with the trace id, and sends the segment after the response is built.
RouteHandler traced(XRay* xray, std::string route, RouteHandler inner) {
  if (xray == nullptr) return inner;
  return [xray, route = std::move(route), inner = std::move(inner)](const HttpRequest& req,
                                                                    const Captures& m) {
    const auto span = xray->begin(req.header("X-Amzn-Trace-Id"));
    HttpResponse res = inner(req, m);
    res.set_header("X-Amzn-Trace-Id", XRay::response_header(span));
    Segment s;
    s.method = req.method;
    s.url = "http://" + req.header("Host") + req.path;
    // Behind the ALB the client is the first X-Forwarded-For address.
    const std::string forwarded = req.header("X-Forwarded-For");
    s.client_ip = forwarded.empty() ? req.remote_addr : forwarded.substr(0, forwarded.find(','));
    s.user_agent = req.header("User-Agent");
    s.status = res.status;
    s.content_length = res.body.size();
    s.route = route;
    xray->end(span, std::move(s));
    return res;
  };
}

bool authorized(const HttpRequest& req, const std::string& token) {
  return !token.empty() && req.header("Authorization") == "Bearer " + token;
}

struct Route {
  std::regex pattern;
  std::string method;
  RouteHandler handler;
};

// The routes of one listener, in the order their methods are listed in `Allow`.
class Router {
 public:
  void add(std::string method, const std::string& pattern, RouteHandler handler) {
    routes_.push_back({std::regex(pattern), std::move(method), std::move(handler)});
  }

  HttpResponse dispatch(const HttpRequest& req) const {
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    std::string allow;
    for (const auto& r : routes_) {
      Captures m;
      if (!std::regex_match(req.path, m, r.pattern)) continue;
      if (r.method == method) return r.handler(req, m);
      allow += (allow.empty() ? "" : ", ") + r.method;
    }
    if (!allow.empty()) {
      HttpResponse res =
          error_response(405, "method_not_allowed",
                         req.method + " is not allowed on " + req.path + "; use " + allow);
      res.set_header("Allow", allow);
      return res;
    }
    return error_response(404, "not_found", "no route " + req.method + " " + req.path);
  }

 private:
  std::vector<Route> routes_;
};

void add_health(Router& router, Service& service, Metrics& metrics) {
  router.add("GET", "/health",
             timed(metrics, "/health",
                   [&service](const HttpRequest&, const Captures&) { return service.health(); }));
  router.add("GET", "/health/deep",
             timed(metrics, "/health/deep", [&service](const HttpRequest&, const Captures&) {
               return service.health_deep();
             }));
}

ListenerOptions common_options() {
  ListenerOptions o;
  // Bodies above the limit are refused (413) before any of them is read.
  o.limits.max_body_bytes = kMaxBodyBytes;
  return o;
}

}  // namespace

ListenerOptions public_listener_options(const HttpOptions& options) {
  ListenerOptions o = common_options();
  o.queue = options.limits;
  // A client that sends its request slowly holds a thread (a shed thread too) this long between
  // two reads, and request_timeout in all.
  o.read_timeout = std::chrono::seconds(2);
  return o;
}

ListenerOptions admin_listener_options(const HttpOptions& options) {
  ListenerOptions o = common_options();
  // Its own threads, and a queue long enough never to refuse a health check: the routes here do
  // not shed (a shed thread serves them like a worker, then closes the connection).
  o.queue.workers = options.admin_threads;
  o.queue.max_queued = 1024;
  o.queue.shed_threads = 1;
  o.read_timeout = std::chrono::seconds(1);
  o.request_timeout = std::chrono::seconds(5);
  // Health checkers reconnect each time; an idle connection here is an operator's curl.
  o.keep_alive_timeout = std::chrono::seconds(5);
  o.max_idle_connections = 256;
  return o;
}

HttpHandler public_routes(Service& service, Metrics& metrics, const HttpOptions& options) {
  auto router = std::make_shared<Router>();
  // The client-facing routes are traced; health checks and admin calls are not (the ALB's
  // checks alone would use up X-Ray's one-per-second reservoir).
  auto route = [&](std::string name, ReplyHandler handler) {
    return traced(options.xray, name, timed(metrics, name, std::move(handler)));
  };
  router->add("POST", "/orders",
              route("/orders", [&service](const HttpRequest& req, const Captures&) {
                return service.create_order(req.body);
              }));
  router->add("GET", "/orders/([^/]+)",
              route("/orders/{id}", [&service](const HttpRequest& req, const Captures& m) {
                return service.get_order(m[1], req.param("consistent") == "true");
              }));
  router->add("GET", "/sessions/([^/]+)",
              route("/sessions/{id}", [&service](const HttpRequest&, const Captures& m) {
                return service.get_session(m[1]);
              }));
  router->add("PUT", "/sessions/([^/]+)",
              route("/sessions/{id}", [&service](const HttpRequest& req, const Captures& m) {
                return service.put_session(m[1], req.body);
              }));
  add_health(*router, service, metrics);

  const std::string retry_after = std::to_string(options.retry_after_s);
  return [router, &metrics, retry_after](const HttpRequest& req) {
    // Over capacity: answer now, cheaply, rather than let the request wait past the client's
    // timeout. The shallow /health costs nothing, so it is still answered.
    if (SheddingQueue::on_shed_thread() && req.path != "/health") {
      HttpResponse res = error_response(
          503, "overloaded", "the instance is at capacity; retry after " + retry_after + " s");
      res.set_header("Retry-After", retry_after);
      metrics.observe_request("(shed)", req.method, 503, std::chrono::nanoseconds(0));
      return res;
    }
    return router->dispatch(req);
  };
}

HttpHandler admin_routes(Service& service, Metrics& metrics, const HttpOptions& options) {
  auto router = std::make_shared<Router>();
  add_health(*router, service, metrics);
  router->add("GET", "/metrics", [&service](const HttpRequest&, const Captures&) {
    return to_response(service.metrics());
  });
  if (!options.admin_token.empty()) {
    const std::string token = options.admin_token;
    router->add(
        "POST", "/admin/fence",
        timed(metrics, "/admin/fence", [&service, token](const HttpRequest& req, const Captures&) {
          if (!authorized(req, token))
            return Reply{401, {{"error", "unauthorized"}}, {}, "application/json"};
          return service.fence(req.param("reason"));
        }));
    router->add("POST", "/admin/unfence",
                timed(metrics, "/admin/unfence",
                      [&service, token](const HttpRequest& req, const Captures&) {
                        if (!authorized(req, token))
                          return Reply{401, {{"error", "unauthorized"}}, {}, "application/json"};
                        return service.unfence();
                      }));
  }
  return [router](const HttpRequest& req) { return router->dispatch(req); };
}

}  // namespace dr::app
