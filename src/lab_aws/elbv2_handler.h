// Elastic Load Balancing v2 (query protocol, 2015-12-01) over the lab's ALBs: one target group
// per region, `arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/dr-lab-<region>/
// 0000000000000000`, whose targets are that region's dr-app instances (Id = the instance name,
// Port = its traffic port). DescribeTargetHealth only: healthy when the supervisor sees the
// instance healthy in its ALB slot, initial (Elb.InitialHealthChecking) while it launches,
// unhealthy (Target.FailedHealthChecks) otherwise; an Id asked for that is not registered is
// unused (Target.NotRegistered); another target group is TargetGroupNotFound, as on AWS.
#pragma once

#include <string>

#include "lab_aws/autoscaling_handler.h"
#include "lab_aws/lab_names.h"
#include "lab_aws/query_service.h"

namespace dr::lab_aws {

// arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<prefix><region>/0000000000000000
std::string target_group_arn(const std::string& region, const std::string& account = kLabAccount,
                             const std::string& prefix = kLabPrefix);

class Elbv2Handler {
 public:
  explicit Elbv2Handler(FleetLab& lab, std::string account = kLabAccount,
                        std::string prefix = kLabPrefix);
  QueryService service();
  std::string target_group_arn(const std::string& region) const;

 private:
  std::expected<void, AwsError> describe_target_health(const FormParams& p, const Caller& c,
                                                       pugi::xml_node result);

  FleetLab& lab_;
  std::string account_;
  std::string prefix_;
};

}  // namespace dr::lab_aws
