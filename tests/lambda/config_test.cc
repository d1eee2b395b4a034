#include "lambda/config.h"

#include <gtest/gtest.h>

#include "backends/aws/aws_world.h"
#include "lambda/world_factory.h"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace dr::lambda {
namespace {

std::map<std::string, std::string> good_env() {
  return {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
          {"DR_PRIMARY_REGION", "us-east-1"},
          {"DR_SECONDARY_REGION", "us-west-2"},
          {"DR_GLOBAL_CLUSTER_ID", "dr-global"},
          {"DR_PRIMARY_ASG", "dr-use1-app"},
          {"DR_SECONDARY_ASG", "dr-usw2-app"},
          {"DR_FAILOVER_CAPACITY", "4"},
          {"DR_STATE_TABLE", "dr-controller-state"},
          {"DR_SNS_TOPIC_ARNS",
           "arn:aws:sns:us-east-1:123456789012:dr,arn:aws:sns:us-west-2:123456789012:dr"},
          {"DR_DB_SECRET_NAME", "dr/db"},
          {"DR_PRIMARY_HEALTH_URL", "https://alb.example.com/health/deep"},
          {"DR_FORCE_NAMESPACE", "dr-app/failover"},
          {"DR_FORCE_METRIC", "ForceFailover"},
          {"DR_PRIMARY_CLUSTER_ARN", "arn:aws:rds:us-east-1:123456789012:cluster:dr-use1"},
          {"DR_SECONDARY_CLUSTER_ARN", "arn:aws:rds:us-west-2:123456789012:cluster:dr-usw2"},
          {"DR_PRIMARY_APP_URL", "https://alb-use1.example.com"},
          {"DR_SECONDARY_APP_URL", "https://alb-usw2.example.com"},
          {"DR_APP_TABLE", "dr-sessions"},
          {"DR_CONTROLLER_TICK_SECONDS", "10"}};
}

Getenv from(const std::map<std::string, std::string>& env) {
  return [env](const char* name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

TEST(LambdaConfig, ParsesWhatInfraSets) {
  auto c = parse_config(from(good_env()));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->runtime_api, "127.0.0.1:9001");
  EXPECT_EQ(c->secondary_region, "us-west-2");
  EXPECT_EQ(c->failover_capacity, 4);
  ASSERT_EQ(c->sns_topic_arns.size(), 2u);
  EXPECT_EQ(c->sns_topic_arns[1], "arn:aws:sns:us-west-2:123456789012:dr");
  EXPECT_EQ(c->tick_interval, std::chrono::seconds(10));
  EXPECT_EQ(c->deadline_margin, std::chrono::milliseconds(5000));  // the default
  EXPECT_EQ(c->lease_table, "");                                   // optional: no write lease
}

// Sub-second ticks (the lab's 250 ms), whole seconds as before, and the optional poll.
TEST(LambdaConfig, TickTakesDecimalSecondsAndThePollIsOptional) {
  auto env = good_env();
  auto c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->aws_poll_interval, std::chrono::milliseconds(2000));  // the default
  for (const auto& [text, ms] : std::vector<std::pair<std::string, int>>{
           {"0.25", 250}, {"0.1", 100}, {"1.5", 1500}, {"2", 2000}, {"300", 300000}}) {
    env["DR_CONTROLLER_TICK_SECONDS"] = text;
    c = parse_config(from(env));
    ASSERT_TRUE(c) << text << ": " << c.error().describe();
    EXPECT_EQ(c->tick_interval, std::chrono::milliseconds(ms)) << text;
  }
  env["DR_AWS_POLL_MS"] = "250";
  c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->aws_poll_interval, std::chrono::milliseconds(250));
}

