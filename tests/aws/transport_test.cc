// Both transports (libcurl's and our socket one) against real loopback servers: connection
// reuse, bounded timeouts, framing, and the split between "never sent", "outcome unknown" and an
// HTTP answer. The socket transport's TLS cases are in socket_transport_tls_test.cc.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "aws/support/loopback_server.h"
#include "aws/transport.h"

namespace dr::aws {
namespace {

using namespace std::chrono_literals;
using dr::test::ClosedPort;
using dr::test::Gate;
using dr::test::LoopbackServer;
using dr::test::RawResponder;

HttpRequest get(const std::string& host, const std::string& path) {
  HttpRequest request;
  request.scheme = "http";
  request.host = host;
  request.path = path;
  return request;
}

// Counts the distinct client connections (by their source port) that reached it.
class CountingServer {
 public:
  CountingServer() {
    server_.http().Get("/ping", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ports_.insert(req.remote_port);
      res.set_content("pong", "text/plain");
    });
    server_.start();
  }
  std::string host() const { return server_.host(); }
  size_t connections() {
    std::lock_guard lock(mu_);
    return ports_.size();
  }

 private:
  std::mutex mu_;
  std::set<int> ports_;
  LoopbackServer server_;
};

// Serves connections one at a time with scripted answers, for what cpp-httplib will not do: keep
// a connection alive and then drop it, or close it without answering.
class ScriptedServer {
 public:
  struct Answer {
    std::string bytes;
    bool close = false;  // close the connection after answering
  };
  // The answer to the n-th request (over all connections) arriving on the c-th connection;
  // nullopt: close the connection without answering.
  using Script = std::function<std::optional<Answer>(int request, int connection)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    fd_ = test::bind_loopback("scripted server", true, port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);                                    // wakes accept()
    if (int c = client_.load(); c >= 0) ::shutdown(c, SHUT_RDWR);  // wakes recv()
    thread_.join();
    ::close(fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }
  int connections() const { return connections_; }

 private:
  void serve() {
    while (!stopping_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      client_ = client;
      int connection = connections_++;
      std::string buf;
      char chunk[4096];
      for (;;) {
        size_t end;
        while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
          ssize_t n = ::recv(client, chunk, sizeof(chunk), 0);
          if (n <= 0) break;
          buf.append(chunk, static_cast<size_t>(n));
        }
        if (end == std::string::npos) break;  // the client closed
        buf.erase(0, end + 4);
        auto answer = script_(requests_++, connection);
        if (!answer) break;
        ::send(client, answer->bytes.data(), answer->bytes.size(), MSG_NOSIGNAL);
        if (answer->close) break;
      }
      client_ = -1;
      ::close(client);
    }
  }

  Script script_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> client_{-1};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

struct Factory {
  const char* name;
  std::shared_ptr<HttpTransport> (*make)(TransportOptions);
};

void PrintTo(const Factory& factory, std::ostream* os) {
  *os << factory.name;
}

class Transport : public ::testing::TestWithParam<Factory> {
 protected:
  std::shared_ptr<HttpTransport> make(TransportOptions options = {}) {
    return GetParam().make(std::move(options));
  }
};

INSTANTIATE_TEST_SUITE_P(Both, Transport,
                         ::testing::Values(Factory{"curl", make_curl_transport},
                                           Factory{"socket", make_socket_transport}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST_P(Transport, ReusesOneConnectionForSequentialRequests) {
  CountingServer server;
  auto transport = make();
  for (int i = 0; i < 10; ++i) {
    auto response = transport->send(get(server.host(), "/ping"));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "pong");
  }
  EXPECT_EQ(server.connections(), 1u);
}

TEST_P(Transport, ConcurrentCallersAreServedAndNeedNoMoreConnectionsThanCallers) {
  CountingServer server;
  auto transport = make();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto response = transport->send(get(server.host(), "/ping"));
        if (response && response->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 40);
  EXPECT_LE(server.connections(), 4u);
}

TEST_P(Transport, SendsTheMethodHeadersAndBodyAsGiven) {
  LoopbackServer server;
  std::mutex mu;
  std::string seen;
  auto echo = [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen = req.method + " " + req.path + "?" + req.get_param_value("a b") +
           " ct=" + req.get_header_value("Content-Type") +
           " expect=" + req.get_header_value("Expect") +
           " x=" + req.get_header_value("X-Amz-Target") + " body=" + req.body;
    res.set_header("X-Amzn-RequestId", "req-1");
    res.set_content("done", "text/plain");
  };
  server.http().Post("/echo", echo);
  server.http().Put("/echo", echo);
  server.start();

  HttpRequest post = get(server.host(), "/echo");
  post.method = "POST";
  post.query = {{"a b", "c&d"}};
  post.set_header("X-Amz-Target", "DynamoDB_20120810.GetItem");
  post.body = std::string(2048, 'x');  // large enough that curl would add Expect: 100-continue
  auto response = make()->send(post);
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  ASSERT_NE(response->header("x-amzn-requestid"), nullptr);
  EXPECT_EQ(*response->header("x-amzn-requestid"), "req-1");
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen, "POST /echo?c&d ct= expect= x=DynamoDB_20120810.GetItem body=" +
                        std::string(2048, 'x'));
  }

