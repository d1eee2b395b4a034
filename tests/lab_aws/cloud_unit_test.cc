// The lab's CloudWatch, Route 53 and DynamoDB pass-through without servers: the AWS
// controller's own clients (src/aws, backends/aws read_secondary_lag and AwsTraffic) call the
// dispatcher through an in-process transport, over a fake lab whose replication lag and front
// door the test sets and reads.
#include <gtest/gtest.h>

#include <mutex>
#include <random>

#include <nlohmann/json.hpp>

#include "aws/cloudwatch.h"
#include "aws/credentials.h"
#include "aws/encoding.h"
#include "aws/route53.h"
#include "aws/transport.h"
#include "backends/aws/aws_traffic.h"
#include "backends/aws/replication_lag.h"
#include "lab_aws/cbor.h"
#include "lab_aws/dispatcher.h"
#include "lab_aws/dynamodb_passthrough.h"
#include "lab_aws/metric_store.h"
#include "lab_aws/monitoring_handler.h"
#include "lab_aws/route53_handler.h"
#include "lab_aws/signing.h"

namespace dr::lab_aws {
namespace {

using test::fixed_now;
using test::lab_keys;

class FakeDatabases final : public RdsLab {
 public:
  std::expected<DbTopology, std::string> topology() override {
    std::lock_guard lock(mu);
    DbTopology t;
    t.servers = {
        {"a1", "us-east-1", "us-east-1a", "127.0.1.11", 3306, true, false, {}},
        {"a2", "us-east-1", "us-east-1b", "127.0.1.12", 3306, true, true, 0.0},
        {"b1", "us-west-2", "us-west-2a", "127.0.2.11", 3306, true, b1_lag.has_value(), b1_lag}};
    t.writer = writer;
    return t;
  }
  std::expected<std::string, std::string> move_writer(const std::string&, bool) override {
    return std::unexpected("not in this test");
  }
  std::expected<std::string, std::string> fail_over_in_region(const std::string&,
                                                              const std::string&) override {
    return std::unexpected("not in this test");
  }
  std::mutex mu;
  std::string writer = "a1";
  std::optional<double> b1_lag = 3.0;
};

class FakeFrontDoor final : public FrontDoorLab {
 public:
  std::expected<FrontDoorView, std::string> front_door() override {
    std::lock_guard lock(mu);
    FrontDoorView v;
    v.alb_up = alb_up;
    v.alb_url = {{"us-east-1", "http://127.0.1.30:8080"}, {"us-west-2", "http://127.0.2.30:8080"}};
    v.forced_to = forced_to;
    v.active_region = forced_to.value_or("us-east-1");
    return v;
  }
  std::expected<void, std::string> force_front_door(
      const std::optional<std::string>& region) override {
    std::lock_guard lock(mu);
    if (!works) return std::unexpected("supervisor down");
    forced_to = region;
    ++calls;
    return {};
  }
  std::mutex mu;
  std::map<std::string, bool> alb_up = {{"us-east-1", true}, {"us-west-2", false}};
  std::optional<std::string> forced_to;
  bool works = true;
  int calls = 0;
};

// The controller's clients talk to the dispatcher in-process: what they sign is what it checks.
class DispatcherTransport final : public aws::HttpTransport {
 public:
  explicit DispatcherTransport(const Dispatcher& d) : d_(d) {}
  aws::Result<aws::HttpResponse> send(const aws::HttpRequest& r) override {
    aws::HttpRequest copy = r;
    if (!copy.header("Host")) copy.set_header("Host", copy.host);
    const WireResponse w = d_.handle(copy);
    return aws::HttpResponse{w.status, {{"Content-Type", w.content_type}}, w.body};
  }

 private:
  const Dispatcher& d_;
};

class Cloud : public ::testing::Test {
 protected:
  Cloud() {
    dispatcher_.add_query_service("monitoring", monitoring_.service());
    dispatcher_.add_rpc_bridge("monitoring", MonitoringHandler::rpc_bridge());
    dispatcher_.add_raw_service(
        "route53", [this](const aws::HttpRequest& r, const Caller& c, const std::string& id) {
          return route53_.handle(r, c, id);
        });
  }

  aws::ClientConfig config(const std::string& region) {
    auto c = test::lab_endpoint_config("http://127.0.3.27:4566", region, lab_keys(), transport_, 1);
    c.clock = [this] { return now_; };
    return c;
  }
  backends::aws_world::ClientConfigFor config_for() {
    return [this](const std::string& region, const aws::ServiceInfo&) {
      return aws::Result<aws::ClientConfig>(config(region));
    };
  }
  backends::aws_world::AwsTraffic traffic() {
    backends::aws_world::AwsTargets t;
    t.primary_region = "us-east-1";
    t.secondary_region = "us-west-2";
    backends::aws_world::Pacing p;
    p.wall = [this] { return now_; };
    p.now = [] { return std::chrono::steady_clock::now(); };
    p.sleep = [](std::chrono::milliseconds) {};
    return backends::aws_world::AwsTraffic(t, config_for(), p);
  }
  std::string alarm_state_seen_by_describe() {
    aws::CloudWatch cw(config("us-west-2"));
    auto out = cw.describe_alarms({.alarm_names = {"dr-lab-force-failover"}});
    EXPECT_TRUE(out) << (out ? "" : out.error().message);
    if (!out || out->metric_alarms.size() != 1) return "missing";
    return out->metric_alarms[0].state_value;
  }

