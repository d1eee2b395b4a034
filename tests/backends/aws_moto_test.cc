// The AWS backends against moto's server, for every operation moto implements:
// DescribeGlobalClusters and DescribeDBClusters (and the 500 moto answers FailoverGlobalCluster
// with, which must read as outcome-unknown), Auto Scaling (UpdateAutoScalingGroup,
// SetDesiredCapacity, DescribeAutoScalingGroups), DescribeTargetHealth, PutMetricData read
// back with GetMetricStatistics, SNS Publish (delivered to SQS queues and read back) and the
// DynamoDB fence record. Resources are created with plain signed requests of our own client.
// Skipped, saying why, where moto_server is not installed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/dynamodb.h"
#include "aws/elbv2.h"
#include "aws/fence_record.h"
#include "aws/query_protocol.h"
#include "aws/sns.h"
#include "aws/support/loopback_server.h"
#include "backends/aws/aws_fleet.h"
#include "backends/aws/aws_global_database.h"
#include "backends/aws/aws_notifier.h"
#include "backends/aws/aws_ports.h"
#include "backends/aws/aws_status.h"
#include "backends/aws/aws_traffic.h"
#include "backends/aws/aws_world.h"
#include "backends/aws_test_support.h"
#include "backends/moto_server.h"
#include "core/runbook.h"

namespace dr::backends::aws_world {
namespace {

namespace a = dr::aws;
using core::ErrorKind;
using nlohmann::json;

std::string between(const std::string& body, const std::string& open, const std::string& close) {
  auto s = body.find(open);
  if (s == std::string::npos) return "";
  s += open.size();
  auto e = body.find(close, s);
  return e == std::string::npos ? "" : body.substr(s, e - s);
}

class AwsMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& moto = test::MotoServer::get();
    if (!moto.available()) GTEST_SKIP() << moto.why();
    url_ = moto.url();
    clients_ = test::loopback_clients(url_);
    time_.wall0 = std::chrono::system_clock::now();  // moto keeps metrics by real time
    targets_ = test::two_region_targets();
    // Every test its own names: one moto serves the whole binary.
    suffix_ = std::to_string(++counter_);
  }

  // A plain signed query request (setup calls our clients do not model); the 2xx body.
  std::string call(const std::string& region, a::ServiceInfo service, const std::string& version,
                   const std::string& action, const a::QueryParams& params) {
    a::ServiceClient client(service, cfg(region));
    auto out = client.send(a::query_request(a::QueryProtocol{version}, action, params),
                           a::parse_xml_error);
    EXPECT_TRUE(out) << action << ": " << (out ? "" : out.error().describe());
    return out ? out->body : "";
  }

  void create_global_cluster() {
    ASSERT_NO_FATAL_FAILURE(test::moto_global_cluster(url_, targets_, "dr-app-global-" + suffix_));
  }

  // A launch configuration, a target group and the region's group with `desired` instances.
  void create_fleet(AwsRegionTargets& r, int desired) {
    const a::ServiceInfo ec2{"ec2", "ec2", false},
        elb{"elasticloadbalancing", "elasticloadbalancing", false},
        asg{"autoscaling", "autoscaling", false};
    std::string vpcs = call(r.region, ec2, "2016-11-15", "DescribeVpcs", a::QueryParams());
    std::string vpc = between(vpcs, "<vpcId>", "</vpcId>");
    ASSERT_NE(vpc, "") << vpcs;
    std::string tg = call(r.region, elb, "2015-12-01", "CreateTargetGroup",
                          a::QueryParams()
                              .add("Name", "tg-" + r.region + "-" + suffix_)
                              .add("Protocol", "HTTP")
                              .add("Port", "8080")
                              .add("VpcId", vpc)
                              .add("TargetType", "instance"));
    r.target_group_arn = between(tg, "<TargetGroupArn>", "</TargetGroupArn>");
    ASSERT_NE(r.target_group_arn, "") << tg;
    r.asg_name = "dr-app-" + r.region + "-" + suffix_;
    call(r.region, asg, "2011-01-01", "CreateLaunchConfiguration",
         a::QueryParams()
             .add("LaunchConfigurationName", r.asg_name)
             .add("ImageId", "ami-12c6146b")
             .add("InstanceType", "t3.micro"));
    call(r.region, asg, "2011-01-01", "CreateAutoScalingGroup",
         a::QueryParams()
             .add("AutoScalingGroupName", r.asg_name)
             .add("LaunchConfigurationName", r.asg_name)
             .add_int("MinSize", 0)
             .add_int("MaxSize", 4)
             .add_int("DesiredCapacity", desired)
             .add_list("AvailabilityZones", {r.region + "a"})
             .add_list("TargetGroupARNs", {r.target_group_arn}));
  }