  HttpRequest put = get(server.host(), "/echo");
  put.method = "PUT";  // an empty PUT, like the IMDS token request
  response = make()->send(put);
  ASSERT_TRUE(response) << response.error();
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, "PUT /echo? ct= expect= x= body=");
}

TEST_P(Transport, AnHttpErrorStatusIsAResponseNotATransportError) {
  LoopbackServer server;
  server.http().Get("/busy", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content(R"({"__type":"ServiceUnavailable"})", "application/json");
  });
  server.start();
  auto response = make()->send(get(server.host(), "/busy"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, R"({"__type":"ServiceUnavailable"})");
}

TEST_P(Transport, AStalledResponseTimesOutAsOutcomeUnknownWithinTheDeadline) {
  Gate gate;
  LoopbackServer server;
  server.http().Get("/stall", [&](const httplib::Request&, httplib::Response& res) {
    gate.wait();  // until the test is done with it
    res.set_content("late", "text/plain");
  });
  server.start();
  auto transport = make({.request_timeout = 200ms});
  auto started = std::chrono::steady_clock::now();
  auto response = transport->send(get(server.host(), "/stall"));
  auto took = std::chrono::steady_clock::now() - started;
  gate.open();
  ASSERT_FALSE(response);
  // The request reached the server: it may have acted, so this is not "never sent".
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown) << response.error();
  EXPECT_GE(took, 150ms);  // it gave up on the stall, not on something else
  EXPECT_LT(took, 2s);
}

// A lab site's calls leave from its own address, so that a partition of the site cuts them: the
// server sees that address as the peer, not 127.0.0.1.
TEST_P(Transport, ConnectionsLeaveFromTheLocalAddressAskedFor) {
  LoopbackServer server;
  std::mutex mu;
  std::string peer;
  server.http().Get("/who", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    peer = req.remote_addr;
    res.set_content("ok", "text/plain");
  });
  server.start();
  auto transport = make({.local_address = "127.0.1.77"});
  auto response = transport->send(get(server.host(), "/who"));
  ASSERT_TRUE(response) << response.error();
  std::lock_guard lock(mu);
  EXPECT_EQ(peer, "127.0.1.77");
}