  aws::SystemTime now_ = fixed_now();
  FakeDatabases databases_;
  FakeFrontDoor door_;
  MonitoringHandler monitoring_{databases_, door_, {}, [this] { return now_; }};
  Route53Handler route53_{
      door_, [this] { return monitoring_.alarm_state(); }, {}, [this] { return now_; }};
  Dispatcher dispatcher_{lab_keys(), [this] { return now_; }};
  std::shared_ptr<aws::HttpTransport> transport_ =
      std::make_shared<DispatcherTransport>(dispatcher_);
};

TEST_F(Cloud, ReadSecondaryLagReturnsTheSecondarysReplicationLagInMilliseconds) {
  aws::CloudWatch cw(config("us-west-2"));
  auto lag = backends::aws_world::read_secondary_lag(cw, "dr-lab-us-west-2", now_,
                                                     std::chrono::seconds(300));
  ASSERT_TRUE(lag) << lag.error().message;
  ASSERT_EQ(lag->latest.size(), 2u) << lag->describe();
  EXPECT_EQ(lag->latest[0].metric, "AuroraGlobalDBReplicationLag");
  EXPECT_EQ(lag->latest[1].metric, "AuroraGlobalDBRPOLag");
  ASSERT_TRUE(lag->worst());
  EXPECT_DOUBLE_EQ(lag->worst()->milliseconds, 3000.0);

  // The lag is read again on every call, from the servers.
  databases_.b1_lag = 0.0;
  lag = backends::aws_world::read_secondary_lag(cw, "dr-lab-us-west-2", now_,
                                                std::chrono::seconds(300));
  ASSERT_TRUE(lag && lag->worst()) << (lag ? lag->describe() : lag.error().message);
  EXPECT_DOUBLE_EQ(lag->worst()->milliseconds, 0.0);
}

TEST_F(Cloud, NoLagDatapointWhenReplicationStopsOrForThePrimaryOrAnotherRegion) {
  aws::CloudWatch west(config("us-west-2"));
  databases_.b1_lag.reset();  // replication not running: Seconds_Behind_Master is NULL
  auto lag = backends::aws_world::read_secondary_lag(west, "dr-lab-us-west-2", now_,
                                                     std::chrono::seconds(300));
  ASSERT_TRUE(lag);
  EXPECT_FALSE(lag->worst()) << lag->describe();

  aws::CloudWatch east(config("us-east-1"));
  auto primary = backends::aws_world::read_secondary_lag(east, "dr-lab-us-east-1", now_,
                                                         std::chrono::seconds(300));
  ASSERT_TRUE(primary);
  EXPECT_FALSE(primary->worst()) << primary->describe();
  databases_.b1_lag = 1.0;
  auto elsewhere = backends::aws_world::read_secondary_lag(east, "dr-lab-us-west-2", now_,
                                                           std::chrono::seconds(300));
  ASSERT_TRUE(elsewhere);
  EXPECT_FALSE(elsewhere->worst()) << elsewhere->describe();
}

TEST_F(Cloud, ShiftToDrivesTheAlarmAndTheFrontDoorBothWays) {
  EXPECT_EQ(alarm_state_seen_by_describe(), "INSUFFICIENT_DATA");
  auto t = traffic();
  ASSERT_TRUE(t.shift_to("us-west-2"));
  EXPECT_EQ(door_.forced_to, std::optional<std::string>("us-west-2"));
  EXPECT_EQ(alarm_state_seen_by_describe(), "ALARM");
  now_ += std::chrono::seconds(20);
  ASSERT_TRUE(t.shift_to("us-east-1"));
  EXPECT_EQ(door_.forced_to, std::nullopt);
  EXPECT_EQ(alarm_state_seen_by_describe(), "OK");

  // The published values are CloudWatch's datapoints of the metric.
  aws::CloudWatch cw(config("us-west-2"));
  auto stats = cw.get_metric_statistics({.namespace_ = "DrApp/Failover",
                                         .metric_name = "ForcePrimaryUnhealthy",
                                         .start_time = fixed_now() - std::chrono::minutes(5),
                                         .end_time = now_ + std::chrono::minutes(1),
                                         .period = 10,
                                         .statistics = {"Maximum", "SampleCount"}});
  ASSERT_TRUE(stats) << stats.error().message;
  ASSERT_EQ(stats->datapoints.size(), 2u) << stats->raw.result;
  double sum_of_max = 0;
  for (const auto& d : stats->datapoints) sum_of_max += d.maximum.value_or(-1);
  EXPECT_DOUBLE_EQ(sum_of_max, 1.0);
}

TEST_F(Cloud, TheForceMetricMovesNothingInAnotherRegionOrWithDimensions) {
  aws::CloudWatch east(config("us-east-1"));
  ASSERT_TRUE(east.put_metric_data(
      {"DrApp/Failover", {{.metric_name = "ForcePrimaryUnhealthy", .value = 1.0}}}));
  aws::CloudWatch west(config("us-west-2"));
  ASSERT_TRUE(west.put_metric_data(
      {"DrApp/Failover",
       {{.metric_name = "ForcePrimaryUnhealthy", .dimensions = {{"x", "y"}}, .value = 1.0}}}));
  EXPECT_EQ(door_.calls, 0);
  EXPECT_EQ(alarm_state_seen_by_describe(), "INSUFFICIENT_DATA");
  aws::CloudWatch cw_east(config("us-east-1"));
  auto none = cw_east.describe_alarms({});
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->metric_alarms.empty());
}

TEST_F(Cloud, AFrontDoorThatDoesNotFollowIsAnErrorTheControllerSees) {
  door_.works = false;
  auto t = traffic();
  auto r = t.shift_to("us-west-2");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("front door"), std::string::npos) << r.error().message;
}

