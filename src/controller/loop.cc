#include "controller/loop.h"

#include <algorithm>
#include <cstdlib>

namespace dr::controller {

namespace {

// Saves through to the real store, reports each newly audited step as it is saved (so a
// controller that dies mid-runbook has already told the drill what it did), and crashes on cue
// (see LoopOptions::crash_after_step).
class ReportingStore final : public core::RunbookStore {
 public:
  using OnStep = std::function<void(const core::RunbookState&, const core::StepRecord&)>;
  ReportingStore(core::RunbookStore& inner, size_t audited, std::string crash_step,
                 ControllerLoop::Log& log, OnStep on_step, std::string owner,
                 std::function<int64_t()> now_ms, int64_t lease_ms)
      : inner_(inner),
        audited_(audited),
        crash_step_(std::move(crash_step)),
        log_(log),
        on_step_(std::move(on_step)),
        owner_(std::move(owner)),
        now_ms_(std::move(now_ms)),
        lease_ms_(lease_ms) {}
  core::Result<> save(const core::RunbookState& state) override {
    core::RunbookState claimed = state;
    claimed.owner = owner_;
    claimed.lease_until_ms = now_ms_() + lease_ms_;
    auto saved = inner_.save(claimed);
    for (; audited_ < state.audit.size(); ++audited_) on_step_(state, state.audit[audited_]);
    const auto& steps = core::steps_for(state.plan.scenario);
    if (!crash_step_.empty() && state.next_step > 0 && state.next_step <= steps.size() &&
        core::to_string(steps[state.next_step - 1]) == crash_step_ && state.last_error.empty()) {
      log_("crash injected after step " + crash_step_);
      std::_Exit(137);
    }
    return saved;
  }

