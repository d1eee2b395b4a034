// `drctl lab` end to end, against the real servers: one lab per test case (ctest runs each case as
// its own process), each case a whole scenario, so the suite pays for few `lab up`s. Every
// recorded PID is stopped at the end, also when an assertion failed.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "db/connection.h"
#include "lab/credentials.h"
#include "lab/lab_state.h"
#include "lab/mariadb_helpers.h"
#include "lab/process.h"
#include "lab/process_probe.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

// The end of a log for a failure message, or its sanitizer report when it has one.
std::string tail_of(const std::filesystem::path& path, size_t bytes = 6000) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (const auto report = text.find("ERROR: ");
      report != std::string::npos && text.find("Sanitizer", report) != std::string::npos)
    return text.substr(report, bytes);
  return text.substr(text.size() > bytes ? text.size() - bytes : 0);
}

// Servers of this lab found in /proc, whatever any record says: their arguments or working
// directory name the lab directory.
struct Found {
  PidRecord pid;
  std::string command_line;
};
std::vector<Found> servers_running_in(const std::filesystem::path& dir) {
  std::vector<Found> out;
  const std::string root = dir.string() + "/";
  for (const auto& p : dr::testing::all_processes()) {
    if (p.pid == ::getpid() || p.state == 'Z') continue;
    const std::filesystem::path proc = "/proc/" + std::to_string(p.pid);
    std::ifstream in(proc / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    std::error_code ec;
    const std::string cwd = std::filesystem::read_symlink(proc / "cwd", ec).string() + "/";
    if (cmdline.find(" lab ") != std::string::npos) continue;  // drctl itself
    const auto start = process_start_time(p.pid);
    if (start && (cmdline.find(root) != std::string::npos || cwd.starts_with(root)))
      out.push_back({{p.pid, *start}, cmdline});
  }
  return out;
}

struct CommandRun {
  int code = -1;
  std::string output;
};

class Lab : public ::testing::Test {
 protected:
  // Runs drctl with `args` and waits for it; its stdout and stderr together.
  CommandRun drctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 180s) {
    const auto log = tmp_ / ("drctl-" + std::to_string(++runs_) + ".log");
    SpawnOptions spawn;
    spawn.argv = {DRCTL_BINARY, "lab"};
    spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
    spawn.argv.insert(spawn.argv.end(), {"--dir", dir_.string()});
    spawn.env = {{"DR_APP_BINARY", DR_APP_BINARY},
                 {"DR_MARIADB_TEMPLATE", dr::testing::shared_datadir_template().string()}};
    spawn.log_file = log;
    auto p = Process::spawn(spawn);
    if (!p) return {-1, p.error().describe()};
    auto code = p->wait(timeout);
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    return {code.value_or(-1), text.str()};
  }

  json status() {
    auto r = drctl({"status", "--json"});
    EXPECT_EQ(r.code, 0) << r.output;
    // stderr may carry a warning line before the JSON.
    const auto brace = r.output.find('{');
    return brace == std::string::npos ? json()
                                      : json::parse(r.output.substr(brace), nullptr, false);
  }

  // Every PID the lab ever recorded, so TearDown can prove (and force) that none survives.
  void remember_pids() {
    auto s = load_lab_state(dir_);
    if (!s) return;
    pids_.push_back(s->supervisor);
    for (const auto& c : s->components) {
      if (c.pid.pid != 0) pids_.push_back(c.pid);
    }
  }

  void TearDown() override {
    remember_pids();
    (void)drctl({"down"});
    for (const auto& p : pids_) (void)stop_pid(p, 2s);
    // Also what no record names (a failed test of `down` itself must leave nothing either).
    for (const auto& f : servers_running_in(dir_)) (void)stop_pid(f.pid, 2s);
  }

  static httplib::Client client(const std::string& url) {
    httplib::Client c(url);
    c.set_connection_timeout(2s);
    c.set_read_timeout(10s);
    return c;
  }

  dr::testing::TempDir tmp_{"dr-lab-orch"};
  std::filesystem::path dir_ = tmp_ / "lab";
  std::vector<PidRecord> pids_;
  int runs_ = 0;
};

