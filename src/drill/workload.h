// The drill's workload: unique, increasing writes through the front door from several client
// threads at a total rate, each one recorded with its start, end and outcome. Orders carry their
// sequence number in the idempotency key, customer and amount, so a read-back can tell a lost
// write from a changed one; sessions are new ids written at version 0.
#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "drill/history.h"
#include "drill/rate_limiter.h"
#include "lab/clock.h"

namespace dr::drill {

struct WorkloadOptions {
  std::string base_url;  // the front door, "http://127.0.1.1:8080"
  double rate = 50;      // operations per second, all threads together
  std::chrono::milliseconds duration{10'000};
  unsigned threads = 4;
  unsigned session_every = 0;  // every Nth operation writes a session; 0: orders only
  // Prefixes every key so that the writes of two drills against one database never collide.
  std::string run_id = "drill";
  // Recorded on every operation (Operation::via): "" for the front door, "stale:us-east-1" for
  // clients that talk to a region's ALB directly.
  std::string via;
  // Per request: a hung server shows as an unknown outcome after this, not as a stuck drill.
  std::chrono::milliseconds timeout{2000};
  lab::Clock* clock = nullptr;  // nullptr: the steady clock
};

class Workload {
 public:
  // Refuses a bad URL, a non-positive rate, zero threads or a run id with characters a key
  // cannot hold.
  static std::expected<std::unique_ptr<Workload>, std::string> create(WorkloadOptions options,
                                                                      DrillEpoch epoch);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  void start();
  // Asks the clients to stop after their current request.
  void stop() { stopping_ = true; }
  // Waits for the clients (they stop by themselves at the end of the duration) and returns the
  // history.
  History wait();
  // How many operations have completed so far (for progress and for tests' deadline waits).
  std::size_t completed() const { return recorder_.size(); }
  History snapshot() const { return recorder_.snapshot(epoch_.started_at_unix_ms()); }
  const DrillEpoch& epoch() const { return epoch_; }

 private:
  Workload(WorkloadOptions options, DrillEpoch epoch);
  void client_loop();

  WorkloadOptions options_;
  DrillEpoch epoch_;
  lab::Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;
  Recorder recorder_;
  std::atomic<bool> stopping_{false};
  std::vector<std::jthread> threads_;
};

// Runs a workload to its end.
std::expected<History, std::string> run_workload(const WorkloadOptions& options, DrillEpoch epoch);

}  // namespace dr::drill
