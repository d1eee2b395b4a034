// The supervisor's control API: small JSON over HTTP on the supervisor's global address, for the
// controller and for `drctl lab kill|restore|status`. Routes in docs/architecture.md; every route
// is behind lab/api_server.h's gate (bearer token, Host, no browsers, JSON only).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "lab/api_server.h"
#include "lab/error.h"
#include "lab/supervisor.h"

namespace dr::lab {

class ControlApi {
 public:
  // `token`: what clients must send as "Authorization: Bearer" (lab/control_token.h).
  ControlApi(Supervisor& supervisor, std::string token);
  ControlApi(const ControlApi&) = delete;
  ControlApi& operator=(const ControlApi&) = delete;
  ~ControlApi();

  // Binds a free port on `address` and serves in a thread; returns the port.
  Result<std::uint16_t> start(const std::string& address);
  void stop();
  // POST /shutdown was called: the supervisor's loop should stop the lab and exit.
  bool shutdown_requested() const { return shutdown_requested_; }

 private:
  Supervisor& supervisor_;
  ApiServer server_;
  std::atomic<bool> shutdown_requested_{false};
};

}  // namespace dr::lab
