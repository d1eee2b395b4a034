// core::GlobalDatabase on AWS: an Aurora global database, moved with the RDS API of the region
// that survives (move.to_region). FailoverGlobalCluster (AllowDataLoss) is unplanned and not
// idempotent; SwitchoverGlobalCluster is planned and waits for the secondary to catch up. Both
// read the global cluster first and never call blindly:
// - the target already writes and no FailoverState is set: done, no call;
// - a failover to the target is in progress: only poll;
// - a failover elsewhere is in progress: refused;
// - the call's outcome was lost: re-read; poll when it took, otherwise outcome-unknown (the
//   next attempt re-reads again before it ever calls).
// Then poll, within promote_deadline, until the target is the writer and FailoverState has
// cleared (kTimeout otherwise; the next tick finds it in progress and polls on).
// A switchover is refused while the secondary's replication lag is above the gate or unknown.
// Before a data-loss failover the secondary's last reported lag goes into the returned note,
// for the reconciliation report. Aurora fences its own writer: fence_writer is not supported.
#pragma once

#include <string>

#include "aws/rds.h"
#include "backends/aws/aws_targets.h"
#include "core/ports.h"

namespace dr::backends::aws_world {

class AwsGlobalDatabase final : public core::GlobalDatabase {
 public:
  AwsGlobalDatabase(AwsTargets targets, ClientConfigFor clients, Pacing pacing);

  core::Result<> fence_writer(const core::DatabaseMove& move) override;
  core::Result<std::string> fail_over(const core::DatabaseMove& move,
                                      bool allow_data_loss) override;
  core::Result<std::string> switch_over(const core::DatabaseMove& move) override;

 private:
  enum class Mode { kFailover, kSwitchover };
  core::Result<std::string> move_writer(const core::DatabaseMove& move, Mode mode);
  core::Result<dr::aws::GlobalCluster> read(dr::aws::Rds& rds, const std::string& region);
  core::Result<> check_target_available(dr::aws::Rds& rds, const AwsRegionTargets& target);
  core::Result<std::string> lag_gate(const AwsRegionTargets& target, Mode mode);
  core::Result<> wait_for_writer(dr::aws::Rds& rds, const AwsRegionTargets& target);

  AwsTargets targets_;
  ClientConfigFor clients_;
  Pacing pacing_;
};

// Where the global cluster stands with respect to moving the writer to `target_arn`.
enum class GlobalWriterState {
  kDone,             // the target writes and no failover is pending
  kMovingToTarget,   // a failover or switchover to the target is pending or running
  kMovingElsewhere,  // one to another cluster is
  kNotStarted,       // the writer is elsewhere and nothing is moving
};
GlobalWriterState writer_state(const dr::aws::GlobalCluster& cluster,
                               const std::string& target_arn);
std::string describe(const dr::aws::GlobalCluster& cluster);

}  // namespace dr::backends::aws_world
