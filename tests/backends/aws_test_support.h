// Shared by the AWS backend tests: targets for two regions, a ClientConfigFor that sends every
// service to one loopback endpoint with fixed credentials, and a fake clock whose sleep only
// moves time (the ports' deadlines are exercised without waiting for them); moto setup calls.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "aws/client.h"
#include "aws/credentials.h"
#include "aws/query_protocol.h"
#include "aws/transport.h"
#include "backends/aws/aws_targets.h"

namespace dr::test {

inline backends::aws_world::AwsTargets two_region_targets() {
  backends::aws_world::AwsTargets t;
  t.primary_region = "us-east-1";
  t.secondary_region = "us-west-2";
  t.global_cluster_id = "dr-app-global";
  t.regions = {{"us-east-1", "arn:aws:rds:us-east-1:123456789012:cluster:dr-app-use1",
                "dr-app-use1", "", "http://127.0.0.1:1"},
               {"us-west-2", "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-usw2",
                "dr-app-usw2", "", "http://127.0.0.1:1"}};
  t.app_table = "dr-app-sessions";
  t.topic_arns = {"arn:aws:sns:us-east-1:123456789012:dr-app-events",
                  "arn:aws:sns:us-west-2:123456789012:dr-app-events"};
  t.lag_gate = std::chrono::milliseconds(2000);
  t.promote_deadline = std::chrono::seconds(30);
  t.fleet_deadline = std::chrono::seconds(30);
  t.probe_deadline = std::chrono::seconds(10);
  t.poll_interval = std::chrono::seconds(2);
  return t;
}

inline aws::ClientConfig loopback_config(const std::string& endpoint, const std::string& region,
                                         std::shared_ptr<aws::HttpTransport> transport = nullptr) {
  aws::ClientConfig c;
  c.region = region;
  c.endpoint_url = endpoint;
  c.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"testing", "testing", "", std::nullopt, "test"});
  c.transport = transport ? transport : aws::make_curl_transport({});
  c.retry.max_attempts = 2;
  c.retry_hooks = {[] { return 0.0; }, [](std::chrono::milliseconds) {}};
  return c;
}

inline backends::aws_world::ClientConfigFor loopback_clients(
    std::string endpoint, std::shared_ptr<aws::HttpTransport> transport = nullptr) {
  return [endpoint, transport](const std::string& region,
                               const aws::ServiceInfo&) -> aws::Result<aws::ClientConfig> {
    return loopback_config(endpoint, region, transport);
  };
}

// A plain signed query request to moto (setup calls our clients do not model): the 2xx body, or
// "" after a test failure naming the action.
inline std::string moto_call(const std::string& url, const std::string& region,
                             const aws::ServiceInfo& service, const std::string& version,
                             const std::string& action, const aws::QueryParams& params) {
  aws::ServiceClient client(service, loopback_config(url, region));
  auto out = client.send(aws::query_request(aws::QueryProtocol{version}, action, params),
                         aws::parse_xml_error);
  EXPECT_TRUE(out) << action << ": " << (out ? "" : out.error().describe());
  return out ? out->body : "";
}

// A global cluster `id` in moto with a member cluster in each of `targets`' regions; fills in
// the targets' global cluster id and cluster ARNs.
inline void moto_global_cluster(const std::string& url, backends::aws_world::AwsTargets& targets,
                                const std::string& id) {
  targets.global_cluster_id = id;
  const aws::ServiceInfo rds{"rds", "rds", false};
  moto_call(url, "us-east-1", rds, "2014-10-31", "CreateGlobalCluster",
            aws::QueryParams().add("GlobalClusterIdentifier", id).add("Engine", "aurora-mysql"));
  for (auto& r : targets.regions) {
    aws::QueryParams p;
    p.add("DBClusterIdentifier", id + "-" + r.region).add("Engine", "aurora-mysql");
    if (r.region == targets.primary_region)
      p.add("MasterUsername", "admin").add("MasterUserPassword", "not-a-secret-123");
    p.add("GlobalClusterIdentifier", id);
    const std::string body = moto_call(url, r.region, rds, "2014-10-31", "CreateDBCluster", p);
    const auto open = body.find("<DBClusterArn>"), close = body.find("</DBClusterArn>");
    ASSERT_TRUE(open != std::string::npos && close != std::string::npos) << body;
    r.cluster_arn = body.substr(open + 14, close - open - 14);
  }
}

// steady time moves only when the port sleeps; the wall clock is fixed plus that.
struct FakeTime {
  std::chrono::steady_clock::time_point steady{};
  std::chrono::milliseconds slept{0};
  int sleeps = 0;
  aws::SystemTime wall0 =
      std::chrono::sys_days{std::chrono::year{2026} / 12 / 2} + std::chrono::hours{19};

  backends::aws_world::Pacing pacing() {
    return {[this] { return steady + slept; },
            [this](std::chrono::milliseconds d) {
              slept += d;
              ++sleeps;
            },
            [this] { return wall0 + slept; }};
  }
};

}  // namespace dr::test
