// dr-app's HTTP listener on a loopback port, driven with raw sockets: keep-alive and pipelining,
// the bounds against slow and hostile clients (408, 413, 431, idle timeout), shedding, and a
// graceful stop. Timeouts are set short so each case ends quickly; the assertions are on what
// the server answered, never on how long it took.
#include "app/http_listener.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "lab/net.h"
#include "lab/wait.h"

namespace dr::app {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A gate the handler of /block waits at until the test opens it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  int waiting = 0;
  void wait() {
    std::unique_lock lock(mu);
    ++waiting;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void release() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
  bool has_waiter() {
    std::lock_guard lock(mu);
    return waiting > 0;
  }
};

class Listener {
 public:
  explicit Listener(ListenerOptions options) : listener_(std::move(options)) {
    auto port = listener_.bind("127.0.0.1", 0);
    EXPECT_TRUE(port) << port.error();
    port_ = port.value_or(0);
    thread_ = std::thread([this] {
      served_ = listener_.serve([this](const HttpRequest& req) {
        if (req.path == "/block") gate.wait();
        HttpResponse res;
        res.content_type = "text/plain";
        res.body = req.method + " " + req.path + " " + req.body +
                   (SheddingQueue::on_shed_thread() ? " shed" : "");
        return res;
      });
    });
  }
  ~Listener() {
    gate.release();
    stop();
  }
  void stop() {
    listener_.stop();
    if (thread_.joinable()) thread_.join();
  }
  lab::Socket connect() {
    auto s = lab::connect_tcp("127.0.0.1", port_, 2s);
    EXPECT_TRUE(s) << s.error();
    return s ? std::move(*s) : lab::Socket();
  }
  uint16_t port() const { return port_; }
  bool served() const { return served_; }

  Gate gate;

 private:
  HttpListener listener_;
  uint16_t port_ = 0;
  std::atomic<bool> served_{false};
  std::thread thread_;
};

void send(const lab::Socket& s, std::string_view bytes) {
  ASSERT_TRUE(lab::send_all(s, bytes, 2s));
}

// Bytes until `n` arrived, the peer closed, or 5 s passed.
std::string read_some(const lab::Socket& s, size_t n, std::chrono::milliseconds timeout = 5s) {
  std::string out;
  const auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (out.size() < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    pollfd p{s.fd(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t got = ::recv(s.fd(), buf, sizeof buf, 0);
    if (got <= 0) break;
    out.append(buf, static_cast<size_t>(got));
  }
  return out;
}

// One whole response (head and Content-Length body) from a kept-alive connection.
std::string read_response(const lab::Socket& s) {
  std::string out;
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    const size_t end = out.find("\r\n\r\n");
    if (end != std::string::npos) {
      const size_t cl = out.find("Content-Length: ");
      const size_t length = cl < end ? std::stoul(out.substr(cl + 16)) : 0;
      if (out.size() >= end + 4 + length) return out.substr(0, end + 4 + length);
    }
    std::string more = read_some(s, 1, 1s);
    if (more.empty()) break;
    out += more;
  }
  ADD_FAILURE() << "no whole response: " << out;
  return out;
}

// True when the server closed the connection (EOF) within 5 s.
bool closed_by_server(const lab::Socket& s) {
  pollfd p{s.fd(), POLLIN, 0};
  if (::poll(&p, 1, 5000) <= 0) return false;
  char c;
  return ::recv(s.fd(), &c, 1, 0) <= 0;
}

ListenerOptions quick() {
  ListenerOptions o;
  o.read_timeout = 300ms;
  o.request_timeout = 1s;
  o.keep_alive_timeout = 5s;
  o.limits.max_head_bytes = 1024;
  o.limits.max_body_bytes = 64;
  o.queue.workers = 2;
  o.queue.max_queued = 2;
  o.queue.shed_threads = 1;
  return o;
}

TEST(HttpListener, ServesSeveralRequestsOnOneKeptAliveConnection) {
  Listener l(quick());
  auto s = l.connect();
  for (int i = 0; i < 3; ++i) {
    send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi");
    std::string r = read_response(s);
    EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
    EXPECT_TRUE(r.ends_with("POST /echo hi")) << r;
    EXPECT_EQ(r.find("Connection: close"), std::string::npos) << r;
  }
  // HEAD: the length the body would have had, no body, and the connection stays in step.
  send(s, "HEAD /head HTTP/1.1\r\n\r\n");
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos) {
    std::string more = read_some(s, 1);
    if (more.empty()) break;
    head += more;
  }
  EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
  EXPECT_NE(head.find("Content-Length: 11\r\n"), std::string::npos) << head;
  EXPECT_TRUE(head.ends_with("\r\n\r\n")) << head;
  send(s, "GET /last HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::string last = read_some(s, 1 << 20);
  EXPECT_TRUE(last.starts_with("HTTP/1.1 200 OK\r\n")) << "no body after the HEAD answer: " << last;
  EXPECT_NE(last.find("Connection: close\r\n"), std::string::npos) << last;
  EXPECT_TRUE(last.ends_with("GET /last ")) << last << " (then the server closes)";
}

TEST(HttpListener, AnswersPipelinedRequestsInOrder) {
  Listener l(quick());
  auto s = l.connect();
  send(s,
       "GET /one HTTP/1.1\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
       "GET /three HTTP/1.1\r\nConnection: close\r\n\r\n");
  std::string all = read_some(s, 1 << 20);
  const size_t one = all.find("GET /one"), two = all.find("POST /two abc"),
               three = all.find("GET /three");
  ASSERT_NE(one, std::string::npos) << all;
  ASSERT_NE(two, std::string::npos) << all;
  ASSERT_NE(three, std::string::npos) << all;
  EXPECT_LT(one, two);
  EXPECT_LT(two, three);
}

TEST(HttpListener, ASlowlorisClientIsCutOffWith408) {
  // Each byte comes within the read timeout, but the request never ends: request_timeout bounds
  // how long such a client holds a worker.
  ListenerOptions o = quick();
  o.read_timeout = 2s;
  o.request_timeout = 500ms;
  Listener l(o);
  auto s = l.connect();
  send(s, "GET /slow HTTP/1.1\r\nX-Slow: ");
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop && lab::send_all(s, "a", 1s)) std::this_thread::sleep_for(50ms);
  });
  std::string answer = read_some(s, 1 << 20, 10s);
  stop = true;
  trickle.join();
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;
}

