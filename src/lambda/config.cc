#include "lambda/config.h"

#include <array>
#include <charconv>
#include <cstdlib>

namespace dr::lambda {

namespace {

bool is_region(const std::string& v) {
  // us-east-1, eu-central-2, us-gov-west-1, ap-southeast-4: lowercase words, dashes, a number.
  if (v.empty() || v.size() > 32 || v.front() == '-' || v.back() < '0' || v.back() > '9')
    return false;
  int dashes = 0;
  for (char c : v) {
    if (c == '-') {
      ++dashes;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return dashes >= 2;
}

// Printable ASCII without spaces: names, ids and ARNs end up in request bodies and log lines.
bool is_token(const std::string& v, size_t max = 256) {
  if (v.empty() || v.size() > max) return false;
  for (char c : v)
    if (c <= ' ' || c > '~') return false;
  return true;
}

std::optional<int64_t> to_int(const std::string& v) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
  return n;
}

// "10", "0.25", "1.5": seconds with up to three decimals, as milliseconds. No exponent, sign or
// spaces: what Terraform's tostring() of a number prints for these values.
std::optional<int64_t> seconds_to_ms(const std::string& v) {
  const auto dot = v.find('.');
  const std::string whole = v.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : v.substr(dot + 1);
  if (whole.empty() || whole.size() > 6 || (dot != std::string::npos && frac.empty()) ||
      frac.size() > 3)
    return std::nullopt;
  for (char c : whole + frac)
    if (c < '0' || c > '9') return std::nullopt;
  frac.resize(3, '0');
  auto s = to_int(whole);
  auto ms = to_int(frac);
  if (!s || !ms) return std::nullopt;
  return *s * 1000 + *ms;
}

std::optional<std::string> region(std::string& field, const std::string& v) {
  if (!is_region(v)) return "not an AWS region: '" + v + "'";
  field = v;
  return std::nullopt;
}

// DR_SECONDARY_REGION: a region other than the primary one (read before it).
std::optional<std::string> secondary_region(std::string& field, const std::string& primary,
                                            const std::string& v) {
  if (auto e = region(field, v)) return e;
  if (field == primary) return "same as DR_PRIMARY_REGION";
  return std::nullopt;
}

std::optional<std::string> token(std::string& field, const std::string& v) {
  if (!is_token(v)) return "must be 1-256 printable characters without spaces";
  field = v;
  return std::nullopt;
}

std::optional<std::string> arn(std::string& field, const std::string& v, const char* kind) {
  if (!v.starts_with("arn:") || v.find(kind) == std::string::npos || !is_token(v, 1024))
    return std::string("not an ARN with '") + kind + "' in it: '" + v + "'";
  field = v;
  return std::nullopt;
}

std::optional<std::string> url(std::string& field, const std::string& v) {
  if (!(v.starts_with("https://") || v.starts_with("http://")) || !is_token(v, 2048))
    return "not an http(s) URL: '" + v + "'";
  field = v;
  return std::nullopt;
}

std::optional<std::string> host_port(std::string& field, const std::string& v) {
  auto colon = v.rfind(':');
  if (colon == std::string::npos || colon == 0 || !is_token(v, 255))
    return "not host:port: '" + v + "'";
  auto port = to_int(v.substr(colon + 1));
  if (!port || *port < 1 || *port > 65535) return "bad port in '" + v + "'";
  field = v;
  return std::nullopt;
}

std::optional<std::string> seconds(std::chrono::milliseconds& field, const std::string& v) {
  auto n = to_int(v);
  if (!n || *n < 1 || *n > 300) return "not a number of seconds (1-300): '" + v + "'";
  field = std::chrono::seconds(*n);
  return std::nullopt;
}

// Seconds with up to three decimals, from `min_ms` to `max_ms`: a tick interval, a heartbeat.
std::optional<std::string> decimal_seconds(std::chrono::milliseconds& field, const std::string& v,
                                           int64_t min_ms, int64_t max_ms) {
  auto ms = seconds_to_ms(v);
  if (!ms || *ms < min_ms || *ms > max_ms) {
    auto in_s = [](int64_t n) {
      return n % 1000 == 0 ? std::to_string(n / 1000)
                           : std::to_string(n / 1000) + "." + std::to_string(n % 1000 / 100);
    };
    return "not a number of seconds (" + in_s(min_ms) + "-" + in_s(max_ms) +
           ", up to 3 decimals): '" + v + "'";
  }
  field = std::chrono::milliseconds(*ms);
  return std::nullopt;
}

// Milliseconds from 100 ms to a minute: a deadline margin, a poll interval.
std::optional<std::string> bounded_ms(std::chrono::milliseconds& field, const std::string& v) {
  auto n = to_int(v);
  if (!n || *n < 100 || *n > 60000) return "not milliseconds (100-60000): '" + v + "'";
  field = std::chrono::milliseconds(*n);
  return std::nullopt;
}

constexpr auto kTable = std::to_array<Variable>({
    {"AWS_LAMBDA_RUNTIME_API", true, "host:port of the Lambda Runtime API (set by Lambda)",
     [](Config& c, const std::string& v) { return host_port(c.runtime_api, v); }},
    {"DR_PRIMARY_REGION", true, "the region the controller fails over from",
     [](Config& c, const std::string& v) { return region(c.primary_region, v); }},
    {"DR_SECONDARY_REGION", true, "the region the controller runs in and fails over to",
     [](Config& c, const std::string& v) {
       return secondary_region(c.secondary_region, c.primary_region, v);
     }},
    {"DR_GLOBAL_CLUSTER_ID", true, "Aurora global cluster identifier",
     [](Config& c, const std::string& v) { return token(c.global_cluster_id, v); }},
    {"DR_PRIMARY_ASG", true, "Auto Scaling group of the primary region",
     [](Config& c, const std::string& v) { return token(c.primary_asg, v); }},
    {"DR_SECONDARY_ASG", true, "Auto Scaling group of the secondary region (scaled up on failover)",
     [](Config& c, const std::string& v) { return token(c.secondary_asg, v); }},
    {"DR_FAILOVER_CAPACITY", true, "desired capacity of the secondary ASG after a failover",
     [](Config& c, const std::string& v) -> std::optional<std::string> {
       auto n = to_int(v);
       if (!n || *n < 1 || *n > 10000) return "not a capacity (1-10000): '" + v + "'";
       c.failover_capacity = static_cast<int>(*n);
       return std::nullopt;
     }},
    {"DR_STATE_TABLE", true, "DynamoDB table of the controller's state (secondary region)",
     [](Config& c, const std::string& v) { return token(c.state_table, v); }},
    {"DR_SNS_TOPIC_ARNS", true, "comma-separated SNS topics notified (both regions)",
     [](Config& c, const std::string& v) -> std::optional<std::string> {
       std::vector<std::string> arns;
       size_t start = 0;
       while (start <= v.size()) {
         auto end = v.find(',', start);
         if (end == std::string::npos) end = v.size();
         auto arn = v.substr(start, end - start);
         if (!arn.starts_with("arn:") || !is_token(arn, 1024)) return "not an ARN: '" + arn + "'";
         arns.push_back(std::move(arn));
         start = end + 1;
       }
       c.sns_topic_arns = std::move(arns);
       return std::nullopt;
     }},
    {"DR_DB_SECRET_NAME", true, "Secrets Manager secret of the database credentials",
     [](Config& c, const std::string& v) { return token(c.db_secret_name, v); }},
    {"DR_PRIMARY_HEALTH_URL", true, "the primary ALB's /health/deep URL the controller probes",
     [](Config& c, const std::string& v) -> std::optional<std::string> {
       if (!(v.starts_with("https://") || v.starts_with("http://")) || !is_token(v, 2048))
         return "not an http(s) URL: '" + v + "'";
       c.primary_health_url = v;
       return std::nullopt;
     }},
    {"DR_FORCE_NAMESPACE", true, "CloudWatch namespace of the force-failover metric",
     [](Config& c, const std::string& v) { return token(c.force_namespace, v); }},
    {"DR_FORCE_METRIC", true, "name of the force-failover metric (1 forces Route 53 over)",
     [](Config& c, const std::string& v) { return token(c.force_metric, v); }},
    {"DR_PRIMARY_CLUSTER_ARN", true, "the primary region's Aurora cluster (global member)",
     [](Config& c, const std::string& v) { return arn(c.primary_cluster_arn, v, ":cluster:"); }},
    {"DR_SECONDARY_CLUSTER_ARN", true, "the secondary region's Aurora cluster (global member)",
     [](Config& c, const std::string& v) { return arn(c.secondary_cluster_arn, v, ":cluster:"); }},
    {"DR_PRIMARY_APP_URL", true, "the primary ALB (https://<dns>): checkers and the probe",
     [](Config& c, const std::string& v) { return url(c.primary_app_url, v); }},
    {"DR_SECONDARY_APP_URL", true, "the secondary ALB (https://<dns>)",
     [](Config& c, const std::string& v) { return url(c.secondary_app_url, v); }},
    {"DR_PRIMARY_TARGET_GROUP_ARN", false, "the primary fleet's target group (health waits)",
     [](Config& c, const std::string& v) {
       return arn(c.primary_target_group_arn, v, ":targetgroup/");
     }},
    {"DR_SECONDARY_TARGET_GROUP_ARN", false, "the secondary fleet's target group",
     [](Config& c, const std::string& v) {
       return arn(c.secondary_target_group_arn, v, ":targetgroup/");
     }},
    {"DR_APP_TABLE", true, "the app's DynamoDB global table, where fence records live",
     [](Config& c, const std::string& v) { return token(c.app_table, v); }},
    {"DR_LEASE_TABLE", false,
     "the write lease's DynamoDB table (infra/global); unset or empty: no write lease",
     [](Config& c, const std::string& v) { return token(c.lease_table, v); }},
    {"DR_SWITCHOVER_LAG_GATE_MS", false,
     "a planned switchover is refused above this replication lag (default 2000)",
     [](Config& c, const std::string& v) -> std::optional<std::string> {
       auto n = to_int(v);
       if (!n || *n < 0 || *n > 3'600'000) return "not milliseconds (0-3600000): '" + v + "'";
       c.switchover_lag_gate = std::chrono::milliseconds(*n);
       return std::nullopt;
     }},
    {"DR_CONTROLLER_TICK_SECONDS", true,
     "seconds between ticks inside one invocation (0.1-300, e.g. 0.25)",
     [](Config& c, const std::string& v) {
       return decimal_seconds(c.tick_interval, v, 100, 300'000);
     }},
    {"DR_CONTROLLER_FAILURE_THRESHOLD", false,
     "failed probes in a row before a checker calls the primary down (default 3, 1-20)",
     [](Config& c, const std::string& v) -> std::optional<std::string> {
       auto n = to_int(v);
       if (!n || *n < 1 || *n > 20) return "not a whole number 1-20: '" + v + "'";
       c.failure_threshold = static_cast<int>(*n);
       return std::nullopt;
     }},
    {"DR_AWS_POLL_MS", false,
     "how often a running operation (promotion, fleet, lease) is re-read (default 2000, 100-60000)",
     [](Config& c, const std::string& v) { return bounded_ms(c.aws_poll_interval, v); }},
    {"DR_CONTROLLER_DEADLINE_MARGIN_MS", false,
     "stop starting ticks this long before the deadline (default 5000, 100-60000)",
     [](Config& c, const std::string& v) { return bounded_ms(c.deadline_margin, v); }},
    {"DR_CONTROLLER_HEARTBEAT_SECONDS", false,
     "one `tick` log line this often between changes of decision (default 0: none; 0-3600)",
     [](Config& c, const std::string& v) { return decimal_seconds(c.heartbeat, v, 0, 3'600'000); }},
});

// The witness's (infra/modules/witness). Order matters: AWS_REGION is checked against the two
// regions read before it.
constexpr auto kWitnessTable = std::to_array<WitnessVariable>({
    {"AWS_LAMBDA_RUNTIME_API", true, "host:port of the Lambda Runtime API (set by Lambda)",
     [](WitnessConfig& c, const std::string& v) { return host_port(c.runtime_api, v); }},
    {"DR_PRIMARY_REGION", true, "the primary region (as the controller's)",
     [](WitnessConfig& c, const std::string& v) { return region(c.primary_region, v); }},
    {"DR_SECONDARY_REGION", true,
     "the controller's region: its RDS says who writes, its state table takes the vote",
     [](WitnessConfig& c, const std::string& v) {
       return secondary_region(c.secondary_region, c.primary_region, v);
     }},
    {"AWS_REGION", true, "the witness's own region (set by Lambda): a third one",
     [](WitnessConfig& c, const std::string& v) -> std::optional<std::string> {
       if (auto e = region(c.witness_region, v)) return e;
       // A witness in a region it judges shares that region's fate: its vote would be the
       // controller's own view again, or the outage's.
       if (c.witness_region == c.primary_region || c.witness_region == c.secondary_region)
         return "the witness runs in " + v +
                ", which is DR_PRIMARY_REGION or DR_SECONDARY_REGION: it must run in a third "
                "region";
       return std::nullopt;
     }},
    {"DR_GLOBAL_CLUSTER_ID", true, "Aurora global cluster identifier",
     [](WitnessConfig& c, const std::string& v) { return token(c.global_cluster_id, v); }},
    {"DR_STATE_TABLE", true, "the controller's state table (secondary region), item id=witness",
     [](WitnessConfig& c, const std::string& v) { return token(c.state_table, v); }},
    {"DR_PRIMARY_APP_URL", true, "the primary region's ALB (https://<dns>)",
     [](WitnessConfig& c, const std::string& v) { return url(c.primary_app_url, v); }},
    {"DR_SECONDARY_APP_URL", true, "the secondary region's ALB (probed once it writes)",
     [](WitnessConfig& c, const std::string& v) { return url(c.secondary_app_url, v); }},
    {"DR_WITNESS_TICK_SECONDS", true, "seconds between rounds inside one invocation (1-300)",
     [](WitnessConfig& c, const std::string& v) { return seconds(c.tick_interval, v); }},
    {"DR_WITNESS_DEADLINE_MARGIN_MS", false,
     "stop starting rounds this long before the deadline (default 5000, 100-60000)",
     [](WitnessConfig& c, const std::string& v) { return bounded_ms(c.deadline_margin, v); }},
});

template <class Into, size_t N>
std::expected<Into, ConfigError> parse_table(const std::array<VariableOf<Into>, N>& table,
                                             const Getenv& getenv) {
  Into config;
  for (const auto& var : table) {
    auto value = getenv(var.name);
    if (!value || value->empty()) {
      if (var.required) return std::unexpected(ConfigError{var.name, "missing"});
      continue;
    }
    if (auto bad = var.apply(config, *value)) return std::unexpected(ConfigError{var.name, *bad});
  }
  return config;
}

}  // namespace

std::span<const Variable> variables() {
  return kTable;
}

std::span<const WitnessVariable> witness_variables() {
  return kWitnessTable;
}

std::expected<Config, ConfigError> parse_config(const Getenv& getenv) {
  return parse_table(kTable, getenv);
}

std::expected<WitnessConfig, ConfigError> parse_witness_config(const Getenv& getenv) {
  return parse_table(kWitnessTable, getenv);
}

std::expected<Role, ConfigError> parse_role(const Getenv& getenv) {
  auto handler = getenv("_HANDLER");
  if (!handler || handler->empty() || *handler == kControllerHandler) return Role::kController;
  if (*handler == kWitnessHandler) return Role::kWitness;
  return std::unexpected(ConfigError{"_HANDLER", "unknown handler '" + *handler + "' (" +
                                                     kControllerHandler + ": the controller, " +
                                                     kWitnessHandler + ": the witness)"});
}

std::optional<std::string> process_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

}  // namespace dr::lambda
