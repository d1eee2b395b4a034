// The response parsers never crash and never throw on garbage: truncated documents, wrong types
// and absurd sizes all come back as a kParseError the caller can act on.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/dynamodb.h"
#include "aws/elbv2.h"
#include "aws/json_protocol.h"
#include "aws/query_protocol.h"
#include "aws/rds.h"
#include "aws/route53.h"
#include "aws/secrets_manager.h"
#include "aws/sns.h"
#include "support/capture_transport.h"

namespace dr::aws {
namespace {

// Each parser as "body -> ok or the error".
using Parser = std::function<Result<bool>(std::string_view)>;

template <class F>
Parser parser(F f) {
  return [f](std::string_view body) -> Result<bool> {
    auto r = f(body);
    if (!r) return std::unexpected(r.error());
    return true;
  };
}

struct Sample {
  std::string name;
  Parser parse;
  std::string valid_body;
};

std::vector<Sample> samples() {
  return {
      {"DescribeGlobalClusters", parser(Rds::parse_describe_global_clusters),
       "<DescribeGlobalClustersResponse><DescribeGlobalClustersResult><GlobalClusters>"
       "<GlobalClusterMember><GlobalClusterIdentifier>g</GlobalClusterIdentifier>"
       "<GlobalClusterMembers><GlobalClusterMember><DBClusterArn>a</DBClusterArn><Readers>"
       "<member>b</member></Readers><IsWriter>true</IsWriter></GlobalClusterMember>"
       "</GlobalClusterMembers><FailoverState><Status>pending</Status></FailoverState>"
       "</GlobalClusterMember></GlobalClusters></DescribeGlobalClustersResult>"
       "</DescribeGlobalClustersResponse>"},
      {"DescribeDBClusters", parser(Rds::parse_describe_db_clusters),
       "<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters><DBCluster>"
       "<DBClusterIdentifier>c</DBClusterIdentifier><Port>3306</Port><DBClusterMembers>"
       "<DBClusterMember><IsClusterWriter>true</IsClusterWriter></DBClusterMember>"
       "</DBClusterMembers></DBCluster></DBClusters></DescribeDBClustersResult>"
       "</DescribeDBClustersResponse>"},
      {"FailoverGlobalCluster", parser([](std::string_view b) {
         return Rds::parse_global_cluster_result(b, "FailoverGlobalCluster");
       }),
       "<FailoverGlobalClusterResponse><FailoverGlobalClusterResult><GlobalCluster>"
       "<Status>failing-over</Status></GlobalCluster></FailoverGlobalClusterResult>"
       "</FailoverGlobalClusterResponse>"},
      {"DescribeAutoScalingGroups", parser(AutoScaling::parse_describe_auto_scaling_groups),
       "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups>"
       "<member><AutoScalingGroupName>g</AutoScalingGroupName><MinSize>0</MinSize>"
       "<MaxSize>4</MaxSize><DesiredCapacity>2</DesiredCapacity><Instances><member>"
       "<InstanceId>i-1</InstanceId><ProtectedFromScaleIn>false</ProtectedFromScaleIn>"
       "</member></Instances><CreatedTime>2015-08-30T12:00:00Z</CreatedTime></member>"
       "</AutoScalingGroups></DescribeAutoScalingGroupsResult>"
       "</DescribeAutoScalingGroupsResponse>"},
      {"Publish", parser(Sns::parse_publish),
       "<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult>"
       "</PublishResponse>"},
      {"DescribeAlarms", parser(CloudWatch::parse_describe_alarms),
       "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms><member>"
       "<AlarmName>a</AlarmName><Threshold>1.5</Threshold><Period>60</Period>"
       "<StateUpdatedTimestamp>2015-08-30T12:00:00.000Z</StateUpdatedTimestamp>"
       "</member></MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>"},
      {"GetMetricStatistics", parser(CloudWatch::parse_get_metric_statistics),
       "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints><member>"
       "<Timestamp>2013-05-19T00:03:00Z</Timestamp><SampleCount>2.0</SampleCount>"
       "<Maximum>0.34</Maximum><Unit>Seconds</Unit></member></Datapoints>"
       "<Label>AuroraGlobalDBRPOLag</Label></GetMetricStatisticsResult>"
       "</GetMetricStatisticsResponse>"},
      {"DescribeTargetHealth", parser(ElasticLoadBalancingV2::parse_describe_target_health),
       "<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions>"
       "<member><HealthCheckPort>80</HealthCheckPort><TargetHealth><State>healthy</State>"
       "</TargetHealth><Target><Port>80</Port><Id>i-0376fadf</Id></Target></member>"
       "</TargetHealthDescriptions></DescribeTargetHealthResult>"
       "</DescribeTargetHealthResponse>"},
      {"GetHealthCheckStatus", parser(Route53::parse_get_health_check_status),
       "<GetHealthCheckStatusResponse><HealthCheckObservations><HealthCheckObservation>"
       "<Region>us-east-1</Region><StatusReport><Status>Success</Status>"
       "<CheckedTime>2015-08-30T12:00:00Z</CheckedTime></StatusReport>"
       "</HealthCheckObservation></HealthCheckObservations></GetHealthCheckStatusResponse>"},
      {"GetChange", parser([](std::string_view b) {
         return Route53::parse_change_info(b, "GetChangeResponse");
       }),
       "<GetChangeResponse><ChangeInfo><Id>/change/C1</Id><Status>INSYNC</Status>"
       "<SubmittedAt>2015-08-30T12:00:00Z</SubmittedAt></ChangeInfo></GetChangeResponse>"},
      {"JsonBody", parser(parse_json_body),
       R"({"Item": {"pk": {"S": "a]}\"["}, "n": {"N": "1"}}, "L": [1, 2.5, true, null]})"},
  };
}

