// dr-app's routes: Service's handlers bound to the paths of its two HTTP listeners
// (http_listener.h), every request timed into Metrics:
// - the public listener (behind the ALB): orders, sessions, /health. Its work pool is bounded
//   (SheddingQueue): beyond it a request gets 503 + Retry-After at once, never a timeout.
// - the admin listener (the instance's own port, never behind the ALB's public listener): the
//   health checks the ALB and the fleet use, /metrics, and the /admin/* routes. It has its own
//   threads, so load on the public listener cannot starve a health check.
// A known path asked with another method gets 405 and `Allow`; HEAD is answered wherever GET is.
#pragma once

#include <string>

#include "app/http_listener.h"
#include "app/service.h"
#include "app/shedding_queue.h"
#include "app/xray.h"

namespace dr::app {

struct HttpOptions {
  std::string admin_token;  // required (Bearer) for /admin/*; empty disables the admin routes
  SheddingLimits limits;
  int retry_after_s = 1;  // what a shed request is told
  size_t admin_threads = 4;
  XRay* xray = nullptr;  // traces the public routes when set
};

ListenerOptions public_listener_options(const HttpOptions& options);
ListenerOptions admin_listener_options(const HttpOptions& options);

HttpHandler public_routes(Service& service, Metrics& metrics, const HttpOptions& options);
HttpHandler admin_routes(Service& service, Metrics& metrics, const HttpOptions& options);

}  // namespace dr::app
