// Elastic Load Balancing v2 (query protocol, API 2015-12-01, endpoint prefix
// "elasticloadbalancing"): only DescribeTargetHealth, how the controller knows the standby's
// instances not only run but pass the ALB's own health checks before it sends traffic there.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/client.h"
#include "aws/query_protocol.h"

namespace dr::aws {

struct TargetDescription {
  std::string id;  // an instance id, an IP address or a Lambda ARN
  std::optional<int64_t> port = std::nullopt;
  std::optional<std::string> availability_zone = std::nullopt;
};

struct DescribeTargetHealthInput {
  std::string target_group_arn;
  std::vector<TargetDescription> targets = {};  // empty: every registered target
};

struct TargetHealthDescription {
  TargetDescription target;
  std::string health_check_port;
  std::string state;  // initial | healthy | unhealthy | unused | draining | unavailable
  std::string reason;
  std::string description;
};

struct DescribeTargetHealthOutput {
  std::vector<TargetHealthDescription> target_health_descriptions;
  QueryResponse raw;

  int64_t healthy() const;  // targets whose state is "healthy"
};

class ElasticLoadBalancingV2 {
 public:
  explicit ElasticLoadBalancingV2(ClientConfig config);

  Result<DescribeTargetHealthOutput> describe_target_health(const DescribeTargetHealthInput& input);

  static ServiceInfo service();
  static const QueryProtocol& protocol();
  ServiceClient& client() { return client_; }

  static QueryParams describe_target_health_params(const DescribeTargetHealthInput& input);
  static Result<DescribeTargetHealthOutput> parse_describe_target_health(std::string_view body);

 private:
  ServiceClient client_;
};

}  // namespace dr::aws
