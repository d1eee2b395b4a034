// Small blocking socket helpers with deadlines, for the lab's own probes: the HAProxy runtime
// API (a unix socket) and readiness checks (a TCP connect, one HTTP exchange).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "lab/error.h"

namespace dr::lab {

// An owned file descriptor.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket();
  int fd() const { return fd_; }

 private:
  int fd_;
};

Result<Socket> connect_tcp(const std::string& address, std::uint16_t port,
                           std::chrono::milliseconds timeout);
Result<Socket> connect_unix(const std::filesystem::path& path, std::chrono::milliseconds timeout);

Result<void> send_all(const Socket& socket, std::string_view data,
                      std::chrono::milliseconds timeout);
// Reads until the peer closes (or `max_bytes`); kTimeout if it does not within `timeout`.
Result<std::string> read_to_eof(const Socket& socket, std::chrono::milliseconds timeout,
                                std::size_t max_bytes = 16 << 20);

// Sends one HTTP/1.1 request with "Connection: close" and returns the status code of the answer.
// Enough to tell "a server is there and speaks HTTP" without an HTTP library.
Result<int> http_status(const std::string& address, std::uint16_t port, std::string_view method,
                        std::string_view path, std::string_view extra_headers,
                        std::string_view body, std::chrono::milliseconds timeout);

}  // namespace dr::lab
