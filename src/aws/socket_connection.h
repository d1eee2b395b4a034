// One client connection for the socket transport: TCP (getaddrinfo, a bounded non-blocking
// connect, an optional local address) with optional TLS 1.2+ through OpenSSL (SNI, certificate
// and host name verified against a CA bundle). Every read and write is bounded by a deadline.
#pragma once

#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/connect.h"

using SSL_CTX = struct ssl_ctx_st;
using SSL = struct ssl_st;

namespace dr::aws {

using SteadyClock = std::chrono::steady_clock;

// nullopt: no deadline (a request_timeout of 0, as the Lambda's long poll for its next
// invocation needs).
using Deadline = net::Deadline;

// The TLS settings shared by a transport's connections: TLS 1.2 or later, peers verified against
// `ca_file` (the system's default paths when nullopt).
class TlsContext {
 public:
  static std::expected<std::shared_ptr<TlsContext>, std::string> create(
      const std::optional<std::string>& ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

enum class IoStatus { kOk, kEof, kTimeout, kFailed };

struct IoResult {
  IoStatus status = IoStatus::kOk;
  size_t bytes = 0;     // transferred (kOk)
  std::string message;  // why (kTimeout, kFailed)
};

class SocketConnection {
 public:
  struct Target {
    std::string host;  // a name or an IP literal (IPv6 without brackets)
    std::string port;
    bool tls = false;
    std::string local_address;  // "" for the kernel's choice
  };

  // Connects (and shakes hands, for TLS) by `connect_deadline`; nothing of a request has been
  // sent when this fails. `tls` must be set when target.tls is.
  static std::expected<std::unique_ptr<SocketConnection>, std::string> open(
      const Target& target, const TlsContext* tls, Deadline connect_deadline);
  ~SocketConnection();
  SocketConnection(const SocketConnection&) = delete;
  SocketConnection& operator=(const SocketConnection&) = delete;

  // Writes all of `data`; result.bytes says how much left before a failure.
  IoResult write_all(std::string_view data, Deadline deadline);
  // Reads at least one byte into `buf` (kEof when the peer closed cleanly).
  IoResult read_some(char* buf, size_t size, Deadline deadline);
  // An idle kept-alive connection is still usable: the peer has neither closed it nor sent
  // anything unasked. Never blocks.
  bool idle_and_open();

 private:
  SocketConnection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // Waits until the socket is readable (POLLIN) or writable (POLLOUT), or the deadline.
  IoResult wait(short events, Deadline deadline);

  int fd_;
  SSL* ssl_;  // nullptr for plain TCP
};

}  // namespace dr::aws
