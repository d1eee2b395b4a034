#include "backends/aws/aws_status.h"

#include <iomanip>
#include <sstream>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/elbv2.h"
#include "aws/rds.h"
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

std::string or_dash(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : "-";
}

}  // namespace

AwsStatus read_status(const AwsTargets& t, const ClientConfigFor& clients,
                      dr::aws::SystemTime now) {
  AwsStatus s;
  s.global_cluster = t.global_cluster_id;
  read_global(s, t, clients);
  read_lag(s, t, clients, now);
  for (const auto& r : t.regions) s.regions.push_back(read_region(r, clients));
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
  return {{"global_cluster",
           {{"id", s.global_cluster},
            {"status", s.global_status},
            {"failover_state", s.failover_state},
            {"members", members},
            {"error", s.global_error}}},
          {"replication_lag_ms", opt(s.lag_ms)},
          {"replication_lag_note", s.lag_note},
          {"regions", regions}};
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
  return o.str();
}

}  // namespace dr::backends::aws_world
