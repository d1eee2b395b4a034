// drctl drill <scenario>: runs a workload through the lab's front door, injects the scenario's
// fault, lets the controller (and the witness) act, reads everything back from the new primary,
// and judges the scenario's promises. Writes JSON + HTML reports; exits 1 when a promise broke.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iostream>
#include <thread>

#include "aws/dynamodb.h"
#include "backends/controller_store.h"
#include "backends/lab/lab_targets.h"
#include "cli/commands.h"
#include "cli/drill_faults.h"
#include "drill/baseline.h"
#include "drill/controller_choice.h"
#include "drill/events.h"
#include "drill/jsonl_tail.h"
#include "drill/parameters.h"
#include "drill/promises.h"
#include "drill/readback.h"
#include "drill/readback_sessions.h"
#include "drill/report.h"
#include "drill/report_html.h"
#include "drill/run_files.h"
#include "drill/switchover_target.h"
#include "drill/workload.h"
#include "lab/atomic_file.h"
#include "lab/control_client.h"
#include "lab/credentials.h"
#include "lab/lab_state.h"
#include "lab/lab_topology.h"
#include "lab/partition.h"
#include "lab/process.h"
#include "lab/wait.h"
#include "lab_aws/aws_credentials.h"
#include "lab_aws/function_env.h"
#include "lab_aws/in_region_watcher.h"

