// The AWS backends' pure parts: how an aws::Error reads to the runbook (one table), the
// configuration from infra's environment block, the fence record's item, the notification's
// Publish input, and where a global cluster stands.
#include <gtest/gtest.h>

#include <map>

#include "aws/autoscaling.h"
#include "aws/fence_record.h"
#include "aws/rds.h"
#include "aws/support/scoped_env.h"
#include "backends/aws/aws_fleet.h"
#include "backends/aws/aws_global_database.h"
#include "backends/aws/aws_notifier.h"
#include "backends/aws/aws_ports.h"
#include "backends/aws/aws_targets.h"
#include "backends/aws/error_map.h"
#include "backends/aws_test_support.h"

namespace dr::backends::aws_world {
namespace {

using core::ErrorKind;
namespace a = dr::aws;

TEST(AwsErrorMap, EveryClientOutcomeTellsTheRunbookWhatToDo) {
  struct Row {
    a::Error error;
    ErrorKind expected;
  };
  const Row rows[] = {
      {a::Error::not_sent("connect refused"), ErrorKind::kUnreachable},
      {a::Error::outcome_unknown("read timed out"), ErrorKind::kOutcomeUnknown},
      {a::Error::parse("truncated XML"), ErrorKind::kOutcomeUnknown},
      {a::Error::credentials("no credentials"), ErrorKind::kRefused},
      {a::Error::invalid_argument("empty name"), ErrorKind::kRefused},
      {a::Error::service(400, "InvalidGlobalClusterStateFault", "busy"), ErrorKind::kRefused},
      {a::Error::service(404, "GlobalClusterNotFoundFault", "no"), ErrorKind::kRefused},
      {a::Error::service(403, "AccessDenied", "no"), ErrorKind::kRefused},
      {a::Error::service(400, "ThrottlingException", "slow down"), ErrorKind::kUnreachable},
      {a::Error::service(400, "Throttling", "slow down"), ErrorKind::kUnreachable},
      {a::Error::service(429, "TooManyRequests", "slow down"), ErrorKind::kUnreachable},
      {a::Error::service(500, "InternalFailure", "oops"), ErrorKind::kOutcomeUnknown},
      {a::Error::service(503, "ServiceUnavailable", "oops"), ErrorKind::kOutcomeUnknown},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(core_kind(row.error), row.expected) << row.error;
    core::Error e = to_core(row.error, "FailoverGlobalCluster in us-west-2");
    EXPECT_EQ(e.kind, row.expected);
    EXPECT_EQ(e.message.rfind("FailoverGlobalCluster in us-west-2: ", 0), 0u) << e.message;
    EXPECT_NE(e.message.find(row.error.code), std::string::npos) << e.message;
  }
}

std::map<std::string, std::string> full_env() {
  return {
      {"DR_PRIMARY_REGION", "us-east-1"},
      {"DR_SECONDARY_REGION", "us-west-2"},
      {"DR_GLOBAL_CLUSTER_ID", "dr-app-global"},
      {"DR_PRIMARY_ASG", "dr-app-use1"},
      {"DR_SECONDARY_ASG", "dr-app-usw2"},
      {"DR_SNS_TOPIC_ARNS",
       "arn:aws:sns:us-east-1:1:dr-app-events,arn:aws:sns:us-west-2:1:dr-app-events"},
      {"DR_FORCE_NAMESPACE", "DrApp/Failover"},
      {"DR_FORCE_METRIC", "ForcePrimaryUnhealthy"},
      {"DR_PRIMARY_CLUSTER_ARN", "arn:aws:rds:us-east-1:1:cluster:dr-app-use1"},
      {"DR_SECONDARY_CLUSTER_ARN", "arn:aws:rds:us-west-2:1:cluster:dr-app-usw2"},
      {"DR_SECONDARY_TARGET_GROUP_ARN",
       "arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/usw2/73e2d6bc24d8a067"},
      {"DR_PRIMARY_APP_URL", "https://primary.example.com"},
      {"DR_SECONDARY_APP_URL", "https://secondary.example.com"},
      {"DR_APP_TABLE", "dr-app-sessions"},
  };
}

Getenv from(const std::map<std::string, std::string>& env) {
  return [env](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AwsTargetsFromEnv, ReadsInfrasVariables) {
  auto t = targets_from_env(from(full_env()));
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->primary_region, "us-east-1");
  EXPECT_EQ(t->secondary_region, "us-west-2");
  ASSERT_NE(t->find("us-west-2"), nullptr);
  EXPECT_EQ(t->find("us-west-2")->cluster_id(), "dr-app-usw2");
  EXPECT_EQ(t->find("us-west-2")->asg_name, "dr-app-usw2");
  EXPECT_EQ(t->find("us-east-1")->target_group_arn, "");  // optional: no target-health wait
  EXPECT_EQ(t->topic_arns.size(), 2u);
  EXPECT_EQ(t->force_metric, "ForcePrimaryUnhealthy");
  EXPECT_EQ(t->app_table_key, "id");
  EXPECT_EQ(t->lag_gate, std::chrono::milliseconds(2000));
  EXPECT_EQ(t->lease_table, "") << "no DR_LEASE_TABLE: no write lease";
}

TEST(AwsTargetsFromEnv, ReadsTheLeaseTable) {
  auto env = full_env();
  env["DR_LEASE_TABLE"] = "dr-app-write-lease";
  auto t = targets_from_env(from(env));
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->lease_table, "dr-app-write-lease");
}

TEST(AwsTargetsFromEnv, NamesEveryMissingVariable) {
  auto env = full_env();
  env.erase("DR_GLOBAL_CLUSTER_ID");
  env["DR_SECONDARY_ASG"] = "";
  auto t = targets_from_env(from(env));
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().find("DR_GLOBAL_CLUSTER_ID"), std::string::npos) << t.error();
  EXPECT_NE(t.error().find("DR_SECONDARY_ASG"), std::string::npos) << t.error();
}

