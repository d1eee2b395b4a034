#include "backends/lab/probes.h"

#include "net/connect.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <string_view>

namespace dr::backends::lab {

namespace {

using SteadyClock = std::chrono::steady_clock;

int remaining_ms(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_for(int fd, short events, SteadyClock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, remaining_ms(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

// A connect from `source` to `target`, bounded by `deadline`; an empty descriptor on failure.
net::UniqueFd connect_from(const std::string& source, const ProbeTarget& target,
                           SteadyClock::time_point deadline) {
  auto timeout = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
  auto fd = net::connect_within(target.host, target.port, source, timeout);
  return fd ? std::move(*fd) : net::UniqueFd();
}

// Reads until `enough` says so, the peer closes, or the deadline passes.
std::string read_some(int fd, SteadyClock::time_point deadline, size_t max_bytes,
                      bool (*enough)(std::string_view)) {
  std::string data;
  char buf[4096];
  while (data.size() < max_bytes && !enough(data)) {
    if (!wait_for(fd, POLLIN, deadline)) break;
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

}  // namespace

bool probe_mysql(const std::string& source, const ProbeTarget& target,
                 std::chrono::milliseconds timeout) {
  auto deadline = SteadyClock::now() + timeout;
  net::UniqueFd fd = connect_from(source, target, deadline);
  if (fd.get() < 0) return false;
  // The greeting: a 4-byte packet header, then the protocol version (10). An error packet
  // (0xFF) means the server refuses us (too many connections, host blocked): not healthy.
  std::string greeting =
      read_some(fd.get(), deadline, 4096, [](std::string_view d) { return d.size() >= 5; });
  return greeting.size() >= 5 && static_cast<unsigned char>(greeting[4]) == 10;
}

bool probe_http(const std::string& source, const ProbeTarget& target, const std::string& path,
                std::chrono::milliseconds timeout) {
  auto deadline = SteadyClock::now() + timeout;
  net::UniqueFd fd = connect_from(source, target, deadline);
  if (fd.get() < 0) return false;
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + target.host +
                        "\r\nConnection: close\r\nUser-Agent: dr-probe\r\n\r\n";
  size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(fd.get(), POLLOUT, deadline)) return false;
    ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  std::string head = read_some(fd.get(), deadline, 1024, [](std::string_view d) {
    return d.find("\r\n") != std::string_view::npos;
  });
  // "HTTP/1.1 200 OK"
  if (head.size() < 12 || !head.starts_with("HTTP/1.")) return false;
  return head[9] == '2';
}

}  // namespace dr::backends::lab