namespace dr::cli {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// What each scenario does to the lab, as data.
struct Fault {
  std::string scope;  // region | az | component | apps-of-region
  std::string name;
};
// A fault's name resolved at injection time: the AZ the writer is in.
constexpr const char* kWriterAz = "<the writer's AZ>";

struct ScenarioSpec {
  std::string name;
  std::vector<Fault> faults = {};
  bool switchover = false;        // no fault: an operator's planned switchover at fault time
  bool crash_controller = false;  // the controller dies mid-runbook and is restarted
  bool blip = false;              // the writer freezes (SIGSTOP) for --blip-ms, then resumes
  std::optional<Cut> cut = std::nullopt;
  // Some clients keep writing to the cut region's ALB directly (cached DNS), as GitHub's
  // East-coast clients kept writing to the East: a quarter of the rate, tagged "stale:<region>".
  bool stale_clients = false;
};

const std::vector<ScenarioSpec>& scenarios() {
  static const std::vector<ScenarioSpec> table = {
      // The writer's AZ, whichever it is: after an earlier az failover the writer is a2 in
      // us-east-1b, and killing us-east-1a would hit only a replica and measure nothing.
      {.name = "az-outage", .faults = {{"az", kWriterAz}}},
      {.name = "db-outage", .faults = {{"component", "a1"}, {"component", "a2"}}},
      {.name = "app-region-outage",
       .faults = {{"component", "alb-us-east-1"}, {"apps-of-region", "us-east-1"}}},
      {.name = "region-outage", .faults = {{"region", "us-east-1"}}},
      {.name = "switchover", .switchover = true},
      {.name = "controller-crash", .faults = {{"region", "us-east-1"}}, .crash_controller = true},
      // Shorter than the controller can see: it must ride it out.
      {.name = "blip", .blip = true},
      // The primary region cut off from the controller, the witness and the other region, while
      // clients (127.0.0.1, the internet) still reach it.
      {.name = "partition", .cut = Cut{lab::Site::kUsEast1, {}}, .stale_clients = true},
      // Only the controller's region loses the primary; the witness still sees both. The
      // controller may be the one cut off, so it must not fail over.
      {.name = "partition-controller", .cut = Cut{lab::Site::kUsWest2, {lab::Site::kUsEast1}}},
  };
  return table;
}

struct DrillArgs {
  std::string scenario;
  std::string dir;
  drill::DrillParameters p;
  std::string json_out, html_out;
  bool reset = false;
  // Who acts: "lambda", the real bootstrap behind the lab's Runtime API (as on AWS), or "lab",
  // `drctl controller` on the lab's own backends; "auto": lambda wherever it can act (the code
  // that deploys is the code measured), lab for the drills and labs only it serves (resolved).
  std::string controller = "auto";
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "drctl drill: " << message << "\n";
  throw ExitCode{2};
}

std::string self_exe() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

lab::Process spawn_drctl(const std::filesystem::path& dir, std::vector<std::string> args,
                         const std::string& log,
                         std::vector<std::pair<std::string, std::string>> env = {},
                         bool with_dir = true) {
  lab::SpawnOptions o;
  o.argv = {self_exe()};
  for (auto& a : args) o.argv.push_back(std::move(a));
  if (with_dir) {
    o.argv.push_back("--dir");
    o.argv.push_back(dir.string());
  }
  o.env = std::move(env);
  o.log_file = dir / log;
  o.die_with_parent = true;  // a drill that dies leaves no controller behind
  auto p = lab::Process::spawn(o);
  if (!p) fail("cannot start drctl " + o.argv[1] + ": " + p.error().describe());
  return std::move(*p);
}

// The lab's Lambda's files in the lab directory: the function's configuration (write_lambda_env)
// and bootstrap's output (`drctl lab lambda run --log-file`), which holds its events.
constexpr const char* kLambdaEnvFile = "lambda-env.json";
constexpr const char* kLambdaLog = "lambda.log";

std::vector<json> read_events(const std::filesystem::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

// The controller's events as the lab's Lambda logged them: bootstrap's output (what CloudWatch
// Logs would hold), one JSON object per line; the loop's events carry "event" (lambda/main.cc).
// The controller's heartbeat in a drill (`drctl controller --heartbeat-ms`, the Lambda's
// DR_CONTROLLER_HEARTBEAT_SECONDS): the evidence that it watched a fault it had to ride out.
constexpr int kDrillHeartbeatMs = 1000;

bool is_lambda_event(const json& j) {
  return j.contains("event") && j["event"].is_string();
}

// The lab's Lambda for the drill: the function's configuration for this lab (0600: the keys)
// with a tick every `interval_ms` (at least 100 ms), and `drctl lab lambda run`
// invoking it every second. Each invocation is long (the function's timeout 900 s, Lambda's
// most) and stops starting ticks 60 s before its deadline, so that a runbook started in a tick
// ends inside the invocation rather than being cut by the deadline.
std::filesystem::path write_lambda_env(const std::filesystem::path& dir, int interval_ms,
                                       int threshold) {
  auto loaded = lab::load_lab_state(dir);
  if (!loaded) fail("lab state: " + loaded.error().describe());
  const lab::LabState& state = *loaded;
  auto keys = lab_aws::read_aws_credentials(dir);
  if (!keys) fail("the lab's AWS keys: " + keys.error().message);
  auto env = lab_aws::lab_function_env(state, *keys);
  if (!env) fail("the lab's function configuration: " + env.error());
  json vars = lab_aws::to_json(*env);
  // Seconds with three decimals (the variable's resolution), at least its 0.1 s minimum.
  const int tick_ms = std::clamp(interval_ms, 100, 300'000);
  const std::string frac = std::to_string(1000 + tick_ms % 1000).substr(1);  // "250", "005"
  vars["DR_CONTROLLER_TICK_SECONDS"] = std::to_string(tick_ms / 1000) + "." + frac;
  // The drill's --threshold, as the lab controller and the witness get it: a blip is sized to
  // it, and a Lambda on core's default of 3 would call a longer blip an outage.
  vars["DR_CONTROLLER_FAILURE_THRESHOLD"] = std::to_string(threshold);
  vars["DR_CONTROLLER_DEADLINE_MARGIN_MS"] = "60000";
  // A tick log line every second: the evidence that the controller watched a fault it had to
  // ride out to the end (drill::ticked_since).
  vars["DR_CONTROLLER_HEARTBEAT_SECONDS"] = std::to_string(kDrillHeartbeatMs / 1000);
  const auto env_file = dir / kLambdaEnvFile;
  if (auto w = lab::replace_private_file(env_file, vars.dump(2) + "\n"); !w)
    fail(w.error().message);
  return env_file;
}

// `drctl lab lambda run` with the configuration write_lambda_env wrote to `env_file`.
lab::Process start_lambda(const std::filesystem::path& dir, const std::filesystem::path& env_file) {
  std::error_code ec;
  std::filesystem::remove(dir / kLambdaLog, ec);
  return spawn_drctl(dir,
                     {"lab", "lambda", "run", "--env-file", env_file.string(), "--every", "1s",
                      "--timeout", "900s", "--log-file", (dir / kLambdaLog).string(), "--json"},
                     "lambda-run.log", {}, /*with_dir=*/false);
}

// bootstrap, the child of `drctl lab lambda run` (pid `parent`), or 0 when none runs.
pid_t bootstrap_of(pid_t parent) {
  const auto children = lab::children_named(parent, "bootstrap");
  return children.empty() ? 0 : children.front();
}

// What a failed control-API call says: the supervisor's refusal in its own words, else what
// happened to the request.
std::string control_failure(const lab::ControlClient& client, const std::string& what,
                            const lab::ControlError& e) {
  const std::string at = "lab control " + client.options().host + ":" +
                         std::to_string(client.options().port) + " " + what + ": ";
  switch (e.kind) {
    case lab::ControlError::Kind::kHttp:
      return at + "HTTP " + std::to_string(e.http_status) + " " + e.reason;
    case lab::ControlError::Kind::kNotJson:
      return at + "not JSON: " + e.detail;
    case lab::ControlError::Kind::kNotSent:
      return at + "not sent: " + e.detail;
    case lab::ControlError::Kind::kNoAnswer:
      return at + "no answer (it may have been applied): " + e.detail;
  }
  return at + e.detail;
}

// The lab's own status document (what `drctl lab status --json` prints).
std::expected<json, std::string> lab_status(const std::filesystem::path& dir,
                                            const lab::LabState& state) {
  auto client = lab::ControlClient::of_lab(dir, state, 10s);
  if (!client) return std::unexpected("lab control: " + client.error().describe());
  auto j = client->call("GET", "/status");
  if (!j) return std::unexpected(control_failure(*client, "GET /status", j.error()));
  if (!j->is_object()) return std::unexpected("lab control /status: not a JSON object");
  return std::move(*j);
}

// The controller's guards, from its state store (the us-west-2 DynamoDB Local).
std::expected<drill::ControllerGuards, std::string> controller_guards(
    const std::filesystem::path& dir) {
  auto targets = backends::lab::load_targets(dir, lab::kSecondaryRegion);
  if (!targets) return std::unexpected(targets.error());
  if (targets->secondary_dynamodb_url.empty())
    return std::unexpected("no DynamoDB Local in " + std::string(lab::kSecondaryRegion));
  aws::ClientConfig config;
  config.region = lab::kSecondaryRegion;
  config.endpoint_url = targets->secondary_dynamodb_url;
  config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{lab::kLabAccessKeyId, lab::kLabSecretAccessKey, "", {}, "lab"});
  config.retry.base_delay = 50ms;
  aws::DynamoDb ddb(config);
  backends::ControllerStore store(ddb, "dr-controller");
  if (auto t = store.ensure_table(); !t) return std::unexpected(t.error());
  auto g = store.load_guards();
  if (!g) return std::unexpected(g.error());
  drill::ControllerGuards guards{g->automatic_failover_enabled, g->unacknowledged_failover, {}};
  auto runbook = store.load_runbook();
  if (!runbook) return std::unexpected(runbook.error());
  if (*runbook && !(*runbook)->done) guards.runbook_in_flight = (*runbook)->plan.id;
  return guards;
}

std::string dir_flag(const DrillArgs& a) {
  return a.dir.empty() ? "" : " --dir " + a.dir;
}

drill::Baseline observe_baseline(const std::filesystem::path& dir) {
  drill::Baseline b;
  auto state = lab::load_lab_state(dir);
  if (!state) {
    b.problems.push_back({"no lab state: " + state.error().describe(), drill::Remedy::kRestore});
    return b;
  }
  auto status = lab_status(dir, *state);
  if (!status) {
    b.problems.push_back({status.error(), drill::Remedy::kRestore});
    return b;
  }
  auto guards = controller_guards(dir);
  if (!guards) {
    drill::Baseline partial = drill::check_baseline(*status, {});
    partial.problems.push_back(
        {"the controller's state store does not answer (" + guards.error() + ")",
         drill::Remedy::kRestore});
    return partial;
  }
  return drill::check_baseline(*status, *guards);
}

// Waits a little for what settles by itself (an app instance launching); returns at once when a
// problem needs an operator.
drill::Baseline settled_baseline(const std::filesystem::path& dir, std::chrono::seconds patience) {
  drill::Baseline b = observe_baseline(dir);
  const auto until = std::chrono::steady_clock::now() + patience;
  while (!b.holds() && b.only_transient() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(250ms);  // the supervisor's health loop runs every 200 ms
    b = observe_baseline(dir);
  }
  return b;
}

// The end of a command's log, on one line, for a refusal that says why.
std::string last_lines(const std::filesystem::path& file, std::size_t n) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out.empty() ? "(no output)" : out;
}

void run_step(const std::filesystem::path& dir, const DrillArgs& a, std::vector<std::string> args,
              const std::string& log, bool with_dir = true) {
  std::string shown = "drctl";
  for (const auto& x : args) shown += " " + x;
  if (with_dir) shown += dir_flag(a);
  std::cout << "drill " << a.scenario << ": --reset: " << shown << "\n";
  auto p = spawn_drctl(dir, args, log, {}, with_dir);
  auto code = p.wait(180s);
  if (!code || *code != 0)
    fail("--reset: `" + shown + "` failed: " + last_lines(dir / log, 6) + " (see " +
         (dir / log).string() + "); the lab is not at the drill's baseline, nothing was started");
}

// --reset: restores the baseline with the operator's own commands, in order, each only when
// needed; refuses (naming what failed) when one of them cannot.
void reset_baseline(const std::filesystem::path& dir, const DrillArgs& a, drill::Baseline b) {
  auto needs = [&](drill::Remedy r) {
    return std::ranges::any_of(b.problems,
                               [&](const drill::BaselineProblem& p) { return p.remedy == r; });
  };
  // --rebuild: an old primary that holds writes the failover cut off (errant GTIDs) can never
  // rejoin; it is rebuilt from the writer. Those writes are the ones the earlier drill already
  // counted as lost; without the rebuild no failback could run.
  if (needs(drill::Remedy::kFinishRunbook)) {
    run_step(dir, a, {"controller", "--once"}, "reset-finish-runbook.log");
    b = settled_baseline(dir, 60s);
  }
  if (needs(drill::Remedy::kRestore) || needs(drill::Remedy::kFailback)) {
    run_step(dir, a, {"lab", "restore", "--rebuild"}, "reset-restore.log");
    b = settled_baseline(dir, 60s);
  }
  if (needs(drill::Remedy::kFailback)) {
    // The Lambda's failover scaled the old region's group to 0 and fenced its apps by their fence
    // record: its failback (the AWS runbook, or with the writer home the fence lifted and traffic
    // back) undoes that; then the lab's own failback, with the writer home, puts the fleets and
    // the front door back to the baseline's.
    if (a.controller == "lambda")
      run_step(dir, a,
               {"aws", "failback", "--env-file",
                write_lambda_env(dir, a.p.interval_ms, a.p.threshold).string()},
               "reset-aws-failback.log", /*with_dir=*/false);
    run_step(dir, a, {"failback"}, "reset-failback.log");
    b = settled_baseline(dir, 60s);
  }
  if (b.unacknowledged_failover) {
    run_step(dir, a, {"ack", *b.unacknowledged_failover}, "reset-ack.log");
    b = settled_baseline(dir, 10s);
  }
  if (needs(drill::Remedy::kAutomaticFailoverOn)) {
    run_step(dir, a, {"automatic-failover", "on"}, "reset-automatic-failover.log");
    b = settled_baseline(dir, 10s);
  }
  if (!b.holds()) fail("--reset did not restore the baseline: " + b.refusal(dir_flag(a)));
}

// "writer a1 (us-east-1); a2 semi-sync replica of a1; b1 async replica of a1; front door ->
// us-east-1"
std::string topology_text(const json& status) {
  std::string writer = "?";
  if (status.contains("regions") && status["regions"].contains(lab::kSecondaryRegion))
    writer = status["regions"][lab::kSecondaryRegion]["writer_endpoint"].value("database", "?");
  std::string out;
  for (const auto& c : status.value("components", json::array())) {
    if (c.value("kind", "") != "mariadb") continue;
    std::string role =
        c.value("state", "") == "running" ? c.value("role", "") : c.value("state", "");
    if (c.value("name", "") == writer) role = "writer";
    out += (out.empty() ? "" : "; ") + c.value("name", "?") + " (" + c.value("region", "?") + ") " +
           role;
  }
  const json fd = status.value("front_door", json::object());
  return out + "; front door -> " + fd.value("active_region", "?");
}

const lab::ComponentRecord* writer_of(const lab::LabState& state) {
  auto ep = state.endpoints.find(lab::kSecondaryRegion);
  if (ep == state.endpoints.end() || !ep->second.contains("writer")) return nullptr;
  return state.find(ep->second.at("writer"));
}

json control(const std::filesystem::path& dir, const lab::LabState& state, const std::string& path,
             const json& body) {
  auto client = lab::ControlClient::of_lab(dir, state, 10s);
  if (!client) fail("lab control: " + client.error().describe());
  auto j = client->call("POST", path, body);
  if (!j) fail(control_failure(*client, "POST " + path + " " + body.dump(), j.error()));
  return std::move(*j);
}

// Injects the scenario's faults and records what they hit, per the lab's answer: a fault whose
// target was already down hit nothing, and the drill cannot pass on it.
void inject(const ScenarioSpec& spec, const std::filesystem::path& dir, drill::DrillEvents& ev) {
  // The state as it is now: the fleet may have replaced an app instance since the drill began.
  auto now = lab::load_lab_state(dir);
  if (!now) fail("lab state: " + now.error().describe());
  const lab::LabState& state = *now;
  auto kill = [&](const json& body, const std::string& what) {
    json r = control(dir, state, "/kill", body);
    bool hit = false;
    for (const auto& line : r.value("killed", json::array())) {
      if (!line.is_string()) continue;
      const std::string text = line.get<std::string>();
      if (text.find("already killed") != std::string::npos) continue;
      ev.fault_hit.push_back(text.substr(0, text.find(':')));
      hit = true;
    }
    if (!hit) ev.fault_missed.push_back(what);
  };
  for (const auto& f : spec.faults) {
    if (f.scope == "apps-of-region") {
      bool any = false;
      for (const auto& c : state.components)
        if (c.kind == "app" && c.region == f.name && !c.killed) {
          kill({{"scope", "component"}, {"name", c.name}}, "app " + c.name);
          any = true;
        }
      if (!any) ev.fault_missed.push_back("no running app in " + f.name);
      continue;
    }
    std::string name = f.name;
    if (name == kWriterAz) {
      const auto* writer = writer_of(state);
      if (writer == nullptr || writer->az.empty()) {
        ev.fault_missed.push_back("the writer's AZ (the lab names no writer with an AZ)");
        continue;
      }
      name = writer->az;
    }
    kill({{"scope", f.scope}, {"name", name}}, f.scope + " " + name);
  }
}

bool is_failover(const std::string& action) {
  return action == "region-failover" || action == "app-region-failover";
}

// The controller's milestones on the drill's time axis.
void fill_events(drill::DrillEvents& ev, const std::vector<json>& events,
                 const drill::DrillEpoch& epoch) {
  const double fault = ev.fault_ms.value_or(0);
  for (const auto& e : events) {
    double t = epoch.ms_from_unix_ms(e.value("time_ms", int64_t{0}));
    std::string name = e.value("event", "");
    if (t < fault - 1) continue;
    if (name == "decision" && e.value("action", "") == "wait" && !ev.decision_ms)
      ev.held_back = e.value("reason", "");
    if (name == "decision" && !ev.decision_ms) {
      std::string action = e.value("action", "");
      if (is_failover(action)) {
        ev.decision_ms = t;
        ev.decision_action = action;
        ev.decision_reason = e.value("reason", "");
      }
    } else if (name == "runbook-start" && !ev.runbook_start_ms) {
      ev.runbook_start_ms = t;
      ev.failover_id = e.value("id", "");
    } else if (name == "runbook-done" && !ev.runbook_end_ms &&
               (ev.failover_id.empty() || e.value("id", "") == ev.failover_id)) {
      ev.runbook_end_ms = t;
    } else if (name == "runbook-step" &&
               (ev.failover_id.empty() || e.value("id", "") == ev.failover_id)) {
      double start = epoch.ms_from_unix_ms(e.value("started_ms", int64_t{0}));
      double end = start + static_cast<double>(e.value("duration_ms", int64_t{0}));
      ev.runbook.push_back({e.value("step", ""), start, end, e.value("outcome", "")});
      // A promotion with a note ("skipped: fence a1 (unreachable ...)": the old writer could not
      // be fenced) still promoted: the outcome says "skipped" for any note. Missing it would turn
      // the split-brain check off exactly when the fence failed.
      const std::string outcome = e.value("outcome", "");
      if (e.value("step", "") == "promote" && !ev.promotion_ms &&
          (outcome == "ok" || outcome.starts_with("skipped")))
        ev.promotion_ms = end;
    }
  }
  // An operator's switchover has no automatic decision: it is decided when it starts.
  if (!ev.decision_ms && ev.runbook_start_ms && ev.decision_action == "switchover")
    ev.decision_ms = ev.runbook_start_ms;
}

// The orders of this run (keys carry the run id), every server's read_only, and the sessions
// from every region's DynamoDB that is not killed.
drill::ReadBack read_back(const std::filesystem::path& dir, const lab::LabState& after,
                          const drill::History& history, const std::string& run_id) {
  const lab::ComponentRecord* new_writer = writer_of(after);
  if (!new_writer) fail("the lab state names no writer after the drill");
  auto creds = lab::LabCredentials::load_or_create(dir);
  if (!creds) fail("lab credentials: " + creds.error().describe());
  auto options_for = [&](const lab::ComponentRecord& c) {
    db::ConnectOptions o;
    o.host = c.address;
    o.port = c.port;
    o.user = creds->app.name;
    o.password = creds->app.password;
    o.database = "dr";
    return o;
  };
  auto readback = drill::read_back_orders(options_for(*new_writer));
  if (!readback) fail("read back from " + new_writer->name + ": " + readback.error());
  std::erase_if(readback->orders,
                [&](const auto& kv) { return !kv.first.starts_with(run_id + "-"); });
  readback->source = new_writer->name + " (" + new_writer->address + ")";
  for (const auto& c : after.components)
    if (c.kind == "mariadb")
      readback->servers.push_back(drill::read_server_mode(c.name, c.address, options_for(c)));

  std::vector<std::string> ids;
  for (const auto& op : history.ops)
    if (op.kind == drill::OpKind::kSession) ids.push_back(op.key);
  std::vector<drill::SessionTable> tables;
  for (const auto& c : after.components) {
    if (c.kind != "dynamodb" || c.killed) continue;
    aws::ClientConfig config;
    config.region = c.region;
    config.endpoint_url = "http://" + c.address + ":" + std::to_string(c.port);
    config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{lab::kLabAccessKeyId, lab::kLabSecretAccessKey, "", {}, "lab"});
    config.retry.base_delay = 50ms;
    tables.push_back({c.region, config});
  }
  auto sessions = drill::read_back_sessions(tables, "dr-app-sessions", ids);
  if (!sessions) fail(sessions.error());
  readback->sessions = std::move(sessions->found);
  readback->sessions_source = sessions->source;
  return std::move(*readback);
}

