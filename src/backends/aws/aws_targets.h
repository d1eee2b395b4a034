// Everything the AWS ports act on, built in one place: the regions and, per region, its Aurora
// cluster, Auto Scaling group, target group and ALB; the global cluster; the app's global table
// (fence records); the SNS topics; the force-failover metric; the deadlines and the lag gate.
// from_env() reads the environment block infra/modules/lambda/main.tf sets (the Lambda and
// drctl read the same names; docs/architecture.md lists them).
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "core/observer.h"

namespace dr::backends::aws_world {

struct AwsRegionTargets {
  std::string region;
  std::string cluster_arn;       // this region's Aurora cluster, a member of the global cluster
  std::string asg_name;          // the app fleet's Auto Scaling group
  std::string target_group_arn;  // the ALB target group of that fleet ("": no target-health wait)
  std::string app_url;           // the ALB ("https://dns-name"), where the probe writes

  // The cluster's identifier (the ARN's last part), CloudWatch's DBClusterIdentifier.
  std::string cluster_id() const;
};

struct AwsTargets {
  std::string primary_region;    // where the writer lives in the steady state (infra's var)
  std::string secondary_region;  // where the controller runs; the force-failover alarm is here
  std::vector<AwsRegionTargets> regions;
  std::string global_cluster_id;

  std::string app_table;  // the app's DynamoDB global table (fence records)
  // Its hash key: infra/modules/dynamodb's, dr-app's kSessionTableKey
  // (tests/infra/table_keys_test).
  std::string app_table_key = "id";
  std::vector<std::string> topic_arns;  // SNS, both regions'
  // The write lease's table (infra/global: DynamoDB multi-Region strong consistency); "": the
  // target runs without a lease. Its TTL is what dr-app's --lease-ttl-s assumes.
  std::string lease_table;
  std::chrono::seconds lease_ttl{2};
  // The metric the PRIMARY record's "not forced" health check alarms on, published in the
  // secondary region (infra/modules/route53/main.tf, variables.tf: aws_cloudwatch_metric_alarm
  // "force_failover", no dimensions, Maximum >= 1 over 10 s).
  std::string force_namespace = "DrApp/Failover";
  std::string force_metric = "ForcePrimaryUnhealthy";

  // A planned switchover is refused while the secondary's latest AuroraGlobalDBReplicationLag /
  // AuroraGlobalDBRPOLag is above this, or unknown.
  std::chrono::milliseconds lag_gate{2000};
  std::chrono::seconds lag_window{300};  // how far back "the latest lag" may be
  // Each wait ends within its deadline (kTimeout); the runbook's next tick re-reads and goes on.
  // Keep them under the Lambda's timeout (infra: 55 s).
  std::chrono::milliseconds promote_deadline{40'000};
  std::chrono::milliseconds fleet_deadline{40'000};
  std::chrono::milliseconds probe_deadline{20'000};
  std::chrono::milliseconds lease_deadline{20'000};  // kAfterExpiry's wait for an unrenewed lease
  std::chrono::milliseconds poll_interval{2'000};
  // One health probe of an ALB (/health, /health/deep; connect included): Route 53's 4 s. The
  // Lambda caps it at its tick, so that a frozen ALB costs one timeout per tick, not more.
  std::chrono::milliseconds probe_timeout{4'000};
  // The checkers' verdicts: failed probes in a row before the primary is down, and successes
  // before it is up again.
  core::ObserverThresholds thresholds;

  const AwsRegionTargets* find(const std::string& region) const;
  // The region whose Aurora cluster has this identifier (cluster_id()), or nullptr. Aurora
  // publishes a secondary's replication lag in that cluster's own region.
  const AwsRegionTargets* find_cluster(const std::string& cluster_id) const;
  // Where CloudWatch holds the lag of the secondary cluster `cluster_id`: its own region (after
  // a failover or switchover, the home region), DR_SECONDARY_REGION when no target names it.
  std::string lag_region(const std::string& cluster_id) const;
  // Empty when usable; otherwise every problem, one a line.
  std::string validate() const;
};

// A value of the environment, or nullopt (std::getenv in production; a map in tests).
using Getenv = std::function<std::optional<std::string>(const std::string& name)>;
Getenv process_environment();

// The variables infra/modules/lambda sets (DR_PRIMARY_REGION, DR_SECONDARY_REGION,
// DR_GLOBAL_CLUSTER_ID, DR_PRIMARY_ASG, DR_SECONDARY_ASG, DR_SNS_TOPIC_ARNS, DR_FORCE_NAMESPACE,
// DR_FORCE_METRIC) and the ones the AWS backends add (DR_PRIMARY_CLUSTER_ARN,
// DR_SECONDARY_CLUSTER_ARN, DR_PRIMARY_TARGET_GROUP_ARN, DR_SECONDARY_TARGET_GROUP_ARN,
// DR_PRIMARY_APP_URL, DR_SECONDARY_APP_URL, DR_APP_TABLE; optional DR_APP_TABLE_KEY,
// DR_SWITCHOVER_LAG_GATE_MS, DR_LEASE_TABLE). The error names every missing or bad variable.
std::expected<AwsTargets, std::string> targets_from_env(const Getenv& getenv);

// How the ports get a client of `service` in `region`: credentials, transport, endpoint (the
// AWS CLI's resolution: aws_ports.h's shared_clients). Called per call, so a client is never kept
// for a region whose endpoint changed. An error (a bad endpoint variable) is refused, named.
using ClientConfigFor = std::function<dr::aws::Result<dr::aws::ClientConfig>(
    const std::string& region, const dr::aws::ServiceInfo& service)>;

// Waiting with deadlines: injected so the tests never sleep for real.
struct Pacing {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<dr::aws::SystemTime()> wall;  // CloudWatch's windows, the fence record's time
  static Pacing real();
};

// A failure of a port is logged, never thrown (the notifier's, the fence's best-effort parts).
using LogFn = std::function<void(const std::string& line)>;

}  // namespace dr::backends::aws_world