void expect_parse_error(const Result<bool>& r, const std::string& what) {
  ASSERT_FALSE(r) << what << " was accepted";
  EXPECT_EQ(r.error().kind, ErrorKind::kParseError) << what << ": " << r.error();
}

TEST(ResponseParsers, AcceptTheirSampleBodies) {
  for (const auto& s : samples()) {
    auto r = s.parse(s.valid_body);
    EXPECT_TRUE(r) << s.name << ": " << (r ? "" : r.error().describe());
  }
}

TEST(ResponseParsers, RejectEveryTruncationOfAValidBody) {
  for (const auto& s : samples()) {
    for (size_t n = 1; n < s.valid_body.size(); ++n)
      expect_parse_error(s.parse(std::string_view(s.valid_body).substr(0, n)),
                         s.name + " truncated to " + std::to_string(n) + " bytes");
  }
}

TEST(ResponseParsers, RejectAnEmptyXmlBodyButReadAnEmptyJsonBodyAsNoFields) {
  for (const auto& s : samples()) {
    if (s.name == "JsonBody") {
      EXPECT_TRUE(s.parse(""));  // e.g. a 200 with no content: nothing to read
    } else {
      expect_parse_error(s.parse(""), s.name + " empty");
    }
  }
}

TEST(ResponseParsers, RejectTheWrongRootOrAMissingResultWrapper) {
  expect_parse_error(parser(Sns::parse_publish)("<Other/>"), "wrong root");
  expect_parse_error(parser(Sns::parse_publish)("<PublishResponse/>"), "no PublishResult");
  expect_parse_error(
      parser(Sns::parse_publish)("<PublishResponse><PublishResult/></PublishResponse>"),
      "no MessageId");
  expect_parse_error(parser(parse_json_body)("[1, 2]"), "a JSON array");
  expect_parse_error(parser(parse_json_body)("\"text\""), "a JSON string");
}

struct WrongType {
  std::string what;
  Parser parse;
  std::string body;
};

