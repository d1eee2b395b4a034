#include "backends/aws/aws_status.h"

#include <iomanip>
#include <sstream>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/elbv2.h"
#include "aws/rds.h"
#include "aws/route53.h"
#include "backends/aws/aws_evidence.h"
#include "backends/aws/client_for.h"
#include "backends/aws/replication_lag.h"

namespace dr::backends::aws_world {

namespace {

void read_global(AwsStatus& s, const AwsTargets& t, const ClientConfigFor& clients) {
  auto rds = client_for<dr::aws::Rds>(clients, t.secondary_region);
  if (!rds) {
    s.global_error = rds.error().describe();
    return;
  }
  auto out = (*rds)->describe_global_clusters({.global_cluster_identifier = t.global_cluster_id});
  if (!out) {
    s.global_error = out.error().describe();
    return;
  }
  const auto* found = find_global_cluster(*out, t.global_cluster_id);
  if (found == nullptr) {
    s.global_error = "global cluster " + t.global_cluster_id + " not found";
    return;
  }
  const auto& g = *found;
  s.global_status = g.status;
  if (g.failover_state)
    s.failover_state = g.failover_state->status + " " +
                       region_of_arn(g.failover_state->from_db_cluster_arn) + " -> " +
                       region_of_arn(g.failover_state->to_db_cluster_arn);
  for (const auto& m : g.members)
    s.members.push_back({region_of_arn(m.db_cluster_arn), cluster_of_arn(m.db_cluster_arn),
                         m.is_writer, m.synchronization_status});
}

void read_lag(AwsStatus& s, const AwsTargets& t, const ClientConfigFor& clients,
              dr::aws::SystemTime now) {
  // The lag is the reader's: whichever member does not write right now.
  std::string cluster, region = t.secondary_region;
  for (const auto& m : s.members)
    if (!m.writer) {
      cluster = m.cluster;
      region = m.region;  // Aurora publishes it in the secondary cluster's own region
    }
  if (cluster.empty()) {
    if (const auto* r = t.find(t.secondary_region)) cluster = r->cluster_id();
  }
  auto cw = client_for<dr::aws::CloudWatch>(clients, region);
  if (!cw) {
    s.lag_note = cw.error().describe();
    return;
  }
  auto lag = read_secondary_lag(**cw, cluster, now, t.lag_window);
  if (!lag) {
    s.lag_note = lag.error().describe();
    return;
  }
  if (auto worst = lag->worst()) s.lag_ms = worst->milliseconds;
  s.lag_note = lag->describe();
}

RegionStatus read_region(const AwsRegionTargets& r, const ClientConfigFor& clients) {
  RegionStatus out;
  out.region = r.region;
  out.asg = r.asg_name;
  auto note = [&](const std::string& what) { out.error += (out.error.empty() ? "" : "; ") + what; };
  auto asg = client_for<dr::aws::AutoScaling>(clients, r.region);
  if (!asg) {
    note(asg.error().describe());
  } else if (auto groups =
                 (*asg)->describe_auto_scaling_groups({.auto_scaling_group_names = {r.asg_name}});
             !groups) {
    note("Auto Scaling: " + groups.error().describe());
  } else if (groups->auto_scaling_groups.empty()) {
    note("Auto Scaling group " + r.asg_name + " not found");
  } else {
    const auto& g = groups->auto_scaling_groups.front();
    out.min = g.min_size;
    out.desired = g.desired_capacity;
    out.max = g.max_size;
    out.in_service_healthy = g.in_service_healthy();
  }
  if (r.target_group_arn.empty()) return out;
  auto elb = client_for<dr::aws::ElasticLoadBalancingV2>(clients, r.region);
  if (!elb) {
    note(elb.error().describe());
  } else if (auto health = (*elb)->describe_target_health({.target_group_arn = r.target_group_arn});
             !health) {
    note("target health: " + health.error().describe());
  } else {
    out.targets_healthy = health->healthy();
    out.targets_total = static_cast<int64_t>(health->target_health_descriptions.size());
  }
  return out;
}

// Route 53's API and its metrics live in us-east-1 whatever region reads them.
constexpr const char* kRoute53Region = "us-east-1";

// A calculated check's status, from the metric Route 53 publishes every minute (1: healthy).
void read_health_metric(HealthCheckStatus& out, const ClientConfigFor& clients,
                        dr::aws::SystemTime now) {
  auto cw = client_for<dr::aws::CloudWatch>(clients, kRoute53Region);
  if (!cw) {
    out.error += "; " + cw.error().describe();
    return;
  }
  auto points = (*cw)->get_metric_statistics({.namespace_ = "AWS/Route53",
                                              .metric_name = "HealthCheckStatus",
                                              .dimensions = {{"HealthCheckId", out.id}},
                                              .start_time = now - std::chrono::minutes(5),
                                              .end_time = now,
                                              .period = 60,
                                              .statistics = {"Minimum"}});
  if (!points) {
    out.error += "; HealthCheckStatus metric: " + points.error().describe();
    return;
  }
  const dr::aws::Datapoint* latest = nullptr;
  for (const auto& p : points->datapoints)
    if (p.timestamp && p.minimum && (latest == nullptr || *p.timestamp > *latest->timestamp))
      latest = &p;
  if (latest == nullptr) {
    out.error += "; HealthCheckStatus metric: no datapoint in the last 5 minutes";
    return;
  }
  out.metric_healthy = *latest->minimum >= 1.0;
  out.error.clear();  // the metric answered what the API would not
}

HealthCheckStatus read_health_check(const std::string& name, const std::string& id,
                                    const ClientConfigFor& clients, dr::aws::SystemTime now) {
  HealthCheckStatus out{name, id, {}, {}, {}, {}, {}};
  auto r53 = client_for<dr::aws::Route53>(clients, kRoute53Region);
  if (!r53) {
    out.error = r53.error().describe();
    return out;
  }
  auto status = (*r53)->get_health_check_status(id);
  if (!status) {
    out.error = "Route 53: " + status.error().describe();
    // A calculated check has no checkers of its own: Route 53 refuses it (InvalidInput).
    if (status.error().code == "InvalidInput") read_health_metric(out, clients, now);
    return out;
  }
  out.checkers = static_cast<int>(status->observations.size());
  out.healthy = status->healthy_count();
  for (const auto& o : status->observations)
    if (!o.healthy()) out.failing.push_back(o.region + ": " + o.status);
  return out;
}

std::string or_dash(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

}  // namespace

std::optional<bool> HealthCheckStatus::verdict() const {
  if (metric_healthy) return metric_healthy;
  if (!checkers || *checkers == 0 || !healthy) return std::nullopt;
  return *healthy * 100 > *checkers * 18;
}

std::expected<std::vector<std::pair<std::string, std::string>>, std::string> parse_health_checks(
    const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string entry = text.substr(start, comma - start);
    start = comma + 1;
    if (entry.empty()) continue;
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size())
      return std::unexpected("DR_ROUTE53_HEALTH_CHECKS: \"" + entry +
                             "\" is not name=id (e.g. primary_alb=abcd-1234)");
    const std::string id = entry.substr(eq + 1);
    // Route 53's IDs are at most 64 characters of letters, digits and '-': nothing else goes
    // into the request's path.
    if (id.size() > 64 ||
        id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                             "0123456789-") != std::string::npos)
      return std::unexpected("DR_ROUTE53_HEALTH_CHECKS: \"" + id +
                             "\" is not a health check ID (letters, digits and '-', at most 64)");
    out.emplace_back(entry.substr(0, eq), id);
  }
  return out;
}

