// A TCP connect bounded by a deadline: a non-blocking socket, optionally bound to a local
// address, connect, poll until the deadline, SO_ERROR. The one place the AWS client, the MariaDB
// client's sub-second pre-connect and the lab's probes open a TCP connection by hand.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <utility>

namespace dr::net {

// Owns a file descriptor; closes it once.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

enum class ErrorKind {
  kRefused,      // nothing listens there (ECONNREFUSED)
  kTimeout,      // no connect by the deadline (a dropped SYN, a cut)
  kBadAddress,   // not a numeric address, another family than the peer's, or bind() failed
  kUnreachable,  // connect failed otherwise (no route, network down, ...)
  kSystem,       // socket(), poll() or getsockopt() failed: nothing said about the peer
};

struct Error {
  ErrorKind kind;
  int error_number = 0;  // errno, when one applies
  std::string message;   // the errno's text, prefixed with the call unless it is connect's own
};

using Deadline = std::optional<std::chrono::steady_clock::time_point>;  // nullopt: no deadline

// poll()'s timeout for a deadline: -1 (forever) without one, 0 once it has passed.
int poll_ms(Deadline deadline);

// poll() on one descriptor until `events` or the deadline, restarted on EINTR: poll's result
// (> 0 ready, 0 timed out, -1 failed with errno set, never EINTR).
int poll_until(int fd, short events, Deadline deadline);

// An address for connect/bind.
struct Address {
  const sockaddr* addr;
  socklen_t length;
};

// Connects to `remote` (from `local` when given) by `deadline`. The socket is non-blocking and
// close-on-exec.
std::expected<UniqueFd, Error> connect_by(int family, Address remote, std::optional<Address> local,
                                          Deadline deadline);

// The same for numeric hosts (IPv4 or IPv6 literals; `local_address` "" for the kernel's
// choice), bounded by `timeout` from now.
std::expected<UniqueFd, Error> connect_within(const std::string& host, std::uint16_t port,
                                              const std::string& local_address,
                                              std::chrono::milliseconds timeout);

}  // namespace dr::net