std::optional<std::string> query_on(const json& component, const LabCredentials& creds,
                                    const std::string& sql) {
  const std::string address = component["address"];
  const auto colon = address.rfind(':');
  db::ConnectOptions o;
  o.host = address.substr(0, colon);
  o.port = static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
  o.user = creds.admin.name;
  o.password = creds.admin.password;
  auto c = db::Connection::connect(o);
  if (!c) return std::nullopt;
  auto v = c->query_value(sql);
  if (!v || !*v) return std::nullopt;
  return **v;
}

json component(const json& status, const std::string& name) {
  for (const auto& c : status["components"]) {
    if (c["name"] == name) return c;
  }
  return {};
}

TEST_F(Lab, ServesTheDefaultTopologyEndToEndAndStopsEverything) {
  auto up = drctl({"up"});
  remember_pids();
  ASSERT_EQ(up.code, 0) << up.output;

  // The status shape the controller and the drills read.
  json s = status();
  ASSERT_TRUE(s.is_object());
  const std::string front_door = s["front_door"]["url"];
  EXPECT_EQ(s["front_door"]["active_region"], "us-east-1");
  for (const std::string region : {"us-east-1", "us-west-2"}) {
    ASSERT_TRUE(s["regions"].contains(region)) << s.dump(2);
    EXPECT_EQ(s["regions"][region]["fleet"]["healthy"], s["regions"][region]["fleet"]["desired"]);
  }
  EXPECT_EQ(s["regions"]["us-east-1"]["fleet"]["desired"], 2);
  EXPECT_EQ(s["regions"]["us-west-2"]["fleet"]["desired"], 1);
  for (const auto& c : s["components"]) {
    for (const char* key : {"name", "kind", "region", "role", "address", "pid", "healthy"}) {
      EXPECT_TRUE(c.contains(key)) << c.dump();
    }
    EXPECT_TRUE(c["healthy"].get<bool>()) << c.dump();
  }
  EXPECT_EQ(component(s, "a1")["role"], "writer");
  EXPECT_EQ(component(s, "a2")["role"], "semi-sync replica of a1");
  EXPECT_EQ(component(s, "b1")["role"], "async replica of a1");

  // An order through the front door lands on a1, and is on a2 and readable in us-west-2.
  auto fd = client(front_door);
  auto created =
      fd.Post("/orders", R"({"customer":"acme","amount_cents":1250,"idempotency_key":"o-1"})",
              "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const json order = json::parse(created->body);
  EXPECT_EQ(order["committed_by"], "127.0.1.11");
  const std::string id = std::to_string(order["id"].get<int64_t>());
  auto creds = LabCredentials::load_or_create(dir_);
  ASSERT_TRUE(creds);
  auto on_a2 =
      wait_until("the order is on a2",
                 [&] {
                   return query_on(component(s, "a2"), *creds,
                                   "SELECT customer FROM dr.orders WHERE id=" + id) == "acme";
                 },
                 {.timeout = 10s});
  EXPECT_TRUE(on_a2) << on_a2.error();
  auto west = client(s["regions"]["us-west-2"]["alb_url"]);
  auto in_west =
      wait_until("us-west-2 reads the order from b1",
                 [&] {
                   auto r = west.Get("/orders/" + id);
                   return r && r->status == 200 &&
                          json::parse(r->body, nullptr, false).value("customer", "") == "acme";
                 },
                 {.timeout = 10s});
  EXPECT_TRUE(in_west) << in_west.error();

  // Sessions written in one region are readable in the other, both ways (the replicator).
  auto east = client(s["regions"]["us-east-1"]["alb_url"]);
  auto put_e =
      east.Put("/sessions/from-east", R"({"data":{"cart":1},"version":0})", "application/json");
  ASSERT_TRUE(put_e);
  EXPECT_LT(put_e->status, 300) << put_e->body;
  auto put_w =
      west.Put("/sessions/from-west", R"({"data":{"cart":2},"version":0})", "application/json");
  ASSERT_TRUE(put_w);
  EXPECT_LT(put_w->status, 300) << put_w->body;
  auto readable = [](httplib::Client& c, const std::string& session) {
    auto r = c.Get("/sessions/" + session);
    return r && r->status == 200;
  };
  auto to_west = wait_until("east's session in us-west-2",
                            [&] { return readable(west, "from-east"); }, {.timeout = 10s});
  EXPECT_TRUE(to_west) << to_west.error();
  auto to_east = wait_until("west's session in us-east-1",
                            [&] { return readable(east, "from-west"); }, {.timeout = 10s});
  EXPECT_TRUE(to_east) << to_east.error();

  // Bad requests through the front door get a 4xx and change nothing.
  auto bad_json = fd.Post("/orders", "{nope", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  auto bad_type =
      fd.Post("/orders", R"({"customer":"acme","amount_cents":"1","idempotency_key":"b"})",
              "application/json");
  ASSERT_TRUE(bad_type);
  EXPECT_EQ(bad_type->status, 400);
  auto bad_id = fd.Get("/orders/abc");
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 400);
  EXPECT_EQ(query_on(component(s, "a1"), *creds, "SELECT COUNT(*) FROM dr.orders"), "1");

  // Killing one app instance: the supervisor replaces it; the ALB routes around it. Requests
  // may fail only inside the health-check window (observe layer4 + redispatch: usually none).
  const std::string victim = "app-us-east-1-1";
  auto killed = drctl({"kill", "component", victim});
  ASSERT_EQ(killed.code, 0) << killed.output;
  int failed = 0;
  int served = 0;
  auto replaced = wait_until("the fleet is back at 2 healthy without " + victim,
                             [&] {
                               auto r = east.Get("/health");
                               (r && r->status == 200) ? ++served : ++failed;
                               json now = status();
                               return component(now, victim).is_null() &&
                                      now["regions"]["us-east-1"]["fleet"]["healthy"] == 2;
                             },
                             {.timeout = 30s, .poll = 50ms});
  EXPECT_TRUE(replaced) << replaced.error();
  EXPECT_LE(failed, 2) << "requests failed through the ALB (" << served << " served)";
  remember_pids();

  // An AZ outage stays down until restore; restore re-attaches a2 as a replica.
  auto az = drctl({"kill", "az", "us-east-1b"});
  ASSERT_EQ(az.code, 0) << az.output;
  EXPECT_EQ(component(status(), "a2")["state"], "killed");
  auto restored = drctl({"restore"});
  ASSERT_EQ(restored.code, 0) << restored.output;
  EXPECT_NE(restored.output.find("a2: restarted"), std::string::npos) << restored.output;
  auto a2_back =
      wait_until("a2 replicates again",
                 [&] { return component(status(), "a2")["healthy"] == true; }, {.timeout = 15s});
  EXPECT_TRUE(a2_back) << a2_back.error();
  remember_pids();

  // down leaves no process.
  auto down = drctl({"down"});
  ASSERT_EQ(down.code, 0) << down.output;
  for (const auto& p : pids_) EXPECT_FALSE(is_alive(p)) << "pid " << p.pid << " survived down";
}

TEST_F(Lab, ASecondUpAfterASupervisorCrashCleansUpAndStarts) {
  auto up = drctl({"up"});
  remember_pids();
  ASSERT_EQ(up.code, 0) << up.output;
  const auto first = pids_;
  auto crash = drctl({"kill", "component", "supervisor"});
  ASSERT_EQ(crash.code, 0) << crash.output;
  // Without its supervisor, the lab still serves; status says so.
  auto unsupervised = drctl({"status"});
  EXPECT_EQ(unsupervised.code, 0) << unsupervised.output;
  EXPECT_NE(unsupervised.output.find("not running"), std::string::npos) << unsupervised.output;

  auto again = drctl({"up"});
  remember_pids();
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("cleaning up a previous lab"), std::string::npos) << again.output;
  for (const auto& p : first)
    EXPECT_FALSE(is_alive(p)) << "pid " << p.pid << " of the first lab survived";
  EXPECT_EQ(status()["front_door"]["active_region"], "us-east-1");

  auto down = drctl({"down"});
  ASSERT_EQ(down.code, 0) << down.output;
  for (const auto& p : pids_) EXPECT_FALSE(is_alive(p)) << "pid " << p.pid << " survived down";
}