AwsStatus read_status(const AwsTargets& t, const ClientConfigFor& clients, dr::aws::SystemTime now,
                      const std::vector<std::pair<std::string, std::string>>& health_checks) {
  AwsStatus s;
  s.global_cluster = t.global_cluster_id;
  read_global(s, t, clients);
  read_lag(s, t, clients, now);
  for (const auto& r : t.regions) s.regions.push_back(read_region(r, clients));
  for (const auto& [name, id] : health_checks)
    s.health_checks.push_back(read_health_check(name, id, clients, now));
  return s;
}

nlohmann::json to_json(const AwsStatus& s) {
  auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : s.members)
    members.push_back({{"region", m.region},
                       {"cluster", m.cluster},
                       {"writer", m.writer},
                       {"synchronization", m.synchronization}});
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& r : s.regions)
    regions.push_back({{"region", r.region},
                       {"asg", r.asg},
                       {"min", opt(r.min)},
                       {"desired", opt(r.desired)},
                       {"max", opt(r.max)},
                       {"in_service_healthy", opt(r.in_service_healthy)},
                       {"targets_healthy", opt(r.targets_healthy)},
                       {"targets_total", opt(r.targets_total)},
                       {"error", r.error}});
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& h : s.health_checks) {
    const auto verdict = h.verdict();
    checks.push_back({{"name", h.name},
                      {"id", h.id},
                      {"healthy", verdict ? nlohmann::json(*verdict) : nlohmann::json()},
                      {"checkers_healthy", opt(h.healthy)},
                      {"checkers", opt(h.checkers)},
                      {"from_metric", h.metric_healthy.has_value()},
                      {"failing", h.failing},
                      {"error", h.error}});
  }
  return {{"global_cluster",
           {{"id", s.global_cluster},
            {"status", s.global_status},
            {"failover_state", s.failover_state},
            {"members", members},
            {"error", s.global_error}}},
          {"replication_lag_ms", opt(s.lag_ms)},
          {"replication_lag_note", s.lag_note},
          {"regions", regions},
          {"route53_health_checks", checks}};
}

