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
  // Optional: failed probes in a row before a checker calls the primary down (core's default 3).
  int failure_threshold = 3;  // DR_CONTROLLER_FAILURE_THRESHOLD
  // Optional: the AWS backends' poll while an operation runs (AwsTargets::poll_interval).
  std::chrono::milliseconds aws_poll_interval{2000};  // DR_AWS_POLL_MS
  // Optional: how long before the invocation's deadline the handler stops starting ticks. A
  // tick must fit in it (the AWS calls' own timeouts), or Lambda kills the process mid-tick.
  std::chrono::milliseconds deadline_margin{5000};  // DR_CONTROLLER_DEADLINE_MARGIN_MS
  // Optional: one `tick` log line this often between changes of decision (0: none).
  std::chrono::milliseconds heartbeat{0};  // DR_CONTROLLER_HEARTBEAT_SECONDS
};

struct ConfigError {
  std::string variable;  // the variable at fault
  std::string message;   // what is wrong with it ("missing", "not a region: ...")
  std::string describe() const { return variable + ": " + message; }
};

// One row of a table: the variable, whether it must be set, what it means, and how it lands in
// the configuration (an error message when the value is bad).
template <class Into>
struct VariableOf {
  const char* name;
  bool required;
  const char* meaning;
  std::optional<std::string> (*apply)(Into&, const std::string& value);
};
using Variable = VariableOf<Config>;

std::span<const Variable> variables();

// The same `bootstrap` as the witness (handler "witness": infra/modules/witness), in a third
// region: its own, smaller table.
struct WitnessConfig {
  std::string runtime_api;        // AWS_LAMBDA_RUNTIME_API
  std::string witness_region;     // AWS_REGION (set by Lambda): neither of the two below
  std::string primary_region;     // DR_PRIMARY_REGION
  std::string secondary_region;   // DR_SECONDARY_REGION: its RDS says who writes; the state table
  std::string global_cluster_id;  // DR_GLOBAL_CLUSTER_ID
  std::string state_table;        // DR_STATE_TABLE: the controller's, in the secondary region
  std::string primary_app_url;    // DR_PRIMARY_APP_URL
  std::string secondary_app_url;  // DR_SECONDARY_APP_URL
  std::chrono::milliseconds tick_interval{10000};   // DR_WITNESS_TICK_SECONDS
  std::chrono::milliseconds deadline_margin{5000};  // DR_WITNESS_DEADLINE_MARGIN_MS
};
using WitnessVariable = VariableOf<WitnessConfig>;

std::span<const WitnessVariable> witness_variables();

// Which program `bootstrap` is: Lambda sets _HANDLER from the function's `handler`.
enum class Role { kController, kWitness };
inline constexpr const char* kControllerHandler = "bootstrap";
inline constexpr const char* kWitnessHandler = "witness";

using Getenv = std::function<std::optional<std::string>(const char* name)>;

// Reads every variable of the table through `getenv`; the first bad one (table order) fails.
std::expected<Config, ConfigError> parse_config(const Getenv& getenv);
std::expected<WitnessConfig, ConfigError> parse_witness_config(const Getenv& getenv);

// _HANDLER: "bootstrap" (or unset: run by hand) is the controller, "witness" the witness;
// anything else is an error that names it.
std::expected<Role, ConfigError> parse_role(const Getenv& getenv);

// The process environment.
std::optional<std::string> process_env(const char* name);

}  // namespace dr::lambda
