// The real `bootstrap` as the witness (handler "witness", region us-east-2) behind the lab's
// Runtime API, against moto's server (the global cluster in RDS, the controller's state table in
// DynamoDB) and a loopback server standing in for the primary's ALB: the item it writes is what
// the controller's AwsWorld reads back as the witness's vote, and with it the controller's
// decision can fail a region over. Skipped, saying why, where moto_server is not installed (the
// lab's AWS endpoint serves the same calls; these tests need no lab).
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/dynamodb.h"
#include "aws/support/loopback_server.h"
#include "backends/aws/aws_evidence.h"
#include "backends/aws/aws_world.h"
#include "backends/aws_test_support.h"
#include "backends/controller_store.h"
#include "backends/moto_server.h"
#include "core/decision.h"
#include "lab/ports.h"
#include "lab_lambda/lambda_emulator.h"

namespace dr::lab_lambda {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class WitnessBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("h23-witness-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    // The primary's ALB: /health always answers; /health/deep while its database does.
    alb_.http().Get("/health", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("ok", "text/plain");
    });
    alb_.http().Get("/health/deep", [this](const httplib::Request&, httplib::Response& res) {
      res.status = deep_ok_ ? 200 : 503;
      res.set_content(deep_ok_ ? "ok" : "database unreachable", "text/plain");
    });
    alb_.start();
    targets_ = test::two_region_targets();
    targets_.regions[0].app_url = alb_.url();
  }
  void TearDown() override {
    if (lambda_) lambda_->stop();
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::pair<std::string, std::string>> env(const std::string& endpoint) const {
    return {{"DR_PRIMARY_REGION", targets_.primary_region},
            {"DR_SECONDARY_REGION", targets_.secondary_region},
            {"DR_GLOBAL_CLUSTER_ID", targets_.global_cluster_id},
            {"DR_STATE_TABLE", state_table_},
            {"DR_PRIMARY_APP_URL", targets_.regions[0].app_url},
            {"DR_SECONDARY_APP_URL", targets_.regions[1].app_url},
            {"DR_WITNESS_TICK_SECONDS", "1"},
            {"DR_WITNESS_DEADLINE_MARGIN_MS", "500"},
            {"AWS_ENDPOINT_URL", endpoint},
            {"AWS_ACCESS_KEY_ID", "testing"},
            {"AWS_SECRET_ACCESS_KEY", "testing"}};
  }

  void start(std::vector<std::pair<std::string, std::string>> vars,
             const std::string& region = "us-east-2", const std::string& handler = "witness") {
    FunctionSpec spec;
    spec.bootstrap = BOOTSTRAP_BINARY;
    spec.function_name = "dr-witness";
    spec.handler = handler;
    spec.region = region;
    // Three rounds a second apart, then inside the margin.
    spec.timeout = 3500ms;
    spec.env = std::move(vars);
    spec.log_file = dir_ / "bootstrap.log";
    auto address = lab::lab_address(lab::Site::kGlobal, lab::Component::kWitness);
    ASSERT_TRUE(address) << address.error().message;
    spec.address = *address;
    auto started = LambdaEmulator::start(std::move(spec));
    ASSERT_TRUE(started) << started.error().message;
    lambda_ = std::move(*started);
  }

  InvocationRecord invoke(const std::string& id) {
    return lambda_->invoke(
        scheduled_event(id, std::chrono::system_clock::now(), "us-east-2", "123456789012", "tick"));
  }

  std::string log() const {
    std::ifstream in(dir_ / "bootstrap.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
  std::atomic<bool> deep_ok_{true};
  test::LoopbackServer alb_;
  backends::aws_world::AwsTargets targets_;
  std::string state_table_ = "dr-controller-state-" + std::to_string(::getpid());
  std::unique_ptr<LambdaEmulator> lambda_;
};

TEST_F(WitnessBootstrapTest, ItsVoteIsWhatTheControllersWorldReadsAndLetsItFailOver) {
  auto& moto = test::MotoServer::get();
  if (!moto.available()) GTEST_SKIP() << moto.why();
  ASSERT_NO_FATAL_FAILURE(test::moto_global_cluster(
      moto.url(), targets_, "dr-witness-global-" + std::to_string(::getpid())));
  aws::DynamoDb ddb(test::loopback_config(moto.url(), targets_.secondary_region));
  auto created = ddb.create_table(
      {{"TableName", state_table_},
       {"AttributeDefinitions",
        {{{"AttributeName", backends::kStateTableKey}, {"AttributeType", "S"}}}},
       {"KeySchema", {{{"AttributeName", backends::kStateTableKey}, {"KeyType", "HASH"}}}},
       {"BillingMode", "PAY_PER_REQUEST"}});
  ASSERT_TRUE(created) << created.error().describe();
  ASSERT_NO_FATAL_FAILURE(start(env(moto.url())));

  // The primary is healthy: three rounds, and the vote says so.
  auto healthy = invoke("ev-healthy");
  ASSERT_EQ(healthy.outcome, Outcome::kSuccess)
      << healthy.error_type << ": " << healthy.error_message << "\n"
      << log();
  auto response = json::parse(healthy.response);
  EXPECT_EQ(response["ticks"], 3) << response.dump();
  EXPECT_EQ(response["failures"], 0) << response.dump() << "\n" << log();
  EXPECT_EQ(response["decision"],
            "vote: us-east-1 (writer " + targets_.global_cluster_id +
                "-us-east-1): /health ok, /health/deep ok; writer healthy, app healthy")
      << response.dump();

  // The item, as the controller reads it (ConsistentRead GetItem in the secondary region).
  auto item = ddb.get_item({{"TableName", state_table_},
                            {"Key", {{backends::kStateTableKey, {{"S", "witness"}}}}},
                            {"ConsistentRead", true}});
  ASSERT_TRUE(item && item->contains("Item")) << (item ? item->dump() : item.error().describe());
  EXPECT_EQ((*item)["Item"]["primary_region"]["S"], "us-east-1");
  auto vote = backends::aws_world::witness_from_item((*item)["Item"], core::Clock::now(), 60s);
  ASSERT_TRUE(vote) << item->dump();
  EXPECT_EQ(vote->writer, core::Health::kHealthy);

  // The controller's world, on the same moto and ALB.
  auto world = backends::aws_world::AwsWorld::create(
      targets_, state_table_, test::loopback_clients(moto.url()),
      backends::aws_world::Pacing::real(), [](const std::string&) {});
  ASSERT_TRUE(world) << world.error();
  auto witness_of = [](const core::Snapshot& s) -> std::optional<core::Observation> {
    for (const auto& o : s.observations)
      if (o.witness) return o;
    return std::nullopt;
  };
  auto seen = (*world)->observe();
  ASSERT_TRUE(seen) << seen.error();
  auto w = witness_of(*seen);
  ASSERT_TRUE(w) << "the controller sees no witness vote";
  EXPECT_EQ(w->writer, core::Health::kHealthy);
  EXPECT_EQ(w->app, core::Health::kHealthy);

  // The primary's database goes: the next invocation's rounds see /health/deep fail.
  deep_ok_ = false;
  auto down = invoke("ev-down");
  ASSERT_EQ(down.outcome, Outcome::kSuccess) << down.error_type << ": " << down.error_message;
  EXPECT_EQ(json::parse(down.response)["decision"],
            "vote: us-east-1 (writer " + targets_.global_cluster_id +
                "-us-east-1): /health ok, /health/deep failed; writer unhealthy, app healthy")
      << down.response;
  // The controller's checkers see it too (three probes each), the secondary reports no
  // replication (moto has no Aurora metrics), and the witness agrees: the decision is to fail
  // over, where without the witness's item it would wait for "the witness has no verdict yet".
  std::expected<core::Snapshot, std::string> snapshot;
  for (int i = 0; i < 3; ++i) snapshot = (*world)->observe();
  ASSERT_TRUE(snapshot) << snapshot.error();
  w = witness_of(*snapshot);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->writer, core::Health::kUnhealthy);
  EXPECT_EQ(w->app, core::Health::kHealthy);
  auto decision = core::tick(*snapshot);
  EXPECT_EQ(decision.action, core::Action::kRegionFailover) << decision.reason;
  EXPECT_NE(decision.reason.find("the witness agrees"), std::string::npos) << decision.reason;
}

// Which program bootstrap is comes from the function's handler; a witness configured into a
// region it judges, or an unknown handler, is an init error that names the variable.
TEST_F(WitnessBootstrapTest, AWitnessInARegionItJudgesOrAnUnknownHandlerFailsItsInit) {
  ASSERT_NO_FATAL_FAILURE(start(env("http://127.0.0.1:1"), "us-east-1"));
  auto r = invoke("ev-primary");
  EXPECT_EQ(r.outcome, Outcome::kInitError);
  EXPECT_EQ(r.error_type, "Runtime.ConfigInvalid");
  EXPECT_TRUE(r.error_message.starts_with("AWS_REGION: the witness runs in us-east-1"))
      << r.error_message;
  lambda_->stop();

  ASSERT_NO_FATAL_FAILURE(start(env("http://127.0.0.1:1"), "us-east-2", "index.handler"));
  r = invoke("ev-handler");
  EXPECT_EQ(r.outcome, Outcome::kInitError);
  EXPECT_EQ(r.error_type, "Runtime.ConfigInvalid");
  EXPECT_TRUE(r.error_message.starts_with("_HANDLER: unknown handler 'index.handler'"))
      << r.error_message;
}

}  // namespace
}  // namespace dr::lab_lambda
