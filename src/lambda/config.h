// The Lambda's configuration: the environment variables infra/modules/lambda sets (one table,
// kVariables, also printed in docs/lambda.md), plus the ones the Lambda service itself sets.
// Parsing never guesses: a missing or malformed variable is an init error that names it, posted
// to /init/error, so a bad deploy shows up in the function's first log line, not at failover.
#pragma once

#include <chrono>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dr::lambda {

struct Config {
  // Set by the Lambda service.
  std::string runtime_api;  // AWS_LAMBDA_RUNTIME_API: host:port of the Runtime API
  // Set by infra/modules/lambda.
  std::string primary_region;    // DR_PRIMARY_REGION
  std::string secondary_region;  // DR_SECONDARY_REGION (where the controller runs)
  std::string global_cluster_id;
  std::string primary_asg;
  std::string secondary_asg;
  int failover_capacity = 0;
  std::string state_table;
  std::vector<std::string> sns_topic_arns;
  std::string db_secret_name;
  std::string primary_health_url;
  std::string force_namespace;
  std::string force_metric;
  // What the AWS backends act on (src/backends/aws/aws_targets.h), per region.
  std::string primary_cluster_arn;         // DR_PRIMARY_CLUSTER_ARN
  std::string secondary_cluster_arn;       // DR_SECONDARY_CLUSTER_ARN
  std::string primary_app_url;             // DR_PRIMARY_APP_URL: the ALB, https://<dns>
  std::string secondary_app_url;           // DR_SECONDARY_APP_URL
  std::string primary_target_group_arn;    // DR_PRIMARY_TARGET_GROUP_ARN (optional)
  std::string secondary_target_group_arn;  // DR_SECONDARY_TARGET_GROUP_ARN (optional)
  std::string app_table;                   // DR_APP_TABLE: the sessions table (fence records)
  std::string lease_table;                 // DR_LEASE_TABLE (optional): the write lease's
  std::chrono::milliseconds switchover_lag_gate{2000};  // DR_SWITCHOVER_LAG_GATE_MS
  std::chrono::milliseconds tick_interval{10000};       // DR_CONTROLLER_TICK_SECONDS
  // Optional: the AWS backends' poll while an operation runs (AwsTargets::poll_interval).
  std::chrono::milliseconds aws_poll_interval{2000};  // DR_AWS_POLL_MS
  // Optional: how long before the invocation's deadline the handler stops starting ticks. A
  // tick must fit in it (the AWS calls' own timeouts), or Lambda kills the process mid-tick.
  std::chrono::milliseconds deadline_margin{5000};  // DR_CONTROLLER_DEADLINE_MARGIN_MS
};

struct ConfigError {
  std::string variable;  // the variable at fault
  std::string message;   // what is wrong with it ("missing", "not a region: ...")
  std::string describe() const { return variable + ": " + message; }
};

// One row of the table: the variable, whether it must be set, what it means, and how it lands
// in Config (an error message when the value is bad).
struct Variable {
  const char* name;
  bool required;
  const char* meaning;
  std::optional<std::string> (*apply)(Config&, const std::string& value);
};

std::span<const Variable> variables();

using Getenv = std::function<std::optional<std::string>(const char* name)>;

// Reads every variable of the table through `getenv`; the first bad one (table order) fails.
std::expected<Config, ConfigError> parse_config(const Getenv& getenv);

// The process environment.
std::optional<std::string> process_env(const char* name);

}  // namespace dr::lambda
