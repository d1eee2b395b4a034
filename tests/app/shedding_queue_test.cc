// The bounded work queue behind dr-app's public listener: `workers` tasks at once, `max_queued`
// waiting, the rest answered on a shed thread.
#include "app/shedding_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <vector>

namespace dr::app {
namespace {

TEST(SheddingQueue, RightAfterStartEveryFreeWorkerTakesATaskAndOnlyTheRestIsShed) {
  // Enqueued before the worker threads have (likely) even started: a worker not yet waiting is
  // still free, so these are served, not shed (the first requests after a start were shed).
  SheddingQueue queue({.workers = 2, .max_queued = 1, .shed_threads = 1, .shed_queued = 8});
  std::latch release(1);
  std::vector<std::promise<bool>> shed(4);
  std::vector<std::future<bool>> was_shed;
  for (auto& p : shed) was_shed.push_back(p.get_future());
  for (size_t i = 0; i < 3; ++i) {
    queue.enqueue([&, i] {
      shed[i].set_value(SheddingQueue::on_shed_thread());
      release.wait();
    });
  }
  // Two workers busy (or about to be) and one task queued: the fourth is over the bound.
  queue.enqueue([&] { shed[3].set_value(SheddingQueue::on_shed_thread()); });
  EXPECT_TRUE(was_shed[3].get()) << "beyond workers + max_queued a task goes to a shed thread";
  release.count_down();
  for (size_t i = 0; i < 3; ++i) EXPECT_FALSE(was_shed[i].get()) << "task " << i << " was shed";
  queue.shutdown();
}

TEST(SheddingQueue, ShutdownRunsWhatIsQueuedAndLaterTasksInline) {
  std::atomic<int> ran{0};
  {
    SheddingQueue queue({.workers = 1, .max_queued = 16, .shed_threads = 1, .shed_queued = 8});
    for (int i = 0; i < 10; ++i) queue.enqueue([&] { ++ran; });
    queue.shutdown();
    EXPECT_EQ(ran, 10) << "queued tasks own connections: each runs (and closes its own)";
    queue.enqueue([&] { ++ran; });
    EXPECT_EQ(ran, 11);
  }
}

}  // namespace
}  // namespace dr::app
