// dr-app's HTTP/1.1 server: one listening socket, one loop thread, and a SheddingQueue of
// workers. The loop accepts connections and watches kept-alive ones while they are idle (epoll);
// whenever a connection has a request to read (a new one, or an idle one that became readable)
// it hands the connection to the queue as one task: read one request (http_parser.h), call the
// handler, write the answer, then give the connection back to the loop. So a worker is held by a
// request, never by an idle connection, and the queue bounds requests, not connections.
//
// Bounds against slow or hostile clients: a request must arrive within `request_timeout` from its
// first byte and with no pause over `read_timeout` (else 408, or a silent close when nothing came);
// the head and the body are limited (431, 413); an answer must be taken within `write_timeout`;
// idle kept-alive connections are closed after `keep_alive_timeout`, and beyond
// `max_idle_connections` an answer says Connection: close.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "app/http_parser.h"
#include "app/shedding_queue.h"

namespace dr::app {

struct ListenerOptions {
  HttpLimits limits;
  SheddingLimits queue;
  std::chrono::milliseconds read_timeout{2000};
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds write_timeout{5000};
  // Above the ALB's default idle timeout (60 s): the target must not close a connection the load
  // balancer is about to reuse, or that request fails with a 502.
  std::chrono::milliseconds keep_alive_timeout{65000};
  size_t max_idle_connections = 4096;
  // A burst of new connections must not overflow the backlog: the kernel would drop SYNs and the
  // client retry after 1 s, past the ALB's connect timeout, which then counts a live instance dead.
  int backlog = 1024;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpListener {
 public:
  explicit HttpListener(ListenerOptions options);
  ~HttpListener();
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Binds and listens on host:port (0: a free port); returns the port, or why not.
  std::expected<uint16_t, std::string> bind(const std::string& host, uint16_t port);

  // Serves until stop(): then it stops accepting, closes idle connections, lets the requests in
  // progress (and those queued) finish with Connection: close, and returns. False when accepting
  // failed for another reason (the error is on stderr).
  bool serve(HttpHandler handler);

  // From any thread, any number of times, before or during serve().
  void stop();

 private:
  struct Connection;
  using ConnectionPtr = std::shared_ptr<Connection>;

  bool accept_all();
  void dispatch(ConnectionPtr c);
  void serve_connection(const ConnectionPtr& c);
  void park(ConnectionPtr c);  // back to the loop while idle
  void sweep_idle();
  void close_idle();

  ListenerOptions options_;
  HttpHandler handler_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<SheddingQueue> queue_;

  std::mutex idle_mu_;
  bool idle_closed_ = false;
  std::unordered_map<int, ConnectionPtr> idle_;
};

}  // namespace dr::app
