// `drctl aws status` as an operator meets it before anything is configured: every missing
// variable named at once, a bad --env-file refused, both with exit 2 and nothing called. (What it
// reads is tested against moto in aws_moto_test.cc.)
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "aws/dynamodb.h"
#include "aws/rest_xml_protocol.h"
#include "aws/route53.h"
#include "backends/aws_test_support.h"
#include "backends/controller_store.h"
#include "backends/moto_server.h"
#include "lab/process.h"
#include "lab/temp_dir.h"

namespace {

using namespace std::chrono_literals;

struct Run {
  int code = -1;
  std::string output;
};

Run drctl(const dr::testing::TempDir& tmp, std::vector<std::string> args, int n,
          std::vector<std::pair<std::string, std::string>> env = {}) {
  dr::lab::SpawnOptions spawn;
  spawn.argv = {DRCTL_BINARY};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.log_file = tmp / ("drctl-" + std::to_string(n) + ".log");
  spawn.die_with_parent = true;
  // Nothing of the machine's AWS setup may leak in, nor any AWS be reached.
  spawn.env = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
               {"AWS_CONFIG_FILE", "/dev/null"},
               {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}};
  spawn.env.insert(spawn.env.end(), env.begin(), env.end());
  auto p = dr::lab::Process::spawn(spawn);
  if (!p) return {-1, p.error().describe()};
  auto code = p->wait(30s);
  std::ifstream in(spawn.log_file);
  std::stringstream text;
  text << in.rdbuf();
  if (!code) {
    (void)p->kill();
    return {-1, "hung: " + text.str()};
  }
  return {*code, text.str()};
}

TEST(DrctlAws, StatusWithoutConfigurationNamesEveryMissingVariable) {
  dr::testing::TempDir tmp{"dr-drctl-aws"};
  auto r = drctl(tmp, {"aws", "status"}, 1);
  EXPECT_EQ(r.code, 2) << r.output;
  for (const char* name : {"DR_PRIMARY_REGION", "DR_GLOBAL_CLUSTER_ID", "DR_APP_TABLE"})
    EXPECT_NE(r.output.find(name), std::string::npos) << r.output;

  auto json = drctl(tmp, {"aws", "status", "--json"}, 2);
  EXPECT_EQ(json.code, 2) << json.output;
  auto parsed = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << json.output;
  EXPECT_NE(parsed.value("error", "").find("DR_PRIMARY_REGION"), std::string::npos);
}

TEST(DrctlAws, ABadEnvFileIsRefusedNamingIt) {
  dr::testing::TempDir tmp{"dr-drctl-aws"};
  const auto file = tmp / "outputs.json";
  std::ofstream(file) << R"({"DR_PRIMARY_REGION": 1})";
  auto r = drctl(tmp, {"aws", "status", "--env-file", file.string()}, 3);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("DR_PRIMARY_REGION is not a string"), std::string::npos) << r.output;
  std::ofstream(file, std::ios::trunc) << "[1, 2]";
  r = drctl(tmp, {"aws", "status", "--env-file", file.string()}, 4);
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("controller_environment"), std::string::npos) << r.output;
  r = drctl(tmp, {"aws", "status", "--env-file", (tmp / "missing.json").string()}, 5);
  EXPECT_EQ(r.code, 2) << r.output;
}

// The controller's environment (infra's controller_environment) for global cluster `id` over
// `t`'s clusters, with the state in `table`, as an --env-file in `tmp`: its path.
std::string write_env_file(const dr::testing::TempDir& tmp, const std::string& name,
                           const std::string& id, const dr::backends::aws_world::AwsTargets& t,
                           const std::string& table) {
  auto arn = [&](const std::string& region) {
    for (const auto& r : t.regions)
      if (r.region == region) return r.cluster_arn;
    return std::string();
  };
  const nlohmann::json env = {{"DR_PRIMARY_REGION", "us-east-1"},
                              {"DR_SECONDARY_REGION", "us-west-2"},
                              {"DR_GLOBAL_CLUSTER_ID", id},
                              {"DR_PRIMARY_CLUSTER_ARN", arn("us-east-1")},
                              {"DR_SECONDARY_CLUSTER_ARN", arn("us-west-2")},
                              {"DR_PRIMARY_ASG", "asg-east"},
                              {"DR_SECONDARY_ASG", "asg-west"},
                              {"DR_PRIMARY_APP_URL", "http://127.0.0.1:1"},
                              {"DR_SECONDARY_APP_URL", "http://127.0.0.1:1"},
                              {"DR_APP_TABLE", "sessions"},
                              {"DR_SNS_TOPIC_ARNS", "arn:aws:sns:us-west-2:123456789012:t"},
                              {"DR_FORCE_NAMESPACE", "DrApp/Failover"},
                              {"DR_FORCE_METRIC", "ForcePrimaryUnhealthy"},
                              {"DR_STATE_TABLE", table}};
  const auto file = tmp / name;
  std::ofstream(file) << env.dump();
  return file.string();
}

