// core::Fleet on AWS: each region's app fleet is an Auto Scaling group behind an ALB target
// group, and its apps honour the fence record (aws/fence_record.h) in the app's global table.
// - set_capacity follows ARC Region switch's rule: never scale a failover's target down. The
//   group gets at least `desired` (more if it already has more) and a max that fits it; then
//   it waits, within fleet_deadline, for that many InService+Healthy instances and as many
//   healthy targets in the region's target group (DescribeTargetHealth).
// - fence_apps writes the fence record in every region's replica, the survivors' first: one
//   written replica is enough (the global table carries it to the rest when they come back);
//   then it scales the fenced region's group to 0 when that region's control plane answers.
//   That scale-down is best effort (logged): an unreachable region is not an error here.
// - unfence_apps writes the record lifted, the same way.
#pragma once

#include <optional>
#include <string>

#include "aws/fence_record.h"
#include "backends/aws/aws_targets.h"
#include "core/ports.h"

namespace dr::backends::aws_world {

class AwsFleet final : public core::Fleet {
 public:
  AwsFleet(AwsTargets targets, ClientConfigFor clients, Pacing pacing, LogFn log);

  core::Result<> set_capacity(const std::string& region, int min, int desired, int max) override;
  core::Result<> fence_apps(const std::string& region, const std::string& reason) override;
  core::Result<> unfence_apps(const std::string& region) override;
  // The region's group's desired capacity now, asked once (no retries: the controller's tick
  // asks again, and a dead region must not hold it up); nullopt when it does not answer.
  std::optional<int> desired_capacity(const std::string& region);

 private:
  core::Result<> write_fence(const dr::aws::FenceRecord& record);
  core::Result<> wait_serving(const AwsRegionTargets& target, int64_t want);
  void scale_to_zero(const AwsRegionTargets& target);

  AwsTargets targets_;
  ClientConfigFor clients_;
  Pacing pacing_;
  LogFn log_;
};

}  // namespace dr::backends::aws_world
