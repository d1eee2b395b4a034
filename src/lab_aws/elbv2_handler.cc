#include "lab_aws/elbv2_handler.h"

namespace dr::lab_aws {

namespace {

constexpr const char* kNamespace = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";

}  // namespace

Elbv2Handler::Elbv2Handler(FleetLab& lab, std::string account, std::string prefix)
    : lab_(lab), account_(std::move(account)), prefix_(std::move(prefix)) {}

std::string target_group_arn(const std::string& region, const std::string& account,
                             const std::string& prefix) {
  return "arn:aws:elasticloadbalancing:" + region + ":" + account + ":targetgroup/" + prefix +
         region + "/0000000000000000";
}

std::string Elbv2Handler::target_group_arn(const std::string& region) const {
  return lab_aws::target_group_arn(region, account_, prefix_);
}

QueryService Elbv2Handler::service() {
  QueryService s;
  s.xml_namespace = kNamespace;
  s.actions["DescribeTargetHealth"] = {
      [this](const FormParams& p, const Caller& c, pugi::xml_node r) {
        return describe_target_health(p, c, r);
      }};
  return s;
}

std::expected<void, AwsError> Elbv2Handler::describe_target_health(const FormParams& p,
                                                                   const Caller& c,
                                                                   pugi::xml_node result) {
  auto arn = p.require("TargetGroupArn");
  if (!arn) return std::unexpected(arn.error());
  auto fleets = lab_.fleets();
  if (!fleets) return std::unexpected(internal_failure("the lab's fleets: " + fleets.error()));
  auto fleet = fleets->find(c.region);
  if (*arn != target_group_arn(c.region) || fleet == fleets->end())
    return std::unexpected(
        AwsError{400, "TargetGroupNotFound", "One or more target groups not found"});
  // Targets.member.N.Id: only those (in that order); none: every registered target.
  std::vector<std::string> asked;
  for (int i = 1;; ++i) {
    auto id = p.get("Targets.member." + std::to_string(i) + ".Id");
    if (!id) break;
    asked.push_back(*id);
  }
  auto list = result.append_child("TargetHealthDescriptions");
  auto describe = [&](const std::string& id, const AppInstance* i) {
    auto d = list.append_child("member");
    auto target = d.append_child("Target");
    add_text(target, "Id", id);
    if (i != nullptr) {
      add_int(target, "Port", i->port);
      if (!i->az.empty()) add_text(target, "AvailabilityZone", i->az);
    }
    // The ALB checks each instance on its traffic port (the target group's "traffic-port").
    if (i != nullptr) add_text(d, "HealthCheckPort", std::to_string(i->port));
    auto health = d.append_child("TargetHealth");
    if (i == nullptr) {
      add_text(health, "State", "unused");
      add_text(health, "Reason", "Target.NotRegistered");
      add_text(health, "Description", "Target is not registered to the target group");
    } else if (i->healthy) {
      add_text(health, "State", "healthy");
    } else if (i->launching) {
      add_text(health, "State", "initial");
      add_text(health, "Reason", "Elb.InitialHealthChecking");
      add_text(health, "Description", "Initial health checks in progress");
    } else {
      add_text(health, "State", "unhealthy");
      add_text(health, "Reason", "Target.FailedHealthChecks");
      add_text(health, "Description", "Health checks failed");
    }
  };
  const auto& instances = fleet->second.instances;
  if (asked.empty()) {
    for (const auto& i : instances) describe(i.name, &i);
    return {};
  }
  for (const auto& id : asked) {
    const AppInstance* found = nullptr;
    for (const auto& i : instances)
      if (i.name == id) found = &i;
    describe(id, found);
  }
  return {};
}

}  // namespace dr::lab_aws