  void create_app_tables() {
    targets_.app_table = "dr-app-sessions-" + suffix_;
    for (const auto& r : targets_.regions) {
      a::DynamoDb ddb(cfg(r.region));
      auto out = ddb.create_table(
          {{"TableName", targets_.app_table},
           {"AttributeDefinitions",
            {{{"AttributeName", targets_.app_table_key}, {"AttributeType", "S"}}}},
           {"KeySchema", {{{"AttributeName", targets_.app_table_key}, {"KeyType", "HASH"}}}},
           {"BillingMode", "PAY_PER_REQUEST"}});
      ASSERT_TRUE(out) << out.error();
    }
  }

  std::optional<a::FenceRecord> fence_in(const std::string& table_region,
                                         const std::string& fenced_region) {
    a::DynamoDb ddb(cfg(table_region));
    auto out =
        ddb.get_item(a::fence_get_item(targets_.app_table, targets_.app_table_key, fenced_region));
    EXPECT_TRUE(out) << out.error();
    if (!out) return std::nullopt;
    auto r = a::parse_fence_item(*out);
    EXPECT_TRUE(r) << r.error();
    return r ? *r : std::nullopt;
  }

  a::AutoScalingGroup group(const AwsRegionTargets& r) {
    a::AutoScaling asg(cfg(r.region));
    auto out = asg.describe_auto_scaling_groups({.auto_scaling_group_names = {r.asg_name}});
    EXPECT_TRUE(out) << out.error();
    if (!out || out->auto_scaling_groups.empty()) return {};
    return out->auto_scaling_groups.front();
  }

  std::vector<a::Datapoint> datapoints(const std::string& region, const std::string& ns,
                                       const std::string& metric,
                                       std::vector<a::MetricDimension> dims = {}) {
    a::CloudWatch cw(cfg(region));
    auto now = std::chrono::system_clock::now();
    auto out = cw.get_metric_statistics({.namespace_ = ns,
                                         .metric_name = metric,
                                         .dimensions = std::move(dims),
                                         .start_time = now - std::chrono::minutes(10),
                                         .end_time = now + std::chrono::minutes(10),
                                         .period = 60,
                                         .statistics = {"Maximum", "Minimum", "SampleCount"}});
    EXPECT_TRUE(out) << out.error();
    return out ? out->datapoints : std::vector<a::Datapoint>{};
  }

  static inline int counter_ = 0;
  std::string url_;
  std::string suffix_;
  ClientConfigFor clients_;
  a::ClientConfig cfg(const std::string& region) { return test::loopback_config(url_, region); }
  test::FakeTime time_;
  AwsTargets targets_;
  std::vector<std::string> log_;
  LogFn log() {
    return [this](const std::string& line) { log_.push_back(line); };
  }
};

core::DatabaseMove move_to(const std::string& from, const std::string& to) {
  core::DatabaseMove m;
  m.from_region = from;
  m.to_region = to;
  return m;
}

TEST_F(AwsMotoTest, GlobalDatabaseReadsWhoWritesAndNeverRepeatsAFailoverWhoseAnswerIsLost) {
  ASSERT_NO_FATAL_FAILURE(create_global_cluster());
  AwsGlobalDatabase db(targets_, clients_, time_.pacing());
  // us-east-1 already writes: nothing to call (moto would answer a call with HTTP 500).
  auto done = db.fail_over(move_to("us-west-2", "us-east-1"), true);
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(*done, "");

  // moto answers FailoverGlobalCluster with a 500 (not implemented): for us, a call whose
  // outcome is unknown. The port re-reads (DescribeGlobalClusters) and reports it, once.
  auto lost = db.fail_over(move_to("us-east-1", "us-west-2"), true);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().kind, ErrorKind::kOutcomeUnknown) << lost.error();
  EXPECT_NE(lost.error().message.find("re-read: " + targets_.global_cluster_id), std::string::npos)
      << lost.error();
  EXPECT_NE(lost.error().message.find("writer " + targets_.regions[0].cluster_arn),
            std::string::npos)
      << lost.error();
}

