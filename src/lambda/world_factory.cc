#include "lambda/world_factory.h"

#include "aws/endpoint_config.h"
#include "backends/aws/aws_world.h"
#include "lambda/emf.h"
#include "lambda/runtime.h"

namespace dr::lambda {

namespace {
constexpr const char* kUnwired = "this runtime was started without an AWS world";
core::Error unwired() {
  return {core::ErrorKind::kNotSupported, kUnwired};
}
}  // namespace

std::expected<core::Snapshot, std::string> UnwiredWorld::observe() {
  return std::unexpected(kUnwired);
}
core::Result<> UnwiredWorld::fence_writer(const core::DatabaseMove&) {
  return std::unexpected(unwired());
}
core::Result<std::string> UnwiredWorld::fail_over(const core::DatabaseMove&, bool) {
  return std::unexpected(unwired());
}
core::Result<std::string> UnwiredWorld::switch_over(const core::DatabaseMove&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::set_capacity(const std::string&, int, int, int) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::fence_apps(const std::string&, const std::string&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::unfence_apps(const std::string&) {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::shift_to(const std::string&) {
  return std::unexpected(unwired());
}
core::Result<std::string> UnwiredWorld::take(const std::string&, core::LeaseTake) {
  return std::unexpected(unwired());
}
core::Result<std::optional<std::string>> UnwiredWorld::holder() {
  return std::unexpected(unwired());
}
core::Result<> UnwiredWorld::verify_write(const std::string&) {
  return std::unexpected(unwired());
}

backends::aws_world::AwsTargets aws_targets_of(const Config& c) {
  backends::aws_world::AwsTargets t;
  t.primary_region = c.primary_region;
  t.secondary_region = c.secondary_region;
  t.global_cluster_id = c.global_cluster_id;
  t.regions = {{c.primary_region, c.primary_cluster_arn, c.primary_asg, c.primary_target_group_arn,
                c.primary_app_url},
               {c.secondary_region, c.secondary_cluster_arn, c.secondary_asg,
                c.secondary_target_group_arn, c.secondary_app_url}};
  t.app_table = c.app_table;
  t.lease_table = c.lease_table;
  t.topic_arns = c.sns_topic_arns;
  t.force_namespace = c.force_namespace;
  t.force_metric = c.force_metric;
  t.lag_gate = c.switchover_lag_gate;
  t.poll_interval = c.aws_poll_interval;
  // A probe must not outlast a tick (Route 53's 4 s where the tick allows): a frozen ALB then
  // costs one timeout per tick, and the ticks keep their pace.
  t.probe_timeout = std::min(t.probe_timeout, c.tick_interval);
  t.thresholds.failure = c.failure_threshold;
  return t;
}

WorldFactory default_world_factory() {
  return [](const Config& c) -> std::expected<std::unique_ptr<core::World>, std::string> {
    namespace aw = backends::aws_world;
    aw::AwsTargets t = aws_targets_of(c);
    if (auto bad = t.validate(); !bad.empty()) return std::unexpected(bad);
    auto log = [](const std::string& line) {
      emit_stdout(to_line({{"level", "WARN"}, {"message", line}}));
    };
    auto world = aw::AwsWorld::create(std::move(t), c.state_table, aw::shared_clients({}),
                                      aw::Pacing::real(), log);
    if (!world) return std::unexpected(world.error().describe());
    return std::unique_ptr<core::World>(std::move(*world));
  };
}

}  // namespace dr::lambda
