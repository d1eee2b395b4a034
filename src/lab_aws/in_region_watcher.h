// Aurora's Multi-AZ failover, run by the lab as AWS runs it: a thread of the lab's AWS endpoint
// probes the global database's writer from inside the writer's region (bound to the region's
// writer-endpoint address, so a cut between regions never reaches the probe), and when the
// writer is dead (writer_watch.h: its process gone, or silent far longer than a blip) and a
// replica in another AZ of the region answers, moves the writer there with the very move
// FailoverDBCluster runs (RdsHandler::fail_over_in_region_for: one move at a time, AWS's
// statuses while it runs). supervisor.log gets one line per episode and the time it took.
#pragma once

#include <condition_variable>
#include <expected>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lab/lab_state.h"
#include "lab_aws/writer_watch.h"

namespace dr::lab_aws {

// Where each automatic failover is recorded, one JSON line each (the lab's RDS events, what
// DescribeEvents' "failover" category says on AWS): {"event": "in-region-failover", "cluster",
// "from", "to", "cause", "first_down_unix_ms", "done_unix_ms", "took_ms"}. The drills read it.
inline constexpr const char* kRdsEventsFile = "rds-events.jsonl";

class InRegionWatcher {
 public:
  using Log = std::function<void(const std::string&)>;
  // Starts the in-region move of `region`'s writer to `target` and waits for its end; returns
  // why it did not run (another move in flight, the target went away).
  using FailOver = std::function<std::expected<void, std::string>(
      const std::string& region, const std::string& target, const std::string& cause)>;

  // Sets a server read-only.
  using Fence = std::function<std::expected<void, std::string>(const std::string& server)>;

  InRegionWatcher(std::filesystem::path lab_dir, WatchPolicy policy, FailOver fail_over,
                  Fence fence, Log log);
  InRegionWatcher(const InRegionWatcher&) = delete;
  InRegionWatcher& operator=(const InRegionWatcher&) = delete;
  ~InRegionWatcher();  // stops; a move it started finishes first

  void start();
  void stop();

 private:
  struct Probed {
    WriterSample sample;
    std::string region;
    std::string source;  // the address probes of the region bind to
  };
  void run();
  // One probe of the writer `state` names; nullopt while the lab is not ready.
  std::optional<Probed> probe(const lab::LabState& state, std::chrono::milliseconds now) const;
  std::string writer_now() const;
  // An old writer that was frozen, not dead, when the writer moved past it (the move's fence
  // could not reach it) is fenced as soon as it answers: never a second writer.
  void fence_woken(const lab::LabState& state, const std::string& source);

  std::filesystem::path dir_;
  WriterWatch watch_;
  FailOver fail_over_;
  Fence fence_;
  Log log_;
  std::vector<std::string> to_fence_;  // the watcher's thread only
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dr::lab_aws
