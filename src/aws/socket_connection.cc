#include "aws/socket_connection.h"

#include "net/connect.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

namespace dr::aws {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

// The next OpenSSL error of this thread, or `fallback` when its queue is empty.
std::string openssl_error(const std::string& fallback) {
  unsigned long e = ERR_get_error();
  if (e == 0) return fallback;
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return buf;
}

bool is_ip_literal(const std::string& host) {
  in6_addr buf{};
  return inet_pton(AF_INET, host.c_str(), &buf) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &buf) == 1;
}

// OpenSSL's own socket BIO writes with write(2): a peer that has gone away raises SIGPIPE, which
// kills a process that does not ignore it. This one sends with MSG_NOSIGNAL (EPIPE instead).
int bio_write(BIO* bio, const char* data, int len) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio)));
  BIO_clear_retry_flags(bio);
  ssize_t n = ::send(fd, data, static_cast<size_t>(len), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
    BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

int bio_read(BIO* bio, char* data, int len) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio)));
  BIO_clear_retry_flags(bio);
  ssize_t n = ::recv(fd, data, static_cast<size_t>(len), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

const BIO_METHOD* nosignal_bio_method() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "dr-nosignal-socket");
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    return m;
  }();
  return method;
}

// Until `events` on the descriptor or the deadline.
IoResult wait_fd(int fd, short events, Deadline deadline) {
  const int r = net::poll_until(fd, events, deadline);
  if (r > 0) return {};
  if (r == 0) return {IoStatus::kTimeout, 0, "timed out"};
  return {IoStatus::kFailed, 0, "poll: " + errno_text(errno)};
}

// One TCP connection to `addr` (non-blocking from here on), bound to `local` when given.
std::expected<int, std::string> connect_one(const addrinfo& addr, const addrinfo* local,
                                            Deadline deadline) {
  std::optional<net::Address> from;
  if (local != nullptr) from = net::Address{local->ai_addr, local->ai_addrlen};
  auto fd =
      net::connect_by(addr.ai_family, net::Address{addr.ai_addr, addr.ai_addrlen}, from, deadline);
  if (!fd) return std::unexpected(fd.error().message);
  int one = 1;
  // The request goes out in one write, the response is read whole: no Nagle delays to wait for.
  ::setsockopt(fd->get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::setsockopt(fd->get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
  return fd->release();
}

}  // namespace

std::expected<std::shared_ptr<TlsContext>, std::string> TlsContext::create(
    const std::optional<std::string>& ca_file) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return std::unexpected(openssl_error("SSL_CTX_new failed"));
  std::shared_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // Partial writes on the non-blocking socket; a peer closing without close_notify is an EOF
  // (the HTTP framing, not TLS, says whether the response was whole).
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file->c_str(), nullptr)
                       : SSL_CTX_set_default_verify_paths(ctx);
  if (loaded != 1)
    return std::unexpected("cannot load the CA bundle " + (ca_file ? *ca_file : "(default)") +
                           ": " + openssl_error("no certificates"));
  return out;
}

TlsContext::~TlsContext() {
  SSL_CTX_free(ctx_);
}

std::expected<std::unique_ptr<SocketConnection>, std::string> SocketConnection::open(
    const Target& target, const TlsContext* tls, Deadline connect_deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  // Note: getaddrinfo has no deadline of its own (the resolver's timeouts apply).
  if (int rc = ::getaddrinfo(target.host.c_str(), target.port.c_str(), &hints, &found); rc != 0)
    return std::unexpected("cannot resolve " + target.host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addrs(found, freeaddrinfo);

  addrinfo* local_found = nullptr;
  if (!target.local_address.empty()) {
    addrinfo lh{};
    lh.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
    lh.ai_socktype = SOCK_STREAM;
    if (int rc = ::getaddrinfo(target.local_address.c_str(), nullptr, &lh, &local_found); rc != 0)
      return std::unexpected("bad local address " + target.local_address + ": " + gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> local(local_found, freeaddrinfo);

  std::string why = "no address";
  int fd = -1;
  for (const addrinfo* a = addrs.get(); a != nullptr && fd < 0; a = a->ai_next) {
    if (local && local->ai_family != a->ai_family) {
      why = "the local address " + target.local_address + " is of another address family";
      continue;
    }
    auto connected = connect_one(*a, local.get(), connect_deadline);
    if (connected) {
      fd = *connected;
    } else {
      why = connected.error();
      if (connect_deadline && SteadyClock::now() >= *connect_deadline) break;
    }
  }
  if (fd < 0)
    return std::unexpected("connect to " + target.host + " port " + target.port + ": " + why);
  std::unique_ptr<SocketConnection> conn(new SocketConnection(fd, nullptr));
  if (!target.tls) return conn;

  ERR_clear_error();
  SSL* ssl = SSL_new(tls->get());
  if (ssl == nullptr) return std::unexpected(openssl_error("SSL_new failed"));
  conn->ssl_ = ssl;
  BIO* bio = BIO_new(nosignal_bio_method());
  if (bio == nullptr) return std::unexpected(openssl_error("BIO_new failed"));
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<intptr_t>(fd)));
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl, bio, bio);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (is_ip_literal(target.host)) {
    // No SNI for an address (RFC 6066); the certificate must name the address itself. (SNI is
    // set with SSL_ctrl: SSL_set_tlsext_host_name is a macro with a C cast.)
    if (X509_VERIFY_PARAM_set1_ip_asc(param, target.host.c_str()) != 1)
      return std::unexpected("cannot verify against the address " + target.host);
  } else if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                      const_cast<char*>(target.host.c_str())) != 1 ||
             X509_VERIFY_PARAM_set1_host(param, target.host.c_str(), 0) != 1) {
    return std::unexpected("cannot set the TLS host name " + target.host);
  }
  for (;;) {
    ERR_clear_error();
    int r = SSL_connect(ssl);
    if (r == 1) return conn;
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      IoResult ready = conn->wait(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, connect_deadline);
      if (ready.status == IoStatus::kTimeout)
        return std::unexpected("TLS handshake with " + target.host + " timed out");
      if (ready.status != IoStatus::kOk) return std::unexpected(ready.message);
      continue;
    }
    long verified = SSL_get_verify_result(ssl);
    if (verified != X509_V_OK)
      return std::unexpected("TLS certificate of " + target.host +
                             " not accepted: " + X509_verify_cert_error_string(verified));
    return std::unexpected("TLS handshake with " + target.host + " failed: " +
                           openssl_error(e == SSL_ERROR_SYSCALL ? "connection closed" : "error"));
  }
}

