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
    case Scenario::kAzFailover:
      return "az-failover";
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
  for (Scenario s : {Scenario::kAzFailover, Scenario::kAppRegionFailover, Scenario::kRegionFailover,
                     Scenario::kSwitchover}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

const std::vector<std::string>& steps_for(Scenario scenario) {
  // Order matters: the old primary stops taking writes before the new one starts (no split
  // brain); traffic moves only after the new writer is reachable through every endpoint.
  static const std::vector<std::string> az = {"fence_old_writer", "promote",
                                              "repoint_replicas", "repoint_writers",
                                              "verify_write",     "notify"};
  static const std::vector<std::string> app = {"scale_standby", "shift_traffic", "verify_write",
                                               "notify"};
  static const std::vector<std::string> region = {
      "fence_old_primary", "catch_up",        "promote",
      "repoint_replicas",  "repoint_writers", "scale_standby",
      "shift_traffic",     "verify_write",    "notify"};
  static const std::vector<std::string> switchover = region;
  switch (scenario) {
    case Scenario::kAzFailover:
      return az;
    case Scenario::kAppRegionFailover:
      return app;
    case Scenario::kRegionFailover:
      return region;
    case Scenario::kSwitchover:
      return switchover;
  }
  return region;
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
            {"catch_up_timeout_ms", p.catch_up_timeout.count()}}},
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

std::expected<std::string, std::string> Runbook::run_step(const std::string& step,
                                                          const RunbookPlan& p) {
  using R = std::expected<std::string, std::string>;
  auto ok_or = [](backends::Result<> r) -> R {
    if (r) return "ok";
    return std::unexpected(r.error());
  };
  if (step == "fence_old_writer" || step == "fence_old_primary") {
    // Both fences are tried; an unreachable old primary cannot take writes from anyone who can
    // no longer reach it, and its apps are fenced too, so being unreachable is not fatal.
    // Apps are fenced only when their region is abandoned: after an AZ failover or a switchover
    // they keep serving, writing through their repointed endpoint to the new writer.
    backends::Result<> apps;
    if (p.scenario == Scenario::kRegionFailover)
      apps = b_.fleet.fence_apps(p.from_region, "failover " + p.id);
    auto db = b_.database.fence(p.old_writer);
    if (db && apps) return "ok";
    // A planned switchover has a live writer: promoting while it may still take writes would
    // fork the history. Only a failover may go on past an unreachable old primary.
    if (!db && p.scenario == Scenario::kSwitchover) return std::unexpected(db.error());
    std::string note = "skipped:";
    if (!db) note += " " + p.old_writer + " unreachable (" + db.error() + ")";
    if (!apps) note += " apps of " + p.from_region + " unreachable (" + apps.error() + ")";
    return note;
  }
  if (step == "catch_up") {
    if (p.catch_up_source.empty()) return "skipped: no more advanced replica reachable";
    auto r = b_.database.catch_up(p.new_writer, p.catch_up_source, p.catch_up_timeout);
    if (r) return "ok";
    // A switchover promises no data loss: without the old writer's last write, stop here.
    if (p.scenario == Scenario::kSwitchover) return std::unexpected(r.error());
    // In a failover the source may have died with its region: promote what we have (the
    // asynchronous window, which the drill reports as RPO).
    return "skipped: " + r.error();
  }
  if (step == "promote") return ok_or(b_.database.promote(p.new_writer));
  if (step == "repoint_replicas") {
    // A follower that died with its region rejoins later (drctl failback), not now.
    std::string skipped;
    for (const auto& f : p.followers) {
      if (auto r = b_.database.replicate_from(f, p.new_writer); !r)
        skipped += " " + f + " (" + r.error() + ")";
    }
    if (p.followers.empty()) return "skipped: no followers";
    return skipped.empty() ? "ok" : "skipped:" + skipped;
  }
  if (step == "repoint_writers") {
    std::string skipped;
    for (const auto& region : p.regions) {
      auto r = b_.endpoints.repoint_writer(region, p.new_writer);
      if (r) continue;
      // The failed region's endpoint may be down with it; the surviving ones must move.
      if (region == p.from_region && p.scenario != Scenario::kAzFailover) {
        skipped += " " + region + " (" + r.error() + ")";
        continue;
      }
      return std::unexpected("repoint " + region + ": " + r.error());
    }
    return skipped.empty() ? "ok" : "skipped:" + skipped;
  }
  if (step == "scale_standby") {
    // A region failed away from earlier was fenced; traffic coming back needs it able to write.
    if (auto u = b_.fleet.unfence_apps(p.to_region); !u) return std::unexpected(u.error());
    return ok_or(b_.fleet.set_capacity(p.to_region, p.standby_capacity, p.standby_capacity,
                                       std::max(p.standby_capacity, 2 * p.standby_capacity)));
  }
  // (the CLI bounds standby_capacity so that max fits every target's fleet limit)
  if (step == "shift_traffic") return ok_or(b_.traffic.shift_to(p.to_region));
  if (step == "verify_write") return ok_or(b_.probe.verify_write(p.to_region));
  if (step == "notify") {
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
  return std::unexpected("unknown step " + step);
}

RunbookState Runbook::run(RunbookState state) {
  const auto& steps = steps_for(state.plan.scenario);
  while (state.next_step < steps.size()) {
    const std::string& step = steps[state.next_step];
    TimePoint start = now_();
    auto outcome = run_step(step, state.plan);
    StepRecord record{step, unix_ms(start), unix_ms(now_()) - unix_ms(start),
                      outcome ? *outcome : "failed: " + outcome.error()};
    state.audit.push_back(record);
    if (!outcome) {
      state.last_error = step + ": " + outcome.error();
      (void)store_.save(state);  // the failure is audited; the step runs again next time
      return state;
    }
    state.last_error.clear();
    ++state.next_step;
    if (state.next_step == steps.size()) state.done = true;
    if (auto saved = store_.save(state); !saved) {
      // Unsaved progress means someone else may own this runbook now (our lease ran out), or a
      // restart would redo steps that are not all safe to redo after a promotion: stop here.
      state.last_error = "progress not saved after " + step + ": " + saved.error();
      return state;
    }
  }
  state.done = true;
  return state;
}

}  // namespace dr::core
