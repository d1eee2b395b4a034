// The socket transport: HTTP/1.1 over our own TCP and OpenSSL connections, for the Lambda's
// bootstrap, which must not carry libcurl's dependency tree (docs/lambda.md, "Packaging").
// Same contract as the libcurl transport (transport.h). No proxy support: the controller talks
// to AWS endpoints, the Lambda Runtime API and the lab directly, never through a proxy.
#include <map>
#include <mutex>
#include <vector>

#include "aws/http1.h"
#include "aws/socket_connection.h"
#include "aws/transport.h"

namespace dr::aws {

namespace {

// A kept-alive connection idle for longer is closed rather than reused: servers drop idle
// connections after a while (ALBs after 60 s by default), and a reuse racing that close costs a
// retry.
constexpr auto kMaxIdle = std::chrono::seconds(50);
// Idle connections kept per endpoint; more concurrent callers than this open and close extra.
constexpr size_t kMaxIdlePerEndpoint = 16;

struct Endpoint {
  SocketConnection::Target target;
  std::string key;  // scheme://host:port
};

// "host", "host:port", "[v6]" or "[v6]:port", with the scheme's default port.
std::expected<Endpoint, std::string> endpoint_of(const HttpRequest& request,
                                                 const std::string& local_address) {
  Endpoint e;
  if (request.scheme == "https") {
    e.target.tls = true;
  } else if (request.scheme != "http") {
    return std::unexpected("unsupported scheme '" + request.scheme + "'");
  }
  std::string_view hp = request.host;
  std::string_view host = hp, port;
  if (hp.starts_with('[')) {
    size_t close = hp.find(']');
    if (close == std::string_view::npos) return std::unexpected("bad host '" + request.host + "'");
    host = hp.substr(1, close - 1);
    std::string_view rest = hp.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return std::unexpected("bad host '" + request.host + "'");
      port = rest.substr(1);
    }
  } else if (size_t colon = hp.rfind(':'); colon != std::string_view::npos) {
    host = hp.substr(0, colon);
    port = hp.substr(colon + 1);
  }
  if (host.empty()) return std::unexpected("no host in '" + request.host + "'");
  if (port.empty()) port = e.target.tls ? "443" : "80";
  int n = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || n > 65535)
      return std::unexpected("bad port in '" + request.host + "'");
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > 65535) return std::unexpected("bad port in '" + request.host + "'");
  e.target.host = std::string(host);
  e.target.port = std::to_string(n);
  e.target.local_address = local_address;
  e.key = request.scheme + "://" + e.target.host + ":" + e.target.port;
  return e;
}

Deadline earlier(Deadline a, Deadline b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

class SocketTransport final : public HttpTransport {
 public:
  explicit SocketTransport(TransportOptions options) : options_(std::move(options)) {}

  Result<HttpResponse> send(const HttpRequest& request) override {
    std::string url = request.url();
    auto with_url = [&](const std::string& what) { return what + " (" + url + ")"; };
    auto endpoint = endpoint_of(request, options_.local_address);
    if (!endpoint) return std::unexpected(Error::not_sent(with_url(endpoint.error())));
    auto head = http1::request_head(request);
    if (!head) return std::unexpected(Error::not_sent(with_url(head.error())));
    std::string wire = *head + request.body;
    const TlsContext* tls = nullptr;
    if (endpoint->target.tls) {
      auto ctx = tls_context();
      if (!ctx) return std::unexpected(Error::not_sent(with_url(ctx.error())));
      tls = ctx->get();
    }

    auto now = SteadyClock::now();
    Deadline deadline;  // a request_timeout of 0 is curl's "none"
    if (options_.request_timeout.count() > 0) deadline = now + options_.request_timeout;
    bool fresh_only = false;
    for (;;) {
      std::unique_ptr<SocketConnection> conn;
      bool reused = false;
      if (!fresh_only) conn = checkout(endpoint->key);
      if (conn) {
        reused = true;
      } else {
        Deadline connect_deadline = deadline;
        if (options_.connect_timeout.count() > 0)
          connect_deadline = earlier(deadline, SteadyClock::now() + options_.connect_timeout);
        auto opened = SocketConnection::open(endpoint->target, tls, connect_deadline);
        if (!opened) return std::unexpected(Error::not_sent(with_url(opened.error())));
        conn = std::move(*opened);
      }

      // A kept-alive connection can be closed by the server at any moment, also between our
      // check that it is still open (checkout) and the request reaching it; the request then
      // fails on send, or the connection ends before the first byte of a response. The server
      // closed a connection it considered idle, so it did not act on the request: send it once
      // more on a new connection, as libcurl does. Only once, and never after a timeout or after
      // any byte of a response: then the server may have acted.
      auto retry_on_new = [&](IoStatus status, bool nothing_received) {
        return reused && !fresh_only && nothing_received && status != IoStatus::kTimeout;
      };

      IoResult written = conn->write_all(wire, deadline);
      if (written.status != IoStatus::kOk) {
        if (retry_on_new(written.status, true)) {
          fresh_only = true;
          continue;
        }
        std::string what = with_url("sending the request: " + written.message);
        if (written.bytes == 0) return std::unexpected(Error::not_sent(what));
        return std::unexpected(Error::outcome_unknown(what));
      }

      auto read = [&](char* buf, size_t size) { return conn->read_some(buf, size, deadline); };
      auto response =
          http1::read_response(read, request.method == "HEAD", options_.max_response_bytes);
      if (!response) {
        if (retry_on_new(response.error().status, response.error().nothing_received)) {
          fresh_only = true;
          continue;
        }
        std::string what = response.error().status == IoStatus::kTimeout
                               ? "no whole response within " +
                                     std::to_string(options_.request_timeout.count()) + " ms"
                               : response.error().message;
        return std::unexpected(Error::outcome_unknown(with_url(what)));
      }
      if (response->keep_alive) checkin(endpoint->key, std::move(conn));
      return std::move(response->response);
    }
  }

 private:
  struct Idle {
    std::unique_ptr<SocketConnection> conn;
    SteadyClock::time_point since;
  };

  // The most recently used idle connection to `key` that is still open, or nullptr.
  std::unique_ptr<SocketConnection> checkout(const std::string& key) {
    for (;;) {
      Idle idle;
      {
        std::lock_guard lock(mu_);
        auto it = idle_.find(key);
        if (it == idle_.end() || it->second.empty()) return nullptr;
        idle = std::move(it->second.back());
        it->second.pop_back();
      }
      // Closed outside the lock (a TLS close_notify is a write).
      if (SteadyClock::now() - idle.since < kMaxIdle && idle.conn->idle_and_open())
        return std::move(idle.conn);
    }
  }

  void checkin(const std::string& key, std::unique_ptr<SocketConnection> conn) {
    std::lock_guard lock(mu_);
    auto& list = idle_[key];
    if (list.size() >= kMaxIdlePerEndpoint) return;  // `conn` closes on return
    list.push_back({std::move(conn), SteadyClock::now()});
  }

  // Built on the transport's first https request, with the CA bundle of that moment; a bundle
  // that cannot be loaded fails every https request of this transport.
  std::expected<std::shared_ptr<TlsContext>, std::string> tls_context() {
    std::lock_guard lock(tls_mu_);
    if (!tls_) tls_ = TlsContext::create(current_ca_bundle());
    return *tls_;
  }

  const TransportOptions options_;
  std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
  std::mutex tls_mu_;
  std::optional<std::expected<std::shared_ptr<TlsContext>, std::string>> tls_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_socket_transport(TransportOptions options) {
  return std::make_shared<SocketTransport>(std::move(options));
}

}  // namespace dr::aws
