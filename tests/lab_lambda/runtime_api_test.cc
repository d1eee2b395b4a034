// The lab's Runtime API and execution environment against a fake runtime (fake_runtime.cc) that
// speaks plain HTTP: the headers and deadline of `next`, the answers to good and bad posts,
// invocation and init errors, a crash mid-invocation and the re-init after it, the timeout that
// resets the environment, and the schedule's EventBridge events.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "lab/ports.h"
#include "lab/process.h"
#include "lab/wait.h"
#include "lab_lambda/lambda_emulator.h"
#include "lab_lambda/schedule.h"
#include "lambda/support/denying_aws.h"

namespace dr::lab_lambda {
namespace {

using nlohmann::json;

const std::string kEvent =
    R"({"version":"0","id":"ev-1","detail-type":"Scheduled Event","source":"aws.events",)"
    R"("account":"123456789012","time":"2026-12-02T19:00:00Z","region":"us-west-2",)"
    R"("resources":[],"detail":{}})";

class LabRuntimeApiTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = dr::test::fresh_test_dir("h15-runtime"); }
  void TearDown() override {
    if (lambda_) lambda_->stop();
    std::filesystem::remove_all(dir_);
  }

  void start(const std::string& mode, std::chrono::milliseconds timeout = std::chrono::seconds(5),
             std::filesystem::path bootstrap = FAKE_RUNTIME) {
    FunctionSpec spec;
    spec.bootstrap = std::move(bootstrap);
    spec.timeout = timeout;
    spec.env = {{"FAKE_MODE", mode},
                {"FAKE_MARKER", (dir_ / "crashed").string()},
                {"DR_SECONDARY_REGION", "us-west-2"}};
    spec.log_file = dir_ / "bootstrap.log";
    auto started = LambdaEmulator::start(std::move(spec));
    ASSERT_TRUE(started) << started.error().message;
    lambda_ = std::move(*started);
  }

  // The fake's JSON lines holding `key`, once there are `count` of them.
  std::vector<json> log_with(const std::string& key, size_t count) {
    std::vector<json> found;
    auto ok = lab::wait_until("fake runtime log lines with " + key, [&] {
      found.clear();
      std::ifstream in(dir_ / "bootstrap.log");
      for (std::string line; std::getline(in, line);) {
        auto j = json::parse(line, nullptr, false);
        if (j.is_object() && j.contains(key)) found.push_back(j);
      }
      return found.size() >= count;
    });
    EXPECT_TRUE(ok) << ok.error().message;
    return found;
  }

  std::filesystem::path dir_;
  std::unique_ptr<LambdaEmulator> lambda_;
};

TEST_F(LabRuntimeApiTest, NextCarriesTheInvocationAndPostsAreChecked) {
  start("echo");
  auto address = lab::lab_address(lab::Site::kUsWest2, lab::Component::kController);
  ASSERT_TRUE(address);
  EXPECT_TRUE(lambda_->runtime_api().starts_with(*address + ":")) << lambda_->runtime_api();

  auto first = lambda_->invoke(kEvent);
  ASSERT_EQ(first.outcome, Outcome::kSuccess) << first.error_type << ": " << first.error_message;
  EXPECT_TRUE(first.cold_start);
  EXPECT_EQ(first.environment, 1);
  auto got = json::parse(first.response);
  EXPECT_EQ(got["requestId"], first.request_id);
  EXPECT_EQ(first.request_id.size(), 36u);
  // The deadline is the function's timeout from when `next` handed the event out.
  EXPECT_EQ(got["deadlineMs"], std::to_string(first.deadline_ms));
  EXPECT_GE(first.deadline_ms, first.start_ms + 5000);
  EXPECT_LE(first.deadline_ms, first.end_ms + 5000);
  EXPECT_EQ(got["functionArn"],
            "arn:aws:lambda:us-west-2:123456789012:function:dr-failover-controller");
  EXPECT_TRUE(got["traceId"].get<std::string>().starts_with("Root=1-")) << got["traceId"];
  EXPECT_EQ(got["event"], json::parse(kEvent));
  EXPECT_EQ(got["wrongIdStatus"], 400);
  // What Lambda sets, the function's own variables, and nothing of the launching shell.
  EXPECT_EQ(got["env"]["AWS_LAMBDA_RUNTIME_API"], lambda_->runtime_api());
  EXPECT_EQ(got["env"]["_HANDLER"], "bootstrap");
  EXPECT_EQ(got["env"]["AWS_LAMBDA_FUNCTION_NAME"], "dr-failover-controller");
  EXPECT_EQ(got["env"]["AWS_REGION"], "us-west-2");
  EXPECT_EQ(got["env"]["DR_SECONDARY_REGION"], "us-west-2");
  EXPECT_EQ(got["env"]["HOME"], "<unset>");

  // The response was accepted; a second answer and an init error after `next` were refused
  // (read before the next invocation: a post for an invocation that is over gets a 400).
  auto statuses = log_with("responseStatus", 1);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0]["responseStatus"], 202);
  EXPECT_EQ(statuses[0]["againStatus"], 403);
  EXPECT_EQ(statuses[0]["lateInitErrorStatus"], 403);

  // Warm: the same environment, a new request id.
  auto second = lambda_->invoke(kEvent);
  ASSERT_EQ(second.outcome, Outcome::kSuccess) << second.error_message;
  EXPECT_FALSE(second.cold_start);
  EXPECT_EQ(second.environment, 1);
  EXPECT_NE(second.request_id, first.request_id);

  ASSERT_EQ(lambda_->records().size(), 2u);
  EXPECT_EQ(lambda_->records()[1].request_id, second.request_id);
  EXPECT_EQ(first.to_json()["outcome"], "success");
}