TEST(ResponseParsers, RejectWrongTypesWithAMessageNamingTheField) {
  auto asg = parser(AutoScaling::parse_describe_auto_scaling_groups);
  auto group = [](const std::string& inner) {
    return "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult>"
           "<AutoScalingGroups><member><AutoScalingGroupName>g</AutoScalingGroupName>"
           "<MinSize>0</MinSize><MaxSize>4</MaxSize>" +
           inner +
           "</member></AutoScalingGroups></DescribeAutoScalingGroupsResult>"
           "</DescribeAutoScalingGroupsResponse>";
  };
  auto rds = parser(Rds::parse_describe_global_clusters);
  auto global = [](const std::string& inner) {
    return "<DescribeGlobalClustersResponse><DescribeGlobalClustersResult>" + inner +
           "</DescribeGlobalClustersResult></DescribeGlobalClustersResponse>";
  };
  auto alarms = parser(CloudWatch::parse_describe_alarms);
  auto alarm = [](const std::string& inner) {
    return "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms><member>" + inner +
           "</member></MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>";
  };
  std::vector<WrongType> cases = {
      {"a string where a number is", asg, group("<DesiredCapacity>two</DesiredCapacity>")},
      {"a fraction where an integer is", asg, group("<DesiredCapacity>2.5</DesiredCapacity>")},
      {"an integer that overflows", asg,
       group("<DesiredCapacity>99999999999999999999999</DesiredCapacity>")},
      {"an empty number", asg, group("<DesiredCapacity></DesiredCapacity>")},
      {"a required number missing", asg, "" + group("")},
      {"an object where a number is", asg, group("<DesiredCapacity><n>2</n></DesiredCapacity>")},
      {"a word where a boolean is", asg,
       group("<DesiredCapacity>2</DesiredCapacity><Instances><member><ProtectedFromScaleIn>yes"
             "</ProtectedFromScaleIn></member></Instances>")},
      {"a bad timestamp", asg,
       group("<DesiredCapacity>2</DesiredCapacity><CreatedTime>yesterday</CreatedTime>")},
      {"text where a list is", rds, global("<GlobalClusters>none</GlobalClusters>")},
      {"an object where a list is", rds,
       global("<GlobalClusters><GlobalClusterIdentifier>g</GlobalClusterIdentifier>"
              "</GlobalClusters>")},
      {"an object where a string list is", rds,
       global("<GlobalClusters><GlobalClusterMember><GlobalClusterMembers><GlobalClusterMember>"
              "<Readers><member><arn>x</arn></member></Readers></GlobalClusterMember>"
              "</GlobalClusterMembers></GlobalClusterMember></GlobalClusters>")},
      {"an object where a string is", rds,
       global("<GlobalClusters><GlobalClusterMember><Status><code>up</code></Status>"
              "</GlobalClusterMember></GlobalClusters>")},
      {"a year beyond the clock's range (found by the fuzzer: UB in the conversion)", asg,
       group(
           "<DesiredCapacity>2</DesiredCapacity><CreatedTime>1007-08-30T12:00:00Z</CreatedTime>")},
      {"a year far in the future", asg,
       group(
           "<DesiredCapacity>2</DesiredCapacity><CreatedTime>9999-12-31T23:59:59Z</CreatedTime>")},
      {"a word where a double is", alarms, alarm("<Threshold>high</Threshold>")},
      {"a list where a double is", alarms, alarm("<Threshold><member>1</member></Threshold>")},
      {"a word where a datapoint's statistic is", parser(CloudWatch::parse_get_metric_statistics),
       "<GetMetricStatisticsResponse><GetMetricStatisticsResult><Datapoints><member>"
       "<Maximum>lagging</Maximum></member></Datapoints></GetMetricStatisticsResult>"
       "</GetMetricStatisticsResponse>"},
      {"a target health without its target's id",
       parser(ElasticLoadBalancingV2::parse_describe_target_health),
       "<DescribeTargetHealthResponse><DescribeTargetHealthResult><TargetHealthDescriptions>"
       "<member><TargetHealth><State>healthy</State></TargetHealth><Target><Port>80</Port>"
       "</Target></member></TargetHealthDescriptions></DescribeTargetHealthResult>"
       "</DescribeTargetHealthResponse>"},
      {"a missing ChangeInfo", parser([](std::string_view b) {
         return Route53::parse_change_info(b, "GetChangeResponse");
       }),
       "<GetChangeResponse><Change/></GetChangeResponse>"},
  };
  for (const auto& c : cases) {
    auto r = c.parse(c.body);
    expect_parse_error(r, c.what);
    if (!r) {
      EXPECT_FALSE(r.error().message.empty()) << c.what;
    }
  }
}

TEST(ResponseParsers, RejectFiftyMegabytesOfNestingQuicklyAndWithoutExhaustingMemory) {
  const size_t kSize = 50u << 20;
  expect_parse_error(parser(parse_json_body)(std::string(kSize, '[')), "50 MB of [");
  expect_parse_error(
      parser(parse_json_body)(std::string(kSize / 2, '{') + std::string(kSize / 2, '}')),
      "balanced 50 MB of {}");
  std::string deep;
  deep.reserve(kSize);
  while (deep.size() < kSize) deep += "<PublishResponse>";
  expect_parse_error(parser(Sns::parse_publish)(deep), "50 MB of nested elements");
  std::string deep_result = "<PublishResponse>";
  for (int i = 0; i < 1000; ++i) deep_result += "<PublishResult>";
  expect_parse_error(parser(Sns::parse_publish)(deep_result), "1000 nested result wrappers");
}

