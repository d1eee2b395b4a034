// The real `bootstrap` behind the lab's Runtime API, invoked on the schedule with EventBridge's
// scheduled events. Its AWS is a loopback server that denies every call, as AWS does to a role
// without permissions (as tests/lambda/bootstrap_test.cc has it): each tick is the real
// ControllerLoop::tick(), which decides `wait` on the failed observation and answers.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/credentials.h"
#include "aws/rds.h"
#include "aws/support/loopback_server.h"
#include "aws/transport.h"
#include "backends/moto_server.h"
#include "lab/process.h"
#include "lab/wait.h"
#include "lab_lambda/lambda_emulator.h"
#include "lab_lambda/schedule.h"
#include "lambda/support/denying_aws.h"
#include "lambda/support/function_environment.h"

namespace dr::lab_lambda {
namespace {

using nlohmann::json;

class LabLambdaBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = dr::test::fresh_test_dir("h15-bootstrap");
    dr::test::start_denying_aws(aws_, &aws_calls_);
  }
  void TearDown() override {
    if (lambda_) lambda_->stop();
    std::filesystem::remove_all(dir_);
  }

  // infra/modules/lambda's block, pointed at the denying endpoint.
  std::vector<std::pair<std::string, std::string>> env() const {
    auto vars = dr::test::function_environment();
    vars.insert(vars.end(), {{"AWS_ENDPOINT_URL", aws_.url()},
                             {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                             {"AWS_SECRET_ACCESS_KEY", "secret"}});
    return vars;
  }

  void start(std::vector<std::pair<std::string, std::string>> vars) {
    FunctionSpec spec;
    spec.bootstrap = BOOTSTRAP_BINARY;
    spec.timeout = std::chrono::milliseconds(2500);  // two ticks, then inside the margin
    spec.env = std::move(vars);
    spec.log_file = dir_ / "bootstrap.log";
    auto started = LambdaEmulator::start(std::move(spec));
    ASSERT_TRUE(started) << started.error().message;
    lambda_ = std::move(*started);
  }

  std::filesystem::path dir_;
  std::atomic<int> aws_calls_{0};  // bootstrap calls AWS only while it ticks an invocation
  dr::test::LoopbackServer aws_;
  std::unique_ptr<LambdaEmulator> lambda_;
};

TEST_F(LabLambdaBootstrapTest, ScheduledTicksAreServedAndACrashIsFollowedByAReinit) {
  start(env());
  std::vector<InvocationRecord> seen;
  ScheduleOptions options;
  options.every = std::chrono::milliseconds(100);
  options.count = 2;
  options.on_record = [&](const InvocationRecord& r) { seen.push_back(r); };
  auto summary = run_schedule(*lambda_, options);
  EXPECT_EQ(summary.failed, 0);
  ASSERT_EQ(seen.size(), 2u);
  for (const auto& r : seen) {
    ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error_type << ": " << r.error_message;
    EXPECT_LT(r.end_ms, r.deadline_ms);
    auto response = json::parse(r.response);
    EXPECT_GE(response["ticks"].get<int>(), 1) << response.dump();
    EXPECT_EQ(response["eventId"].get<std::string>().size(), 36u) << response.dump();
    EXPECT_TRUE(response["decision"].get<std::string>().starts_with("wait: no evidence"))
        << response.dump();
  }
  EXPECT_TRUE(seen[0].cold_start);
  EXPECT_FALSE(seen[1].cold_start);
  EXPECT_EQ(seen[1].environment, 1);

  // bootstrap killed mid-invocation (once it calls AWS for it): reported as a crash, and the
  // next tick starts a new environment that answers.
  auto pid = lambda_->bootstrap_pid();
  ASSERT_TRUE(pid);
  const int before = aws_calls_;
  std::thread killer([&] {
    auto ticking =
        lab::wait_until("bootstrap to tick the invocation", [&] { return aws_calls_ > before; },
                        {.timeout = std::chrono::seconds(20)});
    if (ticking) ::kill(*pid, SIGKILL);
  });
  auto crashed = lambda_->invoke(scheduled_event("ev-crash", std::chrono::system_clock::now(),
                                                 "us-west-2", "123456789012", "tick"));
  killer.join();
  EXPECT_EQ(crashed.outcome, Outcome::kCrashed) << crashed.error_message;
  EXPECT_EQ(crashed.error_type, "Runtime.ExitError");
  EXPECT_NE(crashed.error_message.find("signal 9"), std::string::npos) << crashed.error_message;
  auto after = lambda_->invoke(scheduled_event("ev-after", std::chrono::system_clock::now(),
                                               "us-west-2", "123456789012", "tick"));
  ASSERT_EQ(after.outcome, Outcome::kSuccess) << after.error_type << ": " << after.error_message;
  EXPECT_TRUE(after.cold_start);
  EXPECT_EQ(after.environment, 2);
  EXPECT_EQ(json::parse(after.response)["eventId"], "ev-after");
}

// Against moto's server (an AWS-shaped endpoint that answers): the endpoint and the keys reach
// bootstrap through the emulator's environment, and what it decides comes from moto's answer.
TEST_F(LabLambdaBootstrapTest, AnswersFromMotosAws) {
  auto& moto = test::MotoServer::get();
  if (!moto.available()) GTEST_SKIP() << moto.why();
  auto vars = env();
  for (auto& [name, value] : vars)
    if (name == "AWS_ENDPOINT_URL") value = moto.url();
  // moto builds a service's backend on its first call, which takes seconds on a loaded machine:
  // warmed here, so that the invocation's 2.5 s time bootstrap, not moto's start.
  {
    aws::ClientConfig c;
    c.region = "us-west-2";
    c.endpoint_url = moto.url();
    c.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"testing", "testing", "", std::nullopt, "test"});
    c.transport = aws::make_curl_transport({});
    (void)aws::Rds(c).describe_global_clusters({.global_cluster_identifier = "dr-global"});
  }
  start(vars);
  const int before = aws_calls_;
  auto r = lambda_->invoke(scheduled_event("ev-moto", std::chrono::system_clock::now(), "us-west-2",
                                           "123456789012", "tick"));
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error_type << ": " << r.error_message;
  auto response = json::parse(r.response);
  EXPECT_EQ(response["eventId"], "ev-moto");
  const auto decision = response["decision"].get<std::string>();
  // moto answered (no such global cluster), where the denying loopback refuses the call.
  EXPECT_EQ(decision, "wait: no evidence: global cluster dr-global not found");
  EXPECT_EQ(aws_calls_, before);  // nothing went to the denying loopback
}

TEST_F(LabLambdaBootstrapTest, BadConfigurationIsAnInitErrorOnEveryTick) {
  auto vars = env();
  for (auto& [name, value] : vars)
    if (name == "DR_STATE_TABLE") value = "";
  start(vars);
  ScheduleOptions options;
  options.every = std::chrono::milliseconds(50);
  options.count = 2;
  auto summary = run_schedule(*lambda_, options);
  EXPECT_EQ(summary.failed, 2);
  ASSERT_EQ(lambda_->records().size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto& r = lambda_->records()[i];
    EXPECT_EQ(r.outcome, Outcome::kInitError);
    EXPECT_EQ(r.error_type, "Runtime.ConfigInvalid");
    EXPECT_EQ(r.error_message, "DR_STATE_TABLE: missing");
    EXPECT_EQ(r.environment, i + 1);
    EXPECT_TRUE(r.cold_start);
  }
}

}  // namespace
}  // namespace dr::lab_lambda
