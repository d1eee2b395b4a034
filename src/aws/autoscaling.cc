#include "aws/autoscaling.h"

namespace dr::aws {

namespace {

AutoScalingGroup read_group(XmlReader r) {
  AutoScalingGroup g;
  for (const char* required : {"AutoScalingGroupName", "MinSize", "MaxSize", "DesiredCapacity"})
    r.require(required);
  g.name = r.str("AutoScalingGroupName");
  g.arn = r.str("AutoScalingGroupARN");
  g.min_size = r.integer("MinSize");
  g.max_size = r.integer("MaxSize");
  g.desired_capacity = r.integer("DesiredCapacity");
  g.health_check_type = r.str("HealthCheckType");
  g.health_check_grace_period = r.opt_integer("HealthCheckGracePeriod");
  g.availability_zones = r.strings("AvailabilityZones");
  g.target_group_arns = r.strings("TargetGroupARNs");
  r.each("Instances", "member", [&](XmlReader i) {
    g.instances.push_back({i.str("InstanceId"), i.str("InstanceType"), i.str("AvailabilityZone"),
                           i.str("LifecycleState"), i.str("HealthStatus"),
                           i.boolean("ProtectedFromScaleIn")});
  });
  g.created_time = r.opt_time("CreatedTime");
  g.status = r.str("Status");
  return g;
}

Result<DescribeAutoScalingGroupsOutput> read_describe(QueryResponse raw) {
  XmlReader r(raw.result, "DescribeAutoScalingGroupsResult");
  r.require("AutoScalingGroups");
  DescribeAutoScalingGroupsOutput out;
  r.each("AutoScalingGroups", "member",
         [&](XmlReader g) { out.auto_scaling_groups.push_back(read_group(g)); });
  out.next_token = r.opt_str("NextToken");
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

}  // namespace

int64_t AutoScalingGroup::in_service_healthy() const {
  int64_t n = 0;
  for (const auto& i : instances)
    if (i.lifecycle_state == "InService" && i.health_status == "Healthy") ++n;
  return n;
}

ServiceInfo AutoScaling::service() {
  return {"autoscaling", "autoscaling", false};
}

const QueryProtocol& AutoScaling::protocol() {
  static const QueryProtocol p{"2011-01-01"};
  return p;
}

AutoScaling::AutoScaling(ClientConfig config) : client_(service(), std::move(config)) {}

QueryParams AutoScaling::describe_auto_scaling_groups_params(
    const DescribeAutoScalingGroupsInput& in) {
  QueryParams p;
  if (!in.auto_scaling_group_names.empty())
    p.add_list("AutoScalingGroupNames", in.auto_scaling_group_names);
  p.maybe_add("NextToken", in.next_token).maybe_add_int("MaxRecords", in.max_records);
  for (size_t i = 0; i < in.filters.size(); ++i) {
    std::string prefix = "Filters.member." + std::to_string(i + 1);
    p.add(prefix + ".Name", in.filters[i].name);
    p.add_list(prefix + ".Values", in.filters[i].values);
  }
  return p;
}

QueryParams AutoScaling::update_auto_scaling_group_params(const UpdateAutoScalingGroupInput& in) {
  QueryParams p;
  p.add("AutoScalingGroupName", in.auto_scaling_group_name)
      .maybe_add_int("MinSize", in.min_size)
      .maybe_add_int("MaxSize", in.max_size)
      .maybe_add_int("DesiredCapacity", in.desired_capacity)
      .maybe_add_int("DefaultCooldown", in.default_cooldown)
      .maybe_add("HealthCheckType", in.health_check_type)
      .maybe_add_int("HealthCheckGracePeriod", in.health_check_grace_period);
  return p;
}

QueryParams AutoScaling::set_desired_capacity_params(const SetDesiredCapacityInput& in) {
  QueryParams p;
  p.add("AutoScalingGroupName", in.auto_scaling_group_name)
      .add_int("DesiredCapacity", in.desired_capacity)
      .maybe_add_bool("HonorCooldown", in.honor_cooldown);
  return p;
}

Result<DescribeAutoScalingGroupsOutput> AutoScaling::parse_describe_auto_scaling_groups(
    std::string_view body) {
  return then(parse_query_response(body, "DescribeAutoScalingGroups", true), read_describe);
}

Result<DescribeAutoScalingGroupsOutput> AutoScaling::describe_auto_scaling_groups(
    const DescribeAutoScalingGroupsInput& in) {
  return then(query_call(client_, protocol(), "DescribeAutoScalingGroups",
                         describe_auto_scaling_groups_params(in), true),
              read_describe);
}

Result<UpdateAutoScalingGroupOutput> AutoScaling::update_auto_scaling_group(
    const UpdateAutoScalingGroupInput& in) {
  if (in.auto_scaling_group_name.empty())
    return std::unexpected(Error::invalid_argument("AutoScalingGroupName is empty"));
  return then(query_call(client_, protocol(), "UpdateAutoScalingGroup",
                         update_auto_scaling_group_params(in), false),
              [](QueryResponse raw) -> Result<UpdateAutoScalingGroupOutput> {
                return UpdateAutoScalingGroupOutput{std::move(raw)};
              });
}

Result<SetDesiredCapacityOutput> AutoScaling::set_desired_capacity(
    const SetDesiredCapacityInput& in) {
  if (in.auto_scaling_group_name.empty())
    return std::unexpected(Error::invalid_argument("AutoScalingGroupName is empty"));
  if (in.desired_capacity < 0)
    return std::unexpected(Error::invalid_argument("DesiredCapacity is negative"));
  return then(
      query_call(client_, protocol(), "SetDesiredCapacity", set_desired_capacity_params(in), false),
      [](QueryResponse raw) -> Result<SetDesiredCapacityOutput> {
        return SetDesiredCapacityOutput{std::move(raw)};
      });
}

}  // namespace dr::aws
