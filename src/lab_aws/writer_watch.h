// Aurora's Multi-AZ failover, the decision: from the probes of a cluster's writer, taken from
// inside its region, whether to move the writer to a replica in another AZ. Pure (no clock, no
// I/O): the watcher (in_region_watcher.h) feeds it one sample per probe, tests feed it histories.
//
// Two ways a writer dies, two thresholds (docs/lab-aws-endpoint.md says why):
// - its process is gone (killed, crashed): seen on `gone_samples` probes in a row, it is dead.
//   No SIGSTOP makes a process gone, so a frozen writer never takes this path.
// - it is there but does not answer: dead only after `unresponsive_for` without one answer,
//   far longer than the blip drill's freeze (under the controller's detection window, 2.8 s with
//   the drill's default 1 s probes and threshold 3), so a blip is ridden out.
// A dead writer with no answering replica in another AZ of its region (the whole region is
// down) is left to the global failover, the controller's job, as on AWS.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dr::lab_aws {

struct WatchPolicy {
  std::chrono::milliseconds interval{250};  // between probes
  std::chrono::milliseconds probe_timeout{400};
  int gone_samples = 2;
  std::chrono::milliseconds unresponsive_for{10'000};
  std::chrono::milliseconds retry_after{5'000};  // after a move that did not happen
};

// One probe of a cluster's writer, taken at `at` (a steady clock's time since any epoch).
struct WriterSample {
  std::chrono::milliseconds at{0};
  std::string writer;  // the instance holding the write role ("" when the lab names none)
  bool process_alive = true;
  bool answers = true;
  // The cluster's replicas in another AZ than the writer's that are alive and answered this
  // probe, the preferred one first.
  std::vector<std::string> standbys;
};

struct WatchVerdict {
  enum class Kind {
    kHealthy,       // the writer answers
    kWatching,      // it does not, but not for long enough yet (a blip is ridden out)
    kFailOver,      // move the writer to `target`
    kLeftToGlobal,  // dead, and no replica in its region to take over: the controller's job
  };
  Kind kind = Kind::kHealthy;
  std::string target;
  std::string reason;  // one line, for the log
  // How long ago (from the sample's time) the writer was first seen gone or silent.
  std::chrono::milliseconds down_for{0};
};

class WriterWatch {
 public:
  explicit WriterWatch(WatchPolicy policy = {}) : policy_(policy) {}

  WatchVerdict observe(const WriterSample& sample);
  const WatchPolicy& policy() const { return policy_; }

 private:
  WatchPolicy policy_;
  std::string writer_;
  int gone_in_a_row_ = 0;
  std::optional<std::chrono::milliseconds> down_since_;
};

}  // namespace dr::lab_aws