// The checkers' threshold reaches the evidence: a drill sizes its blip to it, and a Lambda left
// on core's default of 3 would call a blip sized for 5 an outage and fail over.
TEST(LambdaConfig, TheFailureThresholdReachesTheCheckers) {
  auto env = good_env();
  auto c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->failure_threshold, 3);  // the default
  EXPECT_EQ(backends::aws_world::evidence_options(aws_targets_of(*c), "t").thresholds.failure, 3);
  env["DR_CONTROLLER_FAILURE_THRESHOLD"] = "5";
  c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->failure_threshold, 5);
  EXPECT_EQ(aws_targets_of(*c).thresholds.failure, 5);
  EXPECT_EQ(backends::aws_world::evidence_options(aws_targets_of(*c), "t").thresholds.failure, 5);
}

TEST(LambdaConfig, TheHeartbeatIsOffUnlessAskedFor) {
  auto env = good_env();
  auto c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->heartbeat, std::chrono::milliseconds(0));
  env["DR_CONTROLLER_HEARTBEAT_SECONDS"] = "1.5";
  c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->heartbeat, std::chrono::milliseconds(1500));
}

TEST(LambdaConfig, ReadsTheLeaseTableAndRefusesABadOne) {
  auto env = good_env();
  env["DR_LEASE_TABLE"] = "dr-app-write-lease";
  auto c = parse_config(from(env));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->lease_table, "dr-app-write-lease");
  env["DR_LEASE_TABLE"] = "two words";
  auto bad = parse_config(from(env));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().variable, "DR_LEASE_TABLE");
}

TEST(LambdaConfig, EachMissingRequiredVariableIsNamed) {
  for (const auto& var : variables()) {
    if (!var.required) continue;
    auto env = good_env();
    env.erase(var.name);
    auto c = parse_config(from(env));
    ASSERT_FALSE(c) << var.name;
    EXPECT_EQ(c.error().variable, var.name);
    EXPECT_EQ(c.error().describe(), std::string(var.name) + ": missing");
    env[var.name] = "";  // set but empty is missing too
    c = parse_config(from(env));
    ASSERT_FALSE(c) << var.name;
    EXPECT_EQ(c.error().variable, var.name);
  }
}

TEST(LambdaConfig, BadValuesAreNamedWithWhy) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"AWS_LAMBDA_RUNTIME_API", "no-port"},
      {"AWS_LAMBDA_RUNTIME_API", "host:99999"},
      {"DR_PRIMARY_REGION", "US-EAST-1"},
      {"DR_SECONDARY_REGION", "us-east-1"},  // same as the primary
      {"DR_GLOBAL_CLUSTER_ID", "has space"},
      {"DR_FAILOVER_CAPACITY", "0"},
      {"DR_FAILOVER_CAPACITY", "4x"},
      {"DR_SNS_TOPIC_ARNS", "arn:aws:sns:us-east-1:1:dr,"},
      {"DR_SNS_TOPIC_ARNS", "topic"},
      {"DR_PRIMARY_HEALTH_URL", "ftp://x/health"},
      {"DR_CONTROLLER_TICK_SECONDS", "0"},
      {"DR_CONTROLLER_TICK_SECONDS", "ten"},
      {"DR_CONTROLLER_TICK_SECONDS", "0.05"},    // under 0.1 s
      {"DR_CONTROLLER_TICK_SECONDS", "0.2500"},  // finer than a millisecond
      {"DR_CONTROLLER_TICK_SECONDS", ".5"},
      {"DR_CONTROLLER_TICK_SECONDS", "1."},
      {"DR_CONTROLLER_TICK_SECONDS", "-1"},
      {"DR_CONTROLLER_TICK_SECONDS", "1e1"},
      {"DR_CONTROLLER_TICK_SECONDS", "300.001"},
      {"DR_CONTROLLER_FAILURE_THRESHOLD", "0"},
      {"DR_CONTROLLER_FAILURE_THRESHOLD", "21"},
      {"DR_CONTROLLER_FAILURE_THRESHOLD", "three"},
      {"DR_AWS_POLL_MS", "99"},
      {"DR_AWS_POLL_MS", "2s"},
      {"DR_CONTROLLER_DEADLINE_MARGIN_MS", "5"},
      {"DR_CONTROLLER_HEARTBEAT_SECONDS", "-1"},
      {"DR_CONTROLLER_HEARTBEAT_SECONDS", "3600.001"},
      {"DR_CONTROLLER_HEARTBEAT_SECONDS", "1m"},
      {"DR_PRIMARY_CLUSTER_ARN", "arn:aws:rds:us-east-1:1:db:instance-1"},  // not a cluster
      {"DR_SECONDARY_APP_URL", "alb.example.com"},
      {"DR_PRIMARY_TARGET_GROUP_ARN", "tg-1"},
      {"DR_SWITCHOVER_LAG_GATE_MS", "-1"},
  };
  for (const auto& [name, value] : bad) {
    auto env = good_env();
    env[name] = value;
    auto c = parse_config(from(env));
    ASSERT_FALSE(c) << name << "=" << value;
    EXPECT_EQ(c.error().variable, name) << value;
    EXPECT_FALSE(c.error().message.empty());
  }
}

