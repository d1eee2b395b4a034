// Amazon EC2 Auto Scaling (query protocol, 2011-01-01) over the lab's fleets: one group
// `dr-lab-<region>` per region, whose instances are that region's dr-app processes.
// DescribeAutoScalingGroups, UpdateAutoScalingGroup and SetDesiredCapacity. A capacity outside
// [min, max] (or min > max) is a 400 ValidationError and nothing changes, as on AWS; the lab's
// own bound (its ALBs have 8 slots) is one too. UpdateAutoScalingGroup moves the desired capacity
// into new bounds when only the bounds are given, as AWS does. Groups are regional: a request
// sees only its signing region's group.
#pragma once

#include <expected>
#include <map>
#include <string>
#include <vector>

#include "lab_aws/lab_names.h"
#include "lab_aws/query_service.h"

namespace dr::lab_aws {

struct AppInstance {
  std::string name;
  std::string az;
  bool healthy = false;
  int port = 0;            // its traffic port (the ALB's target)
  bool launching = false;  // started, not yet in its ALB slot
};

struct FleetView {
  int min = 0;
  int desired = 0;
  int max = 0;
  std::vector<AppInstance> instances;
};

class FleetLab {
 public:
  virtual ~FleetLab() = default;
  virtual std::expected<std::map<std::string, FleetView>, std::string> fleets() = 0;  // by region
  virtual std::expected<void, std::string> set_capacity(const std::string& region, int min,
                                                        int desired, int max) = 0;
};

inline constexpr int kLabMaxCapacity = 8;  // the lab's ALBs have 8 slots (app1..app8)

class AutoScalingHandler {
 public:
  explicit AutoScalingHandler(FleetLab& lab, std::string account = kLabAccount,
                              std::string prefix = kLabPrefix);
  QueryService service();

 private:
  std::expected<void, AwsError> describe(const FormParams& p, const Caller& c, pugi::xml_node r);
  std::expected<void, AwsError> update(const FormParams& p, const Caller& c, pugi::xml_node r);
  std::expected<void, AwsError> set_desired(const FormParams& p, const Caller& c, pugi::xml_node r);
  std::expected<FleetView, AwsError> group(const std::string& name, const Caller& c);
  std::expected<void, AwsError> apply(const Caller& c, int min, int desired, int max);

  FleetLab& lab_;
  std::string account_;
  std::string prefix_;
};

}  // namespace dr::lab_aws
