// cpp-httplib's task queue with a bound: the listener's accept thread hands each connection here.
// Up to `workers` connections are served at once and `max_queued` more wait; a connection beyond
// that is not queued (where it would wait until the client gives up) but handed to a small shed
// pool, whose threads answer it at once: the server's pre-routing handler sees
// `SheddingQueue::on_shed_thread()` and replies 503 with Retry-After (see http_server.cc).
//
// httplib (Debian's 0.11) gives the queue an opaque task that reads, routes and closes the socket;
// the thread it runs on is the only thing we can choose, hence the thread-local flag.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dr::app {

struct SheddingLimits {
  size_t workers = 16;
  size_t max_queued = 32;    // connections waiting for a worker
  size_t shed_threads = 2;   // answer the overflow with 503
  size_t shed_queued = 256;  // beyond this the accept thread waits (the kernel backlog fills)
};

class SheddingQueue final : public httplib::TaskQueue {
 public:
  explicit SheddingQueue(SheddingLimits limits);
  ~SheddingQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  // True on a shed thread: the request it is reading must be answered 503 without work.
  static bool on_shed_thread();

 private:
  struct Pool {
    std::deque<std::function<void()>> jobs;
    std::vector<std::thread> threads;
  };
  void run(Pool& pool, bool shed);

  SheddingLimits limits_;
  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable shed_cv_;
  std::condition_variable shed_room_cv_;
  bool stopping_ = false;
  size_t idle_workers_ = 0;
  Pool work_;
  Pool shed_;
};

}  // namespace dr::app