TEST(ResponseParsers, StillReadLegitimatelyDeepAndLargeBodies) {
  // A DynamoDB document nested to its 32-level limit is about 70 JSON levels deep.
  std::string item = R"({"S": "leaf [{"})";
  for (int i = 0; i < 32; ++i) item = R"({"M": {"k": )" + item + "}}";
  EXPECT_TRUE(parse_json_body(R"({"Item": {"doc": )" + item + "}}"));
  // 20,000 alarms (about 2 MB) is far more than any account has.
  std::string body = "<DescribeAlarmsResponse><DescribeAlarmsResult><MetricAlarms>";
  for (int i = 0; i < 20000; ++i)
    body += "<member><AlarmName>alarm-" + std::to_string(i) +
            "</AlarmName><StateValue>OK</StateValue><Threshold>1</Threshold></member>";
  body += "</MetricAlarms></DescribeAlarmsResult></DescribeAlarmsResponse>";
  auto out = CloudWatch::parse_describe_alarms(body);
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->metric_alarms.size(), 20000u);
}

TEST(ResponseParsers, DoNotExpandEntitiesFromADoctype) {
  // The "billion laughs": pugixml does not expand DOCTYPE entities, so this stays small.
  std::string body =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
      "<PublishResponse><PublishResult><MessageId>&lol2;</MessageId></PublishResult>"
      "</PublishResponse>";
  auto out = Sns::parse_publish(body);
  if (out) {
    EXPECT_LT(out->message_id.size(), 100u);
  }
}

TEST(ErrorParsers, ReadEveryXmlErrorShapeAndSurviveGarbage) {
  auto parse = [](int status, std::string body) {
    return parse_rest_xml_error(HttpResponse{status, {}, std::move(body)});
  };
  Error query = parse(400,
                      "<ErrorResponse xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><Error>"
                      "<Type>Sender</Type><Code>GlobalClusterNotFoundFault</Code>"
                      "<Message>no such global cluster</Message></Error>"
                      "<RequestId>r-1</RequestId></ErrorResponse>");
  EXPECT_EQ(query.code, "GlobalClusterNotFoundFault");
  EXPECT_EQ(query.message, "no such global cluster");
  EXPECT_EQ(query.request_id, "r-1");

  Error ec2 = parse(503,
                    "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                    "<Message>slow down</Message></Error></Errors><RequestID>r-2</RequestID>"
                    "</Response>");
  EXPECT_EQ(ec2.code, "RequestLimitExceeded");
  EXPECT_EQ(ec2.request_id, "r-2");

  Error bare = parse(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>");
  EXPECT_EQ(bare.code, "AccessDenied");

  Error batch = parse(400,
                      "<?xml version=\"1.0\"?><InvalidChangeBatch xmlns=\"https://route53."
                      "amazonaws.com/doc/2013-04-01/\"><Messages><Message>first</Message>"
                      "<Message>second</Message></Messages></InvalidChangeBatch>");
  EXPECT_EQ(batch.code, "InvalidChangeBatch");
  EXPECT_EQ(batch.message, "first; second");

  for (std::string garbage : {"", "<html><body>502 Bad Gateway</body></html>",
                              "<ErrorResponse><Error><Code>Trunc", "\xff\xfe\x00<", "{}"}) {
    Error e = parse(502, garbage);
    EXPECT_EQ(e.kind, ErrorKind::kServiceError) << garbage;
    EXPECT_EQ(e.code, "UnknownError") << garbage;
    EXPECT_FALSE(e.message.empty()) << garbage;
  }
}

TEST(ServiceCalls, TurnAWrongTypedJsonAnswerIntoAParseError) {
  auto transport = std::make_shared<testing::CaptureTransport>();
  ClientConfig config;
  config.credentials = std::make_shared<StaticCredentialsProvider>(
      Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
  config.transport = transport;
  config.retry.max_attempts = 1;
  SecretsManager sm(config);
  for (std::string body : {R"({"SecretString": 5})", R"({"SecretBinary": "not base64!"})",
                           R"({"SecretString": ["a"]})", R"({"Name": "x")", "[]", "null"}) {
    transport->respond_with(200, body);
    auto out = sm.get_secret_value("dr-app/db");
    ASSERT_FALSE(out) << body;
    EXPECT_EQ(out.error().kind, ErrorKind::kParseError) << body;
  }
}

TEST(ServiceCalls, TurnAnXmlErrorAnswerIntoAServiceErrorWithItsCode) {
  auto transport = std::make_shared<testing::CaptureTransport>();
  ClientConfig config;
  config.credentials = std::make_shared<StaticCredentialsProvider>(
      Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
  config.transport = transport;
  config.retry.max_attempts = 1;
  transport->respond_with(400,
                          "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGlobalClusterState"
                          "Fault</Code><Message>busy</Message></Error><RequestId>r</RequestId>"
                          "</ErrorResponse>");
  Rds rds(config);
  auto out = rds.failover_global_cluster({"g", "arn:b", true, std::nullopt});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::kServiceError);
  EXPECT_EQ(out.error().code, "InvalidGlobalClusterStateFault");
  EXPECT_EQ(out.error().http_status, 400);
}

TEST(DynamoDbErrors, SurviveCancellationReasonsOfTheWrongShape) {
  for (
      std::string body :
      {R"({"__type": "TransactionCanceledException", "CancellationReasons": {"Code": "x"}})",
       R"({"__type": "TransactionCanceledException", "CancellationReasons": [5, null, {"Code": 1}]})",
       R"({"__type": "TransactionCanceledException", "message": "reasons [None, "})",
       R"({"__type": "TransactionCanceledException", "message": "] ["})"}) {
    Error e = parse_json_error(HttpResponse{400, {}, body});
    auto reasons = transaction_cancellation_reasons(e);
    EXPECT_TRUE(reasons.has_value()) << body;
  }
}

}  // namespace
}  // namespace dr::aws