TEST_F(AwsMotoTest, SwitchoverIsRefusedAboveTheLagGateReadFromCloudWatch) {
  ASSERT_NO_FATAL_FAILURE(create_global_cluster());
  const auto& secondary = targets_.regions[1];
  a::CloudWatch cw(cfg("us-west-2"));
  auto put = cw.put_metric_data(
      {.namespace_ = "AWS/RDS",
       .metric_data = {{.metric_name = "AuroraGlobalDBReplicationLag",
                        .dimensions = {{"DBClusterIdentifier", secondary.cluster_id()}},
                        .timestamp = std::chrono::system_clock::now() - std::chrono::seconds(30),
                        .value = 5250,
                        .unit = "Milliseconds"}}});
  ASSERT_TRUE(put) << put.error();
  AwsGlobalDatabase db(targets_, clients_, time_.pacing());
  auto r = db.switch_over(move_to("us-east-1", "us-west-2"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kRefused) << r.error();
  EXPECT_NE(r.error().message.find("AuroraGlobalDBReplicationLag 5250 ms"), std::string::npos)
      << r.error();
}

// After a failover us-west-2's cluster writes and us-east-1's replicates: Aurora publishes that
// secondary's lag in us-east-1. The evidence must read it there, not in DR_SECONDARY_REGION
// (us-west-2, where the Lambda runs), or a second failover, back home, sees no lag at all.
TEST_F(AwsMotoTest, AfterAFailoverTheEvidenceReadsTheLagWhereTheSecondaryLives) {
  // moto's first member is the writer: create us-west-2's cluster first.
  std::swap(targets_.regions[0], targets_.regions[1]);
  targets_.primary_region = "us-west-2";
  ASSERT_NO_FATAL_FAILURE(create_global_cluster());
  std::swap(targets_.regions[0], targets_.regions[1]);
  targets_.primary_region = "us-east-1";  // the Lambda's configuration does not change
  const auto& home = targets_.regions[0];
  ASSERT_EQ(home.region, "us-east-1");
  a::CloudWatch cw(cfg("us-east-1"));
  auto put = cw.put_metric_data(
      {.namespace_ = "AWS/RDS",
       .metric_data = {{.metric_name = "AuroraGlobalDBReplicationLag",
                        .dimensions = {{"DBClusterIdentifier", home.cluster_id()}},
                        .timestamp = std::chrono::system_clock::now() - std::chrono::seconds(30),
                        .value = 1250,
                        .unit = "Milliseconds"}}});
  ASSERT_TRUE(put) << put.error();
  auto world =
      AwsWorld::create(targets_, "dr-controller-" + suffix_, clients_, time_.pacing(), log());
  ASSERT_TRUE(world) << world.error();
  auto snap = (*world)->observe();
  ASSERT_TRUE(snap) << snap.error();
  EXPECT_EQ(snap->topology.primary_region, "us-west-2");
  EXPECT_EQ(snap->topology.secondary_region, "us-east-1");
  ASSERT_TRUE(snap->replication);
  ASSERT_TRUE(snap->replication->lag_seconds) << "no lag read for " << home.cluster_id();
  EXPECT_DOUBLE_EQ(*snap->replication->lag_seconds, 1.25);
}

TEST_F(AwsMotoTest, FleetScalesUpNeverDownAndWaitsForHealthyTargets) {
  auto& standby = targets_.regions[1];
  ASSERT_NO_FATAL_FAILURE(create_fleet(standby, 1));
  AwsFleet fleet(targets_, clients_, time_.pacing(), log());
  auto up = fleet.set_capacity("us-west-2", 2, 3, 4);
  ASSERT_TRUE(up) << up.error();
  auto g = group(standby);
  EXPECT_EQ(g.desired_capacity, 3);
  EXPECT_EQ(g.min_size, 2);
  EXPECT_EQ(g.max_size, 4);
  EXPECT_EQ(g.in_service_healthy(), 3);
  a::ElasticLoadBalancingV2 elb(cfg("us-west-2"));
  auto health = elb.describe_target_health({.target_group_arn = standby.target_group_arn});
  ASSERT_TRUE(health) << health.error();
  EXPECT_EQ(health->healthy(), 3);

  // A smaller ask (a resumed runbook, a second controller) keeps what runs.
  auto again = fleet.set_capacity("us-west-2", 1, 1, 2);
  ASSERT_TRUE(again) << again.error();
  g = group(standby);
  EXPECT_EQ(g.desired_capacity, 3);
  EXPECT_GE(g.max_size, 3);
}

TEST_F(AwsMotoTest, FleetTimesOutWhenTheTargetsNeverBecomeHealthy) {
  auto& standby = targets_.regions[1];
  ASSERT_NO_FATAL_FAILURE(create_fleet(standby, 1));
  // A target group the instances are not in: never `want` healthy targets.
  const a::ServiceInfo elb{"elasticloadbalancing", "elasticloadbalancing", false};
  std::string vpcs = call("us-west-2", {"ec2", "ec2", false}, "2016-11-15", "DescribeVpcs", {});
  std::string tg = call("us-west-2", elb, "2015-12-01", "CreateTargetGroup",
                        a::QueryParams()
                            .add("Name", "empty-" + suffix_)
                            .add("Protocol", "HTTP")
                            .add("Port", "8080")
                            .add("VpcId", between(vpcs, "<vpcId>", "</vpcId>"))
                            .add("TargetType", "instance"));
  standby.target_group_arn = between(tg, "<TargetGroupArn>", "</TargetGroupArn>");
  AwsFleet fleet(targets_, clients_, time_.pacing(), log());
  auto r = fleet.set_capacity("us-west-2", 2, 2, 4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.error();
  EXPECT_NE(r.error().message.find("0 healthy targets"), std::string::npos) << r.error();
  EXPECT_GE(time_.slept, targets_.fleet_deadline);
}

TEST_F(AwsMotoTest, FenceRecordIsWrittenEverywhereAndTheOldFleetScaledToZero) {
  ASSERT_NO_FATAL_FAILURE(create_app_tables());
  auto& old_primary = targets_.regions[0];
  ASSERT_NO_FATAL_FAILURE(create_fleet(old_primary, 2));
  AwsFleet fleet(targets_, clients_, time_.pacing(), log());
  auto fenced = fleet.fence_apps("us-east-1", "failover fo-1");
  ASSERT_TRUE(fenced) << fenced.error();
  for (const char* table_region : {"us-west-2", "us-east-1"}) {
    auto r = fence_in(table_region, "us-east-1");
    ASSERT_TRUE(r) << table_region;
    EXPECT_TRUE(r->fenced);
    EXPECT_EQ(r->reason, "failover fo-1");
  }
  EXPECT_EQ(group(old_primary).desired_capacity, 0);
  EXPECT_TRUE(log_.empty()) << log_.front();

  // Lifted later; an older write arriving after (a stale controller) does not undo the lift.
  time_.slept += std::chrono::seconds(10);
  ASSERT_TRUE(fleet.unfence_apps("us-east-1"));
  EXPECT_FALSE(fence_in("us-west-2", "us-east-1")->fenced);
  test::FakeTime earlier = time_;
  earlier.slept = std::chrono::milliseconds(5000);
  AwsFleet stale(targets_, clients_, earlier.pacing(), log());
  ASSERT_TRUE(stale.fence_apps("us-east-1", "stale"));
  EXPECT_FALSE(fence_in("us-west-2", "us-east-1")->fenced);
}

TEST_F(AwsMotoTest, FencingADeadRegionWritesTheRecordInTheSurvivorAndOnlyLogsTheRest) {
  ASSERT_NO_FATAL_FAILURE(create_app_tables());
  test::ClosedPort dead;
  auto moto = clients_;
  auto dead_url = dead.url();
  ClientConfigFor split = [moto, dead_url](const std::string& region,
                                           const a::ServiceInfo& service) {
    auto c = moto(region, service);
    if (region == "us-east-1") c->endpoint_url = dead_url;
    return c;
  };
  AwsFleet fleet(targets_, split, time_.pacing(), log());
  auto fenced = fleet.fence_apps("us-east-1", "failover fo-2");
  ASSERT_TRUE(fenced) << fenced.error();
  auto r = fence_in("us-west-2", "us-east-1");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->fenced);
  ASSERT_EQ(log_.size(), 2u);  // its own replica and its group: best effort, logged
  EXPECT_NE(log_[0].find("not written in us-east-1"), std::string::npos) << log_[0];
  EXPECT_NE(log_[1].find("to 0"), std::string::npos) << log_[1];

  // With no replica answering, the fence is not done: the runbook must hear it.
  ClientConfigFor none = [dead_url, moto](const std::string& region,
                                          const a::ServiceInfo& service) {
    auto c = moto(region, service);
    c->endpoint_url = dead_url;
    return c;
  };
  AwsFleet cut_off(targets_, none, time_.pacing(), log());
  auto failed = cut_off.fence_apps("us-east-1", "failover fo-3");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().kind, ErrorKind::kUnreachable) << failed.error();
}