TEST_F(Cloud, BadMetricInputGetsCloudWatchsErrorsAndRecordsNothing) {
  auto call = [&](const aws::QueryParams& p, const std::string& action) {
    auto r =
        test::signed_query("monitoring", "us-west-2", "2010-08-01", action, p, lab_keys(), now_);
    const WireResponse w = dispatcher_.handle(r);
    return aws::HttpResponse{w.status, {}, w.body};
  };
  auto aws_ns = call(aws::QueryParams()
                         .add("Namespace", "AWS/RDS")
                         .add("MetricData.member.1.MetricName", "x")
                         .add("MetricData.member.1.Value", "1"),
                     "PutMetricData");
  EXPECT_EQ(aws::parse_xml_error(aws_ns).code, "InvalidParameterValue") << aws_ns.body;
  auto nan = call(aws::QueryParams()
                      .add("Namespace", "DrApp/Failover")
                      .add("MetricData.member.1.MetricName", "ForcePrimaryUnhealthy")
                      .add("MetricData.member.1.Value", "1")
                      .add("MetricData.member.2.MetricName", "ForcePrimaryUnhealthy")
                      .add("MetricData.member.2.Value", "nan"),
                  "PutMetricData");
  EXPECT_EQ(aws::parse_xml_error(nan).code, "InvalidParameterValue") << nan.body;
  EXPECT_EQ(door_.calls, 0);  // the good first datum was not applied either
  auto stale = call(aws::QueryParams()
                        .add("Namespace", "DrApp/Failover")
                        .add("MetricData.member.1.MetricName", "ForcePrimaryUnhealthy")
                        .add("MetricData.member.1.Value", "1")
                        .add("MetricData.member.1.Timestamp", "2026-11-01T00:00:00Z"),
                    "PutMetricData");
  EXPECT_EQ(aws::parse_xml_error(stale).code, "InvalidParameterValue") << stale.body;
  EXPECT_EQ(door_.calls, 0);
  // The lab keeps a bounded number of metrics: a hostile client cannot grow it without end.
  for (std::size_t first = 1; first <= kMaxSeries; first += 250) {  // a form holds 1000 items
    aws::QueryParams many;
    many.add("Namespace", "DrApp/Many");
    for (std::size_t i = first; i < first + 250 && i <= kMaxSeries; ++i) {
      const std::string n = std::to_string(i - first + 1);
      many.add("MetricData.member." + n + ".MetricName", "m" + std::to_string(i));
      many.add("MetricData.member." + n + ".Value", "1");
    }
    auto filled = call(many, "PutMetricData");
    ASSERT_EQ(filled.status, 200) << filled.body.substr(0, 300);
  }
  auto one_more = call(aws::QueryParams()
                           .add("Namespace", "DrApp/Many")
                           .add("MetricData.member.1.MetricName", "another")
                           .add("MetricData.member.1.Value", "1"),
                       "PutMetricData");
  EXPECT_EQ(aws::parse_xml_error(one_more).code, "LimitExceeded") << one_more.body;
  auto known = call(aws::QueryParams()
                        .add("Namespace", "DrApp/Many")
                        .add("MetricData.member.1.MetricName", "m1")
                        .add("MetricData.member.1.Value", "2"),
                    "PutMetricData");
  EXPECT_EQ(known.status, 200) << known.body;
  auto no_stats = call(aws::QueryParams()
                           .add("Namespace", "AWS/RDS")
                           .add("MetricName", "AuroraGlobalDBReplicationLag")
                           .add("StartTime", "2026-12-01T23:55:00Z")
                           .add("EndTime", "2026-12-02T00:05:00Z")
                           .add("Period", "60"),
                       "GetMetricStatistics");
  EXPECT_EQ(aws::parse_xml_error(no_stats).code, "InvalidParameterCombination") << no_stats.body;
  auto backwards = call(aws::QueryParams()
                            .add("Namespace", "AWS/RDS")
                            .add("MetricName", "AuroraGlobalDBReplicationLag")
                            .add("StartTime", "2026-12-02T00:05:00Z")
                            .add("EndTime", "2026-12-01T23:55:00Z")
                            .add("Period", "60")
                            .add("Statistics.member.1", "Maximum"),
                        "GetMetricStatistics");
  EXPECT_EQ(aws::parse_xml_error(backwards).code, "InvalidParameterValue") << backwards.body;
  auto period = call(aws::QueryParams()
                         .add("Namespace", "AWS/RDS")
                         .add("MetricName", "AuroraGlobalDBReplicationLag")
                         .add("StartTime", "2026-12-01T23:55:00Z")
                         .add("EndTime", "2026-12-02T00:05:00Z")
                         .add("Period", "7")
                         .add("Statistics.member.1", "Maximum"),
                     "GetMetricStatistics");
  EXPECT_EQ(aws::parse_xml_error(period).code, "InvalidParameterValue") << period.body;
}

// botocore >= 1.40 calls CloudWatch in Smithy RPC v2 CBOR: the same actions answer it.
aws::HttpRequest cbor_request(const std::string& operation, const nlohmann::json& input,
                              aws::SystemTime when) {
  const auto bytes = nlohmann::json::to_cbor(input);
  auto r = test::lab_post("/service/GraniteServiceVersion20100801/operation/" + operation,
                          {{"smithy-protocol", "rpc-v2-cbor"},
                           {"Content-Type", "application/cbor"},
                           {"Accept", "application/cbor"}},
                          std::string(bytes.begin(), bytes.end()));
  test::sign_for_lab(r, "monitoring", "us-west-2", when);
  return r;
}