SocketConnection::~SocketConnection() {
  if (ssl_ != nullptr) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // one non-blocking try at close_notify; the peer need not see it
    SSL_free(ssl_);
    ERR_clear_error();
  }
  ::close(fd_);
}

IoResult SocketConnection::wait(short events, Deadline deadline) {
  return wait_fd(fd_, events, deadline);
}

IoResult SocketConnection::write_all(std::string_view data, Deadline deadline) {
  size_t done = 0;
  while (done < data.size()) {
    size_t chunk = std::min<size_t>(data.size() - done, INT_MAX);
    short want = POLLOUT;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      size_t n = 0;
      int r = SSL_write_ex(ssl_, data.data() + done, chunk, &n);
      if (r == 1) {
        done += n;
        continue;
      }
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_WANT_READ) {
        want = POLLIN;
      } else if (e != SSL_ERROR_WANT_WRITE) {
        return {IoStatus::kFailed, done,
                openssl_error(e == SSL_ERROR_SYSCALL ? "send: " + errno_text(errno) : "TLS error")};
      }
    } else {
      ssize_t n = ::send(fd_, data.data() + done, chunk, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return {IoStatus::kFailed, done, "send: " + errno_text(errno)};
    }
    IoResult ready = wait(want, deadline);
    if (ready.status != IoStatus::kOk) return {ready.status, done, ready.message};
  }
  return {IoStatus::kOk, done, {}};
}

IoResult SocketConnection::read_some(char* buf, size_t size, Deadline deadline) {
  for (;;) {
    short want = POLLIN;
    if (ssl_ != nullptr) {
      ERR_clear_error();
      size_t n = 0;
      int r = SSL_read_ex(ssl_, buf, size, &n);
      if (r == 1) return {IoStatus::kOk, n, {}};
      int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_ZERO_RETURN) return {IoStatus::kEof, 0, {}};
      if (e == SSL_ERROR_WANT_WRITE) {
        want = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        return {IoStatus::kFailed, 0,
                openssl_error(e == SSL_ERROR_SYSCALL ? "recv: " + errno_text(errno) : "TLS error")};
      }
    } else {
      ssize_t n = ::recv(fd_, buf, size, 0);
      if (n > 0) return {IoStatus::kOk, static_cast<size_t>(n), {}};
      if (n == 0) return {IoStatus::kEof, 0, {}};
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return {IoStatus::kFailed, 0, "recv: " + errno_text(errno)};
    }
    IoResult ready = wait(want, deadline);
    if (ready.status != IoStatus::kOk) return ready;
  }
}

bool SocketConnection::idle_and_open() {
  if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return false;  // bytes nobody asked for
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, 0);
  if (r == 0) return true;
  if (r < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return false;
  if (ssl_ == nullptr) {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);  // 0: EOF; > 0: stray bytes
  }
  // Readable TLS: a post-handshake record (a TLS 1.3 session ticket) leaves it usable; a
  // close_notify, an EOF or application data does not.
  ERR_clear_error();
  char c;
  size_t n = 0;
  int rr = SSL_read_ex(ssl_, &c, 1, &n);
  if (rr == 1) return false;
  bool open = SSL_get_error(ssl_, rr) == SSL_ERROR_WANT_READ;
  ERR_clear_error();
  return open;
}

}  // namespace dr::aws
