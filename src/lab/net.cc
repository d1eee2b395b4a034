#include "lab/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dr::lab {
namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Waits for `events` on fd until the deadline; false on timeout.
Result<bool> wait_for(int fd, short events, Clock::time_point deadline) {
  while (true) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return std::unexpected(Error::system("poll", errno));
  }
}

Result<Socket> connect_addr(int family, const sockaddr* addr, socklen_t len,
                            const std::string& what, std::chrono::milliseconds timeout) {
  Socket s(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (s.fd() < 0) return std::unexpected(Error::system("socket", errno));
  const auto deadline = Clock::now() + timeout;
  if (::connect(s.fd(), addr, len) != 0) {
    if (errno != EINPROGRESS && errno != EAGAIN) {
      return std::unexpected(Error::system("connect " + what, errno));
    }
    auto ready = wait_for(s.fd(), POLLOUT, deadline);
    if (!ready) return std::unexpected(ready.error());
    if (!*ready) return fail(ErrorKind::kTimeout, "connect " + what + ": timed out");
    int err = 0;
    socklen_t err_len = sizeof err;
    ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &err_len);
    if (err != 0) return std::unexpected(Error::system("connect " + what, err));
  }
  return s;
}

}  // namespace

Socket& Socket::operator=(Socket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

Socket::~Socket() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Socket> connect_tcp(const std::string& address, std::uint16_t port,
                           std::chrono::milliseconds timeout) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    return fail(ErrorKind::kConfig, "not an IPv4 address: " + address);
  }
  return connect_addr(AF_INET, reinterpret_cast<const sockaddr*>(&addr), sizeof addr,
                      address + ":" + std::to_string(port), timeout);
}

Result<Socket> connect_unix(const std::filesystem::path& path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) return fail(ErrorKind::kConfig, "path too long: " + p);
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  return connect_addr(AF_UNIX, reinterpret_cast<const sockaddr*>(&addr), sizeof addr, p, timeout);
}

Result<void> send_all(const Socket& socket, std::string_view data,
                      std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    const ssize_t n = ::send(socket.fd(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return std::unexpected(Error::system("send", errno));
    }
    auto ready = wait_for(socket.fd(), POLLOUT, deadline);
    if (!ready) return std::unexpected(ready.error());
    if (!*ready) return fail(ErrorKind::kTimeout, "send: timed out");
  }
  return {};
}

Result<std::string> read_to_eof(const Socket& socket, std::chrono::milliseconds timeout,
                                std::size_t max_bytes) {
  const auto deadline = Clock::now() + timeout;
  std::string out;
  char buf[8192];
  while (out.size() < max_bytes) {
    const ssize_t n = ::recv(socket.fd(), buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return out;
    if (errno != EAGAIN && errno != EINTR) return std::unexpected(Error::system("recv", errno));
    auto ready = wait_for(socket.fd(), POLLIN, deadline);
    if (!ready) return std::unexpected(ready.error());
    if (!*ready) return fail(ErrorKind::kTimeout, "read: timed out");
  }
  return out;
}

Result<int> http_status(const std::string& address, std::uint16_t port, std::string_view method,
                        std::string_view path, std::string_view extra_headers,
                        std::string_view body, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto left = [&] { return std::chrono::milliseconds(remaining_ms(deadline)); };
  auto s = connect_tcp(address, port, timeout);
  if (!s) return std::unexpected(s.error());
  std::string request = std::string(method) + " " + std::string(path) +
                        " HTTP/1.1\r\nHost: " + address + ":" + std::to_string(port) + "\r\n" +
                        std::string(extra_headers) +
                        "Content-Length: " + std::to_string(body.size()) +
                        "\r\nConnection: close\r\n\r\n" + std::string(body);
  if (auto sent = send_all(*s, request, left()); !sent) return std::unexpected(sent.error());
  auto response = read_to_eof(*s, left(), 64 << 10);
  if (!response) return std::unexpected(response.error());
  // "HTTP/1.1 200 OK"
  if (response->size() < 12 || response->compare(0, 5, "HTTP/") != 0) {
    return fail(ErrorKind::kProtocol,
                "not an HTTP response from " + address + ":" + std::to_string(port));
  }
  const auto space = response->find(' ');
  try {
    return std::stoi(response->substr(space + 1, 3));
  } catch (const std::exception&) {
    return fail(ErrorKind::kProtocol, "bad HTTP status line from " + address);
  }
}

}  // namespace dr::lab