// A fenced region that answers 503 (its DynamoDB down, as the lab's endpoint says it): once the
// survivor has the record, its own replica gets one attempt, not the retries' backoff, which
// delayed a region outage's promotion by 1.7 s.
TEST_F(AwsMotoTest, TheFencedRegionsOwnReplicaGetsOneAttemptOnceASurvivorHasTheRecord) {
  ASSERT_NO_FATAL_FAILURE(create_app_tables());
  test::LoopbackServer down;
  std::atomic<int> puts{0};
  down.http().Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("X-Amz-Target").ends_with(".PutItem")) ++puts;
    res.status = 503;
    res.set_content(R"({"__type":"ServiceUnavailable","message":"the region is down"})",
                    "application/x-amz-json-1.0");
  });
  down.start();
  auto moto = clients_;
  const std::string down_url = down.url();
  ClientConfigFor split = [moto, down_url](const std::string& region,
                                           const a::ServiceInfo& service) {
    auto c = moto(region, service);
    if (region == "us-east-1") c->endpoint_url = down_url;
    return c;
  };
  AwsFleet fleet(targets_, split, time_.pacing(), log());
  auto fenced = fleet.fence_apps("us-east-1", "failover fo-4");
  ASSERT_TRUE(fenced) << fenced.error();
  auto r = fence_in("us-west-2", "us-east-1");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->fenced);
  EXPECT_EQ(puts.load(), 1) << "one attempt at the fenced region's own replica";
}

