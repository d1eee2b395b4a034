#include "backends/aws/aws_witness.h"

#include "backends/aws/aws_evidence.h"
#include "backends/aws/client_for.h"

namespace dr::backends::aws_world {

nlohmann::json witness_item(const core::Observation& observation, core::TimePoint observed_at,
                            const std::string& primary_region, const std::string& writer) {
  auto item = witness_item(observation, observed_at, primary_region);  // aws_evidence.h's
  item["writer"] = {{"S", writer}};
  return item;
}

WitnessRounds::WitnessRounds(WitnessOptions options, WitnessIo io)
    : options_(std::move(options)),
      io_(std::move(io)),
      observer_("witness", /*witness=*/true, options_.thresholds) {}

std::expected<WitnessRound, std::string> WitnessRounds::operator()() {
  auto described = io_.describe(options_.global_cluster_id);
  if (!described)
    return std::unexpected("describe global cluster " + options_.global_cluster_id + ": " +
                           described.error());
  const auto* global = find_global_cluster(*described, options_.global_cluster_id);
  if (global == nullptr)
    return std::unexpected("global cluster " + options_.global_cluster_id + " not found");
  auto topology = topology_of(*global);
  if (!topology) return std::unexpected(topology.error());
  auto alb = options_.alb_urls.find(topology->primary_region);
  if (alb == options_.alb_urls.end())
    return std::unexpected("no ALB URL configured for " + topology->primary_region +
                           ", the primary region");
  // A new writer is a new target: what was seen of the old one must not carry over (as the
  // controller's checkers start afresh, aws_evidence.cc).
  if (topology->writer != last_writer_)
    observer_ = core::Observer("witness", /*witness=*/true, options_.thresholds);
  last_writer_ = topology->writer;

  WitnessRound round;
  round.primary_region = topology->primary_region;
  round.writer = topology->writer;
  // Stamped before the probes: the vote is never younger than what it is based on.
  round.observed_at = io_.now();
  const auto probe = probe_alb(io_.get, alb->second);  // in parallel, as the checkers probe
  round.health_ok = probe.health_ok;
  round.deep_ok = probe.deep_ok;
  // The witness has no view of the replication link (the controller reads it from CloudWatch in
  // the secondary region, and decision.cc weighs it on its own): when the ALB does not answer,
  // its vote on the writer is what a client across the Internet sees, unreachable.
  record_probe(observer_, probe, LinkReport{});
  round.observation = observer_.observation();

  auto put = io_.put({{"TableName", options_.state_table},
                      {"Item", witness_item(round.observation, round.observed_at,
                                            round.primary_region, round.writer)}});
  if (!put)
    return std::unexpected("write the witness item to " + options_.state_table + ": " +
                           put.error());
  return round;
}

std::expected<std::unique_ptr<AwsWitness>, std::string> AwsWitness::create(
    WitnessOptions options, const std::string& secondary_region, const ClientConfigFor& clients) {
  auto rds = client_for<dr::aws::Rds>(clients, secondary_region);
  if (!rds) return std::unexpected(rds.error().message);
  auto dynamodb = client_for<dr::aws::DynamoDb>(clients, secondary_region);
  if (!dynamodb) return std::unexpected(dynamodb.error().message);
  auto probes = alb_probe_transport(options.probe_timeout);
  return std::unique_ptr<AwsWitness>(
      new AwsWitness(std::move(options), std::move(*rds), std::move(*dynamodb), probes));
}

AwsWitness::AwsWitness(WitnessOptions options, std::unique_ptr<dr::aws::Rds> rds,
                       std::unique_ptr<dr::aws::DynamoDb> dynamodb,
                       std::shared_ptr<dr::aws::HttpTransport> probes)
    : rds_(std::move(rds)),
      dynamodb_(std::move(dynamodb)),
      probes_(std::move(probes)),
      rounds_(std::move(options),
              WitnessIo{[this](const std::string& id)
                            -> std::expected<dr::aws::DescribeGlobalClustersOutput, std::string> {
                          auto out =
                              rds_->describe_global_clusters({.global_cluster_identifier = id});
                          if (!out) return std::unexpected(out.error().describe());
                          return *out;
                        },
                        [this](const std::string& base, const std::string& path) {
                          return alb_get(*probes_, base, path);
                        },
                        [this](const nlohmann::json& request) -> std::expected<void, std::string> {
                          auto out = dynamodb_->put_item(request);
                          if (!out) return std::unexpected(out.error().describe());
                          return {};
                        },
                        [] { return core::Clock::now(); }}) {}

}  // namespace dr::backends::aws_world