// Issue 8 (4, 5): restore replaced a region's DynamoDB clients while the replicator thread still
// polled through them (a segfault, under ASan a use-after-free), and a supervisor that died
// mid-restore left restarted servers running that state.json recorded as `pid 0, killed`, so
// `down` claimed "nothing left running" and left them.
TEST_F(Lab, ACrashMidRestoreLeavesNothingThatDownDoesNotStop) {
  auto up = drctl({"up"});
  remember_pids();
  ASSERT_EQ(up.code, 0) << up.output;
  const PidRecord supervisor = load_lab_state(dir_)->supervisor;

  // Each restore gives us-east-1 new DynamoDB clients while the replicator polls every 100 ms.
  for (int round = 0; round < 3; ++round) {
    auto killed = drctl({"kill", "component", "dynamodb-us-east-1"});
    ASSERT_EQ(killed.code, 0) << killed.output;
    auto restored = drctl({"restore"});
    ASSERT_EQ(restored.code, 0) << restored.output << "the supervisor's log ends:\n"
                                << tail_of(dir_ / "supervisor.log");
    EXPECT_NE(restored.output.find("dynamodb-us-east-1: restarted"), std::string::npos)
        << restored.output;
    // The replicator runs on the new clients: a session written in us-west-2 reaches us-east-1.
    json now = status();
    auto west = client(now["regions"]["us-west-2"]["alb_url"]);
    auto east = client(now["regions"]["us-east-1"]["alb_url"]);
    const std::string session = "round-" + std::to_string(round);
    auto put =
        west.Put("/sessions/" + session, R"({"data":{"n":1},"version":0})", "application/json");
    ASSERT_TRUE(put);
    EXPECT_LT(put->status, 300) << put->body;
    auto replicated = wait_until("session " + session + " in us-east-1",
                                 [&] {
                                   auto r = east.Get("/sessions/" + session);
                                   return r && r->status == 200;
                                 },
                                 {.timeout = 15s});
    EXPECT_TRUE(replicated) << replicated.error();
    ASSERT_TRUE(is_alive(supervisor))
        << "the supervisor died in restore round " << round << "; its log ends:\n"
        << tail_of(dir_ / "supervisor.log");
    remember_pids();
  }

  // Kill the region, then the supervisor while restore restarts it: once DynamoDB Local (which
  // restore restarts after a1 and a2) is spawned, before restore returns.
  auto region = drctl({"kill", "region", "us-east-1"});
  ASSERT_EQ(region.code, 0) << region.output;
  SpawnOptions restore;
  restore.argv = {DRCTL_BINARY, "lab", "restore", "--dir", dir_.string()};
  restore.log_file = tmp_ / "restore.log";
  auto restoring = Process::spawn(restore);
  ASSERT_TRUE(restoring) << restoring.error();
  const auto ddb_pid_file = dir_ / "dynamodb-us-east-1" / "process.pid";
  auto spawned = wait_until("restore spawns DynamoDB Local in us-east-1",
                            [&] {
                              auto r = read_pid_file(ddb_pid_file);
                              return r && is_alive(*r);
                            },
                            {.timeout = 60s, .poll = 2ms});
  ASSERT_TRUE(spawned) << spawned.error();
  ASSERT_EQ(::kill(supervisor.pid, SIGKILL), 0);
  auto dead =
      wait_until("the supervisor dies", [&] { return !is_alive(supervisor); }, {.timeout = 5s});
  ASSERT_TRUE(dead) << dead.error();
  (void)restoring->wait(30s);

  // What restore restarted before the crash is in the state file, with the PID that runs
  // (DynamoDB Local may have died with us between its PID file and the state: `down` still finds
  // it, by that PID file).
  auto state = load_lab_state(dir_);
  ASSERT_TRUE(state) << state.error();
  for (const std::string name : {"a1", "a2"}) {
    const auto* c = state->find(name);
    ASSERT_NE(c, nullptr) << name;
    EXPECT_TRUE(c->pid.pid != 0 && is_alive(c->pid))
        << name << " runs but state.json records pid " << c->pid.pid;
  }
  remember_pids();
  if (auto r = read_pid_file(ddb_pid_file)) pids_.push_back(*r);
  EXPECT_FALSE(servers_running_in(dir_).empty());

  // A crash can come before a start is recorded at all (a first start records once it is up):
  // then the server's PID file is what names it.
  const auto a1_record = state->find("a1")->pid;
  state->find("a1")->pid = {};
  ASSERT_TRUE(save_lab_state(dir_, *state));
  // And `down` checks rather than assumes: a server of the lab that nothing names (here a stand-in
  // called dr-app, running in the lab directory) makes it fail, and it is left alone.
  const auto stray_dir = dir_ / "stray";
  std::filesystem::create_directories(stray_dir);
  std::filesystem::create_symlink("/bin/sleep", tmp_ / "dr-app");
  SpawnOptions stray_spawn;
  stray_spawn.argv = {(tmp_ / "dr-app").string(), "600"};
  stray_spawn.working_dir = stray_dir;
  stray_spawn.die_with_parent = true;
  auto stray = Process::spawn(stray_spawn);
  ASSERT_TRUE(stray) << stray.error();

  auto refused = drctl({"down"});
  EXPECT_EQ(refused.code, 1) << refused.output;
  EXPECT_NE(
      refused.output.find("still running after down: dr-app (pid " + std::to_string(stray->pid())),
      std::string::npos)
      << refused.output;
  EXPECT_EQ(refused.output.find("nothing left running"), std::string::npos) << refused.output;
  EXPECT_TRUE(stray->running());
  EXPECT_FALSE(is_alive(a1_record)) << "a1, named only by its PID file, survived down";
  ASSERT_TRUE(stray->stop());

  auto down = drctl({"down"});
  EXPECT_EQ(down.code, 0) << down.output;
  EXPECT_NE(down.output.find("nothing left running"), std::string::npos) << down.output;
  for (const auto& p : pids_) EXPECT_FALSE(is_alive(p)) << "pid " << p.pid << " survived down";
  std::string left;
  for (const auto& f : servers_running_in(dir_))
    left += std::to_string(f.pid.pid) + ": " + f.command_line + "\n";
  EXPECT_EQ(left, "") << "still running after down";
}

TEST_F(Lab, CommandsWithoutALabSayWhatToDo) {
  auto s = drctl({"status"});
  EXPECT_EQ(s.code, 1);
  EXPECT_NE(s.output.find("no lab in"), std::string::npos) << s.output;
  auto k = drctl({"kill", "region", "us-east-1"});
  EXPECT_EQ(k.code, 1) << k.output;
  auto bad = drctl({"kill", "planet", "earth"});
  EXPECT_NE(bad.code, 0) << bad.output;
  auto d = drctl({"down"});
  EXPECT_EQ(d.code, 0) << d.output;
}

}  // namespace
}  // namespace dr::lab
