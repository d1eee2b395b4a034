#include "backends/aws/aws_fleet.h"

#include <algorithm>

#include "aws/autoscaling.h"
#include "aws/dynamodb.h"
#include "aws/elbv2.h"
#include "backends/aws/client_for.h"
#include "backends/aws/error_map.h"

namespace dr::backends::aws_world {

namespace {

using core::ErrorKind;
using core::fail;

core::Result<dr::aws::AutoScalingGroup> read_group(dr::aws::AutoScaling& asg,
                                                   const AwsRegionTargets& t) {
  auto out = asg.describe_auto_scaling_groups({.auto_scaling_group_names = {t.asg_name}});
  if (!out)
    return std::unexpected(to_core(out.error(), "DescribeAutoScalingGroups in " + t.region));
  for (auto& g : out->auto_scaling_groups)
    if (g.name == t.asg_name) return std::move(g);
  return fail(ErrorKind::kRefused,
              "Auto Scaling group " + t.asg_name + " not found in " + t.region);
}

}  // namespace

std::optional<int> AwsFleet::desired_capacity(const std::string& region) {
  const AwsRegionTargets* t = targets_.find(region);
  if (!t) return std::nullopt;
  auto asg = client_for<dr::aws::AutoScaling>(clients_, region, /*max_attempts=*/1);
  if (!asg) return std::nullopt;
  auto group = read_group(**asg, *t);
  if (!group) return std::nullopt;
  return static_cast<int>(group->desired_capacity);
}

AwsFleet::AwsFleet(AwsTargets targets, ClientConfigFor clients, Pacing pacing, LogFn log)
    : targets_(std::move(targets)),
      clients_(std::move(clients)),
      pacing_(std::move(pacing)),
      log_(std::move(log)) {}

core::Result<> AwsFleet::set_capacity(const std::string& region, int min, int desired, int max) {
  const AwsRegionTargets* t = targets_.find(region);
  if (!t) return fail(ErrorKind::kRefused, "no Auto Scaling group configured for " + region);
  if (min < 0 || desired < min || max < desired)
    return fail(ErrorKind::kRefused, "capacity " + std::to_string(min) +
                                         " <= " + std::to_string(desired) +
                                         " <= " + std::to_string(max) + " does not hold");
  auto asg = client_for<dr::aws::AutoScaling>(clients_, region);
  if (!asg) return std::unexpected(asg.error());
  auto group = read_group(**asg, *t);
  if (!group) return std::unexpected(group.error());
  // Never down: what the group already runs stays (it may be serving the failover's traffic).
  const int64_t want = std::max<int64_t>(desired, group->desired_capacity);
  const int64_t new_max = std::max<int64_t>({max, want, group->max_size});
  if (group->min_size != min || group->max_size != new_max) {
    auto u = (*asg)->update_auto_scaling_group(
        {.auto_scaling_group_name = t->asg_name, .min_size = min, .max_size = new_max});
    if (!u) return std::unexpected(to_core(u.error(), "UpdateAutoScalingGroup " + t->asg_name));
  }
  if (group->desired_capacity != want) {
    auto s = (*asg)->set_desired_capacity({.auto_scaling_group_name = t->asg_name,
                                           .desired_capacity = want,
                                           .honor_cooldown = false});
    if (!s) return std::unexpected(to_core(s.error(), "SetDesiredCapacity " + t->asg_name));
  }
  return wait_serving(*t, want);
}

core::Result<> AwsFleet::wait_serving(const AwsRegionTargets& t, int64_t want) {
  auto asg = client_for<dr::aws::AutoScaling>(clients_, t.region);
  if (!asg) return std::unexpected(asg.error());
  std::unique_ptr<dr::aws::ElasticLoadBalancingV2> elb;
  if (!t.target_group_arn.empty()) {
    auto c = client_for<dr::aws::ElasticLoadBalancingV2>(clients_, t.region);
    if (!c) return std::unexpected(c.error());
    elb = std::move(*c);
  }
  const auto deadline = pacing_.now() + targets_.fleet_deadline;
  std::string last = "not read yet";
  for (;;) {
    auto group = read_group(**asg, t);
    int64_t in_service = group ? group->in_service_healthy() : -1;
    int64_t healthy = -1;
    std::string health_error;
    if (elb) {
      auto h = elb->describe_target_health({.target_group_arn = t.target_group_arn});
      if (h)
        healthy = h->healthy();
      else
        health_error = to_core(h.error(), "DescribeTargetHealth").describe();
    }
    if (in_service >= want && (!elb || healthy >= want)) return {};
    last = (group ? std::to_string(in_service) + " of " + std::to_string(want) +
                        " instances InService and Healthy"
                  : group.error().describe());
    if (elb)
      last += health_error.empty()
                  ? ", " + std::to_string(healthy) + " healthy targets in " + t.target_group_arn
                  : ", " + health_error;
    if (pacing_.now() >= deadline) break;
    pacing_.sleep(targets_.poll_interval);
  }
  return fail(ErrorKind::kTimeout, t.asg_name + " in " + t.region + " not serving within " +
                                       std::to_string(targets_.fleet_deadline.count()) +
                                       " ms: " + last);
}

core::Result<> AwsFleet::write_fence(const dr::aws::FenceRecord& record) {
  // The survivors' replicas first: they answer in a regional outage, and the global table
  // carries the record to the fenced region when it is back. The fenced region's own replica
  // too when it answers, so its apps see it at once.
  std::vector<std::string> order;
  for (const auto& r : targets_.regions)
    if (r.region != record.region) order.push_back(r.region);
  order.push_back(record.region);
  std::optional<core::Error> first_error;
  bool written = false;
  for (const auto& region : order) {
    // Once a survivor holds the record, the fenced region's own replica is best effort: one
    // attempt, so a region that is down costs one failed call, not the retries' backoff (1.7 s
    // of a region outage's RTO in the lab, before the promotion).
    const bool best_effort = written && region == record.region;
    auto ddb = client_for<dr::aws::DynamoDb>(clients_, region, best_effort ? 1 : 0);
    core::Result<> r;
    if (!ddb) {
      r = std::unexpected(ddb.error());
    } else {
      auto put = (*ddb)->put_item(
          dr::aws::fence_put_item(targets_.app_table, targets_.app_table_key, record));
      // A newer record is already there (a later fence or lift): ours must not replace it.
      if (put || dr::aws::is_conditional_check_failed(put.error())) {
        written = true;
        continue;
      }
      r = std::unexpected(to_core(put.error(), "fence record in " + region));
    }
    if (log_)
      log_("fence record for " + record.region + " not written in " + region + ": " +
           r.error().describe());
    if (!first_error) first_error = r.error();
  }
  if (written) return {};
  return std::unexpected(*first_error);
}

void AwsFleet::scale_to_zero(const AwsRegionTargets& t) {
  auto asg = client_for<dr::aws::AutoScaling>(clients_, t.region);
  if (!asg) {
    if (log_) log_("scale " + t.asg_name + " to 0: " + asg.error().describe());
    return;
  }
  auto u = (*asg)->update_auto_scaling_group(
      {.auto_scaling_group_name = t.asg_name, .min_size = 0, .desired_capacity = 0});
  if (!u && log_)
    log_("scale " + t.asg_name + " in " + t.region +
         " to 0 (best effort): " + to_core(u.error(), "UpdateAutoScalingGroup").describe());
}

core::Result<> AwsFleet::fence_apps(const std::string& region, const std::string& reason) {
  const AwsRegionTargets* t = targets_.find(region);
  if (!t) return fail(ErrorKind::kRefused, "region " + region + " is not configured");
  auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(pacing_.wall().time_since_epoch())
          .count();
  if (auto w = write_fence({region, true, reason, now_ms}); !w) return w;
  scale_to_zero(*t);
  return {};
}

core::Result<> AwsFleet::unfence_apps(const std::string& region) {
  if (!targets_.find(region))
    return fail(ErrorKind::kRefused, "region " + region + " is not configured");
  auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(pacing_.wall().time_since_epoch())
          .count();
  return write_fence({region, false, "", now_ms});
}

}  // namespace dr::backends::aws_world