TEST_F(Cloud, SmithyRpcV2CborClientsGetTheSameAnswersInCbor) {
  const double now_s = std::chrono::duration<double>(now_.time_since_epoch()).count();
  const WireResponse stats = dispatcher_.handle(cbor_request(
      "GetMetricStatistics",
      {{"Namespace", "AWS/RDS"},
       {"MetricName", "AuroraGlobalDBReplicationLag"},
       {"Dimensions", {{{"Name", "DBClusterIdentifier"}, {"Value", "dr-lab-us-west-2"}}}},
       {"StartTime", now_s - 300},
       {"EndTime", now_s},
       {"Period", 60},
       {"Statistics", {"Maximum"}}},
      now_));
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(stats.content_type, "application/cbor");
  const auto decoded = cbor::decode(stats.body);
  ASSERT_TRUE(decoded && decoded->is_object()) << aws::hex(stats.body);
  const auto& out = *decoded;
  EXPECT_EQ(out["Label"], "AuroraGlobalDBReplicationLag");
  ASSERT_EQ(out["Datapoints"].size(), 1u) << out.dump();
  EXPECT_DOUBLE_EQ(out["Datapoints"][0]["Maximum"].get<double>(), 3000.0);
  EXPECT_EQ(out["Datapoints"][0]["Unit"], "Milliseconds");
  ASSERT_TRUE(out["Datapoints"][0]["Timestamp"].is_number()) << out.dump();
  // Timestamps are CBOR tag 1 (0xc1) over epoch seconds, as botocore reads them.
  EXPECT_NE(stats.body.find("\xc1\xfb"), std::string::npos);

  const WireResponse put = dispatcher_.handle(
      cbor_request("PutMetricData",
                   {{"Namespace", "DrApp/Failover"},
                    {"MetricData", {{{"MetricName", "ForcePrimaryUnhealthy"}, {"Value", 1.0}}}}},
                   now_));
  EXPECT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(door_.forced_to, std::optional<std::string>("us-west-2"));
  const WireResponse alarms =
      dispatcher_.handle(cbor_request("DescribeAlarms", nlohmann::json::object(), now_));
  const auto a = cbor::decode(alarms.body).value_or(nlohmann::json());
  ASSERT_EQ(a["MetricAlarms"].size(), 1u) << a.dump();
  EXPECT_EQ(a["MetricAlarms"][0]["StateValue"], "ALARM");
  EXPECT_EQ(a["MetricAlarms"][0]["Period"], 10);
  EXPECT_EQ(a["MetricAlarms"][0]["ActionsEnabled"], true);
  EXPECT_TRUE(a["CompositeAlarms"].is_array());

  const WireResponse bad = dispatcher_.handle(cbor_request(
      "PutMetricData",
      {{"Namespace", "AWS/RDS"}, {"MetricData", {{{"MetricName", "x"}, {"Value", 1.0}}}}}, now_));
  EXPECT_EQ(bad.status, 400);
  const auto e = nlohmann::json::from_cbor(bad.body, true, false);
  EXPECT_EQ(e["__type"], "InvalidParameterValue") << e.dump();
  const WireResponse unknown =
      dispatcher_.handle(cbor_request("DeleteAlarms", nlohmann::json::object(), now_));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(nlohmann::json::from_cbor(unknown.body, true, false)["__type"], "InvalidAction");
  auto garbage = cbor_request("DescribeAlarms", nlohmann::json::object(), now_);
  garbage.body = "\xff\x00not cbor";
  test::sign_for_lab(garbage, "monitoring", "us-west-2", now_);
  const WireResponse g = dispatcher_.handle(garbage);
  EXPECT_EQ(g.status, 400) << g.body;
  EXPECT_EQ(cbor::decode(g.body).value_or(nlohmann::json())["__type"], "SerializationException");
}

TEST_F(Cloud, GetMetricDataAnswersMetricStatQueriesNewestFirst) {
  aws::CloudWatch cw(config("us-west-2"));
  for (double v : {1.0, 0.0, 1.0}) {
    ASSERT_TRUE(cw.put_metric_data(
        {"DrApp/Failover",
         {{.metric_name = "ForcePrimaryUnhealthy", .timestamp = now_, .value = v}}}));
    now_ += std::chrono::seconds(10);
  }
  aws::QueryParams p;
  p.add("StartTime", aws::iso8601(fixed_now() - std::chrono::minutes(1)))
      .add("EndTime", aws::iso8601(now_));
  p.add("MetricDataQueries.member.1.Id", "force")
      .add("MetricDataQueries.member.1.MetricStat.Metric.Namespace", "DrApp/Failover")
      .add("MetricDataQueries.member.1.MetricStat.Metric.MetricName", "ForcePrimaryUnhealthy")
      .add("MetricDataQueries.member.1.MetricStat.Period", "10")
      .add("MetricDataQueries.member.1.MetricStat.Stat", "Maximum");
  p.add("MetricDataQueries.member.2.Id", "lag")
      .add("MetricDataQueries.member.2.MetricStat.Metric.Namespace", "AWS/RDS")
      .add("MetricDataQueries.member.2.MetricStat.Metric.MetricName",
           "AuroraGlobalDBReplicationLag")
      .add("MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Name",
           "DBClusterIdentifier")
      .add("MetricDataQueries.member.2.MetricStat.Metric.Dimensions.member.1.Value",
           "dr-lab-us-west-2")
      .add("MetricDataQueries.member.2.MetricStat.Period", "60")
      .add("MetricDataQueries.member.2.MetricStat.Stat", "Average");
  auto call = [&](const aws::QueryParams& params) {
    const WireResponse w = dispatcher_.handle(test::signed_query(
        "monitoring", "us-west-2", "2010-08-01", "GetMetricData", params, lab_keys(), now_));
    return aws::HttpResponse{w.status, {}, w.body};
  };
  auto r = call(p);
  ASSERT_EQ(r.status, 200) << r.body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(r.body.c_str()));
  const auto results =
      doc.child("GetMetricDataResponse").child("GetMetricDataResult").child("MetricDataResults");
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, std::vector<std::string>> times;
  for (auto m : results.children("member")) {
    EXPECT_STREQ(m.child_value("StatusCode"), "Complete");
    for (auto v : m.child("Values").children("member"))
      values[m.child_value("Id")].push_back(v.child_value());
    for (auto t : m.child("Timestamps").children("member"))
      times[m.child_value("Id")].push_back(t.child_value());
  }
  EXPECT_EQ(values["force"], (std::vector<std::string>{"1.0", "0.0", "1.0"})) << r.body;
  EXPECT_EQ(times["force"],
            (std::vector<std::string>{"2026-12-02T00:00:20Z", "2026-12-02T00:00:10Z",
                                      "2026-12-02T00:00:00Z"}))
      << r.body;
  EXPECT_EQ(values["lag"], (std::vector<std::string>{"3000.0"})) << r.body;

  auto expression = aws::QueryParams()
                        .add("StartTime", "2026-12-01T23:00:00Z")
                        .add("EndTime", "2026-12-02T01:00:00Z")
                        .add("MetricDataQueries.member.1.Id", "e")
                        .add("MetricDataQueries.member.1.Expression", "SUM(METRICS())");
  EXPECT_EQ(aws::parse_xml_error(call(expression)).code, "InvalidParameterValue");
  auto bad_id = aws::QueryParams()
                    .add("StartTime", "2026-12-01T23:00:00Z")
                    .add("EndTime", "2026-12-02T01:00:00Z")
                    .add("MetricDataQueries.member.1.Id", "Upper")
                    .add("MetricDataQueries.member.1.MetricStat.Metric.Namespace", "a")
                    .add("MetricDataQueries.member.1.MetricStat.Metric.MetricName", "b")
                    .add("MetricDataQueries.member.1.MetricStat.Period", "60")
                    .add("MetricDataQueries.member.1.MetricStat.Stat", "Maximum");
  EXPECT_EQ(aws::parse_xml_error(call(bad_id)).code, "InvalidParameterValue");
  auto none = aws::QueryParams()
                  .add("StartTime", "2026-12-01T23:00:00Z")
                  .add("EndTime", "2026-12-02T01:00:00Z");
  EXPECT_EQ(aws::parse_xml_error(call(none)).code, "MissingParameter");
}

