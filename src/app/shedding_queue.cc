#include "app/shedding_queue.h"

namespace dr::app {

namespace {

thread_local bool t_shed_thread = false;

}  // namespace

SheddingQueue::SheddingQueue(SheddingLimits limits) : limits_(limits) {
  for (size_t i = 0; i < limits_.workers; ++i)
    work_.threads.emplace_back([this] { run(work_, false); });
  for (size_t i = 0; i < limits_.shed_threads; ++i)
    shed_.threads.emplace_back([this] { run(shed_, true); });
}

SheddingQueue::~SheddingQueue() {
  shutdown();
}

bool SheddingQueue::on_shed_thread() {
  return t_shed_thread;
}

void SheddingQueue::enqueue(std::function<void()> fn) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    // The pools may be gone; the task still owns a connection it must answer or close.
    lock.unlock();
    fn();
    return;
  }
  // Free workers take a job each before any waits. Counted as workers not busy, not as threads
  // waiting: a worker that has not started yet (right after construction) or not yet woken for
  // an earlier job is still free, and its job must not be shed.
  if (work_.jobs.size() < limits_.max_queued + (limits_.workers - busy_workers_)) {
    work_.jobs.push_back(std::move(fn));
    lock.unlock();
    work_cv_.notify_one();
    return;
  }
  // The shed threads answer in microseconds unless a client sends its request slowly (bounded by
  // the server's read timeout); if even their queue is full, back-pressure the accept loop.
  shed_room_cv_.wait(lock, [&] { return stopping_ || shed_.jobs.size() < limits_.shed_queued; });
  if (stopping_) {
    // The pools may be gone; the task still owns a socket it must close.
    lock.unlock();
    fn();
    return;
  }
  shed_.jobs.push_back(std::move(fn));
  lock.unlock();
  shed_cv_.notify_one();
}

void SheddingQueue::run(Pool& pool, bool shed) {
  t_shed_thread = shed;
  auto& cv = shed ? shed_cv_ : work_cv_;
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock lock(mu_);
      cv.wait(lock, [&] { return stopping_ || !pool.jobs.empty(); });
      // On shutdown, queued connections are still served (each closes its socket).
      if (pool.jobs.empty()) return;
      fn = std::move(pool.jobs.front());
      pool.jobs.pop_front();
      if (!shed) ++busy_workers_;
    }
    if (shed) shed_room_cv_.notify_one();
    fn();
    fn = nullptr;  // what the task holds (a connection) goes before the worker counts as free
    if (!shed) {
      std::lock_guard lock(mu_);
      --busy_workers_;
    }
  }
}

void SheddingQueue::shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && work_.threads.empty() && shed_.threads.empty()) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  shed_cv_.notify_all();
  shed_room_cv_.notify_all();
  for (auto* pool : {&work_, &shed_}) {
    for (auto& t : pool->threads) {
      if (t.joinable()) t.join();
    }
    pool->threads.clear();
  }
}

}  // namespace dr::app
