// `drctl aws status`'s Route 53 part without AWS: the health checks' configuration (hostile
// input refused, named), Route 53's 18% rule, a calculated check read from its metric when
// GetHealthCheckStatus refuses it, and a check that cannot be read shown with its error. The
// requests go to a transport that answers as Route 53 and CloudWatch do (their documented
// response shapes); moto answers the same calls in aws_moto_test.cc.
#include <gtest/gtest.h>

#include <mutex>

#include "backends/aws/aws_status.h"
#include "backends/aws_test_support.h"

namespace dr::backends::aws_world {
namespace {

namespace a = dr::aws;

TEST(HealthChecksVariable, ReadsNameIdPairsAndRefusesWhatIsNot) {
  auto ok = parse_health_checks("primary_alb=abc-123,,secondary_alb=DEF-456");
  ASSERT_TRUE(ok) << ok.error();
  ASSERT_EQ(ok->size(), 2u);
  EXPECT_EQ((*ok)[0], (std::pair<std::string, std::string>{"primary_alb", "abc-123"}));
  EXPECT_EQ((*ok)[1].second, "DEF-456");
  auto none = parse_health_checks("");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  for (const std::string& bad :
       std::vector<std::string>{"primary_alb", "=abc", "primary_alb=", "x=../../hostedzone",
                                "x=abc/status?", "x=" + std::string(65, 'a')}) {
    auto r = parse_health_checks(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().find("DR_ROUTE53_HEALTH_CHECKS"), std::string::npos) << r.error();
  }
}

TEST(HealthCheckVerdict, IsRoute53sEighteenPercentRule) {
  HealthCheckStatus h;
  EXPECT_FALSE(h.verdict()) << "nothing reported: unknown";
  h.checkers = 16;
  h.healthy = 3;  // 18.75%
  EXPECT_EQ(h.verdict(), true);
  h.healthy = 2;  // 12.5%
  EXPECT_EQ(h.verdict(), false);
  h.checkers = 0;
  h.healthy = 0;
  EXPECT_FALSE(h.verdict());
  h.metric_healthy = false;
  EXPECT_EQ(h.verdict(), false);
}

// Answers Route 53's GetHealthCheckStatus per health check ID and CloudWatch's
// GetMetricStatistics; records what was asked.
class Route53AndCloudWatch final : public a::HttpTransport {
 public:
  a::Result<a::HttpResponse> send(const a::HttpRequest& r) override {
    std::lock_guard lock(mu_);
    asked.push_back(r.method + " " + r.path);
    if (r.path.find("/healthcheck/hc-endpoint/status") != std::string::npos)
      return a::HttpResponse{200, {}, R"(<?xml version="1.0"?>
<GetHealthCheckStatusResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
 <HealthCheckObservations>
  <HealthCheckObservation><Region>us-east-1</Region><IPAddress>15.177.2.1</IPAddress>
   <StatusReport><Status>Success: HTTP Status Code 200, OK</Status>
    <CheckedTime>2026-12-03T08:00:00Z</CheckedTime></StatusReport></HealthCheckObservation>
  <HealthCheckObservation><Region>eu-west-1</Region><IPAddress>15.177.62.1</IPAddress>
   <StatusReport><Status>Failure: HTTP Status Code 503, Service Unavailable</Status>
    <CheckedTime>2026-12-03T08:00:01Z</CheckedTime></StatusReport></HealthCheckObservation>
 </HealthCheckObservations>
</GetHealthCheckStatusResponse>)"};
    if (r.path.find("/healthcheck/hc-calculated/status") != std::string::npos)
      return a::HttpResponse{400, {}, R"(<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>
<Code>InvalidInput</Code><Message>Calculated health checks have no checkers</Message></Error>
<RequestId>r-1</RequestId></ErrorResponse>)"};
    if (r.path.find("/healthcheck/") != std::string::npos)
      return a::HttpResponse{404, {}, R"(<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type>
<Code>NoSuchHealthCheck</Code><Message>No health check exists with the specified ID</Message>
</Error><RequestId>r-2</RequestId></ErrorResponse>)"};
    if (r.body.find("Action=GetMetricStatistics") != std::string::npos) {
      if (r.body.find("Route53") != std::string::npos) metric_requests.push_back(r.body);
      // The newest datapoint (08:01) says unhealthy; an older one said healthy.
      return a::HttpResponse{200, {}, R"(<GetMetricStatisticsResponse
 xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><GetMetricStatisticsResult>
 <Datapoints>
  <member><Timestamp>2026-12-03T08:00:00Z</Timestamp><Minimum>1.0</Minimum><Unit>None</Unit></member>
  <member><Timestamp>2026-12-03T08:01:00Z</Timestamp><Minimum>0.0</Minimum><Unit>None</Unit></member>
 </Datapoints><Label>HealthCheckStatus</Label></GetMetricStatisticsResult>
 <ResponseMetadata><RequestId>r-3</RequestId></ResponseMetadata></GetMetricStatisticsResponse>)"};
    }
    return a::HttpResponse{400, {}, "unexpected"};
  }
  std::mutex mu_;
  std::vector<std::string> asked;
  std::vector<std::string> metric_requests;
};

TEST(AwsStatusHealthChecks, ReadsEachCheckAndACalculatedOneByItsMetric) {
  auto transport = std::make_shared<Route53AndCloudWatch>();
  AwsTargets targets = test::two_region_targets();
  auto clients = test::loopback_clients("http://127.0.0.1:9", transport);
  // Only the health checks are asked about here: the other parts fail, each with its error.
  auto s = read_status(
      targets, clients, std::chrono::system_clock::now(),
      {{"primary_alb", "hc-endpoint"}, {"primary", "hc-calculated"}, {"gone", "hc-deleted"}});
  ASSERT_EQ(s.health_checks.size(), 3u);
  const auto& endpoint = s.health_checks[0];
  EXPECT_EQ(endpoint.checkers, 2);
  EXPECT_EQ(endpoint.healthy, 1);
  EXPECT_EQ(endpoint.verdict(), true) << "1 of 2 checkers is above Route 53's 18%";
  ASSERT_EQ(endpoint.failing.size(), 1u);
  EXPECT_EQ(endpoint.failing[0], "eu-west-1: Failure: HTTP Status Code 503, Service Unavailable");
  EXPECT_EQ(endpoint.error, "");

  const auto& calculated = s.health_checks[1];
  EXPECT_EQ(calculated.metric_healthy, false) << "the newest datapoint decides";
  EXPECT_EQ(calculated.verdict(), false);
  EXPECT_EQ(calculated.error, "");
  ASSERT_EQ(transport->metric_requests.size(), 1u);
  EXPECT_NE(transport->metric_requests[0].find("Namespace=AWS%2FRoute53"), std::string::npos)
      << transport->metric_requests[0];
  EXPECT_NE(transport->metric_requests[0].find("hc-calculated"), std::string::npos);

  const auto& gone = s.health_checks[2];
  EXPECT_FALSE(gone.verdict());
  EXPECT_NE(gone.error.find("NoSuchHealthCheck"), std::string::npos) << gone.error;

  const auto table = render(s);
  EXPECT_NE(table.find("UNHEALTHY"), std::string::npos) << table;
  EXPECT_NE(table.find("1/2"), std::string::npos) << table;
  EXPECT_NE(table.find("eu-west-1: Failure"), std::string::npos) << table;
  EXPECT_NE(table.find("NoSuchHealthCheck"), std::string::npos) << table;
  const auto json = to_json(s);
  EXPECT_EQ(json["route53_health_checks"][0]["healthy"], true);
  EXPECT_EQ(json["route53_health_checks"][1]["from_metric"], true);
  EXPECT_TRUE(json["route53_health_checks"][2]["healthy"].is_null());
}

TEST(AwsStatusHealthChecks, NoneConfiguredSaysHowToConfigureThem) {
  auto transport = std::make_shared<Route53AndCloudWatch>();
  auto s = read_status(test::two_region_targets(),
                       test::loopback_clients("http://127.0.0.1:9", transport),
                       std::chrono::system_clock::now());
  EXPECT_TRUE(s.health_checks.empty());
  EXPECT_NE(render(s).find("none configured (DR_ROUTE53_HEALTH_CHECKS"), std::string::npos);
  for (const auto& asked : transport->asked)
    EXPECT_EQ(asked.find("healthcheck"), std::string::npos) << asked;
}

}  // namespace
}  // namespace dr::backends::aws_world
