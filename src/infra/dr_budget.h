// The DR budget: can the configured timings meet the configured RTO/RPO targets?
// Pure (no I/O) so `drctl infra lint` and the failover controller share one model.
#pragma once

#include <string>
#include <vector>

namespace dr::infra {

struct DrTimings {
  int health_check_interval_s = 10;  // Route 53 request_interval (10 or 30)
  int health_check_failure_threshold = 3;
  int dns_ttl_s = 60;  // failover records' TTL: resolvers may cache the old answer
  // The controller's Lambda is started every controller_period_s (EventBridge) and, inside each
  // invocation of up to controller_invocation_s, probes and decides every controller_tick_s.
  // A decision waits one tick, plus the gap between one invocation's end and the next start
  // (5 s with a 55 s timeout every minute; minutes with a longer schedule).
  int controller_period_s = 60;
  int controller_invocation_s = 55;  // the controller Lambda's timeout
  int controller_tick_s = 10;
  int db_failover_s = 60;      // Aurora global database failover: "typically under a minute" (AWS)
  int standby_capacity = 1;    // standby ASG instances already serving (0 = pilot light)
  int instance_ready_s = 300;  // launch + boot + health check of a new instance
  int rto_target_s = 900;
  int replication_lag_alarm_s = 60;  // alarm threshold on Aurora global replication lag
  int rpo_target_s = 300;
};

struct BudgetStep {
  std::string name;
  int seconds = 0;
  std::string why;
};

struct DrBudget {
  std::vector<BudgetStep> steps;  // worst case, in order, summed
  int worst_case_rto_s = 0;
  int rto_target_s = 0;
  int rpo_alarm_s = 0;
  int rpo_target_s = 0;

  bool meets_rto() const { return worst_case_rto_s <= rto_target_s; }
  // Lag beyond the RPO target must raise an alarm before it is lost silently.
  bool meets_rpo() const { return rpo_alarm_s <= rpo_target_s; }
  std::string summary() const;  // "detect 30 s + ... = 330 s <= target 900 s"
};

// Worst case, from the moment the primary region fails: Route 53 needs interval x threshold to
// call the primary unhealthy; the controller may have just ticked and waits one tick (plus any
// gap between invocations); the
// database fails over; a pilot-light standby must launch instances first. Route 53 switches
// the failover record by itself when the primary's health check fails (at "detect"), so
// resolvers' caches (one TTL) drain while the controller decides and the database promotes:
// only the part of the TTL that outlasts them is on the path.
DrBudget dr_budget(const DrTimings& t);

}  // namespace dr::infra
