// Binds Service's handlers to two cpp-httplib servers, timing every request into Metrics:
// - the public listener (behind the ALB): orders, sessions, /health. Its work pool is bounded
//   (SheddingQueue): beyond it a request gets 503 + Retry-After at once, never a timeout.
// - the admin listener (the instance's own port, never behind the ALB's public listener): the
//   health checks the ALB and the fleet use, /metrics, and the /admin/* routes. It has its own
//   threads, so load on the public listener cannot starve a health check.
#pragma once

#include <httplib.h>
#include <sys/socket.h>

#include <string>

#include "app/service.h"
#include "app/shedding_queue.h"
#include "app/xray.h"

namespace dr::app {

// httplib's server with a real listen backlog: Debian's httplib 0.11 listens with a backlog of 5,
// so a burst of new connections overflows it and the kernel drops SYNs; the client retries after
// 1 s, past the ALB's connect timeout, which then counts a live instance as dead.
class AppServer : public httplib::Server {
 public:
  // Call after bind_to_port / bind_to_any_port; listen() on a listening socket only resizes it.
  bool set_backlog(int backlog) { return ::listen(svr_sock_, backlog) == 0; }
};

struct HttpOptions {
  std::string admin_token;  // required (Bearer) for /admin/*; empty disables the admin routes
  SheddingLimits limits;
  int retry_after_s = 1;  // what a shed request is told
  size_t admin_threads = 4;
  XRay* xray = nullptr;  // traces the public routes when set
};

void install_public_routes(httplib::Server& server, Service& service, Metrics& metrics,
                           const HttpOptions& options);
void install_admin_routes(httplib::Server& server, Service& service, Metrics& metrics,
                          const HttpOptions& options);

}  // namespace dr::app
