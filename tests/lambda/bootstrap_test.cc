// The real `bootstrap` against a loopback Runtime API: started as a child on a free port through
// AWS_LAMBDA_RUNTIME_API, served several invocations, stopped by PID. Asserts what it posts.
//
// The bootstrap's world is the real AWS world (src/backends/aws/aws_world.h); every AWS endpoint
// is a loopback server that denies access, as AWS does to a role without permissions. Each tick
// is the real ControllerLoop::tick(), which decides `wait` on the failed observation.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/support/loopback_server.h"
#include "lab/process.h"
#include "lambda/support/denying_aws.h"
#include "lambda/support/function_environment.h"
#include "lambda/support/runtime_api_server.h"

namespace dr::lambda {
namespace {

using test::RuntimeApiServer;

const std::string kScheduled =
    R"({"version":"0","id":"ev-1","detail-type":"Scheduled Event","source":"aws.events",)"
    R"("account":"123456789012","time":"2026-12-02T19:00:00Z","region":"us-west-2",)"
    R"("resources":[],"detail":{}})";

class LambdaBootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = dr::test::fresh_test_dir("h9-bootstrap");
    // AWS for a role that may do nothing: a 4xx each (never retried), in each protocol's shape.
    dr::test::start_denying_aws(aws_);
  }
  void TearDown() override {
    if (process_) (void)process_->stop(std::chrono::seconds(2));
    std::filesystem::remove_all(dir_);
  }

  std::vector<std::pair<std::string, std::string>> env() const {
    auto vars = dr::test::function_environment();
    vars.insert(vars.begin(), {"AWS_LAMBDA_RUNTIME_API", server_.host()});
    // Every AWS endpoint is the loopback that denies access.
    vars.insert(vars.end(), {{"AWS_ENDPOINT_URL_DYNAMODB", aws_.url()},
                             {"AWS_ENDPOINT_URL", aws_.url()},
                             {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                             {"AWS_SECRET_ACCESS_KEY", "secret"}});
    return vars;
  }

  void start(std::vector<std::pair<std::string, std::string>> overrides = {}) {
    auto vars = env();
    for (auto& [name, value] : overrides)
      for (auto& var : vars)
        if (var.first == name) var.second = value;
    lab::SpawnOptions options;
    options.argv = {BOOTSTRAP_BINARY};
    options.env = std::move(vars);
    options.log_file = dir_ / "bootstrap.log";
    auto p = lab::Process::spawn(std::move(options));
    ASSERT_TRUE(p) << p.error().message;
    process_.emplace(std::move(*p));
  }

  std::vector<nlohmann::json> log_lines() const {
    std::ifstream in(dir_ / "bootstrap.log");
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "not a JSON line: " << line;
      lines.push_back(j);
    }
    return lines;
  }

  std::filesystem::path dir_;
  dr::test::LoopbackServer aws_;
  RuntimeApiServer server_;
  std::optional<lab::Process> process_;
};

TEST_F(LambdaBootstrapTest, ServesTicksMalformedEventsAndNearDeadlines) {
  start();
  const std::string id1 = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  const std::string id2 = "0f3a9d3e-2c1b-4f2a-9d7e-6a1b2c3d4e5f";
  const std::string id3 = "c0ffee00-0000-4000-8000-000000000003";
  const std::string id4 = "c0ffee00-0000-4000-8000-000000000004";
  // A normal tick: room for two ticks (at 0 and 1 s; the next would start inside the margin).
  const int64_t deadline1 = test::unix_ms_now() + 2500;
  server_.push({id1, deadline1, kScheduled});
  auto posts = server_.wait_posts(1);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].path, "/2018-06-01/runtime/invocation/" + id1 + "/response");
  EXPECT_EQ(posts[0].error_type, "");
  EXPECT_LT(posts[0].received_ms, deadline1);
  auto response = nlohmann::json::parse(posts[0].body);
  EXPECT_EQ(response["ticks"], 2);
  EXPECT_EQ(response["failures"], 0);
  EXPECT_EQ(response["eventId"], "ev-1");
  EXPECT_TRUE(response["decision"].get<std::string>().starts_with(
      "wait: no evidence: describe global cluster dr-global: "))
      << "the AWS world asked RDS, which denied it: " << response.dump();
  EXPECT_NE(response["decision"].get<std::string>().find("no AWS here"), std::string::npos)
      << response.dump();

  // A malformed event, and one that is JSON but not a scheduled event: /error, no crash.
  server_.push({id2, test::unix_ms_now() + 60000, "{\"source\": "});
  server_.push({id3, test::unix_ms_now() + 60000, R"({"Records":[{"s3":{}}]})"});
  // A deadline almost reached: less than the margin left, answered at once with no tick.
  const int64_t deadline4 = test::unix_ms_now() + 700;
  server_.push({id4, deadline4, kScheduled});
  posts = server_.wait_posts(4);
  ASSERT_EQ(posts.size(), 4u);
  EXPECT_EQ(posts[1].path, "/2018-06-01/runtime/invocation/" + id2 + "/error");
  EXPECT_EQ(posts[1].error_type, "Runtime.InvalidEvent");
  auto error = nlohmann::json::parse(posts[1].body);
  EXPECT_EQ(error["errorType"], "Runtime.InvalidEvent");
  EXPECT_EQ(error["errorMessage"], "event is not JSON");
  EXPECT_TRUE(error["stackTrace"].is_array());
  EXPECT_EQ(posts[2].path, "/2018-06-01/runtime/invocation/" + id3 + "/error");
  EXPECT_TRUE(nlohmann::json::parse(posts[2].body)["errorMessage"].get<std::string>().starts_with(
      "not an EventBridge event"));
  EXPECT_EQ(posts[3].path, "/2018-06-01/runtime/invocation/" + id4 + "/response");
  EXPECT_LT(posts[3].received_ms, deadline4);
  EXPECT_EQ(nlohmann::json::parse(posts[3].body)["ticks"], 0);

  // Still alive and asking for the next one.
  ASSERT_TRUE(server_.wait_next_calls(5));
  EXPECT_TRUE(process_->running());

  // Its log: JSON lines, one decision line (the decision never changed), EMF in the summaries.
  auto lines = log_lines();
  int decisions = 0, summaries = 0;
  for (const auto& l : lines) {
    auto message = l.value("message", "");
    if (message.starts_with("decision ")) {
      ++decisions;
      EXPECT_EQ(l["action"], "wait");
      EXPECT_EQ(l["requestId"], id1);
    }
    if (message.starts_with("invocation done")) {
      ++summaries;
      EXPECT_EQ(l["_aws"]["CloudWatchMetrics"][0]["Namespace"], "dr-app/controller");
      EXPECT_EQ(l["Region"], "us-west-2");
    }
  }
  EXPECT_EQ(decisions, 1);
  EXPECT_EQ(summaries, 2);
}

