// What `drctl aws status` shows of a deployment, read from the region that survives (the
// secondary): the global cluster and its members, the secondary's replication lag, each
// region's Auto Scaling group and target health, and the Route 53 health checks. Each part that
// cannot be read carries its error instead of failing the whole status: an operator looks at status
// exactly when things are broken.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backends/aws/aws_targets.h"

namespace dr::backends::aws_world {

struct MemberStatus {
  std::string region;
  std::string cluster;
  bool writer = false;
  std::string synchronization;  // connected | pending-resync | "" (older API versions)
};

struct RegionStatus {
  std::string region;
  std::string asg;
  std::optional<int64_t> min, desired, max, in_service_healthy;
  std::optional<int64_t> targets_healthy, targets_total;
  std::string error;  // what could not be read, "" when all of it was
};

// One Route 53 health check as its checkers report it (GetHealthCheckStatus); a calculated one,
// which that API refuses, by its AWS/Route53 HealthCheckStatus metric (published in us-east-1).
struct HealthCheckStatus {
  std::string name;  // infra/'s output key: primary_alb, secondary_alb, not_forced, primary
  std::string id;
  std::optional<int> healthy, checkers;  // checkers reporting Success, of all reporting
  std::optional<bool> metric_healthy;    // the metric's latest minimum (calculated checks)
  std::vector<std::string> failing;      // "eu-west-1: Failure: HTTP Status Code 503"
  std::string error;                     // what could not be read
  // Route 53 counts an endpoint healthy while more than 18% of its checkers say so.
  std::optional<bool> verdict() const;
};

// DR_ROUTE53_HEALTH_CHECKS: "name=id,name=id" (infra/'s route53_health_checks output, which
// `drctl aws status --env-file` reads from `terraform output -json` itself). An error names the
// entry it cannot use.
std::expected<std::vector<std::pair<std::string, std::string>>, std::string> parse_health_checks(
    const std::string& text);

struct AwsStatus {
  std::string global_cluster;
  std::string global_status;   // available, failing-over, ...
  std::string failover_state;  // "" or "failing-over us-east-1 -> us-west-2"
  std::vector<MemberStatus> members;
  std::string global_error;
  std::optional<double> lag_ms;  // the secondary's worst recent AuroraGlobalDB*Lag
  std::string lag_note;          // how old, or why it is unknown
  std::vector<RegionStatus> regions;
  std::vector<HealthCheckStatus> health_checks;  // empty: none configured
};

// `health_checks`: (name, id) pairs, read through Route 53's global endpoint (signed for
// us-east-1) and, for a calculated check, CloudWatch in us-east-1.
AwsStatus read_status(const AwsTargets& targets, const ClientConfigFor& clients,
                      dr::aws::SystemTime now,
                      const std::vector<std::pair<std::string, std::string>>& health_checks = {});

nlohmann::json to_json(const AwsStatus& status);
// The table an operator reads first.
std::string render(const AwsStatus& status);

}  // namespace dr::backends::aws_world