// A response that is not UTF-8 is recorded, and its JSON line (what `drctl lab lambda run
// --json` prints) replaces the bad bytes instead of throwing.
TEST_F(LabRuntimeApiTest, AResponseThatIsNotUtf8StillPrints) {
  start("respond-bytes");
  auto r = lambda_->invoke(kEvent);
  ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error_message;
  EXPECT_EQ(r.response, std::string("\"caf\xc3", 5));
  std::string line;
  ASSERT_NO_THROW(line = r.to_json_line());
  auto j = json::parse(line);
  EXPECT_EQ(j["response"], "\"caf\xEF\xBF\xBD");  // U+FFFD
}

TEST_F(LabRuntimeApiTest, InvocationErrorIsRecordedAndTheEnvironmentStaysWarm) {
  start("error");
  auto first = lambda_->invoke(kEvent);
  EXPECT_EQ(first.outcome, Outcome::kError);
  EXPECT_EQ(first.error_type, "Handler.Boom");
  EXPECT_EQ(first.error_message, "boom");
  auto second = lambda_->invoke(kEvent);
  EXPECT_EQ(second.outcome, Outcome::kError);
  EXPECT_FALSE(second.cold_start);
  EXPECT_EQ(second.environment, 1);
  EXPECT_EQ(first.to_json()["errorType"], "Handler.Boom");
}

TEST_F(LabRuntimeApiTest, InitErrorIsRecordedAndEveryInvocationReinits) {
  start("init-error");
  auto first = lambda_->invoke(kEvent);
  EXPECT_EQ(first.outcome, Outcome::kInitError);
  EXPECT_EQ(first.error_type, "Runtime.ConfigInvalid");
  EXPECT_EQ(first.error_message, "DR_X: missing");
  EXPECT_EQ(first.deadline_ms, 0);  // never handed out
  auto second = lambda_->invoke(kEvent);
  EXPECT_EQ(second.outcome, Outcome::kInitError);
  EXPECT_TRUE(second.cold_start);
  EXPECT_EQ(second.environment, 2);
  // The runtime exits after its init error (it may be killed before it could print this).
  for (const auto& line : log_with("initErrorStatus", 0)) EXPECT_EQ(line["initErrorStatus"], 202);
}

TEST_F(LabRuntimeApiTest, CrashMidInvocationIsReportedAndTheNextOneReinits) {
  start("crash-once");
  auto crashed = lambda_->invoke(kEvent);
  EXPECT_EQ(crashed.outcome, Outcome::kCrashed);
  EXPECT_EQ(crashed.error_type, "Runtime.ExitError");
  EXPECT_EQ(crashed.error_message, "RequestId: " + crashed.request_id +
                                       " Error: Runtime exited with error: exit status 3");
  EXPECT_NE(crashed.deadline_ms, 0);  // it had the event: it died mid-way
  auto next = lambda_->invoke(kEvent);
  ASSERT_EQ(next.outcome, Outcome::kSuccess) << next.error_type << ": " << next.error_message;
  EXPECT_TRUE(next.cold_start);
  EXPECT_EQ(next.environment, 2);
  EXPECT_EQ(crashed.to_json()["outcome"], "crashed");
}

