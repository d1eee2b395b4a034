// The supervisor's status report probes the servers outside its lock: a status call that waits
// on a frozen server must not hold up a control-plane call (a failover's repoint). Before the
// split, status() probed every server under the supervisor's one (recursive) mutex, and a repoint
// waited for it.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <atomic>
#include <thread>
#include <vector>

#include "backends/lab/supervisor_client.h"
#include "lab/control_token.h"
#include "lab/drctl_runner.h"
#include "lab/lab_state.h"
#include "lab/process.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class StatusProbes : public ::testing::Test {
 protected:
  dr::testing::CommandRun drctl(std::vector<std::string> args) {
    args.insert(args.begin(), "lab");
    args.insert(args.end(), {"--dir", dir_.string()});
    return dr::testing::run_drctl(args, tmp_ / ("drctl-" + std::to_string(++runs_) + ".log"), 180s);
  }

  // `lab up`, its processes recorded for the teardown; then where its control API is and its
  // token, for the test's clients.
  void up() {
    auto r = drctl({"up"});
    dr::testing::append_recorded_pids(dir_, pids_);
    ASSERT_EQ(r.code, 0) << r.output;
    auto token = read_control_token(dir_);
    ASSERT_TRUE(token) << token.error();
    auto state = load_lab_state(dir_);
    ASSERT_TRUE(state) << state.error().describe();
    host_ = state->control_address;
    port_ = state->control_port;
    token_ = *token;
  }

  void TearDown() override {
    if (frozen_ != 0) ::kill(frozen_, SIGCONT);
    dr::testing::append_recorded_pids(dir_, pids_);
    (void)drctl({"down"});
    for (const auto& p : pids_) (void)stop_pid(p, 2s);
  }

  dr::testing::TempDir tmp_{"dr-lab-status"};
  std::filesystem::path dir_ = tmp_ / "lab";
  std::vector<PidRecord> pids_;
  pid_t frozen_ = 0;
  int runs_ = 0;
  std::string host_;
  int port_ = 0;
  std::string token_;
};

json component(const json& status, const std::string& name) {
  for (const auto& c : status["components"]) {
    if (c["name"] == name) return c;
  }
  return {};
}

TEST_F(StatusProbes, AFrozenServerHoldsUpNoRepointWhileAStatusProbesIt) {
  ASSERT_NO_FATAL_FAILURE(up());
  const std::string host = host_;
  const int port = port_;
  // The controller's client, with its normal deadline (3 s).
  backends::lab::SupervisorClient controller(host, port, token_);
  auto before = controller.status();
  ASSERT_TRUE(before) << before.error();
  // us-west-2's DynamoDB Local hangs: it accepts connections and answers nothing. Each status
  // call now waits on it for its probe's timeout (1 s). (Not a database: a stopped one is
  // reported at once without being asked, StoppedDatabaseIsReportedWithoutBeingAsked.)
  const json ddb = component(*before, "dynamodb-us-west-2");
  ASSERT_EQ(ddb["healthy"], true) << before->dump(2);
  frozen_ = ddb["pid"].get<int>();
  ASSERT_EQ(::kill(frozen_, SIGSTOP), 0);
  std::atomic<bool> stop{false};
  std::atomic<int> in_flight{0};
  std::atomic<int> completed{0};
  std::atomic<bool> saw_ddb_unhealthy{false};
  std::vector<std::thread> probes;
  for (int i = 0; i < 3; ++i) {
    probes.emplace_back([&] {
      backends::lab::SupervisorClient operator_(host, port, token_, 120s);
      while (!stop) {
        ++in_flight;
        auto s = operator_.status();
        --in_flight;
        if (!s) continue;
        ++completed;
        if (component(*s, "dynamodb-us-west-2")["healthy"] == false) saw_ddb_unhealthy = true;
      }
    });
  }
  auto stop_probes = [&] {
    stop = true;
    ::kill(frozen_, SIGCONT);
    for (auto& t : probes) t.join();
  };
  auto in_progress = wait_until("a status call is in flight", [&] { return in_flight > 0; },
                                {.timeout = 10s, .poll = 5ms});
  ASSERT_TRUE(in_progress) << in_progress.error();

  // A failover's repoints, back and forth: each completes within the client's deadline while the
  // status calls are still waiting on the frozen server.
  for (const std::string target : {"a1", "a2", "a1", "a2"}) {
    auto moved = controller.repoint_reader("us-east-1", target);
    EXPECT_TRUE(moved) << "a repoint to " << target
                       << " waited for a status call probing a frozen server: " << moved.error();
    EXPECT_GT(in_flight.load(), 0) << "no status call was probing the frozen server";
  }

  // And the status calls do finish, reporting the frozen server as what it is.
  auto reported = wait_until("a status call reports the frozen server",
                             [&] { return completed > 0; }, {.timeout = 120s, .poll = 50ms});
  stop_probes();
  ASSERT_TRUE(reported) << reported.error();
  EXPECT_TRUE(saw_ddb_unhealthy);
  frozen_ = 0;
  auto after = controller.status();
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ((*after)["regions"]["us-east-1"]["reader_endpoint"]["database"], "a2");
}

// A stopped database (SIGSTOP: the blip drill) answers nothing, and asking it costs the whole
// connect timeout (2 s): the lab's AWS endpoint, which answers RDS and CloudWatch from the
// status, stalled the Lambda's tick through every blip. The status says at once what it is.
TEST_F(StatusProbes, AStoppedDatabaseIsReportedWithoutBeingAsked) {
  ASSERT_NO_FATAL_FAILURE(up());
  backends::lab::SupervisorClient client(host_, port_, token_);
  auto before = client.status();
  ASSERT_TRUE(before) << before.error();
  EXPECT_EQ(component(*before, "a1")["role"], "writer");
  EXPECT_FALSE(component(*before, "a1").contains("stopped"));
  frozen_ = component(*before, "a1")["pid"].get<int>();
  ASSERT_EQ(::kill(frozen_, SIGSTOP), 0);
  ASSERT_TRUE(wait_until("a1 is stopped", [&] { return process_state(frozen_) == 'T'; },
                         {.timeout = 10s, .poll = 5ms}));
  auto during = client.status();
  ASSERT_TRUE(during) << during.error();
  const json a1 = component(*during, "a1");
  EXPECT_EQ(a1["stopped"], true) << a1.dump();
  EXPECT_EQ(a1["role"], "unreachable") << a1.dump();
  EXPECT_EQ(a1["healthy"], false) << a1.dump();
  // The records are untouched: the writer endpoints still lead to a1, as Aurora's would.
  EXPECT_EQ((*during)["regions"]["us-east-1"]["writer_endpoint"]["database"], "a1");
  ASSERT_EQ(::kill(frozen_, SIGCONT), 0);
  frozen_ = 0;
  auto after = client.status();
  ASSERT_TRUE(after) << after.error();
  EXPECT_EQ(component(*after, "a1")["role"], "writer");
  EXPECT_FALSE(component(*after, "a1").contains("stopped"));
}

}  // namespace
}  // namespace dr::lab
