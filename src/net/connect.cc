#include "net/connect.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace dr::net {

namespace {

Error system_error(std::string call, int err) {
  return {ErrorKind::kSystem, err, std::move(call) + ": " + std::strerror(err)};
}

Error connect_error(int err) {
  return {err == ECONNREFUSED ? ErrorKind::kRefused : ErrorKind::kUnreachable, err,
          std::strerror(err)};
}

// A numeric address of either family; nullopt when `host` is none.
std::optional<sockaddr_storage> parse(const std::string& host, std::uint16_t port,
                                      socklen_t& length) {
  sockaddr_storage out{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  if (::inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return out;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (::inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return out;
  }
  return std::nullopt;
}

}  // namespace

int poll_ms(Deadline deadline) {
  if (!deadline) return -1;
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  return left.count() > INT_MAX ? INT_MAX : static_cast<int>(left.count());
}

int poll_until(int fd, short events, Deadline deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, poll_ms(deadline));
    if (r >= 0 || errno != EINTR) return r;
  }
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

std::expected<UniqueFd, Error> connect_by(int family, Address remote, std::optional<Address> local,
                                          Deadline deadline) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return std::unexpected(system_error("socket", errno));
  if (local && ::bind(fd.get(), local->addr, local->length) != 0)
    return std::unexpected(
        Error{ErrorKind::kBadAddress, errno,
              std::string("bind to the local address: ") + std::strerror(errno)});
  if (::connect(fd.get(), remote.addr, remote.length) == 0) return fd;
  if (errno != EINPROGRESS && errno != EINTR) return std::unexpected(connect_error(errno));
  const int r = poll_until(fd.get(), POLLOUT, deadline);
  if (r == 0) return std::unexpected(Error{ErrorKind::kTimeout, ETIMEDOUT, "connect timed out"});
  if (r < 0) return std::unexpected(system_error("poll", errno));
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0)
    return std::unexpected(system_error("getsockopt", errno));
  if (err != 0) return std::unexpected(connect_error(err));
  return fd;
}

std::expected<UniqueFd, Error> connect_within(const std::string& host, std::uint16_t port,
                                              const std::string& local_address,
                                              std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  socklen_t remote_length = 0;
  auto remote = parse(host, port, remote_length);
  if (!remote)
    return std::unexpected(Error{ErrorKind::kBadAddress, 0, "not a numeric address: " + host});
  const int family = remote->ss_family;
  std::optional<sockaddr_storage> local;
  socklen_t local_length = 0;
  if (!local_address.empty()) {
    local = parse(local_address, 0, local_length);
    if (!local || local->ss_family != family)
      return std::unexpected(
          Error{ErrorKind::kBadAddress, 0, "bad local address " + local_address + " for " + host});
  }
  std::optional<Address> from;
  if (local) from = Address{reinterpret_cast<const sockaddr*>(&*local), local_length};
  return connect_by(family, Address{reinterpret_cast<const sockaddr*>(&*remote), remote_length},
                    from, deadline);
}

}  // namespace dr::net