// drctl against moto with the controller's environment from `env_file` and moto's keys.
Run drctl_on_moto(const dr::testing::TempDir& tmp, const std::string& env_file,
                  std::vector<std::string> args, int n) {
  args.insert(args.end(),
              {"--env-file", env_file, "--endpoint-url", dr::test::MotoServer::get().url()});
  return drctl(tmp, args, n,
               {{"AWS_ACCESS_KEY_ID", "testing"}, {"AWS_SECRET_ACCESS_KEY", "testing"}});
}

// The operator's guards on AWS, in the controller's state table (moto's DynamoDB).
TEST(DrctlAws, AckAndAutomaticFailoverChangeTheControllersGuards) {
  auto& moto = dr::test::MotoServer::get();
  if (!moto.available()) GTEST_SKIP() << moto.why();
  dr::testing::TempDir tmp{"dr-drctl-aws"};
  const std::string table = "dr-controller-" + std::to_string(::getpid());
  dr::aws::DynamoDb ddb(dr::test::loopback_config(moto.url(), "us-west-2"));
  dr::backends::ControllerStore store(ddb, table);
  ASSERT_TRUE(store.ensure_table());
  const auto file = tmp / "outputs.json";
  std::ofstream(file) << nlohmann::json{
      {"controller_environment",
       {{"value", {{"DR_SECONDARY_REGION", "us-west-2"}, {"DR_STATE_TABLE", table}}}}}};
  auto run = [&](std::vector<std::string> args, int n) {
    return drctl_on_moto(tmp, file.string(), std::move(args), n);
  };

  auto off = run({"aws", "automatic-failover", "off"}, 10);
  ASSERT_EQ(off.code, 0) << off.output;
  auto guards = store.load_guards();
  ASSERT_TRUE(guards) << guards.error();
  EXPECT_FALSE(guards->automatic_failover_enabled);
  ASSERT_EQ(run({"aws", "automatic-failover", "on"}, 11).code, 0);
  EXPECT_TRUE(store.load_guards()->automatic_failover_enabled);

  ASSERT_TRUE(store.require_ack("fo-7"));
  auto typo = run({"aws", "ack", "fo-8"}, 12);
  EXPECT_EQ(typo.code, 1) << "a typo must not re-arm automatic failover: " << typo.output;
  EXPECT_EQ(store.load_guards()->unacknowledged_failover, "fo-7");
  auto ack = run({"aws", "ack", "fo-7", "--json"}, 13);
  ASSERT_EQ(ack.code, 0) << ack.output;
  EXPECT_EQ(nlohmann::json::parse(ack.output, nullptr, false).value("acknowledged", ""), "fo-7");
  EXPECT_FALSE(store.load_guards()->unacknowledged_failover.has_value());

  auto missing = drctl(tmp, {"aws", "ack", "fo-7"}, 14,
                       {{"AWS_ACCESS_KEY_ID", "testing"}, {"AWS_SECRET_ACCESS_KEY", "testing"}});
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find("DR_STATE_TABLE"), std::string::npos) << missing.output;
}