// The table and infra/modules/lambda agree: every variable the function's environment block sets
// is read, and every required DR_ variable is set there (a rename on either side fails here).
TEST(LambdaConfig, TableMatchesInfraModule) {
  std::ifstream in(std::string(DR_SOURCE_DIR) + "/infra/modules/lambda/main.tf");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  std::string tf = text.str();
  auto block = tf.find("environment {");
  ASSERT_NE(block, std::string::npos);
  auto end = tf.find("\n  }\n", block);
  std::string env_block = tf.substr(block, end - block);
  std::set<std::string> in_infra;
  std::regex assignment(R"(\n\s*([A-Z][A-Z0-9_]+)\s*=)");
  for (std::sregex_iterator it(env_block.begin(), env_block.end(), assignment), stop; it != stop;
       ++it)
    in_infra.insert((*it)[1]);
  ASSERT_GE(in_infra.size(), 10u);
  std::set<std::string> in_table;
  for (const auto& var : variables()) {
    in_table.insert(var.name);
    if (var.required && std::string_view(var.name).starts_with("DR_")) {
      EXPECT_TRUE(in_infra.contains(var.name)) << var.name << " is not set by infra/";
    }
  }
  for (const auto& name : in_infra)
    EXPECT_TRUE(in_table.contains(name)) << name << " is set by infra/ but not read";
}

// docs/lambda.md lists the same table.
TEST(LambdaConfig, DocsListEveryVariable) {
  std::ifstream in(std::string(DR_SOURCE_DIR) + "/docs/lambda.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  for (const auto& var : variables())
    EXPECT_NE(text.str().find("| `" + std::string(var.name) + "` |"), std::string::npos)
        << var.name;
}

// ---- The witness (handler "witness", infra/modules/witness) ----

std::map<std::string, std::string> witness_env() {
  return {{"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"},
          {"AWS_REGION", "us-east-2"},
          {"DR_PRIMARY_REGION", "us-east-1"},
          {"DR_SECONDARY_REGION", "us-west-2"},
          {"DR_GLOBAL_CLUSTER_ID", "dr-global"},
          {"DR_STATE_TABLE", "dr-controller-state"},
          {"DR_PRIMARY_APP_URL", "https://alb-use1.example.com"},
          {"DR_SECONDARY_APP_URL", "https://alb-usw2.example.com"},
          {"DR_WITNESS_TICK_SECONDS", "10"}};
}

TEST(LambdaWitnessConfig, ParsesWhatInfraSets) {
  auto c = parse_witness_config(from(witness_env()));
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->witness_region, "us-east-2");
  EXPECT_EQ(c->secondary_region, "us-west-2");
  EXPECT_EQ(c->state_table, "dr-controller-state");
  EXPECT_EQ(c->primary_app_url, "https://alb-use1.example.com");
  EXPECT_EQ(c->tick_interval, std::chrono::seconds(10));
  EXPECT_EQ(c->deadline_margin, std::chrono::milliseconds(5000));  // the default
}