// botocore >= 1.40 picks CloudWatch's "json" protocol (awsJson1_0) first.
TEST_F(Cloud, Json10ClientsGetTheSameAnswersInJson) {
  auto json_request = [&](const std::string& operation, const nlohmann::json& input) {
    auto r = test::lab_post("/",
                            {{"Content-Type", "application/x-amz-json-1.0"},
                             {"X-Amz-Target", "GraniteServiceVersion20100801." + operation}},
                            input.dump());
    test::sign_for_lab(r, "monitoring", "us-west-2", now_);
    return dispatcher_.handle(r);
  };
  const double now_s = std::chrono::duration<double>(now_.time_since_epoch()).count();
  const WireResponse stats = json_request(
      "GetMetricStatistics",
      {{"Namespace", "AWS/RDS"},
       {"MetricName", "AuroraGlobalDBRPOLag"},
       {"Dimensions", {{{"Name", "DBClusterIdentifier"}, {"Value", "dr-lab-us-west-2"}}}},
       {"StartTime", now_s - 300},
       {"EndTime", now_s},
       {"Period", 60},
       {"Statistics", {"Maximum", "SampleCount"}}});
  ASSERT_EQ(stats.status, 200) << stats.body;
  const auto out = nlohmann::json::parse(stats.body);
  ASSERT_TRUE(out["Datapoints"].is_array()) << stats.body;
  ASSERT_EQ(out["Datapoints"].size(), 1u) << stats.body;
  EXPECT_DOUBLE_EQ(out["Datapoints"][0]["Maximum"].get<double>(), 3000.0);
  EXPECT_DOUBLE_EQ(out["Datapoints"][0]["SampleCount"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(out["Datapoints"][0]["Timestamp"].get<double>(), now_s - 60) << stats.body;

  const WireResponse put = json_request(
      "PutMetricData",
      {{"Namespace", "DrApp/Failover"},
       {"MetricData",
        {{{"MetricName", "ForcePrimaryUnhealthy"}, {"Value", 1}, {"Timestamp", now_s}}}}});
  EXPECT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(door_.forced_to, std::optional<std::string>("us-west-2"));
  const auto alarms =
      nlohmann::json::parse(json_request("DescribeAlarms", nlohmann::json::object()).body);
  ASSERT_EQ(alarms["MetricAlarms"].size(), 1u) << alarms.dump();
  EXPECT_EQ(alarms["MetricAlarms"][0]["StateValue"], "ALARM");
  EXPECT_EQ(alarms["MetricAlarms"][0]["EvaluationPeriods"], 1);
  EXPECT_TRUE(alarms["MetricAlarms"][0]["StateUpdatedTimestamp"].is_number());
  const auto data = nlohmann::json::parse(
      json_request(
          "GetMetricData",
          {{"StartTime", now_s - 300},
           {"EndTime", now_s + 60},
           {"MetricDataQueries",
            {{{"Id", "f"},
              {"MetricStat",
               {{"Metric",
                 {{"Namespace", "DrApp/Failover"}, {"MetricName", "ForcePrimaryUnhealthy"}}},
                {"Period", 60},
                {"Stat", "Maximum"}}}}}}})
          .body);
  ASSERT_EQ(data["MetricDataResults"].size(), 1u) << data.dump();
  EXPECT_EQ(data["MetricDataResults"][0]["Values"], nlohmann::json::array({1.0})) << data.dump();
  ASSERT_EQ(data["MetricDataResults"][0]["Timestamps"].size(), 1u) << data.dump();
  EXPECT_TRUE(data["MetricDataResults"][0]["Timestamps"][0].is_number()) << data.dump();

  const WireResponse bad = json_request("GetMetricStatistics", {{"Namespace", "AWS/RDS"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["__type"], "MissingParameter") << bad.body;
  const WireResponse unknown = json_request("DeleteAlarms", {{"AlarmNames", {"x"}}});
  EXPECT_EQ(nlohmann::json::parse(unknown.body)["__type"], "InvalidAction") << unknown.body;
}

TEST(MetricStore, BoundsItsMetricsCountingANewOneOnceAndKeepsTheNewestPoints) {
  MetricStore store;
  const auto t0 = fixed_now();
  std::vector<MetricDatum> fill;
  for (std::size_t i = 0; i + 1 < kMaxSeries; ++i)
    fill.push_back({"m" + std::to_string(i), "", {t0, 1, "None"}});
  ASSERT_TRUE(store.put("us-west-2", "Ns", fill));
  // The last free slot: one new metric, given twice in the call.
  ASSERT_TRUE(store.put(
      "us-west-2", "Ns",
      {{"last", "", {t0, 1, "None"}}, {"last", "", {t0 + std::chrono::seconds(1), 2, "None"}}}));
  auto full = store.put("us-west-2", "Ns", {{"more", "", {t0, 1, "None"}}});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().code, "LimitExceeded");
  EXPECT_TRUE(store.points("us-west-2", "Ns", "more", "", t0, t0 + std::chrono::hours(1)).empty());
  // Regional: the same metric in another region is another metric.
  EXPECT_TRUE(store.points("us-east-1", "Ns", "last", "", t0, t0 + std::chrono::hours(1)).empty());
  std::vector<MetricDatum> many;
  for (std::size_t i = 0; i < kMaxDatapoints + 5; ++i)
    many.push_back({"m0", "", {t0 + std::chrono::seconds(i), static_cast<double>(i), "None"}});
  ASSERT_TRUE(store.put("us-west-2", "Ns", many));
  auto kept = store.points("us-west-2", "Ns", "m0", "", t0, t0 + std::chrono::hours(2));
  ASSERT_EQ(kept.size(), kMaxDatapoints);
  EXPECT_EQ(kept.back().value, static_cast<double>(kMaxDatapoints + 4));
  auto periods = by_period(kept, 60);
  EXPECT_EQ(statistic(periods.begin()->second, "SampleCount"),
            static_cast<double>(periods.begin()->second.size()));
}

TEST(Cbor, ReadsBotocoresTaggedTimestampsAndRefusesMalformedInput) {
  // {"EndTime": 1(1796169600), "Period": 60} as botocore writes it (tag 1, an integer).
  const std::string tagged = std::string("\xa2\x67") + "EndTime" +
                             std::string("\xc1\x1a\x6b\x0f\x5f\x80", 6) + "\x66" + "Period" +
                             "\x18\x3c";
  auto form = cbor_to_form(tagged, "GetMetricStatistics", MonitoringHandler::rpc_bridge().types);
  ASSERT_TRUE(form) << form.error().message;
  EXPECT_EQ(form->get("EndTime"), std::optional<std::string>("2026-12-02T00:00:00Z"));
  EXPECT_EQ(form->get("Period"), std::optional<std::string>("60"));
  EXPECT_EQ(form->get("Action"), std::optional<std::string>("GetMetricStatistics"));
  // Half, single and double floats.
  auto h = cbor::decode(std::string("\xf9\x3e\x00", 3));
  ASSERT_TRUE(h);
  EXPECT_DOUBLE_EQ(h->get<double>(), 1.5);
  auto f = cbor::decode(std::string("\xfa\x3f\xc0\x00\x00", 5));
  ASSERT_TRUE(f);
  EXPECT_DOUBLE_EQ(f->get<double>(), 1.5);
  for (const std::string& bad :
       {std::string("\xa1\x61", 2), std::string("\x9f\xff", 2),
        std::string("\x7a\xff\xff\xff\xff", 5), std::string("\xa1\x01\x02", 3),
        std::string("\x01\x02", 2), std::string("\x62\xff\xfe", 3)})
    EXPECT_FALSE(cbor::decode(bad)) << aws::hex(bad);
  std::string deep(100, '\x81');
  deep += '\x01';
  EXPECT_FALSE(cbor::decode(deep));
}

// ---- Route 53 ----------------------------------------------------------------------------

TEST_F(Cloud, HealthCheckStatusIsTheFrontDoorsCheckOfEachAlbAndTheAlarm) {
  aws::Route53 r53(config("us-east-1"));
  auto primary = r53.get_health_check_status("dr-lab-primary-alb");
  ASSERT_TRUE(primary) << primary.error().message;
  ASSERT_EQ(primary->observations.size(), 1u);
  EXPECT_TRUE(primary->observations[0].healthy()) << primary->observations[0].status;
  EXPECT_EQ(primary->observations[0].ip_address, "127.0.1.30");
  auto secondary = r53.get_health_check_status("dr-lab-secondary-alb");
  ASSERT_TRUE(secondary);
  EXPECT_EQ(secondary->healthy_count(), 0) << secondary->observations[0].status;
  door_.alb_up["us-west-2"] = true;
  secondary = r53.get_health_check_status("dr-lab-secondary-alb");
  ASSERT_TRUE(secondary);
  EXPECT_EQ(secondary->healthy_count(), 1);

  auto not_forced = r53.get_health_check_status("dr-lab-not-forced");
  ASSERT_TRUE(not_forced);
  EXPECT_EQ(not_forced->healthy_count(), 1);  // insufficient data is healthy
  ASSERT_TRUE(traffic().shift_to("us-west-2"));
  not_forced = r53.get_health_check_status("dr-lab-not-forced");
  ASSERT_TRUE(not_forced);
  EXPECT_EQ(not_forced->healthy_count(), 0) << not_forced->observations[0].status;

  auto calculated = r53.get_health_check_status("dr-lab-primary");
  ASSERT_FALSE(calculated);
  EXPECT_EQ(calculated.error().code, "InvalidInput");
  auto unknown = r53.get_health_check_status("nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "NoSuchHealthCheck");
}

TEST_F(Cloud, ListHealthChecksSaysNoCheckIsInvertedOrDisabled) {
  // Both flags change what a check's status means; AWS answers them on every check (moto too).
  aws::HttpRequest r = test::lab_post("/2013-04-01/healthcheck", {});
  r.method = "GET";
  test::sign_for_lab(r, "route53", "us-east-1", now_);
  const WireResponse w = dispatcher_.handle(r);
  ASSERT_EQ(w.status, 200) << w.body;
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(w.body.c_str())) << w.body;
  int checks = 0;
  for (auto c : doc.child("ListHealthChecksResponse").child("HealthChecks").children()) {
    ++checks;
    auto config = c.child("HealthCheckConfig");
    EXPECT_STREQ(config.child_value("Inverted"), "false") << c.child_value("Id");
    EXPECT_STREQ(config.child_value("Disabled"), "false") << c.child_value("Id");
  }
  EXPECT_EQ(checks, 4) << w.body;
}

aws::ResourceRecordSet failover_record(const std::string& id) {
  aws::ResourceRecordSet r;
  r.name = "app.dr-lab.internal.";
  r.type = "CNAME";
  r.set_identifier = id;
  r.failover = id == "primary" ? "PRIMARY" : "SECONDARY";
  r.ttl = 60;
  r.resource_records = {id == "primary" ? "alb.us-east-1.dr-lab.internal"
                                        : "alb.us-west-2.dr-lab.internal"};
  return r;
}

TEST_F(Cloud, ChangingTheFailoverRecordsMovesTheFrontDoorAndGetChangeGoesInsync) {
  aws::Route53 r53(config("us-east-1"));
  auto del = r53.change_resource_record_sets(
      {"/hostedzone/Z0DRLAB0000000000000", std::nullopt, {{"DELETE", failover_record("primary")}}});
  ASSERT_TRUE(del) << del.error().message;
  EXPECT_EQ(del->change_info.status, "PENDING");
  EXPECT_EQ(door_.forced_to, std::optional<std::string>("us-west-2"));
  auto change = r53.get_change(del->change_info.id);
  ASSERT_TRUE(change) << change.error().message;
  EXPECT_EQ(change->change_info.status, "INSYNC");

  // Deleting the last record is refused; nothing changes.
  auto last = r53.change_resource_record_sets(
      {"Z0DRLAB0000000000000", std::nullopt, {{"DELETE", failover_record("secondary")}}});
  ASSERT_FALSE(last);
  EXPECT_EQ(last.error().code, "InvalidChangeBatch");
  EXPECT_EQ(door_.forced_to, std::optional<std::string>("us-west-2"));
  // Creating one that exists is refused, the whole batch with it.
  auto dup = r53.change_resource_record_sets(
      {"Z0DRLAB0000000000000",
       std::nullopt,
       {{"CREATE", failover_record("primary")}, {"CREATE", failover_record("secondary")}}});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, "InvalidChangeBatch");
  EXPECT_EQ(door_.forced_to, std::optional<std::string>("us-west-2"));

  auto back = r53.change_resource_record_sets(
      {"Z0DRLAB0000000000000", std::nullopt, {{"CREATE", failover_record("primary")}}});
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(door_.forced_to, std::nullopt);

  // A change the front door has not shown yet stays PENDING.
  auto again = r53.change_resource_record_sets(
      {"Z0DRLAB0000000000000", std::nullopt, {{"DELETE", failover_record("secondary")}}});
  ASSERT_TRUE(again);
  door_.forced_to = "us-west-2";  // someone moved it since
  auto pending = r53.get_change(again->change_info.id);
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->change_info.status, "PENDING");
  door_.forced_to = "us-east-1";
  auto insync = r53.get_change(again->change_info.id);
  ASSERT_TRUE(insync);
  EXPECT_EQ(insync->change_info.status, "INSYNC");

  auto other_zone = r53.change_resource_record_sets(
      {"Z999", std::nullopt, {{"UPSERT", failover_record("primary")}}});
  ASSERT_FALSE(other_zone);
  EXPECT_EQ(other_zone.error().code, "NoSuchHostedZone");
  auto no_change = r53.get_change("C404");
  ASSERT_FALSE(no_change);
  EXPECT_EQ(no_change.error().code, "NoSuchChange");
  auto other_record = failover_record("primary");
  other_record.name = "www.example.com.";
  auto foreign = r53.change_resource_record_sets(
      {"Z0DRLAB0000000000000", std::nullopt, {{"UPSERT", other_record}}});
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, "InvalidChangeBatch");
}

