#include "core/planner.h"

namespace dr::core {

namespace {

bool majority_healthy(const Snapshot& s, Health Observation::*target) {
  int checkers = 0;
  int healthy = 0;
  for (const auto& o : s.observations) {
    if (o.witness) continue;
    ++checkers;
    healthy += o.*target == Health::kHealthy;
  }
  return checkers > 0 && healthy * 2 > checkers;
}

RunbookPlan base(const Snapshot& s, const PlanOptions& o, Scenario scenario) {
  RunbookPlan p;
  p.id = o.id;
  p.scenario = scenario;
  p.from_region = s.topology.primary_region;
  p.to_region = s.topology.secondary_region;
  p.old_writer = s.topology.writer;
  p.new_writer = s.topology.writer;
  p.standby_capacity = o.standby_capacity;
  return p;
}

}  // namespace

std::optional<RunbookPlan> plan_for(const Decision& d, const Snapshot& s, const PlanOptions& o) {
  const Topology& t = s.topology;
  switch (d.action) {
    case Action::kRegionFailover: {
      RunbookPlan p = base(s, o, Scenario::kRegionFailover);
      p.new_writer = t.secondary_db;
      // The in-region standby of the dead writer may hold writes the secondary lacks (it was
      // semi-synchronous): catch up from it when it is still there, and keep it as a follower.
      if (!t.az_standby.empty() && majority_healthy(s, &Observation::az_standby)) {
        p.catch_up_source = t.az_standby;
        p.followers = {t.az_standby};
      }
      p.regions = {t.primary_region, t.secondary_region};
      return p;
    }
    case Action::kAppRegionFailover:
      return base(s, o, Scenario::kAppRegionFailover);
    case Action::kNone:
    case Action::kWait:
    case Action::kResumeRunbook:
    case Action::kBlocked:
    case Action::kRetakeLease:
      return std::nullopt;
  }
  return std::nullopt;
}

RunbookPlan switchover_plan(const Topology& t, const PlanOptions& o) {
  RunbookPlan p;
  p.id = o.id;
  p.scenario = Scenario::kSwitchover;
  p.allow_data_loss = false;  // planned: it stops rather than lose a write
  p.from_region = t.primary_region;
  p.to_region = t.secondary_region;
  p.old_writer = t.writer;
  p.new_writer = t.secondary_db;
  // Planned: the old writer is alive and fenced first, so catching up from it loses nothing.
  p.catch_up_source = t.writer;
  p.followers = {t.writer};
  if (!t.az_standby.empty()) p.followers.push_back(t.az_standby);
  p.regions = {t.primary_region, t.secondary_region};
  p.standby_capacity = o.standby_capacity;
  return p;
}

}  // namespace dr::core
