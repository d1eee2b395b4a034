// The controller's loop around the pure decision: observe the world, decide, act (run or resume
// a runbook), log every decision change with its reason, and emit the events the drills use to
// split RTO into phases. The same loop runs in the lab (drctl controller) and, later, in the
// Lambda (one tick per invocation). It knows core's ports only (core/ports.h, core/world.h).
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "core/decision.h"
#include "core/planner.h"
#include "core/runbook.h"
#include "core/world.h"

namespace dr::controller {

struct LoopOptions {
  // The least a failover scales the standby fleet to; the primary's capacity, as last seen, when
  // that is more (standby_capacity()).
  int standby_capacity = 2;
  // Where events go (drctl: one JSONL line each in <lab>/controller-events.jsonl); empty: none.
  // Best effort: never a reason to stop a runbook.
  std::function<void(const nlohmann::json&)> events;
  bool dry_run = false;  // decide and log, never act
  // Fault injection for the controller-crash drill: die (exit 137, no cleanup) right after the
  // named runbook step has been saved, as a SIGKILL at that moment would.
  std::string crash_after_step;
  // Who runs runbooks from this loop ("controller-<pid>", "cli-<pid>"), and how long a claim on
  // a runbook holds without a save (each step saves, renewing it).
  std::string owner = "controller";
  std::chrono::milliseconds lease{15000};
  // Every this long, one `tick` event with the tick's decision, so that a drill (or an
  // operator's Logs Insights query) sees the controller still ticking between changes of
  // decision: a fault ridden out proves something only if the controller watched it. A
  // `decision` event counts as one. 0: none (the default; only changes are logged).
  std::chrono::milliseconds heartbeat{0};
};

class ControllerLoop {
 public:
  using Now = std::function<core::TimePoint()>;
  using Log = std::function<void(const std::string&)>;

  ControllerLoop(core::World& world, core::StateStore& store, LoopOptions options, Now now,
                 Log log);

  // One tick. Returns the decision (and has acted on it).
  core::Decision tick();

  // Operator actions (drctl failover / switchover): build the plan from the current topology
  // and run it now, whatever the evidence says. Returns the finished (or stopped) runbook.
  std::expected<core::RunbookState, std::string> run_plan(core::RunbookPlan plan);
  std::expected<core::Snapshot, std::string> observe_with_guards();
  std::string new_failover_id(const std::string& prefix = "fo") const;
  // What a move scales the standby fleet to: the configured floor, or the primary fleet's
  // capacity now or as last remembered, whichever is most (ARC Region switch's semantics).
  int standby_capacity(const core::Snapshot& snapshot) const;

 private:
  void event(const std::string& name, nlohmann::json fields);
  // Logs the decision when it changed (a `decision` event), else a `tick` event when the last
  // of either is a heartbeat ago.
  void report(const core::Decision& d);
  void heartbeat(const core::Decision& d);
  core::RunbookState run(core::RunbookState state);
  // kRetakeLease: the healthy primary region takes the free write lease back (logged, evented).
  void retake_lease(const std::string& region);

  core::World& world_;
  core::StateStore& store_;
  LoopOptions options_;
  Now now_;
  Log log_;
  std::string last_logged_;
  std::optional<core::TimePoint> last_reported_;
};

}  // namespace dr::controller
