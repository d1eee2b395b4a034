#include "infra/dr_budget.h"

#include <algorithm>

namespace dr::infra {

DrBudget dr_budget(const DrTimings& t) {
  DrBudget b;
  b.steps.push_back({"detect", t.health_check_interval_s * t.health_check_failure_threshold,
                     "Route 53 interval x failure threshold"});
  const int gap = std::max(0, t.controller_period_s - t.controller_invocation_s);
  const int decide = gap + t.controller_tick_s;
  b.steps.push_back(
      {"decide", decide,
       gap > 0 ? "the gap between controller invocations + one tick" : "one controller tick"});
  b.steps.push_back({"promote", t.db_failover_s, "Aurora global database failover"});
  const int scale = t.standby_capacity > 0 ? 0 : t.instance_ready_s;
  b.steps.push_back({"scale", scale,
                     t.standby_capacity > 0 ? "warm standby already serving"
                                            : "pilot light: first instance must launch"});
  // The DNS switch starts at detection, so caches drain during decide + promote + scale.
  b.steps.push_back({"traffic", std::max(0, t.dns_ttl_s - (decide + t.db_failover_s + scale)),
                     "the part of one TTL that outlasts decide + promote + scale"});
  for (const auto& s : b.steps) b.worst_case_rto_s += s.seconds;
  b.rto_target_s = t.rto_target_s;
  b.rpo_alarm_s = t.replication_lag_alarm_s;
  b.rpo_target_s = t.rpo_target_s;
  return b;
}

std::string DrBudget::summary() const {
  std::string s;
  for (const auto& step : steps) {
    if (!s.empty()) s += " + ";
    s += step.name + " " + std::to_string(step.seconds) + " s";
  }
  s += " = " + std::to_string(worst_case_rto_s) + " s worst-case RTO " +
       (meets_rto() ? "<= " : "> ") + "target " + std::to_string(rto_target_s) + " s";
  s += "; replication-lag alarm at " + std::to_string(rpo_alarm_s) + " s " +
       (meets_rpo() ? "<= " : "> ") + "RPO target " + std::to_string(rpo_target_s) + " s";
  return s;
}

}  // namespace dr::infra