// Hostile input: random signed bodies in each of CloudWatch's protocols and to Route 53 always
// get an answer in AWS's shape, a 2xx or a 4xx, never a crash or a 5xx.
TEST_F(Cloud, RandomSignedInputGetsAnAwsShapedAnswer) {
  std::mt19937 rng(20261203);
  auto bytes = [&](std::size_t max) {
    std::string out(rng() % max, '\0');
    for (auto& c : out) c = static_cast<char>(rng() % 256);
    return out;
  };
  const std::vector<std::string> pieces = {"\xa1", "\x81", "\xc1", "\xfb", "\x9f", "\x7f",
                                           "\x1b", "\xf9", "\x61", "\x00", "\xff", "\x5a"};
  auto cbor_like = [&] {
    std::string out;
    for (int i = 0, n = static_cast<int>(rng() % 24); i < n; ++i) {
      out += pieces[rng() % pieces.size()];
      if (rng() % 3 == 0) out += bytes(4);
    }
    return out;
  };
  const std::vector<std::string> ops = {"GetMetricStatistics", "PutMetricData", "DescribeAlarms",
                                        "Nope"};
  const std::vector<std::string> json_bodies = {
      "{",
      "[]",
      "null",
      R"({"Namespace":{"a":[[[[1]]]]}})",
      R"({"MetricData":[{"Value":1e999}]})",
      R"({"MetricData":[{"MetricName":"x","Value":"NaN"}],"Namespace":"a"})",
      R"({"StartTime":-1e300,"EndTime":1e300,"Period":-5})"};
  int ok = 0;
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    aws::HttpRequest r;
    r.method = "POST";
    r.host = "127.0.3.27:4566";
    std::string service = "monitoring";
    const std::string op = ops[rng() % ops.size()];
    switch (i % 4) {
      case 0:
        r.path = "/service/GraniteServiceVersion20100801/operation/" + op;
        r.headers = {{"Host", r.host},
                     {"smithy-protocol", "rpc-v2-cbor"},
                     {"Content-Type", "application/cbor"}};
        r.body = cbor_like();
        break;
      case 1:
        r.path = "/";
        r.headers = {{"Host", r.host},
                     {"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "GraniteServiceVersion20100801." + op}};
        r.body = rng() % 2 ? json_bodies[rng() % json_bodies.size()] : bytes(64);
        break;
      case 2:
        r.path = "/";
        r.headers = {{"Host", r.host}, {"Content-Type", "application/x-www-form-urlencoded"}};
        r.body = "Action=" + op + "&Namespace=DrApp%2FX&MetricData.member.1.MetricName=m" +
                 "&MetricData.member.1.Value=" + std::to_string(static_cast<int>(rng() % 3)) +
                 "&StartTime=" + bytes(3) + "&Period=" + std::to_string(rng());
        break;
      default: {
        service = "route53";
        const std::vector<std::string> paths = {
            "/2013-04-01/hostedzone/Z0DRLAB0000000000000/rrset/",
            "/2013-04-01/healthcheck/" + bytes(8) + "/status", "/2013-04-01/change/C" + bytes(4),
            "/2013-04-01/healthcheck", "/x"};
        r.path = paths[rng() % paths.size()];
        r.method = rng() % 2 ? "POST" : "GET";
        r.headers = {{"Host", r.host}};
        r.body = rng() % 2 ? bytes(128)
                           : "<ChangeResourceRecordSetsRequest><ChangeBatch><Changes><Change>"
                             "<Action>DELETE</Action><ResourceRecordSet><Name>" +
                                 bytes(6) +
                                 "</Name></ResourceRecordSet></Change></Changes>"
                                 "</ChangeBatch></ChangeResourceRecordSetsRequest>";
      }
    }
    test::sign_for_lab(r, service, "us-west-2", now_);
    const WireResponse w = dispatcher_.handle(r);
    EXPECT_TRUE(w.status == 200 || (w.status >= 400 && w.status < 500))
        << i << ": " << w.status << " " << w.body.substr(0, 300);
    EXPECT_FALSE(w.body.empty() && w.status != 200) << i;
    // Signed right: every answer is the service's own, not the signature check's.
    EXPECT_NE(w.status, 403) << i << ": " << w.body.substr(0, 300);
    ++(w.status == 200 ? ok : refused);
  }
  EXPECT_GT(ok, 100);  // not a test of the signature check alone
  EXPECT_GT(refused, 100);
}

// ---- DynamoDB pass-through ---------------------------------------------------------------

class RecordingTransport final : public aws::HttpTransport {
 public:
  aws::Result<aws::HttpResponse> send(const aws::HttpRequest& r) override {
    seen.push_back(r);
    if (down) return std::unexpected(aws::Error::not_sent("connection refused"));
    return aws::HttpResponse{
        200, {{"Content-Type", "application/x-amz-json-1.0"}}, "{\"Table\":{}}"};
  }
  std::vector<aws::HttpRequest> seen;
  bool down = false;
};

TEST(DynamoDbPassThrough, ForwardsToTheCallersRegionReSignedWithTheLabsKey) {
  auto transport = std::make_shared<RecordingTransport>();
  DynamoDbPassThrough pass(
      [](const std::string& region) -> std::expected<std::string, std::string> {
        if (region == "us-east-1") return "127.0.1.40:8000";
        return std::unexpected("no dynamodb-" + region);
      },
      transport, {"lab", "lab-secret", "", {}, "lab"}, [] { return fixed_now(); });
  aws::HttpRequest in;
  in.method = "POST";
  in.path = "/";
  in.headers = {{"Host", "127.0.3.27:4566"},
                {"Content-Type", "application/x-amz-json-1.0"},
                {"X-Amz-Target", "DynamoDB_20120810.DescribeTable"},
                {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIA.../dynamodb/aws4_request"}};
  in.body = R"({"TableName":"sessions"})";
  auto out = pass.forward(in, {"AKIALABTESTKEY000001", "us-east-1", "dynamodb"});
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(out.body, "{\"Table\":{}}");
  ASSERT_EQ(transport->seen.size(), 1u);
  const auto& sent = transport->seen[0];
  EXPECT_EQ(sent.host, "127.0.1.40:8000");
  EXPECT_EQ(sent.body, in.body);
  ASSERT_TRUE(sent.header("X-Amz-Target"));
  EXPECT_EQ(*sent.header("X-Amz-Target"), "DynamoDB_20120810.DescribeTable");
  ASSERT_TRUE(sent.header("Authorization"));
  // DynamoDB Local keeps one database per key and region: the lab's key, the caller's region.
  EXPECT_NE(sent.header("Authorization")->find("Credential=lab/20261202/us-east-1/dynamodb/"),
            std::string::npos)
      << *sent.header("Authorization");

  auto elsewhere = pass.forward(in, {"AKIALABTESTKEY000001", "eu-west-1", "dynamodb"});
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_NE(elsewhere.body.find("UnrecognizedClientException"), std::string::npos);
  transport->down = true;
  auto down = pass.forward(in, {"AKIALABTESTKEY000001", "us-east-1", "dynamodb"});
  EXPECT_EQ(down.status, 503);
  EXPECT_NE(down.body.find("ServiceUnavailable"), std::string::npos);
}

}  // namespace
}  // namespace dr::lab_aws
