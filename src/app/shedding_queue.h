// A work queue with a bound: the listener's loop (http_listener.cc) hands it each request to
// serve, as a task that reads it, routes it and answers (a new connection, or a kept-alive one
// whose next request has arrived). Up to `workers` tasks run at once and `max_queued` more wait; a
// task beyond that is not queued (where it would wait until the client gives up) but handed to a
// small shed pool, whose threads answer at once: the public routes see
// `SheddingQueue::on_shed_thread()` and reply 503 with Retry-After (see http_server.cc).
#pragma once

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

class SheddingQueue final {
 public:
  explicit SheddingQueue(SheddingLimits limits);
  ~SheddingQueue();
  SheddingQueue(const SheddingQueue&) = delete;
  SheddingQueue& operator=(const SheddingQueue&) = delete;

  // Blocks only when even the shed pool's queue is full (back-pressure on the listener's loop).
  void enqueue(std::function<void()> fn);
  // Runs what is queued, then joins the threads. After it, enqueue runs the task inline.
  void shutdown();

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
  size_t busy_workers_ = 0;  // workers running a task
  Pool work_;
  Pool shed_;
};

}  // namespace dr::app