int run_drill(const DrillArgs& given) {
  DrillArgs a = given;
  // Everything that can be refused is refused before anything starts.
  const ScenarioSpec* spec = nullptr;
  std::string names;
  for (const auto& s : scenarios()) {
    names += (names.empty() ? "" : ", ") + s.name;
    if (s.name == a.scenario) spec = &s;
  }
  if (!spec) fail("unknown scenario '" + a.scenario + "' (scenarios: " + names + ")");
  if (auto v = spec->blip ? drill::validate_blip(a.p) : drill::validate(a.p); !v) fail(v.error());
  const auto promises = drill::promises_for(spec->name);
  if (!promises) fail(promises.error());
  if (auto c = drill::choose_controller(a.controller, {}); !c) fail(c.error());
  // The lab's Lambda has no write lease (the lab's lease is etcd, the AWS world's is DynamoDB):
  // a drill that cuts the network needs the lease to keep its promises.
  if (a.controller == "lambda" && spec->cut)
    fail("drill " + spec->name +
         " runs on the lab path only (--controller lab): a partition needs the write lease, "
         "which the lab's Lambda lacks");
  if (spec->cut)
    if (auto can = lab::check_can_partition(); !can)
      fail("drill " + spec->name + " cuts the network: " + can.error().message);
  for (const auto& out : {a.json_out, a.html_out})
    if (!out.empty() && std::filesystem::exists(out))
      fail(out + " exists; a drill never overwrites an earlier run's report");
  const auto dir = lab::resolve_lab_dir(a.dir);
  auto state = lab::load_lab_state(dir);
  if (!state) fail("no lab in " + dir.string() + ": run `drctl lab up` first");
  // "auto" made concrete, and said with its reason: a drctl installed without a bootstrap
  // falls back to the lab controller.
  const auto choice =
      drill::choose_controller(a.controller, {.cuts_network = spec->cut.has_value(),
                                              .write_lease = state->lease_ttl_s > 0,
                                              .bootstrap_present = !find_bootstrap("").empty()});
  if (!choice) fail(choice.error());
  a.controller = choice->controller;
  std::cout << "drill " << a.scenario << ": controller " << choice->controller << " ("
            << choice->why << ")" << std::endl;
  // One drill at a time on a lab: a second one would pass the baseline check while the first
  // is still measuring, then both would inject faults into each other's run. The lock goes with
  // the process, however it ends.
  const int lock = ::open((dir / "drill.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) fail("cannot open " + (dir / "drill.lock").string() + ": " + std::strerror(errno));
  if (::flock(lock, LOCK_EX | LOCK_NB) != 0)
    fail("another drill is running on the lab in " + dir.string() + " (" +
         (dir / "drill.lock").string() + " is locked)");

  // A cut left on (by an operator or a drill that died) is not the baseline: every site must see
  // every other. Asked only where it can be (root, nft); a lab without them cannot be cut.
  if (lab::check_can_partition())
    if (auto active = lab::is_active(); active && *active)
      fail("a partition is on (nft table " + std::string(lab::kPartitionTable) +
           "); the lab is not at the drill's baseline: `drctl lab heal" + dir_flag(a) +
           "` removes it");
  drill::Baseline baseline = settled_baseline(dir, 30s);
  if (!baseline.holds()) {
    if (!a.reset) fail(baseline.refusal(dir_flag(a)));
    reset_baseline(dir, a, baseline);
    state = lab::load_lab_state(dir);
    if (!state) fail("lab state: " + state.error().describe());
  }
  // The lab's Lambda takes no write lease (the lab's lease is etcd, the AWS world's DynamoDB):
  // on a lab whose apps need it, us-west-2 would never get it and refuse every write.
  if (a.controller == "lambda" && state->lease_ttl_s > 0)
    fail("drill " + spec->name +
         " with --controller lambda needs a lab without the write lease "
         "(this one runs `lab up --write-lease`, which the lab's Lambda cannot take): use "
         "--controller lab here");
  auto status_before = lab_status(dir, *state);
  if (!status_before) fail(status_before.error());
  const lab::ComponentRecord* old_writer = writer_of(*state);
  if (!old_writer) fail("the lab state names no writer");
  const std::string fenced = old_writer->address;
  const std::string primary = old_writer->region;
  // The switchover's target comes from the lab, refused before anything starts.
  std::string switchover_to;
  if (spec->switchover) {
    auto target = drill::switchover_target(*status_before, primary);
    if (!target)
      fail("the lab's status names no single region other than the writer's (" + primary +
           ") to switch over to");
    switchover_to = *target;
  }

  const std::string run_id = a.scenario + "-" +
                             std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  auto files = drill::create_run_dir(dir / "drills", run_id);
  if (!files) fail(files.error());

  auto events_file = dir / "controller-events.jsonl";
  std::error_code ec;
  std::filesystem::remove(events_file, ec);
  const bool lambda = a.controller == "lambda";
  // With the Lambda, an operator's move (drctl aws switchover / failback) writes its runbook's
  // events to the events file, as `drctl switchover` does on the lab path.
  // Both files are tailed: a poll every few ms parses only the lines added since the last.
  drill::JsonlTail events_tail(events_file);
  drill::JsonlTail lambda_tail(dir / kLambdaLog, is_lambda_event);
  auto any_controller_event = [&](const auto& is) {
    return std::ranges::any_of(events_tail.poll(), is) ||
           (lambda && std::ranges::any_of(lambda_tail.poll(), is));
  };
  auto controller_events = [&] {
    auto events = events_tail.poll();
    if (lambda)
      for (const auto& e : lambda_tail.poll()) events.push_back(e);
    return events;
  };

  std::cout << "drill " << a.scenario << ": starting the witness and the "
            << (lambda ? "lab's Lambda (bootstrap behind the Runtime API)" : "controller") << "\n";
  std::vector<std::string> timing = {"--interval-ms", std::to_string(a.p.interval_ms),
                                     "--threshold", std::to_string(a.p.threshold)};
  auto with = [&](std::vector<std::string> head) {
    head.insert(head.end(), timing.begin(), timing.end());
    return head;
  };
  std::filesystem::remove(dir / "witness.url", ec);
  lab::Process witness = spawn_drctl(dir, with({"witness"}), "witness.log");
  std::vector<std::pair<std::string, std::string>> crash_env;
  if (spec->crash_controller) crash_env = {{"DR_CONTROLLER_CRASH_AFTER_STEP", "promote"}};
  const std::filesystem::path lambda_env =
      lambda ? write_lambda_env(dir, a.p.interval_ms, a.p.threshold) : std::filesystem::path();
  lab::Process controller =
      lambda ? start_lambda(dir, lambda_env)
             : spawn_drctl(
                   dir, with({"controller", "--heartbeat-ms", std::to_string(kDrillHeartbeatMs)}),
                   "controller.log", crash_env);
  const std::string controller_log = lambda ? kLambdaLog : "controller.log";
  // An operator's move on the AWS path (`drctl aws switchover` / `failback`): the function's
  // configuration, and its runbook's events to the events file.
  auto spawn_aws_move = [&](std::vector<std::string> move, const std::string& log) {
    move.insert(move.begin(), "aws");
    for (std::string arg : {std::string("--env-file"), lambda_env.string(),
                            std::string("--events-file"), events_file.string()})
      move.push_back(std::move(arg));
    return spawn_drctl(dir, std::move(move), log, {}, /*with_dir=*/false);
  };
  auto healthy = lab::wait_until("the controller sees the primary healthy",
                                 [&] {
                                   return any_controller_event([](const json& e) {
                                            return e.value("event", "") == "decision" &&
                                                   e.value("action", "") == "none";
                                          }) ||
                                          !controller.running();
                                 },
                                 {.timeout = 60s});
  if (!healthy || !controller.running())
    fail("the controller did not settle; see " + (dir / controller_log).string() +
         (lambda ? " and " + (dir / "lambda-run.log").string() : ""));
  // Who watches: a fault the controller must ride out proves something only if this very
  // process (through the Lambda: this execution environment) was there until the end.
  const pid_t watcher = lambda ? bootstrap_of(controller.pid()) : controller.pid();

  drill::WorkloadOptions wo;
  wo.base_url = state->front_door_url;
  wo.rate = a.p.rate;
  wo.duration = std::chrono::milliseconds(static_cast<int64_t>(a.p.duration_s * 1000));
  wo.threads = 4;
  wo.session_every = 5;
  wo.run_id = run_id;
  drill::DrillEpoch epoch;
  std::unique_ptr<drill::Workload> stale;
  if (spec->stale_clients && spec->cut) {
    const std::string region(lab::site_name(spec->cut->region));
    auto alb = state->alb_urls.find(region);
    if (alb == state->alb_urls.end()) fail("the lab names no ALB in " + region);
    drill::WorkloadOptions so = wo;
    so.base_url = alb->second;
    so.rate = a.p.rate / 4;
    wo.rate = a.p.rate - so.rate;
    so.threads = 2;
    so.session_every = 0;
    so.run_id = run_id + "-stale";  // its own keys; still under the run's prefix
    so.via = "stale:" + region;
    auto created = drill::Workload::create(so, epoch);
    if (!created) fail(created.error());
    stale = std::move(*created);
  }
  auto workload = drill::Workload::create(wo, epoch);
  if (!workload) fail(workload.error());
  std::cout << "drill " << a.scenario << ": workload " << wo.rate << " writes/s for "
            << a.p.duration_s << " s through " << wo.base_url << "\n";
  if (stale)
    std::cout << "drill " << a.scenario << ": and " << a.p.rate - wo.rate
              << " writes/s from stale clients straight to "
              << state->alb_urls.at(std::string(lab::site_name(spec->cut->region))) << "\n";
  // Declared before the fault: a cut is healed, a frozen writer resumed, on every way out.
  std::unique_ptr<DrillCut> cut;
  (*workload)->start();
  if (stale) stale->start();
  while (epoch.now_ms() < a.p.fault_at_s * 1000) std::this_thread::sleep_for(5ms);

  drill::DrillEvents ev;
  ev.fenced_server = fenced;
  ev.fault_ms = epoch.now_ms();
  std::unique_ptr<lab::Process> switchover;
  if (spec->switchover) {
    const std::string& to = switchover_to;
    std::cout << "drill " << a.scenario
              << (lambda ? ": drctl aws switchover --to " : ": drctl switchover --to ") << to
              << "\n";
    ev.decision_action = "switchover";
    ev.decision_reason = "an operator's planned switchover from " + primary + " to " + to;
    switchover = std::make_unique<lab::Process>(
        lambda ? spawn_aws_move({"switchover", "--to", to}, "switchover.log")
               : spawn_drctl(dir, {"switchover", "--to", to}, "switchover.log"));
  } else if (spec->blip) {
    const auto length = std::chrono::milliseconds(std::llround(drill::blip_ms_of(a.p)));
    std::cout << "drill " << a.scenario << ": freezing the writer " << old_writer->name
              << " (SIGSTOP) for " << length.count() << " ms; the detection window is "
              << drill::detection_window_ms(a.p.interval_ms, a.p.threshold) << " ms\n";
    auto blip = Blip::start(old_writer->pid, length);
    if (!blip) {
      ev.fault_missed.push_back("the blip: " + blip.error());
    } else {
      // The fault holds from when the writer is stopped (a child sends SIGSTOP): a write it
      // acknowledged in between is not a recovery (RTOs of 4 and 13 ms were reported so).
      if (lab::wait_until("the writer is stopped",
                          [&] { return lab::all_threads_stopped(old_writer->pid.pid); },
                          {.timeout = 1s, .poll = 1ms}))
        ev.fault_ms = epoch.now_ms();
      auto ended = (*blip)->wait();
      ev.heal_ms = epoch.now_ms();
      if (ended)
        ev.fault_hit.push_back(old_writer->name + " (SIGSTOP pid " +
                               std::to_string(old_writer->pid.pid) + " for " +
                               std::to_string(length.count()) + " ms)");
      else
        ev.fault_missed.push_back("the blip: " + ended.error());
    }
  } else if (spec->cut) {
    std::cout << "drill " << a.scenario << ": " << describe_cut(*spec->cut) << " (nft table "
              << lab::kPartitionTable << ")\n";
    cut = std::make_unique<DrillCut>(dir);
    auto done = cut->cut(*spec->cut, "drctl drill " + run_id);
    if (!done) {
      ev.fault_missed.push_back("the cut: " + done.error());
    } else if (!done->servers_cut) {
      // Replication would cross the cut (docs/partitions.md): the drill would test nothing.
      ev.fault_missed.push_back("the cut: " + done->note);
    } else {
      ev.fault_hit.push_back(describe_cut(*spec->cut));
      // The cut holds from when nft has applied it (tens of ms after it was asked for); a write
      // that replicated in between is not one the partition recovered.
      ev.fault_ms = epoch.now_ms();
    }
  } else {
    std::cout << "drill " << a.scenario << ": injecting the fault at " << a.p.fault_at_s << " s\n";
    // The fault's time stays the first kill's: the kill call takes tens of ms, and moving the
    // time to its end would take them off the RTO. What the dying old primary acknowledged
    // meanwhile is no recovery (the checker skips it once another server was promoted).
    inject(*spec, dir, ev);
  }
  if (spec->crash_controller && lambda) {
    // As when Lambda's environment dies mid-invocation: bootstrap is killed (SIGKILL, by its PID)
    // right after the runbook's promotion is logged; the schedule's next invocation starts a new
    // environment, which resumes the runbook from the state table.
    pid_t killed = 0;
    auto promoted = lab::wait_until("bootstrap logs the promotion",
                                    [&] {
                                      if (!any_controller_event([](const json& e) {
                                            return e.value("event", "") == "runbook-step" &&
                                                   e.value("step", "") == "promote";
                                          }))
                                        return false;
                                      killed = bootstrap_of(controller.pid());
                                      return killed > 0 && ::kill(killed, SIGKILL) == 0;
                                    },
                                    {.timeout = 60s, .poll = 5ms});
    if (!promoted) fail("bootstrap did not reach the crash point; see " + std::string(kLambdaLog));
    std::cout << "drill " << a.scenario << ": killed bootstrap (pid " << killed
              << ") mid-runbook; the next invocation resumes it\n";
  } else if (spec->crash_controller) {
    auto crashed = lab::wait_until("the controller crashes mid-runbook",
                                   [&] { return !controller.running(); }, {.timeout = 60s});
    if (!crashed) fail("the controller did not reach the crash point; see controller.log");
    std::cout << "drill " << a.scenario << ": controller crashed mid-runbook; restarting it\n";
    controller =
        spawn_drctl(dir, with({"controller", "--heartbeat-ms", std::to_string(kDrillHeartbeatMs)}),
                    "controller.log");
  }
  drill::History history = (*workload)->wait();
  if (stale) {
    // One history: the stale clients' operations after the front door's, with seqs of their own.
    std::uint64_t next = 0;
    for (const auto& op : history.ops) next = std::max(next, op.seq + 1);
    for (auto op : stale->wait().ops) {
      op.seq += next;
      history.ops.push_back(std::move(op));
    }
  }
  if (switchover) {
    auto code = switchover->wait(60s);
    if (!code || *code != 0)
      fail("the switchover failed; see " + (dir / "switchover.log").string());
  }
  // A scenario the controller must ride out has no runbook to wait for: its decisions so far are
  // the verdict.
  if (promises->expects_failover)
    (void)lab::wait_until("the runbook finishes",
                          [&] {
                            return any_controller_event([](const json& e) {
                              return e.value("event", "") == "runbook-done";
                            });
                          },
                          {.timeout = lambda && spec->crash_controller ? 60s : 30s});
  fill_events(ev, controller_events(), epoch);
  // Aurora's own failover (az-outage): its promotion and old writer, from the lab's RDS events.
  if (promises->platform_moves_writer)
    for (const auto& e : read_events(dir / lab_aws::kRdsEventsFile)) {
      const double done = epoch.ms_from_unix_ms(e.value("done_unix_ms", std::int64_t{0}));
      if (e.value("event", "") != "in-region-failover" || ev.promotion_ms ||
          done < ev.fault_ms.value_or(0))
        continue;
      ev.promotion_ms = done;
      // The event names the server; writes name the address that committed them.
      const auto* from = state->find(e.value("from", ""));
      ev.fenced_server = from != nullptr ? from->address : e.value("from", "");
    }
  if (!promises->expects_failover) {
    const std::string see = "; see " + (dir / controller_log).string();
    // A controller that is there but does not tick (hung in a call, frozen) watched nothing
    // either: it must log a tick (its 1 s heartbeat) that ended after the run did.
    const int64_t ended = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    const auto wait_tick = std::chrono::milliseconds(3000 + 2 * a.p.interval_ms);
    const bool ticked =
        controller.running() &&
        lab::wait_until("the controller ticks after the run",
                        [&] { return drill::ticked_since(controller_events(), ended); },
                        {.timeout = wait_tick, .poll = 20ms})
            .has_value();
    if (!controller.running())
      ev.unwatched = "the controller (pid " + std::to_string(controller.pid()) +
                     ") exited before the drill ended" + see;
    else if (const pid_t now = lambda ? bootstrap_of(controller.pid()) : watcher;
             watcher == 0 || now != watcher || lab::process_state(now).value_or('Z') == 'Z')
      ev.unwatched = "the Lambda's bootstrap (pid " + std::to_string(watcher) +
                     ") did not last the drill (now " +
                     (now == 0 ? std::string("none") : "pid " + std::to_string(now)) + ")" + see;
    else if (!ticked)
      ev.unwatched =
          std::string(lambda ? "the Lambda's bootstrap (pid " + std::to_string(watcher)
                             : "the controller (pid " + std::to_string(controller.pid())) +
          ") logged no tick in the " + std::to_string(wait_tick.count()) +
          " ms after the run ended (hung or frozen)" + see;
  }
  // The Lambda's schedule would finish its invocation in flight (up to its 900 s timeout) on a
  // SIGTERM: killed instead, as Lambda may reset an environment at any time; bootstrap dies with
  // it (the emulator's child) and the runbook's state is in the state table anyway.
  if (lambda)
    (void)controller.kill();
  else
    (void)controller.stop(5s);
  (void)witness.stop(5s);
  if (cut) {
    std::cout << "drill " << a.scenario << ": healing the cut\n";
    if (auto healed = cut->heal(); !healed) fail("heal: " + healed.error());
    ev.heal_ms = epoch.now_ms();
    if (promises->expects_failover) {
      // The old primary comes back: it rejoins the new one, or the lab refuses and names the
      // writes it acknowledged while cut off (its errant GTIDs).
      std::cout << "drill " << a.scenario << ": drctl lab restore (the old primary rejoins?)\n";
      auto restore = spawn_drctl(dir, {"lab", "restore"}, "partition-rejoin.log");
      auto code = restore.wait(180s);
      ev.rejoin = std::string(code && *code == 0 ? "rejoined: " : "refused: ") +
                  last_lines(dir / "partition-rejoin.log", 4);
      std::cout << "drill " << a.scenario << ": " << ev.rejoin << "\n";
    }
  }
  if (spec->switchover) {
    // ...then back again: the old primary rejoins (no errant GTIDs after a clean switchover) and
    // the writer returns to where it was. The read-back below comes from there.
    std::cout << "drill " << a.scenario
              << (lambda ? ": drctl aws failback\n" : ": drctl failback\n");
    auto fb = lambda ? spawn_aws_move({"failback"}, "failback.log")
                     : spawn_drctl(dir, {"failback"}, "failback.log");
    auto code = fb.wait(120s);
    if (!code || *code != 0) fail("failback failed; see " + (dir / "failback.log").string());
  }

  auto after = lab::load_lab_state(dir);
  if (!after) fail("lab state: " + after.error().describe());
  drill::ReadBack readback = read_back(dir, *after, history, run_id);
  ev.writer_before = old_writer->name;
  if (const auto* w = writer_of(*after)) ev.writer_after = w->name;
  auto status_after = lab_status(dir, *after);

  drill::SavedRun run;
  run.scenario = a.scenario;
  run.info.run_id = run_id;
  run.info.parameters = drill::to_json(a.p);
  run.info.parameters["controller"] = a.controller;
  if (spec->blip) run.info.parameters["blip_ms"] = drill::blip_ms_of(a.p);
  run.info.topology_before = topology_text(*status_before);
  run.info.topology_after = status_after ? topology_text(*status_after) : status_after.error();
  run.options.async_window_ms = a.p.async_window_ms;
  run.options.enforce_rto_target = a.p.enforce_rto;
  run.history = std::move(history);
  run.readback = std::move(readback);
  run.events = ev;
  if (auto saved = drill::save_run(*files, run); !saved) fail(saved.error());
  auto report = drill::report_of(run);
  if (!report) fail(report.error());
  const std::string json_text = drill::report_json(*report).dump(2) + "\n";
  const std::string html_text = drill::render_html(*report, run.history);
  for (const auto& [path, text] : {std::pair{files->report_json.string(), json_text},
                                   {files->report_html.string(), html_text},
                                   {a.json_out, json_text},
                                   {a.html_out, html_text}})
    if (!path.empty())
      if (auto w = drill::write_new_file(path, text); !w) fail(w.error());
  std::cout << drill::report_summary(*report) << "report: " << files->report_json.string()
            << "\n        " << files->report_html.string() << "\n";
  for (const auto& out : {a.json_out, a.html_out})
    if (!out.empty()) std::cout << "        " << out << "\n";
  std::cout << "recompute: drctl drill report --run " << files->dir.string() << "\n";
  // What the next drill will need (the failover to acknowledge, the region to restore...).
  if (auto next = observe_baseline(dir); !next.holds())
    std::cout << "next drill: " << next.refusal(dir_flag(a)) << "\n";
  return report->passed ? 0 : 1;
}

}  // namespace

void register_drill_commands(CLI::App& app) {
  static DrillArgs args;
  CLI::App* drill = app.get_subcommand("drill");
  for (const auto& spec : scenarios()) {
    auto* cmd = drill->add_subcommand(spec.name, "drill: " + spec.name);
    cmd->add_option("--dir", args.dir, "lab directory (default: $DR_LAB_DIR, else /tmp/dr-lab)");
    // Ranges are checked by drill::validate before anything starts (CLI11's Range lets NaN
    // through), so every bad value gets the same clear error.
    cmd->add_option("--rate", args.p.rate, "writes per second (1-2000)")->capture_default_str();
    cmd->add_option("--duration-s", args.p.duration_s, "workload duration (2-600)")
        ->capture_default_str();
    cmd->add_option("--fault-at-s", args.p.fault_at_s, "when the fault is injected")
        ->capture_default_str();
    cmd->add_option("--interval-ms", args.p.interval_ms,
                    "controller/witness probe interval (100-60000)")
        ->capture_default_str();
    cmd->add_option("--threshold", args.p.threshold, "failed probes before a target is down (1-20)")
        ->capture_default_str();
    cmd->add_option("--json", args.json_out,
                    "also write the JSON report here (a new file; the run's own copy is in "
                    "<dir>/drills/<run id>/)");
    cmd->add_option("--html", args.html_out, "also write the HTML report here (a new file)");
    cmd->add_option("--async-window-ms", args.p.async_window_ms,
                    "how far before the fault async loss is accepted")
        ->capture_default_str();
    cmd->add_flag("--enforce-rto", args.p.enforce_rto, "make the RTO targets promises");
    cmd->add_option("--controller", args.controller,
                    "who acts: lambda (the real bootstrap behind the lab's Runtime API, calling "
                    "the lab's AWS endpoint, as on AWS), lab (drctl controller on the lab's "
                    "backends; the partition drills, and labs with the write lease, run only "
                    "there), or auto: lambda wherever it can act, else lab")
        ->capture_default_str();
    if (spec.blip)
      cmd->add_option("--blip-ms", args.p.blip_ms,
                      "how long the writer stays frozen (default: 80% of the detection window, "
                      "(threshold - 1) x interval + 80% of the interval)");
    cmd->add_flag("--reset", args.reset,
                  "restore the drill's baseline first (lab restore --rebuild, failback, ack, "
                  "automatic failover on) instead of refusing; an old primary's writes that a "
                  "failover cut off are discarded");
    const std::string name = spec.name;
    cmd->callback([name] {
      args.scenario = name;
      int code = run_drill(args);
      if (code != 0) throw ExitCode{code};
    });
  }
}

}  // namespace dr::cli
