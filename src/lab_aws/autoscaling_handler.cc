#include "lab_aws/autoscaling_handler.h"

#include <algorithm>
#include <set>

#include "lab_aws/elbv2_handler.h"

namespace dr::lab_aws {

namespace {

constexpr const char* kNamespace = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

AwsError validation(const std::string& message) {
  return {400, "ValidationError", message};
}

}  // namespace

AutoScalingHandler::AutoScalingHandler(FleetLab& lab, std::string account, std::string prefix)
    : lab_(lab), account_(std::move(account)), prefix_(std::move(prefix)) {}

QueryService AutoScalingHandler::service() {
  QueryService s;
  s.xml_namespace = kNamespace;
  s.actions["DescribeAutoScalingGroups"] = {
      [this](const FormParams& p, const Caller& c, pugi::xml_node r) { return describe(p, c, r); }};
  s.actions["UpdateAutoScalingGroup"] = {
      [this](const FormParams& p, const Caller& c, pugi::xml_node r) { return update(p, c, r); },
      false};
  s.actions["SetDesiredCapacity"] = {[this](const FormParams& p, const Caller& c,
                                            pugi::xml_node r) { return set_desired(p, c, r); },
                                     false};
  return s;
}

std::expected<void, AwsError> AutoScalingHandler::describe(const FormParams& p, const Caller& c,
                                                           pugi::xml_node result) {
  auto fleets = lab_.fleets();
  if (!fleets) return std::unexpected(internal_failure("the lab's fleets: " + fleets.error()));
  const auto wanted = p.list("AutoScalingGroupNames");
  auto list = result.append_child("AutoScalingGroups");
  auto it = fleets->find(c.region);
  const std::string name = prefix_ + c.region;
  const bool asked = wanted.empty() || std::ranges::find(wanted, name) != wanted.end();
  if (it != fleets->end() && asked) {
    const FleetView& f = it->second;
    auto g = list.append_child("member");
    add_text(g, "AutoScalingGroupName", name);
    add_text(g, "AutoScalingGroupARN",
             "arn:aws:autoscaling:" + c.region + ":" + account_ +
                 ":autoScalingGroup:00000000-0000-0000-0000-000000000000:autoScalingGroupName/" +
                 name);
    add_int(g, "MinSize", f.min);
    add_int(g, "MaxSize", f.max);
    add_int(g, "DesiredCapacity", f.desired);
    add_int(g, "DefaultCooldown", 300);
    std::set<std::string> azs;
    for (const auto& i : f.instances)
      if (!i.az.empty()) azs.insert(i.az);
    auto zones = g.append_child("AvailabilityZones");
    for (const auto& az : azs) add_text(zones, "member", az);
    // The region's target group: what a client reads to go on to DescribeTargetHealth.
    add_text(g.append_child("TargetGroupARNs"), "member",
             target_group_arn(c.region, account_, prefix_));
    add_text(g, "HealthCheckType", "ELB");
    add_int(g, "HealthCheckGracePeriod", 0);
    auto instances = g.append_child("Instances");
    for (const auto& i : f.instances) {
      auto m = instances.append_child("member");
      add_text(m, "InstanceId", i.name);
      add_text(m, "InstanceType", "lab.process");
      add_text(m, "AvailabilityZone", i.az);
      add_text(m, "LifecycleState", i.healthy ? "InService" : "Pending");
      add_text(m, "HealthStatus", i.healthy ? "Healthy" : "Unhealthy");
      add_bool(m, "ProtectedFromScaleIn", false);
    }
    add_text(g, "CreatedTime", "2026-01-01T00:00:00.000Z");
  }
  return {};
}

std::expected<FleetView, AwsError> AutoScalingHandler::group(const std::string& name,
                                                             const Caller& c) {
  auto fleets = lab_.fleets();
  if (!fleets) return std::unexpected(internal_failure("the lab's fleets: " + fleets.error()));
  auto it = fleets->find(c.region);
  if (name != prefix_ + c.region || it == fleets->end())
    return std::unexpected(validation("AutoScalingGroup name not found - AutoScalingGroup " + name +
                                      " not found in " + c.region));
  return it->second;
}

std::expected<void, AwsError> AutoScalingHandler::apply(const Caller& c, int min, int desired,
                                                        int max) {
  if (auto r = lab_.set_capacity(c.region, min, desired, max); !r)
    return std::unexpected(validation("the lab refused the capacity: " + r.error()));
  return {};
}

std::expected<void, AwsError> AutoScalingHandler::update(const FormParams& p, const Caller& c,
                                                         pugi::xml_node) {
  auto name = p.require("AutoScalingGroupName");
  if (!name) return std::unexpected(name.error());
  auto min = p.integer("MinSize", 0, 100000);
  if (!min) return std::unexpected(min.error());
  auto max = p.integer("MaxSize", 0, 100000);
  if (!max) return std::unexpected(max.error());
  auto desired = p.integer("DesiredCapacity", 0, 100000);
  if (!desired) return std::unexpected(desired.error());
  auto g = group(*name, c);
  if (!g) return std::unexpected(g.error());
  const int new_min = static_cast<int>(min->value_or(g->min));
  const int new_max = static_cast<int>(max->value_or(g->max));
  if (new_min > new_max)
    return std::unexpected(validation("Max bound, " + std::to_string(new_max) +
                                      ", must be greater than or equal to min bound, " +
                                      std::to_string(new_min)));
  int new_desired = static_cast<int>(desired->value_or(g->desired));
  if (!*desired) new_desired = std::clamp(new_desired, new_min, new_max);  // AWS moves it along
  if (new_desired < new_min || new_desired > new_max)
    return std::unexpected(
        validation("Desired capacity:" + std::to_string(new_desired) +
                   " must be between the specified min size:" + std::to_string(new_min) +
                   " and max size:" + std::to_string(new_max)));
  if (new_max > kLabMaxCapacity)
    return std::unexpected(
        validation("Max bound, " + std::to_string(new_max) + ", is above the lab's limit of " +
                   std::to_string(kLabMaxCapacity) + " (its ALBs have that many slots)"));
  return apply(c, new_min, new_desired, new_max);
}

std::expected<void, AwsError> AutoScalingHandler::set_desired(const FormParams& p, const Caller& c,
                                                              pugi::xml_node) {
  auto name = p.require("AutoScalingGroupName");
  if (!name) return std::unexpected(name.error());
  if (!p.has("DesiredCapacity")) return std::unexpected(missing_parameter("DesiredCapacity"));
  auto desired = p.integer("DesiredCapacity", 0, 100000);
  if (!desired) return std::unexpected(desired.error());
  if (auto honor = p.boolean("HonorCooldown"); !honor) return std::unexpected(honor.error());
  auto g = group(*name, c);
  if (!g) return std::unexpected(g.error());
  const int d = static_cast<int>(**desired);
  if (d > g->max)
    return std::unexpected(validation("New SetDesiredCapacity value " + std::to_string(d) +
                                      " is above max value " + std::to_string(g->max) +
                                      " for the AutoScalingGroup."));
  if (d < g->min)
    return std::unexpected(validation("New SetDesiredCapacity value " + std::to_string(d) +
                                      " is below min value " + std::to_string(g->min) +
                                      " for the AutoScalingGroup."));
  return apply(c, g->min, d, g->max);
}

}  // namespace dr::lab_aws
