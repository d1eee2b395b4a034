#include "backends/aws/aws_world.h"

#include <future>

#include "backends/aws/client_for.h"
#include "backends/aws/replication_lag.h"

namespace dr::backends::aws_world {

EvidenceOptions evidence_options(const AwsTargets& targets, const std::string& state_table) {
  EvidenceOptions o;
  o.global_cluster_id = targets.global_cluster_id;
  o.state_table = state_table;
  for (const auto& r : targets.regions) o.alb_urls[r.region] = r.app_url;
  o.replication.max_age = targets.lag_window;
  o.thresholds = targets.thresholds;
  return o;
}

core::Result<std::unique_ptr<AwsWorld>> AwsWorld::create(AwsTargets targets,
                                                         std::string state_table,
                                                         ClientConfigFor clients, Pacing pacing,
                                                         LogFn log) {
  const std::string& region = targets.secondary_region;
  auto rds = client_for<dr::aws::Rds>(clients, region);
  if (!rds) return std::unexpected(rds.error());
  auto dynamodb = client_for<dr::aws::DynamoDb>(clients, region);
  if (!dynamodb) return std::unexpected(dynamodb.error());
  std::map<std::string, std::unique_ptr<dr::aws::CloudWatch>> cloudwatch;
  for (const auto& r : targets.regions) {
    auto cw = client_for<dr::aws::CloudWatch>(clients, r.region);
    if (!cw) return std::unexpected(cw.error());
    cloudwatch[r.region] = std::move(*cw);
  }
  auto ports = std::make_unique<AwsPorts>(targets, clients, pacing, log);
  EvidenceOptions evidence = evidence_options(targets, state_table);
  return std::unique_ptr<AwsWorld>(
      new AwsWorld(std::move(targets), std::move(*rds), std::move(*dynamodb), std::move(cloudwatch),
                   std::move(ports), std::move(evidence), std::move(pacing)));
}

AwsWorld::AwsWorld(AwsTargets targets, std::unique_ptr<dr::aws::Rds> rds,
                   std::unique_ptr<dr::aws::DynamoDb> dynamodb,
                   std::map<std::string, std::unique_ptr<dr::aws::CloudWatch>> cloudwatch,
                   std::unique_ptr<AwsPorts> ports, EvidenceOptions evidence, Pacing pacing)
    : targets_(std::move(targets)),
      rds_(std::move(rds)),
      dynamodb_(std::move(dynamodb)),
      cloudwatch_(std::move(cloudwatch)),
      ports_(std::move(ports)),
      pacing_(std::move(pacing)),
      evidence_(
          std::move(evidence), *rds_, *dynamodb_, alb_probe_transport(targets_.probe_timeout),
          [this](const std::string& cluster) -> std::optional<LagSample> {
            auto worst = latest_lag(cluster, targets_.lag_window, 60);
            if (!worst) return std::nullopt;
            return LagSample{worst->milliseconds, worst->at};
          },
          [this] { return pacing_.wall(); },
          [this](const std::string& region) { return ports_->fleet.desired_capacity(region); },
          [this](const std::string& cluster) {
            // A reading of now: the last few seconds at one-second resolution (see
            // read_secondary_lag). Aurora's metrics on AWS have none; the lab's do. The
            // datapoint's own time decides, not the window asked for: CloudWatch rounds a
            // StartTime down to the minute, so a minute-stamped datapoint could come back.
            constexpr std::chrono::seconds kLive{5};
            const auto now = pacing_.wall();
            const auto worst = latest_lag(cluster, kLive, /*period=*/1);
            return worst && now - worst->at <= kLive && worst->at <= now + kLive &&
                   worst->milliseconds <= 1000.0 * ReplicationRules{}.unbounded.count();
          }) {}

std::optional<LagReading> AwsWorld::latest_lag(const std::string& cluster,
                                               std::chrono::seconds window, int64_t period) {
  // Aurora publishes the lag in the secondary cluster's own region: after a failover that is the
  // home region, not DR_SECONDARY_REGION (drctl aws reads it there too).
  auto cw = cloudwatch_.find(targets_.lag_region(cluster));
  if (cw == cloudwatch_.end()) return std::nullopt;
  auto lag = read_secondary_lag(*cw->second, cluster, pacing_.wall(), window, period);
  if (!lag) return std::nullopt;
  return lag->worst();
}

std::expected<core::Snapshot, std::string> AwsWorld::observe() {
  // A table without the lease's item (a new deployment) is a free lease: the primary takes it.
  // Read beside the evidence, not after it: one more round trip must not lengthen the tick.
  auto lease_free = std::async(std::launch::async, [this] {
    auto held = ports_->lease.holder();
    return held && !*held;
  });
  auto s = evidence_.observe();
  const bool free = lease_free.get();
  if (s) s->write_lease_free = free;
  return s;
}

}  // namespace dr::backends::aws_world
