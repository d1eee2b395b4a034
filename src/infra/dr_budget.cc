#include "infra/dr_budget.h"

namespace dr::infra {

DrBudget dr_budget(const DrTimings& t) {
  DrBudget b;
  b.steps.push_back({"detect", t.health_check_interval_s * t.health_check_failure_threshold,
                     "Route 53 interval x failure threshold"});
  b.steps.push_back({"decide", t.controller_period_s, "one controller schedule period"});
  b.steps.push_back({"promote", t.db_failover_s, "Aurora global database failover"});
  b.steps.push_back({"scale", t.standby_capacity > 0 ? 0 : t.instance_ready_s,
                     t.standby_capacity > 0 ? "warm standby already serving"
                                            : "pilot light: first instance must launch"});
  b.steps.push_back({"traffic", t.dns_ttl_s, "resolvers keep the old answer for one TTL"});
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