 private:
  core::RunbookStore& inner_;
  size_t audited_;
  std::string crash_step_;
  ControllerLoop::Log& log_;
  OnStep on_step_;
  std::string owner_;
  std::function<int64_t()> now_ms_;
  int64_t lease_ms_;
};

int64_t unix_ms(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
}  // namespace

ControllerLoop::ControllerLoop(core::World& world, core::StateStore& store, LoopOptions options,
                               Now now, Log log)
    : world_(world),
      store_(store),
      options_(std::move(options)),
      now_(std::move(now)),
      log_(std::move(log)) {}

std::string ControllerLoop::new_failover_id(const std::string& prefix) const {
  return prefix + "-" + std::to_string(unix_ms(now_()));
}

void ControllerLoop::event(const std::string& name, nlohmann::json fields) {
  fields["event"] = name;
  fields["time_ms"] = unix_ms(now_());
  // Best effort: the events are for drills and operators, never a reason to stop a runbook.
  if (options_.events) options_.events(fields);
}

void ControllerLoop::report(const core::Decision& d) {
  if (d.reason != last_logged_) {
    log_("decision " + core::to_string(d.action) + ": " + d.reason);
    event("decision", {{"action", core::to_string(d.action)}, {"reason", d.reason}});
    last_logged_ = d.reason;
    last_reported_ = now_();
    return;
  }
  heartbeat(d);
}

void ControllerLoop::heartbeat(const core::Decision& d) {
  if (options_.heartbeat <= std::chrono::milliseconds::zero()) return;
  const auto now = now_();
  if (last_reported_ && now - *last_reported_ < options_.heartbeat) return;
  event("tick", {{"action", core::to_string(d.action)}, {"reason", d.reason}});
  last_reported_ = now;
}

std::expected<core::Snapshot, std::string> ControllerLoop::observe_with_guards() {
  auto snapshot = world_.observe();
  if (!snapshot) return std::unexpected(snapshot.error());
  auto guards = store_.load_guards();
  if (!guards) return std::unexpected("state store: " + guards.error());
  snapshot->guards = *guards;
  // A fleet at 0 is a fault or a fence, not a capacity to copy; the last size that served is.
  // A dry run writes nothing, this included.
  if (const auto seen = snapshot->primary_fleet_desired;
      !options_.dry_run && seen && *seen > 0 && seen != snapshot->guards.primary_capacity) {
    if (auto kept = store_.remember_primary_capacity(*seen); !kept)
      log_("could not remember the primary capacity: " + kept.error());
    else
      snapshot->guards.primary_capacity = *seen;
  }
  auto runbook = store_.load_runbook();
  if (!runbook) return std::unexpected("state store: " + runbook.error());
  if (*runbook && !(*runbook)->done) {
    const auto& steps = core::steps_for((*runbook)->plan.scenario);
    const auto& r = **runbook;
    const bool held_elsewhere =
        !r.owner.empty() && r.owner != options_.owner && r.lease_until_ms > unix_ms(now_());
    snapshot->runbook = core::RunbookInProgress{
        r.plan.id, core::to_string(r.plan.scenario),
        r.next_step < steps.size() ? core::to_string(steps[r.next_step]) : "end",
        held_elsewhere ? r.owner : ""};
  }
  return snapshot;
}

core::RunbookState ControllerLoop::run(core::RunbookState state) {
  event("runbook-start", {{"id", state.plan.id},
                          {"scenario", core::to_string(state.plan.scenario)},
                          {"next_step", state.next_step}});
  ReportingStore store(
      store_, state.audit.size(), options_.crash_after_step, log_,
      [this](const core::RunbookState& s, const core::StepRecord& r) {
        log_("step " + r.name + " (" + std::to_string(r.duration_ms) + " ms): " + r.outcome);
        event("runbook-step", {{"id", s.plan.id},
                               {"step", r.name},
                               {"started_ms", r.started_ms},
                               {"duration_ms", r.duration_ms},
                               {"outcome", r.outcome}});
      },
      options_.owner, [this] { return unix_ms(now_()); }, options_.lease.count());
  core::Runbook runbook(world_.backends(), store, now_);
  state = runbook.run(std::move(state));
  if (state.done) {
    // Anti-flapping: the next automatic failover waits for an operator's acknowledgement.
    if (auto ack = store_.require_ack(state.plan.id); !ack)
      log_("could not record: " + ack.error());
    event("runbook-done", {{"id", state.plan.id}});
    log_("runbook " + state.plan.id + " done; acknowledge with `drctl ack " + state.plan.id + "`");
  } else {
    event("runbook-stopped", {{"id", state.plan.id}, {"error", state.last_error}});
    log_("runbook " + state.plan.id + " stopped: " + state.last_error + " (resumes next tick)");
  }
  return state;
}

std::expected<core::RunbookState, std::string> ControllerLoop::run_plan(core::RunbookPlan plan) {
  core::RunbookState state;
  state.plan = std::move(plan);
  // Claim it first: refused while someone else's runbook is in flight.
  state.owner = options_.owner;
  state.lease_until_ms = unix_ms(now_()) + options_.lease.count();
  if (auto saved = store_.save(state); !saved) return std::unexpected(saved.error().describe());
  return run(std::move(state));
}

int ControllerLoop::standby_capacity(const core::Snapshot& snapshot) const {
  return std::max({options_.standby_capacity, snapshot.guards.primary_capacity.value_or(0),
                   snapshot.primary_fleet_desired.value_or(0)});
}

void ControllerLoop::retake_lease(const std::string& region) {
  // A runbook started since the snapshot (an operator's drctl failover, another controller) takes
  // the lease for where it moves: leave it to it. And only if free: one that a runbook took in
  // the meantime is never waited out.
  if (auto runbook = store_.load_runbook(); !runbook || (*runbook && !(*runbook)->done)) return;
  auto taken = world_.backends().lease.take(region, core::LeaseTake::kIfFree);
  if (!taken) {
    log_("could not give the write lease back to " + region + ": " + taken.error().describe() +
         " (next tick tries again)");
    event("lease-retake", {{"region", region}, {"error", taken.error().describe()}});
    return;
  }
  log_("write lease given back to " + region + ": " + *taken);
  event("lease-retake", {{"region", region}, {"outcome", *taken}});
}

core::Decision ControllerLoop::tick() {
  auto snapshot = observe_with_guards();
  if (!snapshot) {
    core::Decision d{core::Action::kWait, "no evidence: " + snapshot.error()};
    if (d.reason != last_logged_) log_("decision wait: " + d.reason);
    last_logged_ = d.reason;
    heartbeat(d);
    return d;
  }
  core::Decision d = core::tick(*snapshot);
  report(d);
  if (options_.dry_run) return d;
  if (d.action == core::Action::kResumeRunbook) {
    auto saved = store_.load_runbook();
    if (saved && *saved) run(**saved);
    return d;
  }
  if (d.action == core::Action::kRetakeLease) {
    retake_lease(snapshot->topology.primary_region);
    return d;
  }
  auto plan = core::plan_for(d, *snapshot, {new_failover_id(), standby_capacity(*snapshot)});
  if (plan) {
    auto started = run_plan(*plan);
    if (!started) log_("could not start runbook: " + started.error());
  }
  return d;
}

}  // namespace dr::controller
