// The supervisor's control API: small JSON over HTTP on the supervisor's global address, for the
// controller (next issue) and for `drctl lab kill|restore|status`. Routes in docs/architecture.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "lab/error.h"
#include "lab/supervisor.h"

namespace httplib {
class Server;
}

namespace dr::lab {

class ControlApi {
 public:
  explicit ControlApi(Supervisor& supervisor);
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
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> shutdown_requested_{false};
};

}  // namespace dr::lab
