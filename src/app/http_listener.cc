#include "app/http_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <thread>

namespace dr::app {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct HttpListener::Connection {
  int fd = -1;
  std::string remote_addr;
  std::string buffer;  // read and not yet parsed: the start of the next request
  Clock::time_point idle_since;
  ~Connection() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

// How often the loop looks for idle connections past their timeout.
constexpr milliseconds kSweepInterval{250};
// After an error answer the client may still be sending the body we did not read; closing with
// unread data would reset the connection and lose the answer, so read a little first.
constexpr milliseconds kLingerTime{500};
constexpr size_t kLingerBytes = 1 << 20;

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool write_all(int fd, std::string_view data, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && wait_for(fd, POLLOUT, deadline))
      continue;
    return false;
  }
  return true;
}

void linger_close(int fd) {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + kLingerTime;
  char scratch[16384];
  size_t drained = 0;
  while (drained < kLingerBytes && wait_for(fd, POLLIN, deadline)) {
    const ssize_t n = ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
    if (n > 0) drained += static_cast<size_t>(n);
  }
}

std::string peer_name(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  else if (addr.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text,
                sizeof text);
  return text;
}

std::string lowercase(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// What reading one request came to.
enum class ReadEnd { kRequest, kBad, kTimeout, kClosed };

}  // namespace

HttpListener::HttpListener(ListenerOptions options) : options_(std::move(options)) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
}

HttpListener::~HttpListener() {
  stop();
  if (queue_) queue_->shutdown();
  idle_.clear();
  for (int fd : {listen_fd_, epoll_fd_, wake_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::expected<uint16_t, std::string> HttpListener::bind(const std::string& host, uint16_t port) {
  if (wake_fd_ < 0 || epoll_fd_ < 0) return std::unexpected(std::string("epoll/eventfd failed"));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    return std::unexpected(host + ": " + ::gai_strerror(rc));
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, options_.backlog) == 0) {
      listen_fd_ = fd;
      break;
    }
    error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) return std::unexpected(host + ":" + service + ": " + error);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  return ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                           : reinterpret_cast<sockaddr_in&>(bound).sin_port);
}

void HttpListener::stop() {
  stopping_ = true;
  const uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

bool HttpListener::serve(HttpHandler handler) {
  if (listen_fd_ < 0) return false;
  handler_ = std::move(handler);
  queue_ = std::make_unique<SheddingQueue>(options_.queue);
  for (int fd : {listen_fd_, wake_fd_}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      std::cerr << "dr-app: epoll_ctl: " << std::strerror(errno) << std::endl;
      return false;
    }
  }

  bool ok = true;
  epoll_event events[64];
  auto next_sweep = Clock::now() + kSweepInterval;
  while (ok && !stopping_) {
    const int n = ::epoll_wait(epoll_fd_, events, 64, remaining_ms(next_sweep));
    if (n < 0 && errno != EINTR) {
      std::cerr << "dr-app: epoll_wait: " << std::strerror(errno) << std::endl;
      ok = false;
      break;
    }
    for (int i = 0; i < n && ok && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd_) {
        ok = accept_all();
      } else if (fd != wake_fd_) {
        ConnectionPtr c;
        {
          std::lock_guard lock(idle_mu_);
          auto it = idle_.find(fd);
          if (it == idle_.end()) continue;
          c = std::move(it->second);
          idle_.erase(it);
          ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
        }
        dispatch(std::move(c));  // its next request (or its close) has arrived
      }
    }
    if (Clock::now() >= next_sweep) {
      sweep_idle();
      next_sweep = Clock::now() + kSweepInterval;
    }
  }
  // New connections are refused from here on; the ones in the queue are still answered.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  ::close(listen_fd_);
  listen_fd_ = -1;
  stopping_ = true;
  close_idle();
  queue_->shutdown();
  return ok;
}

bool HttpListener::accept_all() {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the connection waits in the backlog. Pause instead of spinning on
        // a socket that stays readable; closing idle connections frees descriptors meanwhile.
        std::cerr << "dr-app: accept: " << std::strerror(errno) << std::endl;
        std::this_thread::sleep_for(milliseconds(50));
        return true;
      }
      std::cerr << "dr-app: accept: " << std::strerror(errno) << std::endl;
      return false;
    }
    // An answer is one write; without Nagle it leaves at once instead of waiting for an ACK.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto c = std::make_shared<Connection>();
    c->fd = fd;
    c->remote_addr = peer_name(addr);
    dispatch(std::move(c));
  }
}

