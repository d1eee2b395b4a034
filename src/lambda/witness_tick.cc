#include "lambda/witness_tick.h"

#include <algorithm>

#include "backends/aws/aws_ports.h"
#include "core/health_checker.h"

namespace dr::lambda {

TickFn witness_tick(WitnessRoundFn round) {
  return [round = std::move(round)]() -> std::expected<TickOutcome, std::string> {
    auto r = round();
    if (!r) return std::unexpected(r.error());
    auto ok = [](bool b) { return b ? "ok" : "failed"; };
    TickOutcome out;
    out.action = "vote";
    out.reason = r->primary_region + " (writer " + r->writer + "): /health " + ok(r->health_ok) +
                 ", /health/deep " + ok(r->deep_ok) + "; writer " +
                 core::to_string(r->observation.writer) + ", app " +
                 core::to_string(r->observation.app) +
                 (r->observation.pending ? " (a change pending)" : "");
    out.metrics = {{"WitnessHealthProbe", "Count", {r->health_ok ? 1.0 : 0.0}},
                   {"WitnessDeepProbe", "Count", {r->deep_ok ? 1.0 : 0.0}}};
    return out;
  };
}

backends::aws_world::WitnessOptions witness_options(const WitnessConfig& config) {
  backends::aws_world::WitnessOptions options;
  options.global_cluster_id = config.global_cluster_id;
  options.state_table = config.state_table;
  options.alb_urls = {{config.primary_region, config.primary_app_url},
                      {config.secondary_region, config.secondary_app_url}};
  // As the controller's checkers (world_factory.cc): a probe must not outlast a round.
  options.probe_timeout = std::min(options.probe_timeout, config.tick_interval);
  return options;
}

std::expected<std::unique_ptr<backends::aws_world::AwsWitness>, std::string> make_witness(
    const WitnessConfig& config) {
  return backends::aws_world::AwsWitness::create(witness_options(config), config.secondary_region,
                                                 backends::aws_world::shared_clients({}));
}

}  // namespace dr::lambda