// A request id that is not a UUID's characters never reaches a URL path: the invocation is
// refused (logged), and the next one is served.
TEST_F(LambdaBootstrapTest, HostileRequestIdIsNotPostedTo) {
  start();
  server_.push({"../../init/error", test::unix_ms_now() + 60000, kScheduled});
  const std::string good = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  server_.push({good, test::unix_ms_now() + 500, kScheduled});
  auto posts = server_.wait_posts(1);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].path, "/2018-06-01/runtime/invocation/" + good + "/response");
  ASSERT_TRUE(server_.wait_next_calls(3));
  EXPECT_EQ(server_.wait_posts(1, std::chrono::milliseconds(0)).size(), 1u);
}

// An invocation whose deadline header is not a number is answered with /error (it would
// otherwise hang until Lambda's timeout), and the runtime goes on.
TEST_F(LambdaBootstrapTest, BadDeadlineHeaderIsAnErrorPost) {
  start();
  const std::string bad = "0f3a9d3e-2c1b-4f2a-9d7e-6a1b2c3d4e5f";
  const std::string good = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
  test::QueuedInvocation inv{bad, 0, kScheduled};
  inv.raw_deadline = "soon";
  server_.push(inv);
  server_.push({good, test::unix_ms_now() + 500, kScheduled});
  auto posts = server_.wait_posts(2);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[0].path, "/2018-06-01/runtime/invocation/" + bad + "/error");
  EXPECT_EQ(posts[0].error_type, "Runtime.InvalidInvocation");
  EXPECT_EQ(nlohmann::json::parse(posts[0].body)["errorMessage"],
            "next: bad Lambda-Runtime-Deadline-Ms 'soon'");
  EXPECT_EQ(posts[1].path, "/2018-06-01/runtime/invocation/" + good + "/response");
}

TEST_F(LambdaBootstrapTest, InitFailureNamesTheVariableAndExits) {
  start({{"DR_STATE_TABLE", ""}});
  auto code = process_->wait(std::chrono::seconds(20));
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 1);
  auto posts = server_.wait_posts(1, std::chrono::milliseconds(0));
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(posts[0].error_type, "Runtime.ConfigInvalid");
  auto error = nlohmann::json::parse(posts[0].body);
  EXPECT_EQ(error["errorType"], "Runtime.ConfigInvalid");
  EXPECT_EQ(error["errorMessage"], "DR_STATE_TABLE: missing");
  EXPECT_FALSE(server_.first_next_ms());  // it never asked for an invocation
}

TEST_F(LambdaBootstrapTest, BadValueIsAnInitError) {
  start({{"DR_CONTROLLER_TICK_SECONDS", "ten"}});
  auto code = process_->wait(std::chrono::seconds(20));
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(*code, 1);
  auto posts = server_.wait_posts(1, std::chrono::milliseconds(0));
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(
      nlohmann::json::parse(posts[0].body)["errorMessage"],
      "DR_CONTROLLER_TICK_SECONDS: not a number of seconds (0.1-300, up to 3 decimals): 'ten'");
}

}  // namespace
}  // namespace dr::lambda
