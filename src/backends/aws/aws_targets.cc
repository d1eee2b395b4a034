#include "backends/aws/aws_targets.h"

#include <charconv>
#include <cstdlib>
#include <thread>

namespace dr::backends::aws_world {

std::string AwsRegionTargets::cluster_id() const {
  // arn:aws:rds:us-west-2:123456789012:cluster:dr-app-usw2 -> dr-app-usw2
  auto colon = cluster_arn.rfind(':');
  return colon == std::string::npos ? cluster_arn : cluster_arn.substr(colon + 1);
}

const AwsRegionTargets* AwsTargets::find(const std::string& region) const {
  for (const auto& r : regions)
    if (r.region == region) return &r;
  return nullptr;
}

const AwsRegionTargets* AwsTargets::find_cluster(const std::string& cluster_id) const {
  for (const auto& r : regions)
    if (r.cluster_id() == cluster_id) return &r;
  return nullptr;
}

std::string AwsTargets::lag_region(const std::string& cluster_id) const {
  const auto* member = find_cluster(cluster_id);
  return member ? member->region : secondary_region;
}

std::string AwsTargets::validate() const {
  std::string out;
  auto problem = [&](const std::string& p) { out += (out.empty() ? "" : "\n") + p; };
  if (global_cluster_id.empty()) problem("no global cluster id");
  if (regions.empty()) problem("no regions");
  for (const auto& name : {primary_region, secondary_region}) {
    if (name.empty())
      problem("the primary and the secondary region must both be named");
    else if (!find(name))
      problem("region " + name + " has no targets");
  }
  for (const auto& r : regions) {
    if (r.cluster_arn.rfind("arn:", 0) != 0 || r.cluster_arn.find(":cluster:") == std::string::npos)
      problem(r.region + ": cluster ARN '" + r.cluster_arn +
              "' is not an RDS cluster ARN (arn:...:cluster:<id>)");
    if (r.asg_name.empty()) problem(r.region + ": no Auto Scaling group");
    if (r.app_url.rfind("https://", 0) != 0 && r.app_url.rfind("http://", 0) != 0)
      problem(r.region + ": app URL '" + r.app_url + "' is not http(s)://");
  }
  if (app_table.empty()) problem("no app table (fence records)");
  if (app_table_key.empty()) problem("no app table key");
  if (force_namespace.empty() || force_metric.empty()) problem("no force-failover metric");
  if (lag_gate.count() < 0) problem("the lag gate is negative");
  for (auto d : {promote_deadline, fleet_deadline, probe_deadline, poll_interval, probe_timeout})
    if (d.count() <= 0) problem("deadlines and the poll interval must be positive");
  return out;
}

Getenv process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

// A whole number, all of `text`; nullopt otherwise (the caller says what range it wanted).
std::optional<int64_t> whole_number(const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

}  // namespace

std::expected<AwsTargets, std::string> targets_from_env(const Getenv& getenv) {
  std::string missing;
  auto need = [&](const std::string& name) -> std::string {
    auto v = getenv(name);
    if (!v || v->empty()) {
      missing += (missing.empty() ? "" : ", ") + name;
      return "";
    }
    return *v;
  };
  AwsTargets t;
  t.primary_region = need("DR_PRIMARY_REGION");
  t.secondary_region = need("DR_SECONDARY_REGION");
  t.global_cluster_id = need("DR_GLOBAL_CLUSTER_ID");
  t.regions.push_back({t.primary_region, need("DR_PRIMARY_CLUSTER_ARN"), need("DR_PRIMARY_ASG"),
                       getenv("DR_PRIMARY_TARGET_GROUP_ARN").value_or(""),
                       need("DR_PRIMARY_APP_URL")});
  t.regions.push_back(
      {t.secondary_region, need("DR_SECONDARY_CLUSTER_ARN"), need("DR_SECONDARY_ASG"),
       getenv("DR_SECONDARY_TARGET_GROUP_ARN").value_or(""), need("DR_SECONDARY_APP_URL")});
  t.app_table = need("DR_APP_TABLE");
  if (auto key = getenv("DR_APP_TABLE_KEY"); key && !key->empty()) t.app_table_key = *key;
  t.lease_table = getenv("DR_LEASE_TABLE").value_or("");
  t.topic_arns = split_commas(need("DR_SNS_TOPIC_ARNS"));
  t.force_namespace = need("DR_FORCE_NAMESPACE");
  t.force_metric = need("DR_FORCE_METRIC");
  if (!missing.empty()) return std::unexpected("missing environment variables: " + missing);
  if (auto gate = getenv("DR_SWITCHOVER_LAG_GATE_MS"); gate && !gate->empty()) {
    const auto ms = whole_number(*gate);
    if (!ms || *ms < 0)
      return std::unexpected("DR_SWITCHOVER_LAG_GATE_MS: '" + *gate +
                             "' is not a whole number of milliseconds >= 0");
    t.lag_gate = std::chrono::milliseconds(*ms);
  }
  // The Lambda's own bounds (src/lambda/config.cc): the operator's moves poll as the Lambda does.
  if (auto poll = getenv("DR_AWS_POLL_MS"); poll && !poll->empty()) {
    const auto ms = whole_number(*poll);
    if (!ms || *ms < 100 || *ms > 60000)
      return std::unexpected("DR_AWS_POLL_MS: '" + *poll + "' is not milliseconds (100-60000)");
    t.poll_interval = std::chrono::milliseconds(*ms);
  }
  if (t.primary_region == t.secondary_region)
    return std::unexpected("DR_PRIMARY_REGION and DR_SECONDARY_REGION are both " +
                           t.primary_region);
  if (auto bad = t.validate(); !bad.empty()) return std::unexpected(bad);
  return t;
}

Pacing Pacing::real() {
  return {[] { return std::chrono::steady_clock::now(); },
          [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); },
          [] { return std::chrono::system_clock::now(); }};
}

}  // namespace dr::backends::aws_world
