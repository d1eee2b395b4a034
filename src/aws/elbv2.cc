#include "aws/elbv2.h"

namespace dr::aws {

namespace {

Result<DescribeTargetHealthOutput> read_describe_target_health(QueryResponse raw) {
  XmlReader r(raw.result, "DescribeTargetHealthResult");
  DescribeTargetHealthOutput out;
  r.each("TargetHealthDescriptions", "member", [&](XmlReader d) {
    TargetHealthDescription t;
    XmlReader target = d.child("Target");
    target.require("Id");
    t.target = {target.str("Id"), target.opt_integer("Port"), target.opt_str("AvailabilityZone")};
    t.health_check_port = d.str("HealthCheckPort");
    XmlReader health = d.child("TargetHealth");
    t.state = health.str("State");
    t.reason = health.str("Reason");
    t.description = health.str("Description");
    out.target_health_descriptions.push_back(std::move(t));
  });
  out.raw = std::move(raw);
  if (const auto& e = r.error()) return std::unexpected(*e);
  return out;
}

}  // namespace

int64_t DescribeTargetHealthOutput::healthy() const {
  int64_t n = 0;
  for (const auto& t : target_health_descriptions)
    if (t.state == "healthy") ++n;
  return n;
}

ServiceInfo ElasticLoadBalancingV2::service() {
  return {"elasticloadbalancing", "elasticloadbalancing", false};
}

const QueryProtocol& ElasticLoadBalancingV2::protocol() {
  static const QueryProtocol p{"2015-12-01"};
  return p;
}

ElasticLoadBalancingV2::ElasticLoadBalancingV2(ClientConfig config)
    : client_(service(), std::move(config)) {}

QueryParams ElasticLoadBalancingV2::describe_target_health_params(
    const DescribeTargetHealthInput& in) {
  QueryParams p;
  p.add("TargetGroupArn", in.target_group_arn);
  for (size_t i = 0; i < in.targets.size(); ++i) {
    std::string prefix = "Targets.member." + std::to_string(i + 1);
    p.add(prefix + ".Id", in.targets[i].id);
    p.maybe_add_int(prefix + ".Port", in.targets[i].port);
    p.maybe_add(prefix + ".AvailabilityZone", in.targets[i].availability_zone);
  }
  return p;
}

Result<DescribeTargetHealthOutput> ElasticLoadBalancingV2::parse_describe_target_health(
    std::string_view body) {
  return then(parse_query_response(body, "DescribeTargetHealth", true),
              read_describe_target_health);
}

Result<DescribeTargetHealthOutput> ElasticLoadBalancingV2::describe_target_health(
    const DescribeTargetHealthInput& in) {
  if (in.target_group_arn.empty())
    return std::unexpected(
        Error::invalid_argument("DescribeTargetHealth: TargetGroupArn is empty"));
  return then(query_call(client_, protocol(), "DescribeTargetHealth",
                         describe_target_health_params(in), true),
              read_describe_target_health);
}

}  // namespace dr::aws
