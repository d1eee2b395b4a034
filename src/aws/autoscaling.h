// Amazon EC2 Auto Scaling (query protocol, API 2011-01-01): read a group and resize it, which is
// how the DR runbook scales the standby region's fleet up (and the old primary's down).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/query_protocol.h"

namespace dr::aws {

struct AutoScalingFilter {
  std::string name;  // "tag:Role", "tag-key", ...
  std::vector<std::string> values = {};
};

struct AutoScalingInstance {
  std::string instance_id;
  std::string instance_type;
  std::string availability_zone;
  std::string lifecycle_state;  // InService, Pending, Terminating, Standby, ...
  std::string health_status;    // Healthy | Unhealthy
  bool protected_from_scale_in = false;
};

struct AutoScalingGroup {
  std::string name;
  std::string arn;
  int64_t min_size = 0;
  int64_t max_size = 0;
  int64_t desired_capacity = 0;
  std::string health_check_type;
  std::optional<int64_t> health_check_grace_period = std::nullopt;
  std::vector<std::string> availability_zones = {};
  std::vector<std::string> target_group_arns = {};
  std::vector<AutoScalingInstance> instances = {};
  std::optional<SystemTime> created_time = std::nullopt;
  std::string status;  // set only while the group is being deleted

  // Instances that count toward serving: InService and Healthy.
  int64_t in_service_healthy() const;
};

struct DescribeAutoScalingGroupsInput {
  std::vector<std::string> auto_scaling_group_names = {};
  std::optional<std::string> next_token = std::nullopt;
  std::optional<int64_t> max_records = std::nullopt;
  std::vector<AutoScalingFilter> filters = {};
};
struct DescribeAutoScalingGroupsOutput {
  std::vector<AutoScalingGroup> auto_scaling_groups;
  std::optional<std::string> next_token;
  QueryResponse raw;
};

// Only the members given are changed.
struct UpdateAutoScalingGroupInput {
  std::string auto_scaling_group_name;
  std::optional<int64_t> min_size = std::nullopt;
  std::optional<int64_t> max_size = std::nullopt;
  std::optional<int64_t> desired_capacity = std::nullopt;
  std::optional<int64_t> default_cooldown = std::nullopt;
  std::optional<std::string> health_check_type = std::nullopt;  // EC2 | ELB
  std::optional<int64_t> health_check_grace_period = std::nullopt;
};
struct UpdateAutoScalingGroupOutput {
  QueryResponse raw;
};

// Resizes the group without touching its bounds (the desired capacity must lie within them).
// honor_cooldown: wait for a running cooldown first (AWS's default for a manual call is not to).
struct SetDesiredCapacityInput {
  std::string auto_scaling_group_name;
  int64_t desired_capacity = 0;
  std::optional<bool> honor_cooldown = std::nullopt;
};
struct SetDesiredCapacityOutput {
  QueryResponse raw;
};

class AutoScaling {
 public:
  explicit AutoScaling(ClientConfig config);

  Result<DescribeAutoScalingGroupsOutput> describe_auto_scaling_groups(
      const DescribeAutoScalingGroupsInput& input);
  Result<UpdateAutoScalingGroupOutput> update_auto_scaling_group(
      const UpdateAutoScalingGroupInput& input);
  Result<SetDesiredCapacityOutput> set_desired_capacity(const SetDesiredCapacityInput& input);

  static ServiceInfo service();
  static const QueryProtocol& protocol();
  ServiceClient& client() { return client_; }

  static QueryParams describe_auto_scaling_groups_params(
      const DescribeAutoScalingGroupsInput& input);
  static QueryParams update_auto_scaling_group_params(const UpdateAutoScalingGroupInput& input);
  static QueryParams set_desired_capacity_params(const SetDesiredCapacityInput& input);
  static Result<DescribeAutoScalingGroupsOutput> parse_describe_auto_scaling_groups(
      std::string_view body);

 private:
  ServiceClient client_;
};

}  // namespace dr::aws