void HttpListener::dispatch(ConnectionPtr c) {
  queue_->enqueue([this, c = std::move(c)] { serve_connection(c); });
}

void HttpListener::park(ConnectionPtr c) {
  std::lock_guard lock(idle_mu_);
  if (idle_closed_ || stopping_) return;  // c closes as the last reference goes
  c->idle_since = Clock::now();
  // An idle connection keeps no memory a large request made its buffer grow to.
  std::string().swap(c->buffer);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.fd = c->fd;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev) != 0) return;
  idle_.emplace(c->fd, std::move(c));
}

void HttpListener::sweep_idle() {
  const auto now = Clock::now();
  std::lock_guard lock(idle_mu_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (now - it->second->idle_since >= options_.keep_alive_timeout) {
      ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->first, nullptr);
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
}

void HttpListener::close_idle() {
  std::lock_guard lock(idle_mu_);
  idle_closed_ = true;
  idle_.clear();
}

void HttpListener::serve_connection(const ConnectionPtr& c) {
  // On a shed thread the answer is a 503 (the handler decides) and the connection closes after it.
  const bool shed = SheddingQueue::on_shed_thread();
  char chunk[16384];
  for (;;) {
    // Read until one request is whole, the client misbehaves, or it goes quiet.
    const auto started = Clock::now();
    const auto request_deadline = started + options_.request_timeout;
    bool sent_continue = false;
    ReadEnd end = ReadEnd::kClosed;
    HttpError error;
    std::optional<ParsedRequest> parsed;
    for (;;) {
      if (!c->buffer.empty()) {
        auto p = parse_request(c->buffer, options_.limits);
        if (!p) {
          error = p.error();
          end = ReadEnd::kBad;
          break;
        }
        if (*p && (*p)->complete) {
          parsed = std::move(**p);
          end = ReadEnd::kRequest;
          break;
        }
        if (*p && !sent_continue && (*p)->request.minor_version == 1 &&
            lowercase((*p)->request.header("Expect")) == "100-continue") {
          sent_continue = true;
          if (!write_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", options_.write_timeout)) return;
        }
      }
      const auto read_deadline = std::min(request_deadline, Clock::now() + options_.read_timeout);
      if (!wait_for(c->fd, POLLIN, read_deadline)) {
        end = ReadEnd::kTimeout;
        break;
      }
      const ssize_t n = ::recv(c->fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n > 0) {
        c->buffer.append(chunk, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      end = ReadEnd::kClosed;  // the client closed (or reset) before a whole request
      break;
    }

    switch (end) {
      case ReadEnd::kClosed:
        return;
      case ReadEnd::kTimeout:
        // Half a request and then silence: say so. Nothing at all: just close.
        if (!c->buffer.empty()) {
          const std::string bytes = serialize(
              error_response(408, "request_timeout", "the request did not arrive in time"), 1,
              false, false);
          if (write_all(c->fd, bytes, options_.write_timeout)) linger_close(c->fd);
        }
        return;
      case ReadEnd::kBad: {
        const std::string bytes =
            serialize(error_response(error.status, error.code, error.message), 1, false, false);
        if (write_all(c->fd, bytes, options_.write_timeout)) linger_close(c->fd);
        return;
      }
      case ReadEnd::kRequest:
        break;
    }

    HttpRequest& req = parsed->request;
    c->buffer.erase(0, parsed->consumed);
    req.remote_addr = c->remote_addr;
    HttpResponse res;
    try {
      res = handler_(req);
    } catch (const std::exception& e) {
      std::cerr << "dr-app: " << req.method << " " << req.path << ": " << e.what() << std::endl;
      res = error_response(500, "internal_error", "the server failed to answer this request");
    }
    bool keep_alive = !shed && !stopping_ && req.keep_alive();
    if (keep_alive) {
      std::lock_guard lock(idle_mu_);
      keep_alive = idle_.size() < options_.max_idle_connections;
    }
    const std::string bytes = serialize(res, req.minor_version, req.method == "HEAD", keep_alive);
    if (!write_all(c->fd, bytes, options_.write_timeout)) return;
    if (!keep_alive) {
      // A request body we did not wait for may still be in flight only after an error answer;
      // here the whole request was read, so a plain close loses nothing.
      ::shutdown(c->fd, SHUT_WR);
      return;
    }
    // A pipelined request already read is served now; otherwise the connection waits in the loop.
    if (c->buffer.empty()) {
      park(c);
      return;
    }
  }
}

}  // namespace dr::app
