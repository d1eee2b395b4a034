#include "backends/aws/aws_global_database.h"

#include "aws/cloudwatch.h"
#include "backends/aws/client_for.h"
#include "backends/aws/error_map.h"
#include "backends/aws/replication_lag.h"

namespace dr::backends::aws_world {

namespace {

using core::ErrorKind;
using core::fail;

// A FailoverState with no status is no failover (some answers carry an empty element).
bool moving(const dr::aws::GlobalCluster& g) {
  return g.failover_state && !g.failover_state->status.empty();
}

}  // namespace

GlobalWriterState writer_state(const dr::aws::GlobalCluster& g, const std::string& target_arn) {
  if (moving(g))
    return g.failover_state->to_db_cluster_arn == target_arn ? GlobalWriterState::kMovingToTarget
                                                             : GlobalWriterState::kMovingElsewhere;
  const auto* writer = g.writer();
  if (writer && writer->db_cluster_arn == target_arn) return GlobalWriterState::kDone;
  return GlobalWriterState::kNotStarted;
}

std::string describe(const dr::aws::GlobalCluster& g) {
  const auto* writer = g.writer();
  std::string out = g.identifier + " (" + (g.status.empty() ? "?" : g.status) + "): writer " +
                    (writer ? writer->db_cluster_arn : std::string("none"));
  if (moving(g))
    out += ", " + g.failover_state->status + " from " + g.failover_state->from_db_cluster_arn +
           " to " + g.failover_state->to_db_cluster_arn;
  return out;
}

AwsGlobalDatabase::AwsGlobalDatabase(AwsTargets targets, ClientConfigFor clients, Pacing pacing)
    : targets_(std::move(targets)), clients_(std::move(clients)), pacing_(std::move(pacing)) {}

core::Result<> AwsGlobalDatabase::fence_writer(const core::DatabaseMove&) {
  return fail(ErrorKind::kNotSupported,
              "Aurora fences the old writer itself during FailoverGlobalCluster / "
              "SwitchoverGlobalCluster");
}

core::Result<std::string> AwsGlobalDatabase::fail_over(const core::DatabaseMove& move,
                                                       bool allow_data_loss) {
  // Without data loss the only AWS way is the planned one (it waits for the secondary).
  return move_writer(move, allow_data_loss ? Mode::kFailover : Mode::kSwitchover);
}

core::Result<std::string> AwsGlobalDatabase::switch_over(const core::DatabaseMove& move) {
  return move_writer(move, Mode::kSwitchover);
}

core::Result<dr::aws::GlobalCluster> AwsGlobalDatabase::read(dr::aws::Rds& rds,
                                                             const std::string& region) {
  auto out =
      rds.describe_global_clusters({.global_cluster_identifier = targets_.global_cluster_id});
  if (!out) return std::unexpected(to_core(out.error(), "DescribeGlobalClusters in " + region));
  for (auto& g : out->global_clusters)
    if (g.identifier == targets_.global_cluster_id) return std::move(g);
  return fail(ErrorKind::kRefused,
              "global cluster " + targets_.global_cluster_id + " not found in " + region);
}

core::Result<> AwsGlobalDatabase::check_target_available(dr::aws::Rds& rds,
                                                         const AwsRegionTargets& target) {
  auto out = rds.describe_db_clusters({.db_cluster_identifier = target.cluster_id()});
  if (!out)
    return std::unexpected(
        to_core(out.error(), "DescribeDBClusters " + target.cluster_id() + " in " + target.region));
  if (out->db_clusters.size() != 1)
    return fail(ErrorKind::kRefused,
                "cluster " + target.cluster_id() + " not found in " + target.region);
  const auto& c = out->db_clusters.front();
  if (c.status != "available")
    return fail(ErrorKind::kRefused,
                "cluster " + target.cluster_id() + " is " + c.status + ", not available");
  return {};
}

core::Result<std::string> AwsGlobalDatabase::lag_gate(const AwsRegionTargets& target, Mode mode) {
  auto cw = client_for<dr::aws::CloudWatch>(clients_, target.region);
  if (!cw) return std::unexpected(cw.error());
  auto lag = read_secondary_lag(**cw, target.cluster_id(), pacing_.wall(), targets_.lag_window);
  switch (mode) {
    case Mode::kFailover:
      // Only recorded: the region is gone, what the secondary has is what survives.
      if (!lag) return "data-loss failover; secondary lag unknown (" + lag.error().describe() + ")";
      return "data-loss failover; secondary last reported " + lag->describe();
    case Mode::kSwitchover: {
      if (!lag) return std::unexpected(lag.error().in("lag gate: "));
      auto worst = lag->worst();
      if (!worst)
        return fail(ErrorKind::kRefused,
                    "lag gate: " + lag->describe() + " in the last " +
                        std::to_string(targets_.lag_window.count()) +
                        " s; a planned switchover needs it known and at most " +
                        std::to_string(targets_.lag_gate.count()) + " ms");
      if (worst->milliseconds > static_cast<double>(targets_.lag_gate.count()))
        return fail(ErrorKind::kRefused, "lag gate: " + lag->describe() + ", above the gate of " +
                                             std::to_string(targets_.lag_gate.count()) + " ms");
      return std::string();
    }
  }
  return std::string();
}

core::Result<> AwsGlobalDatabase::wait_for_writer(dr::aws::Rds& rds,
                                                  const AwsRegionTargets& target) {
  const auto deadline = pacing_.now() + targets_.promote_deadline;
  std::string last = "not read yet";
  for (;;) {
    // A read that fails here is one more poll: Aurora moves on whether we look or not.
    auto g = read(rds, target.region);
    if (g && writer_state(*g, target.cluster_arn) == GlobalWriterState::kDone) return {};
    last = g ? describe(*g) : g.error().describe();
    if (g && writer_state(*g, target.cluster_arn) == GlobalWriterState::kMovingElsewhere)
      return fail(ErrorKind::kRefused, "another failover is moving the writer: " + last);
    if (pacing_.now() >= deadline) break;
    pacing_.sleep(targets_.poll_interval);
  }
  return fail(ErrorKind::kTimeout, "the writer did not reach " + target.cluster_arn + " within " +
                                       std::to_string(targets_.promote_deadline.count()) +
                                       " ms; last: " + last);
}

core::Result<std::string> AwsGlobalDatabase::move_writer(const core::DatabaseMove& move,
                                                         Mode mode) {
  if (move.from_region == move.to_region)
    return fail(ErrorKind::kNotSupported,
                "Aurora moves the writer inside " + move.to_region + " itself");
  const AwsRegionTargets* target = targets_.find(move.to_region);
  if (!target)
    return fail(ErrorKind::kRefused, "no Aurora cluster configured for " + move.to_region);
  auto rds = client_for<dr::aws::Rds>(clients_, target->region);
  if (!rds) return std::unexpected(rds.error());

  auto g = read(**rds, target->region);
  if (!g) return std::unexpected(g.error());
  switch (writer_state(*g, target->cluster_arn)) {
    case GlobalWriterState::kDone:
      return std::string();
    case GlobalWriterState::kMovingToTarget:
      if (auto w = wait_for_writer(**rds, *target); !w) return std::unexpected(w.error());
      return std::string();
    case GlobalWriterState::kMovingElsewhere:
      return fail(ErrorKind::kRefused, "another failover is moving the writer: " + describe(*g));
    case GlobalWriterState::kNotStarted:
      break;
  }

  if (auto ok = check_target_available(**rds, *target); !ok) return std::unexpected(ok.error());
  auto note = lag_gate(*target, mode);
  if (!note) return std::unexpected(note.error());

  // One attempt only: a lost answer is re-read below, never resent.
  auto once = client_for<dr::aws::Rds>(clients_, target->region, 1);
  if (!once) return std::unexpected(once.error());
  auto called = mode == Mode::kFailover
                    ? (*once)->failover_global_cluster(
                          {.global_cluster_identifier = targets_.global_cluster_id,
                           .target_db_cluster_identifier = target->cluster_arn,
                           .allow_data_loss = true})
                    : (*once)->switchover_global_cluster(
                          {.global_cluster_identifier = targets_.global_cluster_id,
                           .target_db_cluster_identifier = target->cluster_arn});
  const std::string action =
      mode == Mode::kFailover ? "FailoverGlobalCluster" : "SwitchoverGlobalCluster";
  if (!called) {
    core::Error e = to_core(called.error(), action + " to " + target->cluster_arn);
    if (e.kind != ErrorKind::kOutcomeUnknown) return std::unexpected(e);
    auto again = read(**rds, target->region);
    auto state = again ? writer_state(*again, target->cluster_arn) : GlobalWriterState::kNotStarted;
    if (state != GlobalWriterState::kDone && state != GlobalWriterState::kMovingToTarget)
      return fail(ErrorKind::kOutcomeUnknown,
                  e.message +
                      "; re-read: " + (again ? describe(*again) : again.error().describe()) +
                      " (the next attempt re-reads before calling again)");
  }
  if (auto w = wait_for_writer(**rds, *target); !w) {
    core::Error e = w.error();
    if (!note->empty()) e.message += " (" + *note + ")";
    return std::unexpected(e);
  }
  return *note;
}

}  // namespace dr::backends::aws_world
