// A real HTTP server on 127.0.0.1 for tests: cpp-httplib on a kernel-chosen port, served from
// its own thread, stopped and joined on destruction. Register handlers on http() before start().
// Also: a port that refuses connections, a gate a handler can stall on, and a deadline wait.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace dr::test {

// Polls `done` until it holds or `timeout` passes; returns its last value. Tests wait on
// conditions, never for a fixed time.
template <class Pred>
bool wait_until(Pred done, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// A TCP socket on 127.0.0.1, on a port the kernel chooses (stored in `port`), listening when
// `listen` is set; throws "<who>: cannot listen" (or bind) when it cannot be had.
inline int bind_loopback(const std::string& who, bool listen, int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      (listen && ::listen(fd, 8) != 0) ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(who + (listen ? ": cannot listen" : ": cannot bind"));
  }
  port = ntohs(addr.sin_port);
  return fd;
}

class LoopbackServer {
 public:
  LoopbackServer() {
    // cpp-httplib closes a kept-alive connection after 5 requests by default; tests that count
    // connections need it to stay open.
    server_.set_keep_alive_max_count(10000);
    // Headers and body go out in separate writes; without this, Nagle plus the client's delayed
    // ACK adds ~40 ms to every response.
    server_.set_tcp_nodelay(true);
  }
  ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  httplib::Server& http() { return server_; }

  void start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("loopback server: cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only works once the accept loop runs.
    if (!wait_until([this] { return server_.is_running(); }))
      throw std::runtime_error("loopback server: accept loop did not start");
  }

  // Joins the accept loop and its workers: release any stalled handler first.
  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + host(); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = -1;
};

// A loopback port that refuses connections: bound, never listening, so nobody else can take
// it while the test runs (unlike a port that was merely closed).
class ClosedPort {
 public:
  ClosedPort() { fd_ = bind_loopback("closed port", false, port_); }
  ~ClosedPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  ClosedPort(const ClosedPort&) = delete;
  ClosedPort& operator=(const ClosedPort&) = delete;

  int port() const { return port_; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string url() const { return "http://" + host(); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Answers each connection with fixed bytes, for responses cpp-httplib will not produce (odd
// status lines, broken framing). Reads the request head first, then writes and closes.
class RawResponder {
 public:
  explicit RawResponder(std::string response) : response_(std::move(response)) {
    fd_ = bind_loopback("raw responder", true, port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawResponder() {
    ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    ::close(fd_);
  }
  RawResponder(const RawResponder&) = delete;
  RawResponder& operator=(const RawResponder&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    for (;;) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::string head;
      char buf[4096];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(client, buf, sizeof(buf), 0);
        if (n <= 0) break;
        head.append(buf, static_cast<size_t>(n));
      }
      ::send(client, response_.data(), response_.size(), MSG_NOSIGNAL);
      ::close(client);
    }
  }

  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// Lets a handler stall until the test opens it (or a safety deadline passes, so a failed test
// cannot hang the server's shutdown forever).
class Gate {
 public:
  void open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool wait(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace dr::test
