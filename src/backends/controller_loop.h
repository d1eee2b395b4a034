// The controller's loop around the pure decision: observe the world, decide, act (run or resume
// a runbook), log every decision change with its reason, and write the events the drills use to
// split RTO into phases. The same loop runs in the lab (drctl controller) and, later, in the
// Lambda (one tick per invocation).
#pragma once

#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "backends/controller_store.h"
#include "core/decision.h"
#include "core/planner.h"
#include "core/runbook.h"

namespace dr::backends {

// The target-specific half: evidence and the backends that act on this target.
class World {
 public:
  virtual ~World() = default;
  // Probes and reads everything a snapshot needs except the guards and the runbook (the loop
  // adds those from the store).
  virtual std::expected<core::Snapshot, std::string> observe() = 0;
  // Valid until the next observe().
  virtual core::Backends backends() = 0;
};

struct LoopOptions {
  int standby_capacity = 2;
  std::filesystem::path events_file;  // JSONL; empty: none
  bool dry_run = false;               // decide and log, never act
  // Fault injection for the controller-crash drill: die (exit 137, no cleanup) right after the
  // named runbook step has been saved, as a SIGKILL at that moment would.
  std::string crash_after_step;
  // Who runs runbooks from this loop ("controller-<pid>", "cli-<pid>"), and how long a claim on
  // a runbook holds without a save (each step saves, renewing it).
  std::string owner = "controller";
  std::chrono::milliseconds lease{15000};
};

class ControllerLoop {
 public:
  using Now = std::function<core::TimePoint()>;
  using Log = std::function<void(const std::string&)>;

  ControllerLoop(World& world, ControllerStore& store, LoopOptions options, Now now, Log log);

  // One tick. Returns the decision (and has acted on it).
  core::Decision tick();

  // Operator actions (drctl failover / switchover): build the plan from the current topology
  // and run it now, whatever the evidence says. Returns the finished (or stopped) runbook.
  std::expected<core::RunbookState, std::string> run_plan(core::RunbookPlan plan);
  std::expected<core::Snapshot, std::string> observe_with_guards();
  std::string new_failover_id(const std::string& prefix = "fo") const;

 private:
  void event(const std::string& name, nlohmann::json fields);
  core::RunbookState run(core::RunbookState state);

  World& world_;
  ControllerStore& store_;
  LoopOptions options_;
  Now now_;
  Log log_;
  std::string last_logged_;
};

}  // namespace dr::backends
