// The libcurl transport against real loopback servers: connection reuse, bounded timeouts, and
// the split between "never sent", "outcome unknown" and an HTTP answer.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
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

TEST(CurlTransport, ReusesOneConnectionForSequentialRequests) {
  CountingServer server;
  auto transport = make_curl_transport();
  for (int i = 0; i < 10; ++i) {
    auto response = transport->send(get(server.host(), "/ping"));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "pong");
  }
  EXPECT_EQ(server.connections(), 1u);
}

TEST(CurlTransport, ConcurrentCallersAreServedAndNeedNoMoreConnectionsThanCallers) {
  CountingServer server;
  auto transport = make_curl_transport();
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

TEST(CurlTransport, SendsTheMethodHeadersAndBodyAsGiven) {
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
  auto response = make_curl_transport()->send(post);
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
  response = make_curl_transport()->send(put);
  ASSERT_TRUE(response) << response.error();
  std::lock_guard lock(mu);
  EXPECT_EQ(seen, "PUT /echo? ct= expect= x= body=");
}

TEST(CurlTransport, AnHttpErrorStatusIsAResponseNotATransportError) {
  LoopbackServer server;
  server.http().Get("/busy", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content(R"({"__type":"ServiceUnavailable"})", "application/json");
  });
  server.start();
  auto response = make_curl_transport()->send(get(server.host(), "/busy"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(response->body, R"({"__type":"ServiceUnavailable"})");
}

TEST(CurlTransport, AStalledResponseTimesOutAsOutcomeUnknownWithinTheDeadline) {
  Gate gate;
  LoopbackServer server;
  server.http().Get("/stall", [&](const httplib::Request&, httplib::Response& res) {
    gate.wait();  // until the test is done with it
    res.set_content("late", "text/plain");
  });
  server.start();
  auto transport = make_curl_transport({.request_timeout = 200ms});
  auto started = std::chrono::steady_clock::now();
  auto response = transport->send(get(server.host(), "/stall"));
  auto took = std::chrono::steady_clock::now() - started;
  gate.open();
  ASSERT_FALSE(response);
  // The request reached the server: it may have acted, so this is not "never sent".
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown) << response.error();
  EXPECT_GE(took, 150ms);  // curl gave up on the stall, not on something else
  EXPECT_LT(took, 2s);
}

// A lab site's calls leave from its own address, so that a partition of the site cuts them: the
// server sees that address as the peer, not 127.0.0.1.
TEST(CurlTransport, ConnectionsLeaveFromTheLocalAddressAskedFor) {
  LoopbackServer server;
  std::mutex mu;
  std::string peer;
  server.http().Get("/who", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    peer = req.remote_addr;
    res.set_content("ok", "text/plain");
  });
  server.start();
  auto transport = make_curl_transport({.local_address = "127.0.1.77"});
  auto response = transport->send(get(server.host(), "/who"));
  ASSERT_TRUE(response) << response.error();
  std::lock_guard lock(mu);
  EXPECT_EQ(peer, "127.0.1.77");
}

TEST(CurlTransport, AClosedPortIsNeverSent) {
  ClosedPort closed;
  auto response = make_curl_transport()->send(get(closed.host(), "/"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent) << response.error();
  EXPECT_NE(response.error().message.find(closed.url()), std::string::npos);
}

TEST(CurlTransport, ABodyAboveTheLimitIsAnErrorAndTheTransportStaysUsable) {
  LoopbackServer server;
  server.http().Get("/huge", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(4 * 1024 * 1024, 'z'), "application/octet-stream");
  });
  server.http().Get("/small", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  server.start();
  auto transport = make_curl_transport({.max_response_bytes = 64 * 1024});
  auto response = transport->send(get(server.host(), "/huge"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown);
  EXPECT_NE(response.error().message.find("larger than 65536 bytes"), std::string::npos)
      << response.error();
  auto next = transport->send(get(server.host(), "/small"));
  ASSERT_TRUE(next) << next.error();
  EXPECT_EQ(next->body, "ok");
}

TEST(CurlTransport, AConnectionThatBreaksMidResponseIsOutcomeUnknown) {
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
  auto response = make_curl_transport()->send(get(server.host(), "/cut"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kOutcomeUnknown) << response.error();
}

TEST(CurlTransport, AStatusLineIsNeverTakenForAHeader) {
  RawResponder server(
      "HTTP/1.1 200 Fine: really\r\nX-Amzn-RequestId: r-9\r\nContent-Length: 2\r\n"
      "Connection: close\r\n\r\nok");
  auto response = make_curl_transport()->send(get(server.host(), "/"));
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "ok");
  EXPECT_EQ(
      response->headers,
      (Headers{{"X-Amzn-RequestId", "r-9"}, {"Content-Length", "2"}, {"Connection", "close"}}));
}

}  // namespace
}  // namespace dr::aws
