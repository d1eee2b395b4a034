#include "core/runbook.h"

#include <algorithm>

namespace dr::core {

namespace {

int64_t unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string to_string(Scenario s) {
  switch (s) {
    case Scenario::kAppRegionFailover:
      return "app-region-failover";
    case Scenario::kRegionFailover:
      return "region-failover";
    case Scenario::kSwitchover:
      return "switchover";
  }
  return "?";
}

std::optional<Scenario> scenario_from_string(const std::string& text) {
  for (Scenario s :
       {Scenario::kAppRegionFailover, Scenario::kRegionFailover, Scenario::kSwitchover}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

const std::vector<Step>& steps_for(Scenario scenario) {
  // Order matters: the old primary stops taking writes before the new one starts (no split
  // brain); traffic moves only after the new writer is reachable through every endpoint.
  using enum Step;
  // The write lease moves with the traffic: before the promotion when the old region may be cut
  // off and still writing (it must have lost the lease first); after the shift otherwise, so the
  // old region's apps keep writing, through their repointed endpoints, until traffic has moved.
  static const std::vector<Step> app = {kScaleStandby, kShiftTraffic, kTakeWriteLease, kVerifyWrite,
                                        kNotify};
  static const std::vector<Step> region = {kFenceOldPrimary, kTakeWriteLease, kPromote,
                                           kScaleStandby,    kShiftTraffic,   kVerifyWrite,
                                           kNotify};
  // Planned: the old region's apps keep serving, writing through their repointed endpoints.
  static const std::vector<Step> switchover = {kFenceOldWriter, kPromote,        kScaleStandby,
                                               kShiftTraffic,   kTakeWriteLease, kVerifyWrite,
                                               kNotify};
  switch (scenario) {
    case Scenario::kAppRegionFailover:
      return app;
    case Scenario::kRegionFailover:
      return region;
    case Scenario::kSwitchover:
      return switchover;
  }
  return region;  // not reached: every scenario is listed above (-Wswitch checks)
}

std::span<const Runbook::StepSpec> Runbook::table() {
  using enum OnFailure;
  // {step, name, run, on failure}: the one place a step is defined.
  static const StepSpec steps[] = {
      {Step::kFenceOldWriter, "fence_old_writer", &Runbook::fence_old_writer,
       kSkipIfGoneAndDataLossAllowed},
      {Step::kFenceOldPrimary, "fence_old_primary", &Runbook::fence_old_primary,
       kSkipIfGoneAndDataLossAllowed},
      {Step::kTakeWriteLease, "take_write_lease", &Runbook::take_write_lease, kSkipIfNotSupported},
      {Step::kPromote, "promote", &Runbook::promote, kStop},
      {Step::kScaleStandby, "scale_standby", &Runbook::scale_standby, kStop},
      {Step::kShiftTraffic, "shift_traffic", &Runbook::shift_traffic, kStop},
      {Step::kVerifyWrite, "verify_write", &Runbook::verify_write, kStop},
      {Step::kNotify, "notify", &Runbook::notify, kStop},
  };
  return steps;
}

const Runbook::StepSpec& Runbook::spec(Step step) {
  for (const auto& s : table())
    if (s.step == step) return s;
  return table().front();  // not reached: the table has every step (RunbookTest checks)
}

std::string to_string(Step step) {
  return Runbook::spec(step).name;
}

std::optional<Step> step_from_string(const std::string& name) {
  for (const auto& s : Runbook::table())
    if (name == s.name) return s.step;
  return std::nullopt;
}

bool skips(OnFailure rule, const Error& error, const RunbookPlan& plan) {
  switch (rule) {
    case OnFailure::kStop:
      return false;
    case OnFailure::kSkipIfGoneAndDataLossAllowed:
      switch (error.kind) {
        case ErrorKind::kNotSupported:
          return true;  // the target does this itself (Aurora fences its writer)
        case ErrorKind::kUnreachable:
        case ErrorKind::kTimeout:
          return plan.allow_data_loss;
        case ErrorKind::kRefused:
        case ErrorKind::kConflict:
        case ErrorKind::kOutcomeUnknown:
          return false;
      }
      return false;
    case OnFailure::kSkipIfNotSupported:
      return error.kind == ErrorKind::kNotSupported;
  }
  return false;
}

DatabaseMove RunbookPlan::database_move() const {
  return {from_region,     to_region, old_writer, new_writer,
          catch_up_source, followers, regions,    catch_up_timeout};
}

nlohmann::json to_json(const RunbookState& s) {
  nlohmann::json audit = nlohmann::json::array();
  for (const auto& r : s.audit)
    audit.push_back({{"name", r.name},
                     {"started_ms", r.started_ms},
                     {"duration_ms", r.duration_ms},
                     {"outcome", r.outcome}});
  const auto& p = s.plan;
  return {{"plan",
           {{"id", p.id},
            {"scenario", to_string(p.scenario)},
            {"from_region", p.from_region},
            {"to_region", p.to_region},
            {"old_writer", p.old_writer},
            {"new_writer", p.new_writer},
            {"catch_up_source", p.catch_up_source},
            {"followers", p.followers},
            {"regions", p.regions},
            {"standby_capacity", p.standby_capacity},
            {"catch_up_timeout_ms", p.catch_up_timeout.count()},
            {"allow_data_loss", p.allow_data_loss}}},
          {"next_step", s.next_step},
          {"audit", audit},
          {"done", s.done},
          {"last_error", s.last_error},
          {"owner", s.owner},
          {"lease_until_ms", s.lease_until_ms}};
}

std::expected<RunbookState, std::string> runbook_from_json(const nlohmann::json& j) {
  try {
    RunbookState s;
    const auto& p = j.at("plan");
    s.plan.id = p.at("id").get<std::string>();
    auto scenario = scenario_from_string(p.at("scenario").get<std::string>());
    if (!scenario) return std::unexpected("unknown scenario " + p.at("scenario").dump());
    s.plan.scenario = *scenario;
    s.plan.from_region = p.at("from_region").get<std::string>();
    s.plan.to_region = p.at("to_region").get<std::string>();
    s.plan.old_writer = p.at("old_writer").get<std::string>();
    s.plan.new_writer = p.at("new_writer").get<std::string>();
    s.plan.catch_up_source = p.at("catch_up_source").get<std::string>();
    s.plan.followers = p.at("followers").get<std::vector<std::string>>();
    s.plan.regions = p.at("regions").get<std::vector<std::string>>();
    s.plan.standby_capacity = p.at("standby_capacity").get<int>();
    s.plan.catch_up_timeout = std::chrono::milliseconds(p.at("catch_up_timeout_ms").get<int64_t>());
    // Saved before the field existed: only a switchover promised no data loss.
    s.plan.allow_data_loss = p.value("allow_data_loss", s.plan.scenario != Scenario::kSwitchover);
    s.next_step = j.at("next_step").get<size_t>();
    if (s.next_step > steps_for(s.plan.scenario).size())
      return std::unexpected("next_step " + std::to_string(s.next_step) + " is past the end");
    for (const auto& r : j.at("audit"))
      s.audit.push_back({r.at("name").get<std::string>(), r.at("started_ms").get<int64_t>(),
                         r.at("duration_ms").get<int64_t>(), r.at("outcome").get<std::string>()});
    s.done = j.at("done").get<bool>();
    s.last_error = j.value("last_error", "");
    s.owner = j.value("owner", "");
    s.lease_until_ms = j.value("lease_until_ms", int64_t{0});
    return s;
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(std::string("malformed runbook state: ") + e.what());
  }
}

Runbook::Runbook(Backends backends, RunbookStore& store, Now now)
    : b_(backends), store_(store), now_(std::move(now)) {}

Runbook::StepResult Runbook::run_step(Step step, const RunbookPlan& plan) {
  const StepSpec& row = spec(step);
  StepResult r = (this->*row.run)(plan);
  if (r || !skips(row.on_failure, r.error(), plan)) return r;
  return "skipped: " + r.error().describe();
}

Runbook::StepResult Runbook::fence_old_writer(const RunbookPlan& p) {
  if (auto r = b_.database.fence_writer(p.database_move()); !r) return std::unexpected(r.error());
  return "ok";
}

Runbook::StepResult Runbook::fence_old_primary(const RunbookPlan& p) {
  // Both fences are tried: the apps of an abandoned region must stop writing even when its
  // database cannot be reached, and the other way round.
  auto apps = b_.fleet.fence_apps(p.from_region, "failover " + p.id);
  auto db = b_.database.fence_writer(p.database_move());
  if (db && apps) return "ok";
  // Each failure on its own decides: one that may not be skipped stops the runbook.
  const auto rule = spec(Step::kFenceOldPrimary).on_failure;
  if (!db && !skips(rule, db.error(), p))
    return std::unexpected(db.error().in(p.old_writer + ": "));
  if (!apps && !skips(rule, apps.error(), p))
    return std::unexpected(apps.error().in("apps of " + p.from_region + ": "));
  std::string note = "skipped:";
  if (!db) note += " " + p.old_writer + " unreachable (" + db.error().describe() + ")";
  if (!apps) note += " apps of " + p.from_region + " unreachable (" + apps.error().describe() + ")";
  return note;
}

Runbook::StepResult Runbook::take_write_lease(const RunbookPlan& p) {
  // Handed over at once unless the old region may still be writing: a region failover whose
  // fence did not reach it (skipped) must wait for the old holder's lease to run out.
  LeaseTake how = LeaseTake::kHandOver;
  if (p.scenario == Scenario::kRegionFailover) {
    how = LeaseTake::kAfterExpiry;
    if (audit_ != nullptr) {
      const std::string fence = to_string(Step::kFenceOldPrimary);
      for (auto r = audit_->rbegin(); r != audit_->rend(); ++r) {
        if (r->name != fence) continue;
        if (r->outcome == "ok") how = LeaseTake::kHandOver;
        break;
      }
    }
  }
  auto r = b_.lease.take(p.to_region, how);
  if (!r) return std::unexpected(r.error());
  return r->empty() ? "ok" : "ok: " + *r;
}

Runbook::StepResult Runbook::promote(const RunbookPlan& p) {
  auto r = p.allow_data_loss ? b_.database.fail_over(p.database_move(), true)
                             : b_.database.switch_over(p.database_move());
  if (!r) return std::unexpected(r.error());
  return r->empty() ? "ok" : "skipped: " + *r;
}

Runbook::StepResult Runbook::scale_standby(const RunbookPlan& p) {
  // A region failed away from earlier was fenced; traffic coming back needs it able to write.
  if (auto u = b_.fleet.unfence_apps(p.to_region); !u) return std::unexpected(u.error());
  // (the CLI bounds standby_capacity so that max fits every target's fleet limit)
  if (auto r = b_.fleet.set_capacity(p.to_region, p.standby_capacity, p.standby_capacity,
                                     std::max(p.standby_capacity, 2 * p.standby_capacity));
      !r)
    return std::unexpected(r.error());
  return "ok";
}

Runbook::StepResult Runbook::shift_traffic(const RunbookPlan& p) {
  if (auto r = b_.traffic.shift_to(p.to_region); !r) return std::unexpected(r.error());
  return "ok";
}

Runbook::StepResult Runbook::verify_write(const RunbookPlan& p) {
  auto r = b_.probe.verify_write(p.to_region);
  if (r) return "ok";
  // A lease taken for a region whose apps were still fenced (a failover back into a region
  // failed away from: unfenced only at scale_standby) ran out unrenewed before they could renew
  // it; the step is retried, and this takes it again, if nobody else holds it, for the retry.
  if (auto again = b_.lease.take(p.to_region, LeaseTake::kIfFree); again && !again->empty())
    return std::unexpected(r.error().in("(write lease taken again: " + *again + ") "));
  return std::unexpected(r.error());
}

Runbook::StepResult Runbook::notify(const RunbookPlan& p) {
  b_.notifier.notify(nlohmann::json{
      {"event", "failover-complete"},
      {"id", p.id},
      {"scenario", to_string(p.scenario)},
      {"from_region", p.from_region},
      {"to_region", p.to_region},
      {"new_writer",
       p.new_writer}}.dump());
  return "ok";
}

RunbookState Runbook::run(RunbookState state) {
  const auto& steps = steps_for(state.plan.scenario);
  audit_ = &state.audit;
  struct Forget {
    const std::vector<StepRecord>*& audit;
    ~Forget() { audit = nullptr; }
  } forget{audit_};
  while (state.next_step < steps.size()) {
    const Step step = steps[state.next_step];
    const std::string name = to_string(step);
    TimePoint start = now_();
    auto outcome = run_step(step, state.plan);
    StepRecord record{name, unix_ms(start), unix_ms(now_()) - unix_ms(start),
                      outcome ? *outcome : "failed: " + outcome.error().describe()};
    state.audit.push_back(record);
    if (!outcome) {
      state.last_error = name + ": " + outcome.error().describe();
      (void)store_.save(state);  // the failure is audited; the step runs again next time
      return state;
    }
    state.last_error.clear();
    ++state.next_step;
    if (state.next_step == steps.size()) state.done = true;
    if (auto saved = store_.save(state); !saved) {
      // Unsaved progress means someone else may own this runbook now (our lease ran out), or a
      // restart would redo steps that are not all safe to redo after a promotion: stop here.
      state.last_error = "progress not saved after " + name + ": " + saved.error().describe();
      return state;
    }
  }
  state.done = true;
  return state;
}

}  // namespace dr::core