TEST(LambdaWitnessConfig, EachMissingOrBadVariableIsNamed) {
  for (const auto& var : witness_variables()) {
    if (!var.required) continue;
    auto env = witness_env();
    env.erase(var.name);
    auto c = parse_witness_config(from(env));
    ASSERT_FALSE(c) << var.name;
    EXPECT_EQ(c.error().describe(), std::string(var.name) + ": missing");
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"AWS_REGION", "us-east-1"},  // the primary's: it would share the outage it judges
      {"AWS_REGION", "us-west-2"},  // the controller's: its view again, not a second one
      {"AWS_REGION", "Ohio"},           {"DR_SECONDARY_REGION", "us-east-1"},
      {"DR_STATE_TABLE", "two words"},  {"DR_PRIMARY_APP_URL", "alb.example.com"},
      {"DR_WITNESS_TICK_SECONDS", "0"}, {"DR_WITNESS_DEADLINE_MARGIN_MS", "5"},
  };
  for (const auto& [name, value] : bad) {
    auto env = witness_env();
    env[name] = value;
    auto c = parse_witness_config(from(env));
    ASSERT_FALSE(c) << name << "=" << value;
    EXPECT_EQ(c.error().variable, name) << value;
  }
  auto env = witness_env();
  env["AWS_REGION"] = "us-east-1";
  EXPECT_NE(parse_witness_config(from(env)).error().message.find("third region"),
            std::string::npos);
}

TEST(LambdaRole, TheHandlerSaysWhichProgramRuns) {
  EXPECT_EQ(parse_role(from({})), Role::kController) << "unset: run by hand";
  EXPECT_EQ(parse_role(from({{"_HANDLER", "bootstrap"}})), Role::kController);
  EXPECT_EQ(parse_role(from({{"_HANDLER", "witness"}})), Role::kWitness);
  auto bad = parse_role(from({{"_HANDLER", "index.handler"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().variable, "_HANDLER");
  EXPECT_NE(bad.error().message.find("index.handler"), std::string::npos);
}

// The variables an infra module's function environment block sets.
std::set<std::string> infra_environment(const std::string& module) {
  std::ifstream in(std::string(DR_SOURCE_DIR) + "/infra/modules/" + module + "/main.tf");
  EXPECT_TRUE(in) << module;
  std::stringstream text;
  text << in.rdbuf();
  std::string tf = text.str();
  auto block = tf.find("environment {");
  EXPECT_NE(block, std::string::npos) << module;
  if (block == std::string::npos) return {};
  auto end = tf.find("\n  }\n", block);
  std::string env_block = tf.substr(block, end - block);
  std::set<std::string> names;
  std::regex assignment(R"(\n\s*([A-Z][A-Z0-9_]+)\s*=)");
  for (std::sregex_iterator it(env_block.begin(), env_block.end(), assignment), stop; it != stop;
       ++it)
    names.insert((*it)[1]);
  return names;
}

TEST(LambdaWitnessConfig, TableMatchesInfraModule) {
  auto in_infra = infra_environment("witness");
  ASSERT_GE(in_infra.size(), 6u);
  std::set<std::string> in_table;
  for (const auto& var : witness_variables()) {
    in_table.insert(var.name);
    if (var.required && std::string_view(var.name).starts_with("DR_")) {
      EXPECT_TRUE(in_infra.contains(var.name)) << var.name << " is not set by infra/";
    }
  }
  for (const auto& name : in_infra)
    EXPECT_TRUE(in_table.contains(name)) << name << " is set by infra/ but not read";
}

TEST(LambdaWitnessConfig, DocsListEveryVariable) {
  std::ifstream in(std::string(DR_SOURCE_DIR) + "/docs/lambda.md");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  const auto witness = text.str().find("## The witness");
  ASSERT_NE(witness, std::string::npos);
  for (const auto& var : witness_variables())
    EXPECT_NE(text.str().find("| `" + std::string(var.name) + "` |", witness), std::string::npos)
        << var.name;
}

}  // namespace
}  // namespace dr::lambda
