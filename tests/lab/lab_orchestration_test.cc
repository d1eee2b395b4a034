// `drctl lab` end to end, against the real servers: one lab per test case (ctest runs each case as
// its own process), each case a whole scenario, so the suite pays for few `lab up`s. Every
// recorded PID is stopped at the end, also when an assertion failed.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "backends/lab/supervisor_client.h"
#include "db/connection.h"
#include "lab/control_token.h"
#include "lab/credentials.h"
#include "lab/drctl_runner.h"
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

using dr::testing::CommandRun;

class Lab : public ::testing::Test {
 protected:
  // Runs drctl with `args` and waits for it; its stdout and stderr together.
  CommandRun drctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 180s,
                   bool lab = true) {
    if (lab) {
      args.insert(args.begin(), "lab");
      args.insert(args.end(), {"--dir", dir_.string()});
    }
    return dr::testing::run_drctl(args, tmp_ / ("drctl-" + std::to_string(++runs_) + ".log"),
                                  timeout);
  }

  // `lab status --json`: 0 when every part is healthy, 3 when the lab is down or degraded (a
  // killed component); the output is one JSON document either way.
  json status() {
    auto r = drctl({"status", "--json"});
    EXPECT_TRUE(r.code == 0 || r.code == 3) << r.output;
    return json::parse(r.output, nullptr, false);
  }

  // Every PID the lab ever recorded, so TearDown can prove (and force) that none survives.
  void remember_pids() { dr::testing::append_recorded_pids(dir_, pids_); }

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
  EXPECT_EQ(drctl({"status"}).code, 0) << "a healthy lab";
  EXPECT_EQ(component(s, "a1")["role"], "writer");

  // The control API wants the lab's token (0600); drctl reads it, anyone else gets 401 and
  // nothing happens.
  struct stat token_stat {};
  ASSERT_EQ(::stat((dir_ / "control-token").c_str(), &token_stat), 0);
  EXPECT_EQ(token_stat.st_mode & 0777, 0600);
  {
    auto c = client(s["control_url"].get<std::string>());
    auto refused = c.Post("/kill", R"({"scope":"component","name":"a2"})", "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401) << refused->body;
    auto browser = c.Post("/shutdown", "{}", "text/plain");
    ASSERT_TRUE(browser);
    EXPECT_EQ(browser->status, 401) << browser->body;
    EXPECT_EQ(component(status(), "a2")["state"], "running");
    EXPECT_TRUE(component(status(), "a2")["healthy"].get<bool>());
  }
  // The supervisor's log lines carry a full UTC timestamp.
  {
    std::ifstream log(dir_ / "supervisor.log");
    std::string line;
    bool stamped = false;
    while (std::getline(log, line) && !stamped)
      stamped = std::regex_search(line, std::regex(R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z )"));
    EXPECT_TRUE(stamped) << "no ISO 8601 UTC line in " << (dir_ / "supervisor.log");
  }
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
  auto degraded = drctl({"status"});
  EXPECT_EQ(degraded.code, 3) << degraded.output;
  EXPECT_NE(degraded.output.find("the lab is degraded"), std::string::npos) << degraded.output;
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
  // Down with its data kept is a lab that is down (3, as documented), not one that does not
  // exist (1), and status says what resumes it; --json says it in JSON.
  auto after = drctl({"status"});
  EXPECT_EQ(after.code, 3) << after.output;
  EXPECT_NE(after.output.find("is down (its data is kept: `drctl lab up --dir"), std::string::npos)
      << after.output;
  auto after_json = drctl({"status", "--json"});
  EXPECT_EQ(after_json.code, 3) << after_json.output;
  json j = json::parse(after_json.output, nullptr, false);
  EXPECT_TRUE(j.is_object() && j.value("down", false)) << after_json.output;
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
  EXPECT_EQ(unsupervised.code, 3) << unsupervised.output;
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

// Where `name` runs from PATH, or empty.
std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = std::filesystem::path(dir) / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

// wrk's per-response hook: statuses, and 503s that do not say when to come back.
constexpr const char* kWrkScript = R"(
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; missing_retry_after = 0 end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == 503 and headers["Retry-After"] == nil and headers["retry-after"] == nil then
    missing_retry_after = missing_retry_after + 1
  end
end
function done(summary, latency, requests)
  local total, missing = {}, 0
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    missing = missing + t:get("missing_retry_after")
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%d":%d', k, v)) end
  io.write(string.format('DRILL {"statuses":{%s},"missing_retry_after":%d,"timeouts":%d,' ..
    '"connect_errors":%d}\n', table.concat(parts, ","), missing, summary.errors.timeout,
    summary.errors.connect))
end
)";

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::map<std::string, int> app_pids(const json& status) {
  std::map<std::string, int> out;
  for (const auto& c : status["components"]) {
    if (c["kind"] == "app") out[c["name"]] = c["pid"];
  }
  return out;
}

// Issue 8, item 7: moderate load through the front door (200 connections for 8 s, far beyond
// the fleet's threads) must be shed with 503 + Retry-After, never turn into replaced instances
// or a failover.
TEST_F(Lab, ModerateLoadIsShedWithoutReplacingInstancesOrFailingOver) {
  const std::string wrk = on_path("wrk");
  // The test command installs wrk (a Debian package, scripts/bootstrap.sh): missing, it is a
  // failure, never a silent skip of the overload drill.
  ASSERT_FALSE(wrk.empty()) << "wrk is not on PATH: run scripts/bootstrap.sh (Debian package wrk)";
  auto up = drctl({"up"});
  remember_pids();
  ASSERT_EQ(up.code, 0) << up.output;
  const json before = status();
  const auto instances = app_pids(before);
  ASSERT_EQ(instances.size(), 3u) << before.dump(2);
  const std::string front_door = before["front_door"]["url"];
  const std::string fd_log = component(before, "front-door")["log"];
  const std::string supervisor_log = (dir_ / "supervisor.log").string();
  const auto fd_log_at_start = read_file(fd_log).size();
  const auto supervisor_log_at_start = read_file(supervisor_log).size();
  // Something to read, so a served request costs a real query.
  auto fd = client(front_door);
  auto created = fd.Post("/orders", R"({"customer":"load","amount_cents":1,"idempotency_key":"l"})",
                         "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string id = std::to_string(json::parse(created->body)["id"].get<int64_t>());

  const auto script = tmp_ / "status.lua";
  std::ofstream(script) << kWrkScript;
  SpawnOptions spawn;
  // --timeout: a request unanswered for 5 s counts as a timeout, the failure this drill forbids.
  spawn.argv = {wrk,    "-t2",           "-c200",
                "-d8s", "--timeout",     "5s",
                "-s",   script.string(), front_door + "/orders/" + id};
  spawn.log_file = tmp_ / "wrk.log";
  auto load = Process::spawn(spawn);
  ASSERT_TRUE(load) << load.error();
  auto code = load->wait(60s);
  const std::string out = read_file(spawn.log_file);
  ASSERT_EQ(code.value_or(-1), 0) << out;
  const auto line = out.find("DRILL ");
  ASSERT_NE(line, std::string::npos) << out;
  const json drill = json::parse(out.substr(line + 6, out.find('\n', line) - line - 6));

  // Shed, not timed out: every answer is a 200 or a 503 that says when to retry.
  int served = 0;
  int shed = 0;
  for (const auto& [status_code, n] : drill["statuses"].items()) {
    if (status_code == "200") {
      served += n.get<int>();
    } else if (status_code == "503") {
      shed += n.get<int>();
    } else {
      ADD_FAILURE() << n << " responses with status " << status_code << "\n" << out;
    }
  }
  EXPECT_GT(served, 0) << out;
  EXPECT_GT(shed, 0) << "200 connections against 2 x (16 threads + 32 queued): some must be shed\n"
                     << out;
  EXPECT_EQ(drill["missing_retry_after"], 0) << "503s without Retry-After come from the ALB "
                                                "(no instance left), not from a shedding app\n"
                                             << out;
  EXPECT_EQ(drill["timeouts"], 0) << out;
  EXPECT_EQ(drill["connect_errors"], 0) << out;

  // 0 instances replaced, 0 failovers (not even a moment of one).
  const json after = status();
  EXPECT_EQ(app_pids(after), instances) << after.dump(2);
  const std::string supervised = read_file(supervisor_log).substr(supervisor_log_at_start);
  EXPECT_EQ(supervised.find("removed"), std::string::npos) << supervised;
  EXPECT_EQ(after["front_door"]["active_region"], "us-east-1");
  const std::string fd_events = read_file(fd_log).substr(fd_log_at_start);
  const auto down = fd_events.find("us-east-1 is DOWN");
  EXPECT_EQ(down, std::string::npos) << fd_events.substr(down == std::string::npos ? 0 : down, 300);
}

// Issue 8, item 13: the region's fence is the fleet's (every instance, and every later one), the
// runbook's lab backend fences through it, and the admin routes are not public.
TEST_F(Lab, ARegionFenceReachesEveryInstanceAndTheAdminRoutesAreNotPublic) {
  auto up = drctl({"up"});
  remember_pids();
  ASSERT_EQ(up.code, 0) << up.output;
  json s = status();
  const std::string front_door = s["front_door"]["url"];
  auto fd = client(front_door);
  auto east = client(s["regions"]["us-east-1"]["alb_url"]);
  for (auto* c : {&fd, &east}) {
    for (const char* path : {"/metrics", "/admin/fence", "/admin/unfence"}) {
      auto get = c->Get(path);
      ASSERT_TRUE(get);
      EXPECT_EQ(get->status, 404) << path;
      auto post = c->Post(path, "", "text/plain");
      ASSERT_TRUE(post);
      EXPECT_EQ(post->status, 404) << path << ": " << post->body;
    }
  }

  // The runbook's step: the lab backend fences the region through the supervisor.
  const std::string control = s["control_url"];
  const auto colon = control.rfind(':');
  auto token = read_control_token(dir_);
  ASSERT_TRUE(token) << token.error();
  backends::lab::SupervisorClient supervisor("127.0.3.26", std::stoi(control.substr(colon + 1)),
                                             *token);
  ASSERT_TRUE(supervisor.fence_apps("us-east-1", "failover fo-test"));
  auto order = [&](httplib::Client& c, const std::string& key) {
    return c.Post("/orders",
                  R"({"customer":"f","amount_cents":1,"idempotency_key":")" + key + R"("})",
                  "application/json");
  };
  // Both instances refuse (round robin through the ALB reaches each).
  for (int i = 0; i < 4; ++i) {
    auto r = order(east, "fenced-" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << r->body;
    EXPECT_NE(r->body.find("failover fo-test"), std::string::npos) << r->body;
  }
  EXPECT_EQ(status()["regions"]["us-east-1"]["fleet"]["fenced"], true);

  // An instance launched later starts fenced: replace one, and scale out by one.
  auto killed = drctl({"kill", "component", "app-us-east-1-1"});
  ASSERT_EQ(killed.code, 0) << killed.output;
  ASSERT_TRUE(supervisor.set_capacity("us-east-1", 1, 3, 4));
  auto grown = wait_until("us-east-1 has 3 healthy instances again",
                          [&] { return status()["regions"]["us-east-1"]["fleet"]["healthy"] == 3; },
                          {.timeout = 45s, .poll = 200ms});
  ASSERT_TRUE(grown) << grown.error();
  for (int i = 0; i < 6; ++i) {
    auto r = order(east, "later-" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << r->body;
  }
  // A named copy: ranging over a member of the temporary status() read freed memory (ASan).
  const json now_fenced = status();
  for (const auto& c : now_fenced["components"]) {
    if (c["kind"] != "app" || c["region"] != "us-east-1") continue;
    const std::string ready = read_file(dir_ / "apps" / c["name"].get<std::string>() / "ready");
    const std::string admin = ready.substr(ready.find('\n') + 1);
    const auto ac = admin.rfind(':');
    auto direct = httplib::Client(admin.substr(0, ac), std::stoi(admin.substr(ac + 1)));
    auto deep = direct.Get("/health/deep");
    ASSERT_TRUE(deep) << c["name"];
    EXPECT_NE(deep->body.find("\"fenced\":\"failover fo-test\""), std::string::npos)
        << c["name"] << ": " << deep->body;
  }

  // Lifting it reaches them all too.
  ASSERT_TRUE(supervisor.unfence_apps("us-east-1"));
  for (int i = 0; i < 6; ++i) {
    auto r = order(east, "lifted-" + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 201) << r->body;
  }

  // Liveness is what replaces an instance: a hung one (stopped, its admin listener silent) is
  // replaced once the grace has passed.
  const json now = status();
  const auto west = component(now, "app-us-west-2-1");
  ASSERT_FALSE(west.is_null()) << now.dump(2);
  remember_pids();
  ASSERT_EQ(::kill(west["pid"].get<int>(), SIGSTOP), 0);
  auto replaced = wait_until("the hung app-us-west-2-1 is replaced",
                             [&] { return component(status(), "app-us-west-2-1").is_null(); },
                             {.timeout = 40s, .poll = 500ms});
  EXPECT_TRUE(replaced) << replaced.error();
  const std::string supervised = read_file(dir_ / "supervisor.log");
  EXPECT_NE(supervised.find("app-us-west-2-1 removed: its admin listener has not answered"),
            std::string::npos)
      << supervised;
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
  auto j = drctl({"status", "--json"});
  EXPECT_EQ(j.code, 1);
  json error = json::parse(j.output, nullptr, false);
  ASSERT_TRUE(error.is_object()) << j.output;
  EXPECT_NE(error["error"].get<std::string>().find("no lab in"), std::string::npos) << j.output;

  // Bad options: a clear error, exit 2, and nothing started.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"up", "--app-binary", "/nonexistent/dr-app"},
        {"up", "--app-binary", "/etc"},
        {"up", "--timeout", "0"},
        {"up", "--timeout", "-5"},
        {"up", "--lease-ttl-s", "1"},  // a TTL without the lease
        {"up", "--write-lease", "--lease-ttl-s", "3"}}) {
    auto r = drctl(args);
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "supervisor.pid")) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "state.json")) << r.output;
  }
  auto missing = drctl({"up", "--app-binary", "/nonexistent/dr-app"});
  EXPECT_NE(missing.output.find("/nonexistent/dr-app does not exist; nothing was started"),
            std::string::npos)
      << missing.output;
  auto k = drctl({"kill", "region", "us-east-1"});
  EXPECT_EQ(k.code, 1) << k.output;
  auto bad = drctl({"kill", "planet", "earth"});
  EXPECT_NE(bad.code, 0) << bad.output;
  auto d = drctl({"down"});
  EXPECT_EQ(d.code, 0) << d.output;
}

TEST_F(Lab, DrctlPrintsItsVersionAndDocumentsItsExitCodes) {
  auto version = drctl({"--version"}, 30s, /*lab=*/false);
  EXPECT_EQ(version.code, 0) << version.output;
  EXPECT_TRUE(version.output.starts_with("drctl ")) << version.output;
  auto help = drctl({"--help"}, 30s, /*lab=*/false);
  EXPECT_EQ(help.code, 0) << help.output;
  EXPECT_NE(help.output.find("Exit codes:"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("2  usage error"), std::string::npos) << help.output;
  // Every usage error exits 2, whatever CLI11 calls it.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{},
        {"no-such-command"},
        {"lab", "kill", "planet", "earth"},
        {"controller", "--threshold", "0"},
        {"witness", "--port", "-1"},
        {"switchover", "--to", "us-west-2", "--max-wait-s", "0"},
        {"failback", "--max-wait-s", "-3"}}) {
    auto r = drctl(args, 30s, /*lab=*/false);
    EXPECT_EQ(r.code, 2) << r.output;
  }
}

}  // namespace
}  // namespace dr::lab