TEST_F(AwsMotoTest, TrafficPublishesTheForceFailoverMetricInTheSecondaryRegion) {
  targets_.force_namespace = "DrApp/Failover-" + suffix_;
  AwsTraffic traffic(targets_, clients_, time_.pacing());
  ASSERT_TRUE(traffic.shift_to("us-west-2"));
  auto points = datapoints("us-west-2", targets_.force_namespace, "ForcePrimaryUnhealthy");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0].maximum, 1.0);
  EXPECT_TRUE(datapoints("us-east-1", targets_.force_namespace, "ForcePrimaryUnhealthy").empty());

  time_.slept += std::chrono::seconds(1);
  ASSERT_TRUE(traffic.shift_to("us-east-1"));  // released: 0, still in the secondary region
  points = datapoints("us-west-2", targets_.force_namespace, "ForcePrimaryUnhealthy");
  double samples = 0, minimum = 1;
  for (const auto& p : points) {
    samples += p.sample_count.value_or(0);
    minimum = std::min(minimum, p.minimum.value_or(1));
  }
  EXPECT_EQ(samples, 2);
  EXPECT_EQ(minimum, 0.0);

  auto elsewhere = traffic.shift_to("eu-west-1");
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().kind, ErrorKind::kRefused);
}

TEST_F(AwsMotoTest, NotifierPublishesToEveryTopicAndLogsTheOneThatFails) {
  const a::ServiceInfo sns{"sns", "sns", false}, sqs{"sqs", "sqs", false};
  std::vector<std::string> topics, queues;
  for (const char* region : {"us-east-1", "us-west-2"}) {
    std::string name = "dr-app-events-" + suffix_;
    std::string t =
        call(region, sns, "2010-03-31", "CreateTopic", a::QueryParams().add("Name", name));
    topics.push_back(between(t, "<TopicArn>", "</TopicArn>"));
    std::string q =
        call(region, sqs, "2012-11-05", "CreateQueue", a::QueryParams().add("QueueName", name));
    queues.push_back(between(q, "<QueueUrl>", "</QueueUrl>"));
    call(region, sns, "2010-03-31", "Subscribe",
         a::QueryParams()
             .add("TopicArn", topics.back())
             .add("Protocol", "sqs")
             .add("Endpoint", "arn:aws:sqs:" + std::string(region) + ":123456789012:" + name));
  }
  // A topic that does not exist between them: logged, the next one still gets it.
  std::vector<std::string> with_missing = {
      topics[0], "arn:aws:sns:us-east-1:123456789012:no-such-topic", topics[1]};
  AwsNotifier notifier(with_missing, clients_, log());
  notifier.notify(
      R"({"event":"failover-complete","id":"fo-9","from_region":"us-east-1","to_region":"us-west-2"})");
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find("no-such-topic"), std::string::npos) << log_[0];

  for (size_t i = 0; i < queues.size(); ++i) {
    const char* region = i == 0 ? "us-east-1" : "us-west-2";
    std::string got = call(region, sqs, "2012-11-05", "ReceiveMessage",
                           a::QueryParams()
                               .add("QueueUrl", queues[i])
                               .add_int("MaxNumberOfMessages", 10)
                               .add_int("WaitTimeSeconds", 1));
    std::string body = between(got, "<Body>", "</Body>");
    ASSERT_NE(body, "") << got;
    // The body is XML-escaped SNS envelope JSON.
    for (auto [from, to] :
         {std::pair{"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
      for (size_t p; (p = body.find(from)) != std::string::npos;)
        body.replace(p, std::string(from).size(), to);
    auto envelope = json::parse(body, nullptr, false);
    ASSERT_TRUE(envelope.is_object()) << body;
    EXPECT_EQ(envelope["TopicArn"], topics[i]);
    EXPECT_EQ(envelope["Subject"], "dr-app: failover-complete");
    EXPECT_EQ(json::parse(envelope["Message"].get<std::string>())["id"], "fo-9");
    EXPECT_EQ(envelope["MessageAttributes"]["event"]["Value"], "failover-complete");
    EXPECT_EQ(envelope["MessageAttributes"]["failover_id"]["Value"], "fo-9");
  }
}

// The runbook's progress, kept in memory (the DynamoDB store has its own tests).
struct MemoryStore final : core::RunbookStore {
  core::Result<> save(const core::RunbookState& state) override {
    saved.push_back(state);
    return {};
  }
  std::vector<core::RunbookState> saved;
};

// A dr-app's POST/GET /orders as the new primary's ALB would answer them.
struct FakeApp {
  explicit FakeApp(std::string region) {
    server.http().Post(
        "/orders", [this, region](const httplib::Request& req, httplib::Response& res) {
          key = json::parse(req.body)["idempotency_key"];
          res.status = 201;
          res.set_content(
              json{{"id", 1}, {"idempotency_key", key}, {"served_by", {{"region", region}}}}.dump(),
              "application/json");
        });
    server.http().Get("/orders/1", [this, region](const httplib::Request&, httplib::Response& res) {
      res.set_content(
          json{{"id", 1}, {"idempotency_key", key}, {"served_by", {{"region", region}}}}.dump(),
          "application/json");
    });
    server.start();
  }
  test::LoopbackServer server;
  std::string key;
};

core::RunbookState plan(core::Scenario scenario) {
  core::RunbookState s;
  s.plan.id = "fo-1764700000000";
  s.plan.scenario = scenario;
  s.plan.from_region = "us-east-1";
  s.plan.to_region = "us-west-2";
  s.plan.standby_capacity = 2;
  s.plan.allow_data_loss = true;
  return s;
}

TEST_F(AwsMotoTest, TheRunbookDrivesTheAwsPortsThroughAnAppRegionFailover) {
  ASSERT_NO_FATAL_FAILURE(create_app_tables());
  ASSERT_NO_FATAL_FAILURE(create_fleet(targets_.regions[1], 0));
  targets_.force_namespace = "DrApp/Failover-" + suffix_;
  FakeApp app("us-west-2");
  targets_.regions[1].app_url = app.server.url();
  targets_.topic_arns = {};
  AwsPorts ports(targets_, clients_, time_.pacing(), log());
  MemoryStore store;
  core::Runbook runbook(ports.backends(), store, [] { return core::Clock::now(); });
  auto done = runbook.run(plan(core::Scenario::kAppRegionFailover));
  EXPECT_TRUE(done.done) << done.last_error;
  EXPECT_EQ(done.last_error, "");
  EXPECT_GE(group(targets_.regions[1]).in_service_healthy(), 2);
  auto lifted = fence_in("us-west-2", "us-west-2");
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(lifted->fenced);
  auto forced = datapoints("us-west-2", targets_.force_namespace, "ForcePrimaryUnhealthy");
  ASSERT_EQ(forced.size(), 1u);
  EXPECT_EQ(forced[0].maximum, 1.0);
  EXPECT_EQ(app.key.rfind("dr-verify-us-west-2-", 0), 0u);
}

TEST_F(AwsMotoTest, ARegionFailoverFencesThenStopsAtAPromotionWhoseOutcomeIsUnknown) {
  ASSERT_NO_FATAL_FAILURE(create_global_cluster());
  ASSERT_NO_FATAL_FAILURE(create_app_tables());
  ASSERT_NO_FATAL_FAILURE(create_fleet(targets_.regions[0], 2));
  AwsPorts ports(targets_, clients_, time_.pacing(), log());
  MemoryStore store;
  core::Runbook runbook(ports.backends(), store, [] { return core::Clock::now(); });
  auto stopped = runbook.run(plan(core::Scenario::kRegionFailover));
  EXPECT_FALSE(stopped.done);
  // fence_old_primary done, take_write_lease skipped (these targets have no lease table), promote
  // to be re-read and retried.
  EXPECT_EQ(core::steps_for(core::Scenario::kRegionFailover)[stopped.next_step],
            core::Step::kPromote);
  ASSERT_GE(stopped.audit.size(), 2u);
  EXPECT_NE(stopped.audit[1].outcome.find("skipped: not-supported"), std::string::npos)
      << stopped.audit[1].outcome;
  EXPECT_NE(stopped.last_error.find("promote: outcome-unknown"), std::string::npos)
      << stopped.last_error;
  auto fence = fence_in("us-west-2", "us-east-1");
  ASSERT_TRUE(fence);
  EXPECT_TRUE(fence->fenced);
  EXPECT_EQ(fence->reason, "failover fo-1764700000000");
  EXPECT_EQ(group(targets_.regions[0]).desired_capacity, 0);
}

// With a lease table (DR_LEASE_TABLE), the same failover takes the write lease for the
// secondary in it, through the secondary's client, before the promotion.
TEST_F(AwsMotoTest, ARegionFailoverTakesTheWriteLeaseInTheLeaseTable) {
  ASSERT_NO_FATAL_FAILURE(create_global_cluster());
  ASSERT_NO_FATAL_FAILURE(create_app_tables());
  ASSERT_NO_FATAL_FAILURE(create_fleet(targets_.regions[0], 2));
  targets_.lease_table = "dr-app-write-lease-" + suffix_;
  a::DynamoDb ddb(cfg("us-west-2"));
  auto created = ddb.create_table(
      {{"TableName", targets_.lease_table},
       {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
       {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
       {"BillingMode", "PAY_PER_REQUEST"}});
  ASSERT_TRUE(created) << created.error();
  AwsPorts ports(targets_, clients_, time_.pacing(), log());
  MemoryStore store;
  core::Runbook runbook(ports.backends(), store, [] { return core::Clock::now(); });
  auto stopped = runbook.run(plan(core::Scenario::kRegionFailover));
  ASSERT_GE(stopped.audit.size(), 2u);
  EXPECT_NE(stopped.audit[1].outcome.find("taken by us-west-2 epoch 1"), std::string::npos)
      << stopped.audit[1].outcome;
  auto item = ddb.get_item({{"TableName", targets_.lease_table},
                            {"Key", {{"id", {{"S", "write-lease"}}}}},
                            {"ConsistentRead", true}});
  ASSERT_TRUE(item) << item.error();
  EXPECT_EQ((*item)["Item"]["region"]["S"], "us-west-2") << item->dump();
}

}  // namespace
}  // namespace dr::backends::aws_world

namespace dr::backends::aws_world {
namespace {

// What `drctl aws status` reads, against moto: the global cluster's members and who writes, each
// region's group and its target group; and the AWS world's observation built on the same calls.
TEST_F(AwsMotoTest, StatusAndTheWorldReadTheGlobalClusterAndBothFleets) {
  ASSERT_NO_FATAL_FAILURE(create_global_cluster());
  ASSERT_NO_FATAL_FAILURE(create_fleet(targets_.regions[0], 2));
  ASSERT_NO_FATAL_FAILURE(create_fleet(targets_.regions[1], 1));
  auto s = read_status(targets_, clients_, std::chrono::system_clock::now());
  ASSERT_EQ(s.global_error, "");
  ASSERT_EQ(s.members.size(), 2u);
  int writers = 0;
  for (const auto& m : s.members) {
    writers += m.writer;
    if (m.writer) {
      EXPECT_EQ(m.region, "us-east-1");
    }
  }
  EXPECT_EQ(writers, 1);
  ASSERT_EQ(s.regions.size(), 2u);
  EXPECT_EQ(s.regions[0].desired, 2);
  EXPECT_EQ(s.regions[1].desired, 1);
  EXPECT_EQ(s.regions[1].max, 4);
  EXPECT_TRUE(s.regions[0].targets_total.has_value()) << s.regions[0].error;
  EXPECT_FALSE(s.lag_ms) << "moto has no Aurora metrics";
  const auto as_json = to_json(s);
  EXPECT_EQ(as_json["regions"][0]["asg"], targets_.regions[0].asg_name);
  EXPECT_NE(render(s).find(targets_.global_cluster_id), std::string::npos) << render(s);

  auto world =
      AwsWorld::create(targets_, "dr-controller-" + suffix_, clients_, time_.pacing(), log());
  ASSERT_TRUE(world) << world.error();
  auto snapshot = (*world)->observe();
  ASSERT_TRUE(snapshot) << snapshot.error();
  EXPECT_EQ(snapshot->topology.primary_region, "us-east-1");
  EXPECT_EQ(snapshot->topology.secondary_region, "us-west-2");
  EXPECT_EQ(snapshot->topology.secondary_db, targets_.global_cluster_id + "-us-west-2");
  ASSERT_TRUE(snapshot->replication);
  EXPECT_FALSE(snapshot->replication->connected_to_writer) << "no lag reported: not proven";
  EXPECT_EQ(snapshot->observations.size(), 3u) << "three checkers; no witness item";
  EXPECT_EQ(snapshot->primary_fleet_desired, 2) << "the primary's group, read from us-east-1";
}

// A missing part is shown with its error, not a failed status: an operator reads status when
// things are broken.
TEST_F(AwsMotoTest, StatusShowsWhatItCannotReadAndGoesOn) {
  targets_.global_cluster_id = "no-such-global-" + suffix_;
  targets_.regions[1].asg_name = "no-such-group-" + suffix_;
  auto s = read_status(targets_, clients_, std::chrono::system_clock::now());
  EXPECT_NE(s.global_error, "");
  ASSERT_EQ(s.regions.size(), 2u);
  EXPECT_NE(s.regions[1].error.find("not found"), std::string::npos) << s.regions[1].error;
  EXPECT_NE(render(s).find("cannot read it"), std::string::npos) << render(s);
}

}  // namespace
}  // namespace dr::backends::aws_world
