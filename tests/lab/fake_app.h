// A stand-in for a dr-app instance: `GET /health` answers 200 or 503 as the test decides, and
// `GET /` names the instance, so a test can see where a proxy sent a request.
#pragma once

#include <httplib.h>

#include <atomic>
#include <string>
#include <thread>

namespace dr::testing {

class FakeApp {
 public:
  FakeApp(std::string name, const std::string& address) : name_(std::move(name)) {
    server_.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      res.status = healthy_ ? 200 : 503;
      res.set_content(healthy_ ? "ok" : "unhealthy", "text/plain");
    });
    server_.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(name_, "text/plain");
    });
    port_ = static_cast<std::uint16_t>(server_.bind_to_any_port(address));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  FakeApp(const FakeApp&) = delete;
  FakeApp& operator=(const FakeApp&) = delete;
  ~FakeApp() { shutdown(); }

  // Stops serving and closes the listening socket: connections are refused from now on.
  void shutdown() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  bool running() const { return server_.is_running(); }
  void set_healthy(bool healthy) { healthy_ = healthy; }

 private:
  std::string name_;
  std::atomic<bool> healthy_{true};
  httplib::Server server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace dr::testing
