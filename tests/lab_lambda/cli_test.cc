// `drctl lab lambda run` as a user runs it: the real drctl and bootstrap, an env file, the
// schedule in the foreground; JSON Lines out, exit codes 0 / 1 / 2.
#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "aws/support/loopback_server.h"
#include "lab/process.h"
#include "lab/wait.h"
#include "lambda/support/denying_aws.h"
#include "lambda/support/function_environment.h"

namespace dr::lab_lambda {
namespace {

using nlohmann::json;

class LabLambdaCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = dr::test::fresh_test_dir("h15-cli");
    dr::test::start_denying_aws(aws_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  json function_env() const {
    json env = json::object();
    for (const auto& [name, value] : dr::test::function_environment()) env[name] = value;
    env["AWS_ENDPOINT_URL"] = aws_.url();
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "secret";
    return env;
  }

  // Runs drctl to completion; returns its exit code, its output in `out_`.
  int drctl(std::vector<std::string> args, const json& env_file) {
    { std::ofstream(dir_ / "env.json") << env_file.dump(); }
    std::vector<std::string> argv = {DRCTL_BINARY,  "lab",
                                     "lambda",      "run",
                                     "--env-file",  (dir_ / "env.json").string(),
                                     "--bootstrap", BOOTSTRAP_BINARY,
                                     "--log-file",  (dir_ / "bootstrap.log").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    lab::SpawnOptions options;
    options.argv = argv;
    options.log_file = dir_ / "drctl.out";
    options.die_with_parent = true;
    std::filesystem::remove(dir_ / "drctl.out");
    auto p = lab::Process::spawn(std::move(options));
    EXPECT_TRUE(p) << p.error().message;
    if (!p) return -1;
    auto code = p->wait(std::chrono::seconds(60));
    EXPECT_TRUE(code) << code.error().message;
    std::ifstream in(dir_ / "drctl.out");
    out_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return code ? *code : -1;
  }

  std::vector<json> json_lines() const {
    std::vector<json> lines;
    std::istringstream in(out_);
    for (std::string line; std::getline(in, line);) {
      auto j = json::parse(line, nullptr, false);
      if (!j.is_discarded()) lines.push_back(j);
    }
    return lines;
  }

  std::filesystem::path dir_;
  dr::test::LoopbackServer aws_;
  std::string out_;
};

TEST_F(LabLambdaCliTest, RunsTheScheduleAndPrintsJsonLines) {
  ASSERT_EQ(
      drctl({"--every", "100ms", "--count", "2", "--timeout", "1500ms", "--json"}, function_env()),
      0)
      << out_;
  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 3u) << out_;
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(lines[i]["outcome"], "success") << lines[i].dump();
    EXPECT_EQ(lines[i]["environment"], 1);
    EXPECT_EQ(lines[i]["coldStart"], i == 0);
    EXPECT_TRUE(lines[i]["response"]["decision"].get<std::string>().starts_with("wait:"))
        << lines[i].dump();
  }
  EXPECT_EQ(lines[2]["summary"]["invocations"], 2);
  EXPECT_EQ(lines[2]["summary"]["failed"], 0);
}

TEST_F(LabLambdaCliTest, AFailedInvocationExitsOne) {
  auto env = function_env();
  env.erase("DR_STATE_TABLE");
  EXPECT_EQ(drctl({"--every", "100ms", "--count", "1", "--json"}, env), 1) << out_;
  auto lines = json_lines();
  ASSERT_EQ(lines.size(), 2u) << out_;
  EXPECT_EQ(lines[0]["outcome"], "init-error");
  EXPECT_EQ(lines[0]["errorMessage"], "DR_STATE_TABLE: missing");
  EXPECT_EQ(lines[1]["summary"]["failed"], 1);
}

// Killed (SIGKILL to drctl's group, as a drill's teardown does), it leaves no bootstrap behind:
// one in the middle of a long invocation would go on ticking, and acting, for its deadline.
TEST_F(LabLambdaCliTest, KilledItLeavesNoBootstrapBehind) {
  { std::ofstream(dir_ / "env.json") << function_env().dump(); }
  lab::SpawnOptions options;
  options.argv = {DRCTL_BINARY,  "lab",
                  "lambda",      "run",
                  "--env-file",  (dir_ / "env.json").string(),
                  "--bootstrap", BOOTSTRAP_BINARY,
                  "--log-file",  (dir_ / "bootstrap.log").string(),
                  "--every",     "1s",
                  "--timeout",   "600s"};
  options.log_file = dir_ / "drctl.out";
  options.die_with_parent = true;
  auto p = lab::Process::spawn(std::move(options));
  ASSERT_TRUE(p) << p.error().message;
  // bootstrap's PID: the child of drctl named bootstrap, once its invocation ticks.
  pid_t bootstrap = 0;
  auto child_of = [](pid_t parent) -> pid_t {
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
      const std::string name = e.path().filename().string();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(e.path() / "stat");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto close = text.rfind(')');
      if (close == std::string::npos || text.find("(bootstrap)") == std::string::npos) continue;
      std::istringstream rest(text.substr(close + 1));
      std::string state;
      long ppid = 0;
      rest >> state >> ppid;
      if (ppid == parent) return static_cast<pid_t>(std::stol(e.path().filename().string()));
    }
    return 0;
  };
  ASSERT_TRUE(lab::wait_until("bootstrap runs",
                              [&] { return (bootstrap = child_of(p->pid())) > 0; },
                              {.timeout = std::chrono::seconds(30)}))
      << std::ifstream(dir_ / "drctl.out").rdbuf();
  // Inside its invocation: it has ticked (and logged the decision), and asks the Runtime API
  // nothing until the deadline.
  ASSERT_TRUE(lab::wait_until("bootstrap ticks",
                              [&] {
                                std::ifstream in(dir_ / "bootstrap.log");
                                std::string text((std::istreambuf_iterator<char>(in)),
                                                 std::istreambuf_iterator<char>());
                                return text.find("decision") != std::string::npos;
                              },
                              {.timeout = std::chrono::seconds(30)}));
  ASSERT_TRUE(p->kill());
  EXPECT_TRUE(lab::wait_until(
      "bootstrap is gone",
      [&] {
        std::ifstream in("/proc/" + std::to_string(bootstrap) + "/stat");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // Gone, or a zombie its new parent has not reaped yet.
        const auto close = text.rfind(')');
        return !in || close == std::string::npos || text.substr(close + 2, 1) == "Z";
      },
      {.timeout = std::chrono::seconds(10)}))
      << "bootstrap " << bootstrap << " outlived drctl lab lambda run";
  ::kill(bootstrap, SIGKILL);  // no leftover, whatever happened (just seen as drctl's child)
}

TEST_F(LabLambdaCliTest, BadInputIsAUsageErrorAndRunsNothing) {
  auto reserved = function_env();
  reserved["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:1";
  EXPECT_EQ(drctl({"--count", "1"}, reserved), 2);
  EXPECT_NE(out_.find("AWS_LAMBDA_RUNTIME_API is reserved"), std::string::npos) << out_;
  EXPECT_EQ(drctl({"--count", "1"}, json::array({"not", "an", "object"})), 2);
  EXPECT_NE(out_.find("not a JSON object"), std::string::npos) << out_;
  auto number = function_env();
  number["DR_FAILOVER_CAPACITY"] = 2;
  EXPECT_EQ(drctl({"--count", "1"}, number), 2);
  EXPECT_NE(out_.find("DR_FAILOVER_CAPACITY is not a string"), std::string::npos) << out_;
  EXPECT_EQ(drctl({"--count", "1", "--every", "soon"}, function_env()), 2);
  EXPECT_NE(out_.find("--every: 'soon' is not a duration"), std::string::npos) << out_;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bootstrap.log"));  // no bootstrap ever ran
}

}  // namespace
}  // namespace dr::lab_lambda
