#include "lab_aws/function_env.h"

#include <algorithm>

#include "lab/lab_topology.h"
#include "lab_aws/elbv2_handler.h"
#include "lab_aws/lab_names.h"
#include "lab_aws/monitoring_handler.h"
#include "lab_aws/rds_handler.h"
#include "lab_aws/secrets_handler.h"
#include "lab_aws/sns_handler.h"

namespace dr::lab_aws {

std::expected<FunctionEnv, std::string> lab_function_env(const lab::LabState& state,
                                                         const aws::Credentials& keys) {
  if (state.aws_endpoint_url.empty())
    return std::unexpected("the lab has no AWS endpoint yet (phase " + state.phase + ")");
  const std::string primary = lab::kPrimaryRegion, secondary = lab::kSecondaryRegion;
  std::string alb[2];
  for (int i = 0; i < 2; ++i) {
    const std::string& region = i == 0 ? primary : secondary;
    auto it = state.alb_urls.find(region);
    if (it == state.alb_urls.end() || it->second.empty())
      return std::unexpected("the lab names no ALB in " + region);
    alb[i] = it->second;
    while (alb[i].ends_with('/')) alb[i].pop_back();
  }
  // A failover scales the standby to at least this; the controller raises it to the primary
  // fleet's capacity when that is more (ARC Region switch's semantics).
  int capacity = 2;
  if (auto f = state.fleets.find(primary); f != state.fleets.end())
    capacity = std::max(1, f->second.desired);
  // The names the endpoint's handlers answer to: their defaults, which lab_endpoint.cc serves.
  const MonitoringNames monitoring;  // the force-failover alarm's metric, as the lab watches it
  const RdsNames& rds = monitoring.rds;
  return FunctionEnv{
      {"DR_PRIMARY_REGION", primary},
      {"DR_SECONDARY_REGION", secondary},
      {"DR_GLOBAL_CLUSTER_ID", rds.global_cluster},
      {"DR_PRIMARY_ASG", kLabPrefix + primary},
      {"DR_SECONDARY_ASG", kLabPrefix + secondary},
      {"DR_FAILOVER_CAPACITY", std::to_string(capacity)},
      {"DR_STATE_TABLE", kLabStateTable},
      {"DR_SNS_TOPIC_ARNS", topic_arn(primary) + "," + topic_arn(secondary)},
      {"DR_DB_SECRET_NAME", kLabSecretName},
      {"DR_PRIMARY_HEALTH_URL", alb[0] + "/health/deep"},
      {"DR_FORCE_NAMESPACE", monitoring.force_namespace},
      {"DR_FORCE_METRIC", monitoring.force_metric},
      {"DR_PRIMARY_CLUSTER_ARN", rds.cluster_arn(primary)},
      {"DR_SECONDARY_CLUSTER_ARN", rds.cluster_arn(secondary)},
      {"DR_PRIMARY_APP_URL", alb[0]},
      {"DR_SECONDARY_APP_URL", alb[1]},
      {"DR_PRIMARY_TARGET_GROUP_ARN", target_group_arn(primary)},
      {"DR_SECONDARY_TARGET_GROUP_ARN", target_group_arn(secondary)},
      {"DR_APP_TABLE", lab::kSessionsTable},
      // The lab's timings: a tick and a poll every 250 ms, as the lab's own controller probes.
      {"DR_CONTROLLER_TICK_SECONDS", "0.25"},
      {"DR_AWS_POLL_MS", "250"},
      {"AWS_ENDPOINT_URL", state.aws_endpoint_url},
      {"AWS_ACCESS_KEY_ID", keys.access_key_id},
      {"AWS_SECRET_ACCESS_KEY", keys.secret_access_key},
  };
}

nlohmann::json to_json(const FunctionEnv& env) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : env) out[k] = v;
  return out;
}

}  // namespace dr::lab_aws