// Route 53's health checks in `drctl aws status`, as `terraform output -json` names them
// (route53_health_checks): each read through Route 53's API (moto's answers are canned: one
// checker, Success), one that does not exist shown with its error while the rest still shows; a
// hostile DR_ROUTE53_HEALTH_CHECKS is refused before anything is called.
TEST(DrctlAws, StatusShowsTheRoute53HealthChecksTerraformNamed) {
  auto& moto = dr::test::MotoServer::get();
  if (!moto.available()) GTEST_SKIP() << moto.why();
  dr::testing::TempDir tmp{"dr-drctl-aws-r53"};
  dr::aws::ServiceClient r53(dr::aws::Route53::service(),
                             dr::test::loopback_config(moto.url(), "us-east-1"));
  auto created = r53.send(
      dr::aws::rest_xml_request(
          "POST", "/2013-04-01/healthcheck",
          "<CreateHealthCheckRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">"
          "<CallerReference>dr-" +
              std::to_string(::getpid()) +
              "</CallerReference><HealthCheckConfig><IPAddress>10.0.0.1</IPAddress>"
              "<Port>443</Port><Type>HTTPS</Type><ResourcePath>/health/deep</ResourcePath>"
              "<RequestInterval>10</RequestInterval><FailureThreshold>3</FailureThreshold>"
              "</HealthCheckConfig></CreateHealthCheckRequest>"),
      dr::aws::parse_rest_xml_error);
  ASSERT_TRUE(created) << created.error();
  const auto& body = created->body;
  const auto open = body.find("<Id>");
  ASSERT_NE(open, std::string::npos) << body;
  const std::string id = body.substr(open + 4, body.find("</Id>", open) - open - 4);

  auto targets = dr::test::two_region_targets();
  const std::string global = "dr-r53-" + std::to_string(::getpid());
  ASSERT_NO_FATAL_FAILURE(dr::test::moto_global_cluster(moto.url(), targets, global));
  const auto env_file = write_env_file(tmp, "env.json", global, targets, "");
  std::ifstream in(env_file);
  const auto env = nlohmann::json::parse(in);
  const auto file = tmp / "outputs.json";
  std::ofstream(file) << nlohmann::json{
      {"controller_environment", {{"value", env}}},
      {"route53_health_checks",
       {{"value", {{"primary_alb", id}, {"secondary_alb", "no-such-check"}}}}}};

  auto r = drctl_on_moto(tmp, file.string(), {"aws", "status", "--json"}, 30);
  ASSERT_EQ(r.code, 0) << r.output;
  auto out = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.output;
  const auto& checks = out["route53_health_checks"];
  ASSERT_EQ(checks.size(), 2u) << out.dump(2);
  EXPECT_EQ(checks[0]["name"], "primary_alb");
  EXPECT_EQ(checks[0]["id"], id);
  EXPECT_EQ(checks[0]["healthy"], true) << checks[0];
  EXPECT_EQ(checks[0]["checkers"], 1) << checks[0];
  EXPECT_EQ(checks[1]["name"], "secondary_alb");
  EXPECT_TRUE(checks[1]["healthy"].is_null()) << checks[1];
  EXPECT_NE(checks[1]["error"].get<std::string>().find("NoSuchHealthCheck"), std::string::npos)
      << checks[1];

  auto table = drctl_on_moto(tmp, file.string(), {"aws", "status"}, 31);
  ASSERT_EQ(table.code, 0) << table.output;
  EXPECT_NE(table.output.find("primary_alb"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("healthy"), std::string::npos) << table.output;

  auto hostile = drctl(tmp, {"aws", "status", "--env-file", env_file}, 32,
                       {{"DR_ROUTE53_HEALTH_CHECKS", "x=../../hostedzone"}});
  EXPECT_EQ(hostile.code, 2) << hostile.output;
  EXPECT_NE(hostile.output.find("is not a health check ID"), std::string::npos) << hostile.output;
}

// The operator's moves on AWS run the controller's own plans over the AWS world, against moto:
// a switchover whose lag is unknown and a failover from a writer that still answers are refused
// with nothing changed (no runbook saved).
TEST(DrctlAws, SwitchoverAndFailoverRefuseWhatTheLabRefusesAndChangeNothing) {
  auto& moto = dr::test::MotoServer::get();
  if (!moto.available()) GTEST_SKIP() << moto.why();
  dr::testing::TempDir tmp{"dr-drctl-aws"};
  auto targets = dr::test::two_region_targets();
  const std::string id = "dr-move-" + std::to_string(::getpid());
  ASSERT_NO_FATAL_FAILURE(dr::test::moto_global_cluster(moto.url(), targets, id));
  const std::string table = "dr-controller-move-" + std::to_string(::getpid());
  dr::aws::DynamoDb ddb(dr::test::loopback_config(moto.url(), "us-west-2"));
  dr::backends::ControllerStore store(ddb, table);
  ASSERT_TRUE(store.ensure_table());
  const auto file = write_env_file(tmp, "env.json", id, targets, table);
  auto run = [&](std::vector<std::string> args, int n) {
    return drctl_on_moto(tmp, file, std::move(args), n);
  };

  auto so = run({"aws", "switchover", "--to", "us-west-2"}, 20);
  EXPECT_EQ(so.code, 1) << so.output;
  EXPECT_NE(so.output.find("switchover refused, nothing changed"), std::string::npos) << so.output;
  auto fo = run({"aws", "failover", "--to", "us-west-2"}, 21);
  EXPECT_EQ(fo.code, 1) << fo.output;
  EXPECT_NE(fo.output.find("answers"), std::string::npos)
      << "the writer is available: " << fo.output;
  EXPECT_NE(fo.output.find("`drctl aws switchover --to us-west-2`"), std::string::npos)
      << "the refusal names the AWS command: " << fo.output;
  auto nowhere = run({"aws", "failover", "--to", "us-east-1"}, 22);
  EXPECT_EQ(nowhere.code, 1) << "the writer is already there: " << nowhere.output;
  auto runbook = store.load_runbook();
  ASSERT_TRUE(runbook) << runbook.error();
  EXPECT_FALSE(runbook->has_value()) << "a refused move saves no runbook";
}

// drctl aws failback is a switchover home: with the writer home it changes nothing (twice is
// safe); with the writer away it goes home only behind the lag gate, so with no lag reported (moto
// publishes none) it refuses and saves no runbook.
TEST(DrctlAws, FailbackIsANoOpAtHomeAndGoesHomeOnlyBehindTheLagGate) {
  auto& moto = dr::test::MotoServer::get();
  if (!moto.available()) GTEST_SKIP() << moto.why();
  dr::testing::TempDir tmp{"dr-drctl-aws-fb"};
  const std::string table = "dr-controller-fb-" + std::to_string(::getpid());
  dr::aws::DynamoDb ddb(dr::test::loopback_config(moto.url(), "us-west-2"));
  dr::backends::ControllerStore store(ddb, table);
  ASSERT_TRUE(store.ensure_table());
  // Two global clusters: one whose writer is home (us-east-1), one whose writer failed away to
  // us-west-2 (created there first, as after a failover). Home is us-east-1 for both.
  auto home = dr::test::two_region_targets();
  const std::string home_id = "dr-fb-home-" + std::to_string(::getpid());
  ASSERT_NO_FATAL_FAILURE(dr::test::moto_global_cluster(moto.url(), home, home_id));
  auto away = dr::test::two_region_targets();
  std::swap(away.regions[0], away.regions[1]);
  away.primary_region = "us-west-2";
  const std::string away_id = "dr-fb-away-" + std::to_string(::getpid());
  ASSERT_NO_FATAL_FAILURE(dr::test::moto_global_cluster(moto.url(), away, away_id));
  const auto home_env = write_env_file(tmp, "home.json", home_id, home, table);
  const auto away_env = write_env_file(tmp, "away.json", away_id, away, table);
  auto run = [&](const std::string& file, std::vector<std::string> args, int n) {
    return drctl_on_moto(tmp, file, std::move(args), n);
  };

  for (int n : {30, 31}) {
    auto at_home = run(home_env, {"aws", "failback"}, n);
    EXPECT_EQ(at_home.code, 0) << at_home.output;
    EXPECT_NE(at_home.output.find("nothing to fail back"), std::string::npos) << at_home.output;
  }
  auto json = run(home_env, {"aws", "failback", "--json"}, 32);
  ASSERT_EQ(json.code, 0) << json.output;
  auto parsed = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << json.output;
  EXPECT_EQ(parsed.value("changed", true), false) << json.output;
  EXPECT_EQ(parsed.value("region", ""), "us-east-1") << json.output;

  auto gated = run(away_env, {"aws", "failback"}, 33);
  EXPECT_EQ(gated.code, 1) << gated.output;
  EXPECT_NE(gated.output.find("failback refused, nothing changed"), std::string::npos)
      << "the writer is in us-west-2 and no lag is known: " << gated.output;
  auto runbook = store.load_runbook();
  ASSERT_TRUE(runbook) << runbook.error();
  EXPECT_FALSE(runbook->has_value()) << "no failback ran, so no runbook is saved";
}

}  // namespace
