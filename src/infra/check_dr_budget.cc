#include "infra/check_dr_budget.h"

#include <algorithm>
#include <cmath>

#include "infra/expressions.h"
#include "infra/policy_support.h"

namespace dr::infra {

namespace {

std::expected<double, std::string> root_number(const Stack& s, const std::string& name) {
  const Block* var = s.root().find("variable", "", name);
  if (var == nullptr || !var->body->contains("default"))
    return std::unexpected("the root module has no variable " + name + " with a default");
  const auto& d = (*var->body)["default"];
  if (!d.is_number()) return std::unexpected("variable " + name + " has no numeric default");
  return d.get<double>();
}

// The largest known value of an argument over all resources of a type (the worst case), or
// fallback when none is known.
int worst_known(const Stack& s, const char* type, const char* arg, int fallback) {
  int worst = -1;
  policy::each(s, "resource", type, [&](const Module& m, const Block& b) {
    for (const Resolved& r : resolve_attr(s, m, *b.body, arg))
      if (r && r->is_number()) worst = std::max(worst, r->get<int>());
  });
  return worst < 0 ? fallback : worst;
}

}  // namespace

std::expected<DrTimings, std::string> read_dr_timings(const Stack& s) {
  DrTimings t;
  struct Field {
    const char* variable;
    int* target;
    int scale;
    // Whole seconds, as before; a sub-second tick (0.25) counts as a whole one, never as 0.
    bool round_up = false;
  };
  const Field fields[] = {
      {"health_check_interval_seconds", &t.health_check_interval_s, 1},
      {"health_check_failure_threshold", &t.health_check_failure_threshold, 1},
      {"dns_ttl_seconds", &t.dns_ttl_s, 1},
      {"controller_interval_minutes", &t.controller_period_s, 60},
      {"controller_tick_seconds", &t.controller_tick_s, 1, /*round_up=*/true},
      {"db_failover_seconds", &t.db_failover_s, 1},
      {"standby_asg_capacity", &t.standby_capacity, 1},
      {"instance_ready_seconds", &t.instance_ready_s, 1},
      {kRtoTargetVariable, &t.rto_target_s, 1},
      {"replication_lag_alarm_seconds", &t.replication_lag_alarm_s, 1},
      {"rpo_target_seconds", &t.rpo_target_s, 1},
  };
  for (const Field& f : fields) {
    auto v = root_number(s, f.variable);
    if (!v) return std::unexpected(v.error());
    const double scaled = *v * f.scale;
    *f.target = static_cast<int>(f.round_up ? std::ceil(scaled) : scaled);
  }
  // What the resources actually say wins over what the variables intend: a hard-coded
  // 30 s health check interval must not hide behind a 10 s variable.
  t.health_check_interval_s =
      worst_known(s, "aws_route53_health_check", "request_interval", t.health_check_interval_s);
  t.health_check_failure_threshold = worst_known(s, "aws_route53_health_check", "failure_threshold",
                                                 t.health_check_failure_threshold);
  t.dns_ttl_s = worst_known(s, "aws_route53_record", "ttl", t.dns_ttl_s);
  // The controller runs for at most its Lambda timeout per scheduled start.
  t.controller_invocation_s =
      worst_known(s, "aws_lambda_function", "timeout", t.controller_invocation_s);
  return t;
}

}  // namespace dr::infra