TEST(AwsTargetsFromEnv, RejectsBadValuesWithAClearMessage) {
  struct Case {
    std::string name, value, expect;
  };
  const Case cases[] = {
      {"DR_SWITCHOVER_LAG_GATE_MS", "2s", "DR_SWITCHOVER_LAG_GATE_MS"},
      {"DR_SWITCHOVER_LAG_GATE_MS", "-5", "DR_SWITCHOVER_LAG_GATE_MS"},
      {"DR_AWS_POLL_MS", "99", "DR_AWS_POLL_MS"},
      {"DR_AWS_POLL_MS", "0.25", "DR_AWS_POLL_MS"},
      {"DR_SECONDARY_CLUSTER_ARN", "dr-app-usw2", "not an RDS cluster ARN"},
      {"DR_PRIMARY_APP_URL", "ftp://x", "not http(s)://"},
      {"DR_SECONDARY_REGION", "us-east-1", "both us-east-1"},
  };
  for (const auto& c : cases) {
    auto env = full_env();
    env[c.name] = c.value;
    auto t = targets_from_env(from(env));
    ASSERT_FALSE(t) << c.name << "=" << c.value;
    EXPECT_NE(t.error().find(c.expect), std::string::npos) << t.error();
  }
  auto env = full_env();
  env["DR_SWITCHOVER_LAG_GATE_MS"] = "750";
  auto ok = targets_from_env(from(env));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->lag_gate, std::chrono::milliseconds(750));
  EXPECT_EQ(ok->poll_interval, std::chrono::seconds(2)) << "the default";
  env["DR_AWS_POLL_MS"] = "250";  // the operator's moves poll as the Lambda does
  ok = targets_from_env(from(env));
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ(ok->poll_interval, std::chrono::milliseconds(250));
}

TEST(FenceRecord, RoundTripsThroughTheItemDrAppReads) {
  a::FenceRecord r{"us-east-1", true, "failover fo-1", 1764700000123, "dr-controller"};
  auto put = a::fence_put_item("dr-app-sessions", "id", r);
  EXPECT_EQ(put["Item"]["id"]["S"], "fence#us-east-1");
  EXPECT_EQ(put["Item"]["fenced"]["BOOL"], true);
  EXPECT_EQ(put["ExpressionAttributeValues"][":t"]["N"], "1764700000123");
  auto back = a::parse_fence_item({{"Item", put["Item"]}});
  ASSERT_TRUE(back) << back.error();
  ASSERT_TRUE(*back);
  EXPECT_EQ((*back)->region, "us-east-1");
  EXPECT_TRUE((*back)->fenced);
  EXPECT_EQ((*back)->reason, "failover fo-1");
  EXPECT_EQ((*back)->updated_at_ms, 1764700000123);

  auto none = a::parse_fence_item(nlohmann::json::object());
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto get = a::fence_get_item("dr-app-sessions", "id", "us-west-2");
  EXPECT_EQ(get["Key"]["id"]["S"], "fence#us-west-2");
  EXPECT_EQ(get["ConsistentRead"], true);
}

TEST(FenceRecord, AHostileItemIsAnErrorNotACrash) {
  const char* bad[] = {
      R"({"Item": 5})",
      R"({"Item": {"region": {"S": "x"}, "fenced": {"S": "true"}, "updated_at_ms": {"N": "1"}}})",
      R"({"Item": {"region": {"S": "x"}, "fenced": {"BOOL": true}, "updated_at_ms": {"N": "1e3"}}})",
      R"({"Item": {"region": {"N": "1"}, "fenced": {"BOOL": true}, "updated_at_ms": {"N": "1"}}})",
      R"({"Item": {"region": {"S": "x"}, "fenced": {"BOOL": true}}})",
  };
  for (const char* text : bad) {
    auto r = a::parse_fence_item(nlohmann::json::parse(text));
    EXPECT_FALSE(r) << text;
  }
}

