// core::Traffic on AWS, through Route 53's data plane only (its control plane lives in
// us-east-1, which may be the region that failed): the PRIMARY record's calculated health check
// includes a CloudWatch-metric check whose alarm, in the SECONDARY region, watches the
// force-failover metric (infra/modules/route53/main.tf, aws_cloudwatch_metric_alarm
// "force_failover": namespace/metric from its force_failover variable, default DrApp/Failover
// ForcePrimaryUnhealthy, no dimensions, Maximum >= 1 over 10 s, missing data ignored).
// shift_to(secondary) publishes 1 there (Route 53 answers SECONDARY); shift_to(primary)
// publishes 0 (released). Publishing again is harmless, so a resumed runbook may.
#pragma once

#include <string>

#include "backends/aws/aws_targets.h"
#include "core/ports.h"

namespace dr::backends::aws_world {

class AwsTraffic final : public core::Traffic {
 public:
  AwsTraffic(AwsTargets targets, ClientConfigFor clients, Pacing pacing);
  core::Result<> shift_to(const std::string& region) override;

 private:
  AwsTargets targets_;
  ClientConfigFor clients_;
  Pacing pacing_;
};

}  // namespace dr::backends::aws_world
