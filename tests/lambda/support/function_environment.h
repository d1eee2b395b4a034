// The environment infra/modules/lambda gives the controller function (its DR_* block), with
// placeholder values that reach nothing: one copy for every test and benchmark that runs the real
// `bootstrap` (it drifted once when each had its own). Callers add where AWS is
// (AWS_ENDPOINT_URL..., keys) and, for a bootstrap of their own, AWS_LAMBDA_RUNTIME_API.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dr::test {

inline std::vector<std::pair<std::string, std::string>> function_environment() {
  return {{"DR_PRIMARY_REGION", "us-east-1"},
          {"DR_SECONDARY_REGION", "us-west-2"},
          {"DR_GLOBAL_CLUSTER_ID", "dr-global"},
          {"DR_PRIMARY_ASG", "dr-use1-app"},
          {"DR_SECONDARY_ASG", "dr-usw2-app"},
          {"DR_FAILOVER_CAPACITY", "2"},
          {"DR_STATE_TABLE", "dr-controller-state"},
          {"DR_SNS_TOPIC_ARNS", "arn:aws:sns:us-west-2:123456789012:dr"},
          {"DR_DB_SECRET_NAME", "dr/db"},
          {"DR_PRIMARY_HEALTH_URL", "https://127.0.0.1:1/health/deep"},
          {"DR_FORCE_NAMESPACE", "dr-app/failover"},
          {"DR_FORCE_METRIC", "ForceFailover"},
          {"DR_CONTROLLER_TICK_SECONDS", "1"},
          {"DR_CONTROLLER_DEADLINE_MARGIN_MS", "1000"},
          {"DR_PRIMARY_CLUSTER_ARN", "arn:aws:rds:us-east-1:123456789012:cluster:dr-use1"},
          {"DR_SECONDARY_CLUSTER_ARN", "arn:aws:rds:us-west-2:123456789012:cluster:dr-usw2"},
          {"DR_PRIMARY_APP_URL", "http://127.0.0.1:1"},
          {"DR_SECONDARY_APP_URL", "http://127.0.0.1:1"},
          {"DR_APP_TABLE", "dr-sessions"}};
}

}  // namespace dr::test