// A runtime that answers and exits at once has answered: the exit must not hide the post that
// came before it (a race: repeated to catch it).
TEST_F(LabRuntimeApiTest, AnAnswerJustBeforeAnExitCounts) {
  start("respond-exit");
  for (int i = 1; i <= 40; ++i) {
    auto r = lambda_->invoke(kEvent);
    ASSERT_EQ(r.outcome, Outcome::kSuccess) << i << ": " << r.error_type << ": " << r.error_message;
    EXPECT_EQ(r.environment, i);
  }
}

TEST_F(LabRuntimeApiTest, TimeoutKillsTheRuntimeAndResetsTheEnvironment) {
  start("hang", std::chrono::milliseconds(300));
  auto timed_out = lambda_->invoke(kEvent);
  EXPECT_EQ(timed_out.outcome, Outcome::kTimeout);
  EXPECT_EQ(timed_out.error_type, "Sandbox.Timedout");
  EXPECT_EQ(timed_out.error_message,
            "RequestId: " + timed_out.request_id + " Error: Task timed out after 0.30 seconds");
  EXPECT_GE(timed_out.end_ms, timed_out.deadline_ms);
  auto hanging = log_with("hangingPid", 1);
  ASSERT_EQ(hanging.size(), 1u);
  EXPECT_FALSE(lab::is_alive(hanging[0]["hangingPid"].get<pid_t>()));
  EXPECT_FALSE(lambda_->bootstrap_pid());
  auto again = lambda_->invoke(kEvent);
  EXPECT_TRUE(again.cold_start);
  EXPECT_EQ(again.environment, 2);
}

// Killed while it waits in `next` between invocations: its poll is still open on the server, and
// must not take the next event, which belongs to the new environment.
TEST_F(LabRuntimeApiTest, RuntimeKilledBetweenInvocationsLosesNoEvent) {
  start("echo");
  for (int round = 1; round <= 3; ++round) {
    auto r = lambda_->invoke(kEvent);
    ASSERT_EQ(r.outcome, Outcome::kSuccess) << r.error_type << ": " << r.error_message;
    EXPECT_EQ(r.environment, round);
    auto pid = lambda_->bootstrap_pid();
    ASSERT_TRUE(pid);
    // Its poll for the next event has reached the server.
    ASSERT_TRUE(lab::wait_until("the runtime polling",
                                [&] { return lambda_->runtime_view().waiting_polls >= 1; }));
    ASSERT_EQ(::kill(*pid, SIGKILL), 0);
    ASSERT_TRUE(lab::wait_until("killed runtime gone", [&] { return !lambda_->bootstrap_pid(); }));
  }
}

// Another user on the machine can neither take the function's events nor post for it.
TEST_F(LabRuntimeApiTest, AnotherUsersProcessIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run a client as another user (setpriv)";
  if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/setpriv";
  start("echo");
  ASSERT_EQ(lambda_->invoke(kEvent).outcome, Outcome::kSuccess);
  lab::SpawnOptions options;
  options.argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                  FAKE_RUNTIME};
  options.clear_env = true;
  options.env = {{"AWS_LAMBDA_RUNTIME_API", lambda_->runtime_api()}, {"FAKE_MODE", "probe"}};
  options.log_file = dir_ / "foreign.log";
  options.die_with_parent = true;
  auto foreign = lab::Process::spawn(std::move(options));
  ASSERT_TRUE(foreign) << foreign.error().message;
  auto code = foreign->wait(std::chrono::seconds(20));
  ASSERT_TRUE(code) << code.error().message;
  std::ifstream in(dir_ / "foreign.log");
  std::string line;
  std::getline(in, line);
  auto probe = json::parse(line, nullptr, false);
  ASSERT_TRUE(probe.is_object()) << line;
  EXPECT_EQ(probe["probeNextStatus"], 403);
  EXPECT_EQ(probe["probeInitStatus"], 403);
  // The function's own runtime is served as before.
  auto after = lambda_->invoke(kEvent);
  EXPECT_EQ(after.outcome, Outcome::kSuccess) << after.error_message;
  EXPECT_EQ(after.environment, 1);
}

