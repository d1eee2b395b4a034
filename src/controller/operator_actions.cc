#include "controller/operator_actions.h"

#include "core/decision.h"

namespace dr::controller {

std::expected<core::RunbookPlan, std::string> failover_plan(const core::Snapshot& s,
                                                            const std::string& to, bool force,
                                                            const Answers& answers,
                                                            const core::PlanOptions& options,
                                                            const std::string& drctl) {
  const auto& t = s.topology;
  if (to == t.primary_region)
    return std::unexpected("the writer " + t.writer + " is already in " + to);
  if (to != t.secondary_region)
    return std::unexpected("unknown region " + to + " (regions: " + t.primary_region + ", " +
                           t.secondary_region + ")");
  if (!force) {
    if (s.guards.unacknowledged_failover)
      return std::unexpected("failover " + *s.guards.unacknowledged_failover +
                             " is not acknowledged; run `" + drctl + " ack " +
                             *s.guards.unacknowledged_failover + "` or add --force");
    if (answers(t.writer))
      return std::unexpected("writer " + t.writer + " in " + t.primary_region +
                             " answers: a failover would throw away writes in flight. Use `" +
                             drctl + " switchover --to " + to + "` (no data loss) or add --force");
  }
  core::Decision d{core::Action::kRegionFailover, "operator: drctl failover --to " + to};
  auto plan = core::plan_for(d, s, options);
  if (!plan) return std::unexpected("no plan for a failover to " + to);
  // One look is not enough for the checkers' verdict on the in-region standby, so ask again:
  // when it answers, it may hold semi-sync-acknowledged writes the secondary lacks.
  if (!t.az_standby.empty() && answers(t.az_standby)) {
    plan->catch_up_source = t.az_standby;
    plan->followers = {t.az_standby};
  }
  return *plan;
}

std::expected<core::RunbookPlan, std::string> switchover_plan(const core::Snapshot& s,
                                                              const std::string& to,
                                                              const core::PlanOptions& options) {
  if (to != s.topology.secondary_region)
    return std::unexpected("switchover goes to the secondary region " +
                           s.topology.secondary_region);
  return core::switchover_plan(s.topology, options);
}

}  // namespace dr::controller
