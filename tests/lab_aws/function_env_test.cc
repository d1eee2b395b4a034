// The lab's function configuration (`drctl lab env --function`): what the real bootstrap reads
// at init must accept it whole, every variable infra/modules/lambda sets must be in it, and it
// names the lab's resources as the lab's AWS endpoint answers to them.
#include "lab_aws/function_env.h"

#include <gtest/gtest.h>

#include <map>

#include "lab_aws/rds_handler.h"
#include "lambda/config.h"

namespace dr::lab_aws {
namespace {

lab::LabState running_lab() {
  lab::LabState s;
  s.phase = "ready";
  s.aws_endpoint_url = "http://127.0.3.27:40001";
  s.alb_urls = {{"us-east-1", "http://127.0.1.41:40002/"},
                {"us-west-2", "http://127.0.2.41:40003"}};
  s.fleets = {{"us-east-1", {1, 3, 4}}, {"us-west-2", {1, 1, 4}}};
  return s;
}

const aws::Credentials kKeys{"AKIALAB", "secret", "", {}, "lab"};

std::map<std::string, std::string> as_map(const FunctionEnv& env) {
  return {env.begin(), env.end()};
}

TEST(LabFunctionEnv, BootstrapsOwnParserAcceptsItWhole) {
  auto env = lab_function_env(running_lab(), kKeys);
  ASSERT_TRUE(env) << env.error();
  auto vars = as_map(*env);
  EXPECT_EQ(vars.size(), env->size()) << "each variable once";
  vars["AWS_LAMBDA_RUNTIME_API"] = "127.0.2.30:9001";  // Lambda's own
  auto config = lambda::parse_config([&](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  });
  ASSERT_TRUE(config) << config.error().describe();
  // Every variable infra/modules/lambda sets, the optional ones too, but the lease table (the
  // lab's Lambda has no write lease) and the four with defaults the drills choose.
  for (const auto& v : lambda::variables()) {
    const std::string name = v.name;
    if (name == "DR_LEASE_TABLE" || name == "DR_SWITCHOVER_LAG_GATE_MS" ||
        name == "DR_CONTROLLER_DEADLINE_MARGIN_MS" || name == "DR_CONTROLLER_FAILURE_THRESHOLD" ||
        name == "DR_CONTROLLER_HEARTBEAT_SECONDS")
      continue;
    EXPECT_TRUE(vars.contains(name)) << name;
  }
  EXPECT_EQ(config->primary_health_url, "http://127.0.1.41:40002/health/deep");
  EXPECT_EQ(config->primary_app_url, "http://127.0.1.41:40002");
  EXPECT_EQ(config->secondary_app_url, "http://127.0.2.41:40003");
  EXPECT_EQ(config->failover_capacity, 3) << "the primary fleet's desired capacity";
  // The lab's timings: the lab path's 250 ms probes, and a promotion re-read as often.
  EXPECT_EQ(config->tick_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(config->aws_poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(config->sns_topic_arns.size(), 2u) << "both regions' topics";
  const RdsNames rds;
  EXPECT_EQ(config->global_cluster_id, rds.global_cluster);
  EXPECT_EQ(config->primary_cluster_arn, rds.cluster_arn("us-east-1"));
  EXPECT_EQ(config->secondary_cluster_arn, rds.cluster_arn("us-west-2"));
  EXPECT_EQ(config->state_table, kLabStateTable);
  EXPECT_EQ(vars["AWS_ENDPOINT_URL"], "http://127.0.3.27:40001");
  EXPECT_EQ(vars["AWS_ACCESS_KEY_ID"], "AKIALAB");
  EXPECT_EQ(vars["AWS_SECRET_ACCESS_KEY"], "secret");
}

TEST(LabFunctionEnv, ALabWithoutItsEndpointOrAnAlbHasNone) {
  auto starting = running_lab();
  starting.aws_endpoint_url.clear();
  starting.phase = "starting";
  auto env = lab_function_env(starting, kKeys);
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().find("no AWS endpoint"), std::string::npos) << env.error();
  auto no_alb = running_lab();
  no_alb.alb_urls.erase("us-west-2");
  env = lab_function_env(no_alb, kKeys);
  ASSERT_FALSE(env);
  EXPECT_NE(env.error().find("us-west-2"), std::string::npos) << env.error();
}

}  // namespace
}  // namespace dr::lab_aws