TEST_P(Transport, AClosedPortIsNeverSent) {
  ClosedPort closed;
  auto response = make()->send(get(closed.host(), "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find(closed.url()), std::string::npos);
}

TEST_P(Transport, ABodyAboveTheLimitIsAnErrorAndTheTransportStaysUsable) {
  LoopbackServer server;
  server.http().Get("/huge", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(4 * 1024 * 1024, 'z'), "application/octet-stream");
  });
  server.http().Get("/small", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  server.start();
  auto transport = make({.max_response_bytes = 64 * 1024});
  auto response = transport->send(get(server.host(), "/huge"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown);
  EXPECT_NE(response.error().message.find("larger than 65536 bytes"), std::string::npos)
      << response.error();
  auto next = transport->send(get(server.host(), "/small"));
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->body, "ok");
}

TEST_P(Transport, AConnectionThatBreaksMidResponseIsOutcomeUnknown) {
  LoopbackServer server;
  server.http().Get("/cut", [](const httplib::Request&, httplib::Response& res) {
    // Promise 1000 bytes, send 10, then give up: the client sees a truncated body.
    res.set_content_provider(1000, "text/plain",
                             [](size_t offset, size_t, httplib::DataSink& sink) {
                               if (offset > 0) return false;
                               sink.write("0123456789", 10);
                               return true;
                             });
  });
  server.start();
  auto response = make()->send(get(server.host(), "/cut"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown) << response.error();
}

TEST_P(Transport, AStatusLineIsNeverTakenForAHeader) {
  RawResponder server(
      "HTTP/1.1 200 Fine: really\r\nX-Amzn-RequestId: r-9\r\nContent-Length: 2\r\n"
      "Connection: close\r\n\r\nok");
  auto response = make()->send(get(server.host(), "/"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
  EXPECT_EQ(
      response->headers,
      (Headers{{"X-Amzn-RequestId", "r-9"}, {"Content-Length", "2"}, {"Connection", "close"}}));
}

TEST_P(Transport, AChunkedBodyIsDecoded) {
  RawResponder server(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n");
  auto response = make()->send(get(server.host(), "/"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "Wikipedia");
}

TEST_P(Transport, AChunkedBodyAboveTheLimitIsAnError) {
  RawResponder server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
                      std::string("400\r\n") + std::string(1024, 'c') + "\r\n0\r\n\r\n");
  auto response = make({.max_response_bytes = 1000})->send(get(server.host(), "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown);
  EXPECT_NE(response.error().message.find("larger than 1000 bytes"), std::string::npos)
      << response.error();
}

TEST_P(Transport, ABodyWithoutALengthRunsUntilTheConnectionCloses) {
  RawResponder server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
  auto response = make()->send(get(server.host(), "/"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->body, "all of it");
}

TEST_P(Transport, AnInterimResponseIsSkipped) {
  RawResponder server("HTTP/1.1 100 Continue\r\n\r\n" + kOk);
  auto response = make()->send(get(server.host(), "/"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
}

TEST_P(Transport, AHeadResponseHasNoBodyAndTheConnectionStaysUsable) {
  CountingServer server;
  auto transport = make();
  HttpRequest head = get(server.host(), "/ping");
  head.method = "HEAD";
  auto response = transport->send(head);
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "");
  auto next = transport->send(get(server.host(), "/ping"));
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->body, "pong");
  EXPECT_EQ(server.connections(), 1u);
}

// The Lambda's long poll for its next invocation: 0 is "no timeout", never "already late".
TEST_P(Transport, ARequestTimeoutOfZeroWaitsForTheAnswer) {
  Gate gate;
  std::atomic<bool> arrived{false};
  LoopbackServer server;
  server.http().Get("/next", [&](const httplib::Request&, httplib::Response& res) {
    arrived = true;
    gate.wait();
    res.set_content("event", "text/plain");
  });
  server.start();
  std::thread opener([&] {
    dr::test::wait_until([&] { return arrived.load(); });
    gate.open();
  });
  auto response =
      make({.request_timeout = std::chrono::milliseconds(0)})->send(get(server.host(), "/next"));
  opener.join();
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->body, "event");
}

// A server may close a kept-alive connection just as the next request arrives on it: it did
// not act on that request, which goes once more on a new connection.
TEST_P(Transport, AReusedConnectionDroppedWithoutAnAnswerIsRetriedOnceOnANewOne) {
  ScriptedServer server([](int request, int connection) -> std::optional<ScriptedServer::Answer> {
    if (connection == 0 && request == 1) return std::nullopt;  // dropped, unanswered
    return ScriptedServer::Answer{kOk};
  });
  auto transport = make();
  for (int i = 0; i < 2; ++i) {
    auto response = transport->send(get(server.host(), "/"));
    ASSERT_TRUE(response) << "request " << i << ": " << response.error();
    EXPECT_EQ(response->body, "ok");
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 2);
}

// ... but on a new connection the same is an outcome unknown, and not sent again.
TEST_P(Transport, ANewConnectionDroppedWithoutAnAnswerIsOutcomeUnknownAndNotRetried) {
  ScriptedServer server([](int, int) { return std::optional<ScriptedServer::Answer>(); });
  auto response = make()->send(get(server.host(), "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown) << response.error();
  EXPECT_EQ(server.requests(), 1);
}

// A kept-alive connection the server closed after its answer is not used again.
TEST_P(Transport, AKeptAliveConnectionTheServerClosedIsReplaced) {
  ScriptedServer server([](int, int) { return std::optional(ScriptedServer::Answer{kOk, true}); });
  auto transport = make();
  for (int i = 0; i < 3; ++i) {
    auto response = transport->send(get(server.host(), "/"));
    ASSERT_TRUE(response) << "request " << i << ": " << response.error();
    EXPECT_EQ(response->body, "ok");
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 3);
}

// Bytes the server sent after its answer, unasked (a second response): the connection is out of
// step, and reusing it would take them for the next request's answer.
TEST_P(Transport, AConnectionWithUnaskedBytesIsNotReused) {
  ScriptedServer server([](int request, int) {
    std::string stray = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstale";
    return std::optional(ScriptedServer::Answer{request == 0 ? kOk + stray : kOk});
  });
  auto transport = make();
  for (int i = 0; i < 2; ++i) {
    auto response = transport->send(get(server.host(), "/"));
    ASSERT_TRUE(response) << "request " << i << ": " << response.error();
    EXPECT_EQ(response->body, "ok");
  }
  EXPECT_EQ(server.connections(), 2);
}

// A header that would end the head early (request smuggling through a value) never leaves.
TEST(SocketTransport, AHeaderThatWouldBreakTheFramingIsNeverSent) {
  CountingServer server;
  HttpRequest request = get(server.host(), "/ping");
  request.set_header("X-Amz-Meta", "a\r\nX-Injected: 1");
  auto response = make_socket_transport()->send(request);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_EQ(server.connections(), 0u);
}

TEST(SocketTransport, ALocalAddressThatIsNotOneIsNeverSent) {
  CountingServer server;
  auto response =
      make_socket_transport({.local_address = "not-an-address"})->send(get(server.host(), "/ping"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find("not-an-address"), std::string::npos);
}

}  // namespace
}  // namespace dr::aws