TEST(AwsNotifier, PublishesTheEventWithAttributesSubscriptionsCanFilterOn) {
  auto in = AwsNotifier::publish_input(
      "arn:aws:sns:us-west-2:1:dr-app-events",
      R"({"event":"failover-complete","id":"fo-1","from_region":"us-east-1","to_region":"us-west-2"})");
  EXPECT_EQ(in.topic_arn, "arn:aws:sns:us-west-2:1:dr-app-events");
  EXPECT_EQ(in.subject, "dr-app: failover-complete");
  ASSERT_EQ(in.message_attributes.size(), 4u);
  EXPECT_EQ(in.message_attributes[0].first, "event");
  EXPECT_EQ(in.message_attributes[1].first, "failover_id");
  EXPECT_EQ(in.message_attributes[1].second.string_value, "fo-1");

  // Not JSON, or a hostile event name: still a valid Publish (printable ASCII subject <= 100).
  auto odd = AwsNotifier::publish_input("arn:aws:sns:us-west-2:1:t", "plain text");
  EXPECT_EQ(odd.subject, "dr-app: event");
  auto hostile = AwsNotifier::publish_input(
      "arn:aws:sns:us-west-2:1:t", R"({"event":")" + std::string(300, 'x') + "\\n\\u00e9\"}");
  ASSERT_TRUE(hostile.subject);
  EXPECT_LE(hostile.subject->size(), 100u);
  for (char c : *hostile.subject) EXPECT_TRUE(c >= 0x20 && c <= 0x7e);
}

TEST(AwsNotifier, FindsEachTopicsRegion) {
  EXPECT_EQ(topic_region("arn:aws:sns:us-west-2:123456789012:dr-app-events"), "us-west-2");
  EXPECT_EQ(topic_region("arn:aws-cn:sns:cn-north-1:1:t"), "cn-north-1");
  EXPECT_EQ(topic_region("arn:aws:sqs:us-west-2:1:q"), "");
  EXPECT_EQ(topic_region("arn:aws:sns:us-west-2:1:"), "");
  EXPECT_EQ(topic_region("dr-app-events"), "");
}

TEST(GlobalWriterState, ReadsWhereTheWriterStands) {
  const std::string a = "arn:aws:rds:us-east-1:1:cluster:a",
                    b = "arn:aws:rds:us-west-2:1:cluster:b";
  a::GlobalCluster g;
  g.identifier = "g";
  g.members = {{a, {}, true, ""}, {b, {}, false, ""}};
  EXPECT_EQ(writer_state(g, b), GlobalWriterState::kNotStarted);
  EXPECT_EQ(writer_state(g, a), GlobalWriterState::kDone);
  g.failover_state = a::GlobalClusterFailoverState{"pending", a, b, true};
  EXPECT_EQ(writer_state(g, b), GlobalWriterState::kMovingToTarget);
  EXPECT_EQ(writer_state(g, a), GlobalWriterState::kMovingElsewhere);
  // An empty FailoverState element is no failover.
  g.failover_state = a::GlobalClusterFailoverState{};
  EXPECT_EQ(writer_state(g, a), GlobalWriterState::kDone);
}

TEST(SharedClients, ResolveEachServicesEndpointAsTheAwsCliDoes) {
  test::ScopedEnv env;
  env.unset("AWS_ENDPOINT_URL")
      .unset("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
      .unset("AWS_ENDPOINT_URL_RDS")
      .set("AWS_ENDPOINT_URL_AUTO_SCALING", "http://127.0.0.1:4566");
  auto creds = std::make_shared<a::StaticCredentialsProvider>(
      a::Credentials{"k", "s", "", std::nullopt, "test"});
  auto clients =
      shared_clients({.endpoint_url = std::nullopt, .profile = std::nullopt, .credentials = creds});
  auto asg = clients("us-west-2", a::AutoScaling::service());
  ASSERT_TRUE(asg) << asg.error();
  EXPECT_EQ(asg->endpoint_url, "http://127.0.0.1:4566");
  EXPECT_EQ(asg->region, "us-west-2");
  EXPECT_EQ(asg->credentials, creds);
  EXPECT_NE(asg->transport, nullptr);
  auto rds = clients("us-west-2", a::Rds::service());
  ASSERT_TRUE(rds) << rds.error();
  EXPECT_FALSE(rds->endpoint_url);            // AWS's own
  EXPECT_EQ(rds->transport, asg->transport);  // one connection pool for every client

  // --endpoint-url wins over the variables, for every service.
  auto everywhere = shared_clients(
      {.endpoint_url = "http://127.0.0.1:5000", .profile = std::nullopt, .credentials = creds});
  EXPECT_EQ(everywhere("us-east-1", a::AutoScaling::service())->endpoint_url,
            "http://127.0.0.1:5000");

  // A bad variable: the port refuses, naming it, and sends nothing.
  env.set("AWS_ENDPOINT_URL_AUTO_SCALING", "not a url");
  test::FakeTime time;
  AwsFleet fleet(test::two_region_targets(), clients, time.pacing(), {});
  auto r = fleet.set_capacity("us-west-2", 1, 1, 2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kRefused) << r.error();
  EXPECT_NE(r.error().message.find("AWS_ENDPOINT_URL_AUTO_SCALING"), std::string::npos)
      << r.error();
}

}  // namespace
}  // namespace dr::backends::aws_world