std::string render(const AwsStatus& s) {
  std::ostringstream o;
  o << "global cluster " << s.global_cluster;
  if (!s.global_error.empty()) {
    o << ": cannot read it (" << s.global_error << ")\n";
  } else {
    o << " " << s.global_status << (s.failover_state.empty() ? "" : " (" + s.failover_state + ")")
      << "\n";
    for (const auto& m : s.members)
      o << "  " << std::left << std::setw(14) << m.region << std::setw(30) << m.cluster
        << (m.writer ? "writer" : "reader")
        << (m.synchronization.empty() ? "" : ", " + m.synchronization) << "\n";
  }
  o << "replication lag: "
    << (s.lag_ms ? std::to_string(static_cast<int64_t>(*s.lag_ms)) + " ms" : "unknown") << " ("
    << s.lag_note << ")\n";
  o << std::left << std::setw(14) << "region" << std::setw(30) << "Auto Scaling group"
    << std::setw(18) << "min/desired/max" << std::setw(12) << "in service"
    << "healthy targets\n";
  for (const auto& r : s.regions) {
    o << std::setw(14) << r.region << std::setw(30) << r.asg << std::setw(18)
      << (or_dash(r.min) + "/" + or_dash(r.desired) + "/" + or_dash(r.max)) << std::setw(12)
      << or_dash(r.in_service_healthy)
      << (r.targets_total ? or_dash(r.targets_healthy) + "/" + or_dash(r.targets_total) : "-")
      << "\n";
    if (!r.error.empty()) o << "  (" << r.error << ")\n";
  }
  if (s.health_checks.empty()) {
    o << "Route 53 health checks: none configured (DR_ROUTE53_HEALTH_CHECKS, or --env-file with "
         "`terraform output -json`)\n";
    return o.str();
  }
  o << std::setw(16) << "health check" << std::setw(40) << "id" << std::setw(11) << "status"
    << "checkers healthy\n";
  for (const auto& h : s.health_checks) {
    const auto verdict = h.verdict();
    o << std::setw(16) << h.name << std::setw(40) << h.id << std::setw(11)
      << (verdict ? (*verdict ? "healthy" : "UNHEALTHY") : "unknown")
      << (h.metric_healthy ? std::string("(calculated: its metric)")
                           : (h.checkers ? std::to_string(h.healthy.value_or(0)) + "/" +
                                               std::to_string(*h.checkers)
                                         : std::string("-")))
      << "\n";
    for (size_t i = 0; i < h.failing.size() && i < 3; ++i) o << "  " << h.failing[i] << "\n";
    if (h.failing.size() > 3) o << "  (and " << h.failing.size() - 3 << " more)\n";
    if (!h.error.empty()) o << "  (" << h.error << ")\n";
  }
  return o.str();
}

}  // namespace dr::backends::aws_world
