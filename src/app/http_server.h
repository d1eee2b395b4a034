// Binds Service's handlers to cpp-httplib routes, timing every request into Metrics.
#pragma once

#include <httplib.h>

#include <string>

#include "app/service.h"

namespace dr::app {

struct HttpOptions {
  std::string admin_token;  // required (Bearer) for /admin/*; empty disables the admin routes
  size_t threads = 16;
};

void install_routes(httplib::Server& server, Service& service, Metrics& metrics,
                    const HttpOptions& options);

}  // namespace dr::app