TEST_F(LabRuntimeApiTest, MissingExecutableIsAnInitError) {
  start("echo", std::chrono::seconds(5), dir_ / "no-such-bootstrap");
  auto r = lambda_->invoke(kEvent);
  EXPECT_EQ(r.outcome, Outcome::kInitError);
  EXPECT_EQ(r.error_type, "Runtime.InvalidEntrypoint");
  EXPECT_NE(r.error_message.find("no-such-bootstrap"), std::string::npos) << r.error_message;
}

TEST_F(LabRuntimeApiTest, ReservedOrMalformedVariablesAreRefused) {
  for (const std::string name : {"AWS_LAMBDA_RUNTIME_API", "_HANDLER", "AWS_REGION", "A=B", ""}) {
    FunctionSpec spec;
    spec.bootstrap = FAKE_RUNTIME;
    spec.env = {{name, "x"}};
    auto started = LambdaEmulator::start(std::move(spec));
    ASSERT_FALSE(started) << name;
    EXPECT_EQ(started.error().kind, lab::ErrorKind::kConfig);
  }
  FunctionSpec bad_name;
  bad_name.bootstrap = FAKE_RUNTIME;
  bad_name.function_name = "../etc";
  EXPECT_FALSE(LambdaEmulator::start(std::move(bad_name)));
}

TEST_F(LabRuntimeApiTest, BadRequestsGetTheApisErrorShape) {
  start("echo");
  const auto api = lambda_->runtime_api();
  const auto colon = api.rfind(':');
  httplib::Client client(api.substr(0, colon), std::stoi(api.substr(colon + 1)));
  auto check = [](const httplib::Result& r, int status, const std::string& type) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status);
    auto j = json::parse(r->body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r->body;
    EXPECT_EQ(j["errorType"], type) << r->body;
    EXPECT_TRUE(j["errorMessage"].is_string());
  };
  check(client.Post("/2018-06-01/runtime/invocation/abc/response", "{}", "application/json"), 400,
        "InvalidRequestID");
  check(client.Post("/2018-06-01/runtime/invocation/abc/response",
                    std::string(kMaxPayloadBytes + 1, 'x'), "application/json"),
        413, "RequestEntityTooLarge");
  check(client.Get("/2018-06-01/runtime/invocation/../../secret"), 404, "NotFound");
  check(client.Post("/2018-06-01/runtime/invocation/a%2Fb/error", "{}", "application/json"), 404,
        "NotFound");
}

TEST_F(LabRuntimeApiTest, ScheduleDeliversScheduledEventsOneAtATime) {
  start("echo");
  std::vector<InvocationRecord> seen;
  ScheduleOptions options;
  options.every = std::chrono::milliseconds(50);
  options.count = 3;
  options.rule = "dr-tick";
  options.on_record = [&](const InvocationRecord& r) { seen.push_back(r); };
  auto summary = run_schedule(*lambda_, options);
  EXPECT_EQ(summary.invocations, 3);
  EXPECT_EQ(summary.failed, 0);
  ASSERT_EQ(seen.size(), 3u);
  std::set<std::string> ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    ASSERT_EQ(seen[i].outcome, Outcome::kSuccess) << seen[i].error_message;
    if (i > 0) {
      EXPECT_GE(seen[i].start_ms, seen[i - 1].end_ms);  // never overlapping
    }
    auto event = json::parse(seen[i].response)["event"];
    EXPECT_EQ(event["source"], "aws.events");
    EXPECT_EQ(event["detail-type"], "Scheduled Event");
    EXPECT_EQ(event["region"], "us-west-2");
    EXPECT_EQ(event["resources"][0], "arn:aws:events:us-west-2:123456789012:rule/dr-tick");
    EXPECT_TRUE(event["detail"].is_object());
    EXPECT_EQ(event["time"].get<std::string>().size(), 20u);  // 2026-12-03T01:02:03Z
    ids.insert(event["id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 3u);

  // Count 0 runs until stopped.
  int calls = 0;
  options.count = 0;
  options.stop = [&] { return calls >= 2; };
  options.on_record = [&](const InvocationRecord&) { ++calls; };
  EXPECT_EQ(run_schedule(*lambda_, options).invocations, 2);
}

}  // namespace
}  // namespace dr::lab_lambda
