// What `drctl aws status` shows of a deployment, read from the region that survives (the
// secondary): the global cluster and its members, the secondary's replication lag, and each
// region's Auto Scaling group and target health. Each part that cannot be read carries its error
// instead of failing the whole status: an operator looks at status exactly when things are broken.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
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

struct AwsStatus {
  std::string global_cluster;
  std::string global_status;   // available, failing-over, ...
  std::string failover_state;  // "" or "failing-over us-east-1 -> us-west-2"
  std::vector<MemberStatus> members;
  std::string global_error;
  std::optional<double> lag_ms;  // the secondary's worst recent AuroraGlobalDB*Lag
  std::string lag_note;          // how old, or why it is unknown
  std::vector<RegionStatus> regions;
};

AwsStatus read_status(const AwsTargets& targets, const ClientConfigFor& clients,
                      dr::aws::SystemTime now);

nlohmann::json to_json(const AwsStatus& status);
// The table an operator reads first.
std::string render(const AwsStatus& status);

}  // namespace dr::backends::aws_world
