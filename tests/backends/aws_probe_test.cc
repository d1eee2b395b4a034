// AwsProbe against a real dr-app on a real MariaDB (the ALB's place is taken by dr-app's own
// listener): a verified write, a fenced region, a region that is not the one answering; and,
// against a loopback server, that every retry of one verification carries the same
// idempotency key (a retried POST finds its order instead of adding a second).
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <mutex>
#include <set>

#include "app/app_process.h"
#include "aws/support/loopback_server.h"
#include "backends/aws/aws_probe.h"
#include "backends/aws_test_support.h"
#include "lab/temp_dir.h"

namespace dr::backends::aws_world {
namespace {

using core::ErrorKind;
using nlohmann::json;
using namespace std::chrono_literals;

AwsTargets with_app(const std::string& url) {
  AwsTargets t = test::two_region_targets();
  for (auto& r : t.regions) r.app_url = url;
  return t;
}

class AwsProbeAgainstDrApp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = dr::testing::start_mariadb(tmp_.path(), "a1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    db_.emplace(std::move(*db));
    ASSERT_NO_FATAL_FAILURE(
        dr::testing::start_app_against(*db_, tmp_.path(), app_, host_port_, &admin_host_port_));
  }

  dr::testing::TempDir tmp_{"dr-aws-probe-test"};
  std::optional<lab::MariaDbInstance> db_;
  std::optional<lab::Process> app_;
  std::string host_port_, admin_host_port_;
  test::FakeTime time_;
};

TEST_F(AwsProbeAgainstDrApp, AWriteIsVerifiedByReadingItBack) {
  AwsProbe probe(with_app("http://" + host_port_), time_.pacing());
  auto r = probe.verify_write("us-east-1");
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(time_.sleeps, 0);
}

TEST_F(AwsProbeAgainstDrApp, AFencedRegionIsNotVerifiedAndTheErrorSaysWhy) {
  httplib::Client admin("http://" + admin_host_port_);
  auto fenced = admin.Post("/admin/fence?reason=drill", {{"Authorization", "Bearer test-token"}},
                           "", "text/plain");
  ASSERT_TRUE(fenced);
  ASSERT_EQ(fenced->status, 200);
  auto targets = with_app("http://" + host_port_);
  AwsProbe probe(targets, time_.pacing());
  auto r = probe.verify_write("us-east-1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.error();
  EXPECT_NE(r.error().message.find("HTTP 503"), std::string::npos) << r.error();
  EXPECT_NE(r.error().message.find("fenced"), std::string::npos) << r.error();
  EXPECT_GE(time_.slept, targets.probe_deadline);  // retried until its deadline
}

TEST_F(AwsProbeAgainstDrApp, AnAnswerFromAnotherRegionDoesNotVerifyThisOne) {
  AwsProbe probe(with_app("http://" + host_port_), time_.pacing());
  auto r = probe.verify_write("us-west-2");  // this dr-app serves us-east-1
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("served by us-east-1, not us-west-2"), std::string::npos)
      << r.error();
}

TEST(AwsProbe, EveryRetryOfOneVerificationCarriesTheSameIdempotencyKey) {
  test::LoopbackServer server;
  std::mutex mu;
  std::vector<std::string> keys;
  server.http().Post("/orders", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    auto body = json::parse(req.body);
    keys.push_back(body["idempotency_key"]);
    if (keys.size() < 3) {  // the new instances are still warming up
      res.status = 503;
      res.set_content(R"({"error":"database_unavailable"})", "application/json");
      return;
    }
    res.status = 201;
    res.set_content(
        json{{"id", 7}, {"idempotency_key", keys.back()}, {"served_by", {{"region", "us-west-2"}}}}
            .dump(),
        "application/json");
  });
  server.http().Get("/orders/7", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    EXPECT_EQ(req.get_param_value("consistent"), "true");
    res.set_content(
        json{{"id", 7}, {"idempotency_key", keys.back()}, {"served_by", {{"region", "us-west-2"}}}}
            .dump(),
        "application/json");
  });
  server.start();
  test::FakeTime time;
  AwsProbe probe(with_app(server.url()), time.pacing());
  auto r = probe.verify_write("us-west-2");
  ASSERT_TRUE(r) << r.error();
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(std::set<std::string>(keys.begin(), keys.end()).size(), 1u);
  EXPECT_EQ(keys[0].rfind("dr-verify-us-west-2-", 0), 0u) << keys[0];

  // The next verification is another write: another key.
  auto again = probe.verify_write("us-west-2");
  ASSERT_TRUE(again) << again.error();
  EXPECT_NE(keys.back(), keys.front());
}

}  // namespace
}  // namespace dr::backends::aws_world