TEST(HttpListener, HalfARequestAndThenSilenceGets408AndNothingAtAllACloseOnly) {
  Listener l(quick());
  auto half = l.connect();
  send(half, "GET /half HTTP/1.1\r\nHost");
  std::string answer = read_some(half, 1 << 20);
  EXPECT_TRUE(answer.starts_with("HTTP/1.1 408 ")) << answer;
  auto silent = l.connect();
  EXPECT_EQ(read_some(silent, 1 << 20), "") << "a connection that sends nothing is closed quietly";
}

TEST(HttpListener, AHugeHeadGets431AndABodyOverTheLimit413WhileTheClientStillSends) {
  Listener l(quick());
  auto s = l.connect();
  send(s, "GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n");
  std::string head = read_some(s, 1 << 20);
  EXPECT_TRUE(head.starts_with("HTTP/1.1 431 ")) << head;
  EXPECT_NE(head.find("\"head_too_large\""), std::string::npos) << head;

  // The answer must reach a client that sends its whole (refused) body before reading.
  auto b = l.connect();
  send(b, "POST /orders HTTP/1.1\r\nContent-Length: 200000\r\n\r\n" + std::string(200000, 'x'));
  std::string body = read_some(b, 1 << 20);
  EXPECT_TRUE(body.starts_with("HTTP/1.1 413 ")) << body;
  EXPECT_NE(body.find("\"body_too_large\""), std::string::npos) << body;

  auto c = l.connect();
  send(c, "POST /orders HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  std::string chunked = read_some(c, 1 << 20);
  EXPECT_TRUE(chunked.starts_with("HTTP/1.1 411 ")) << chunked;
}

TEST(HttpListener, AnswersExpect100ContinueBeforeTheBody) {
  Listener l(quick());
  auto s = l.connect();
  send(s, "POST /orders HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-Continue\r\n\r\n");
  std::string cont = read_some(s, 25);
  EXPECT_EQ(cont, "HTTP/1.1 100 Continue\r\n\r\n");
  send(s, "ok");
  EXPECT_TRUE(read_response(s).ends_with("POST /orders ok"));
}

TEST(HttpListener, ClosesAnIdleKeptAliveConnectionAfterItsTimeout) {
  ListenerOptions o = quick();
  o.keep_alive_timeout = 300ms;
  Listener l(o);
  auto s = l.connect();
  send(s, "GET /a HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(read_response(s).starts_with("HTTP/1.1 200"));
  EXPECT_TRUE(closed_by_server(s));
}

TEST(HttpListener, AnIdleKeptAliveConnectionHoldsNoWorker) {
  // One worker, no queue: were an idle connection to hold the worker (a thread per connection),
  // the second client would be shed.
  ListenerOptions o = quick();
  o.queue.workers = 1;
  o.queue.max_queued = 0;
  Listener l(o);
  auto idle = l.connect();
  send(idle, "GET /first HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(read_response(idle).ends_with("GET /first "));
  // The worker marks itself free only after the client has its answer: a request that comes right
  // then may be shed, so each one is asked until it is served, within a deadline (a worker held by
  // the idle connection would never serve it).
  for (int i = 0; i < 3; ++i) {
    std::string r;
    auto served =
        lab::wait_until("a new connection to be served by the one worker",
                        [&] {
                          auto other = l.connect();
                          send(other, "GET /second HTTP/1.1\r\nConnection: close\r\n\r\n");
                          r = read_some(other, 1 << 20);
                          return r.ends_with("GET /second ");
                        },
                        {.timeout = 5s, .poll = 20ms});
    EXPECT_TRUE(served) << "served by the worker, not shed: " << r;
  }
  send(idle, "GET /again HTTP/1.1\r\n\r\n");
  EXPECT_TRUE(read_response(idle).ends_with("GET /again ")) << "the idle connection still works";
}

TEST(HttpListener, BeyondTheQueueARequestIsAnsweredOnAShedThreadAndTheConnectionClosed) {
  ListenerOptions o = quick();
  o.queue.workers = 1;
  o.queue.max_queued = 0;
  Listener l(o);
  auto busy = l.connect();
  send(busy, "GET /block HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(lab::wait_until("the worker is busy", [&] { return l.gate.has_waiter(); }));
  auto s = l.connect();
  send(s, "GET /over HTTP/1.1\r\n\r\n");
  std::string r = read_some(s, 1 << 20);
  EXPECT_TRUE(r.ends_with("GET /over  shed")) << r;
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos) << r;
  l.gate.release();
  EXPECT_TRUE(read_response(busy).ends_with("GET /block "));
}

TEST(HttpListener, StopFinishesTheRequestInProgressThenRefusesConnections) {
  Listener l(quick());
  auto s = l.connect();
  send(s, "GET /block HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(lab::wait_until("the request is in progress", [&] { return l.gate.has_waiter(); }));
  std::thread stopper([&] { l.stop(); });
  // The listening socket closes before the request in progress ends.
  ASSERT_TRUE(lab::wait_until("new connections are refused", [&] {
    return !lab::connect_tcp("127.0.0.1", l.port(), 200ms).has_value();
  }));
  l.gate.release();
  std::string r = read_some(s, 1 << 20);
  stopper.join();
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200")) << r;
  EXPECT_NE(r.find("Connection: close\r\n"), std::string::npos) << "no keep-alive while stopping";
  EXPECT_TRUE(l.served()) << "serve() returns true after a stop";
}

TEST(HttpListener, BindSaysWhyItCannot) {
  HttpListener first{ListenerOptions{}};
  auto port = first.bind("127.0.0.1", 0);
  ASSERT_TRUE(port) << port.error();
  HttpListener second{ListenerOptions{}};
  auto again = second.bind("127.0.0.1", *port);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("in use"), std::string::npos) << again.error();
  EXPECT_FALSE(HttpListener{ListenerOptions{}}.bind("no-such-host.invalid", 0));
}

}  // namespace
}  // namespace dr::app
