// drctl drill <scenario>: runs a workload through the lab's front door, injects the scenario's
// fault, lets the controller (and the witness) act, reads everything back from the new primary,
// and judges the scenario's promises. Writes JSON + HTML reports; exits 1 when a promise broke.
#include <httplib.h>

#include <fstream>
#include <iostream>
#include <thread>

#include "cli/commands.h"
#include "drill/events.h"
#include "drill/readback.h"
#include "drill/report.h"
#include "drill/report_html.h"
#include "drill/workload.h"
#include "lab/control_token.h"
#include "lab/credentials.h"
#include "lab/lab_state.h"
#include "lab/process.h"
#include "lab/wait.h"

namespace dr::cli {

namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// What each scenario does to the lab, as data.
struct Fault {
  std::string scope;  // region | az | component | apps-of-region
  std::string name;
};
struct ScenarioSpec {
  std::string name;
  std::vector<Fault> faults;
  bool switchover = false;        // no fault: an operator's planned switchover at fault time
  bool crash_controller = false;  // the controller dies mid-runbook and is restarted
};

const std::vector<ScenarioSpec>& scenarios() {
  static const std::vector<ScenarioSpec> table = {
      {"az-outage", {{"az", "us-east-1a"}}, false, false},
      {"db-outage", {{"component", "a1"}, {"component", "a2"}}, false, false},
      {"app-region-outage",
       {{"component", "alb-us-east-1"}, {"apps-of-region", "us-east-1"}},
       false,
       false},
      {"region-outage", {{"region", "us-east-1"}}, false, false},
      {"switchover", {}, true, false},
      {"controller-crash", {{"region", "us-east-1"}}, false, true},
  };
  return table;
}

struct DrillArgs {
  std::string scenario;
  std::string dir;
  double rate = 40;
  double duration_s = 12;
  double fault_at_s = 4;
  int interval_ms = 1000;
  int threshold = 3;
  std::string json_out, html_out;
  bool enforce_rto = false;
  double async_window_ms = 1000;
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
                         std::vector<std::pair<std::string, std::string>> env = {}) {
  lab::SpawnOptions o;
  o.argv = {self_exe()};
  for (auto& a : args) o.argv.push_back(std::move(a));
  o.argv.push_back("--dir");
  o.argv.push_back(dir.string());
  o.env = std::move(env);
  o.log_file = dir / log;
  o.die_with_parent = true;  // a drill that dies leaves no controller behind
  auto p = lab::Process::spawn(o);
  if (!p) fail("cannot start drctl " + o.argv[1] + ": " + p.error().describe());
  return std::move(*p);
}

std::vector<json> read_events(const std::filesystem::path& file) {
  std::vector<json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_object()) out.push_back(std::move(j));
  }
  return out;
}

const lab::ComponentRecord* writer_of(const lab::LabState& state) {
  auto ep = state.endpoints.find("us-west-2");
  if (ep == state.endpoints.end() || !ep->second.contains("writer")) return nullptr;
  return state.find(ep->second.at("writer"));
}

void control(const std::filesystem::path& dir, const lab::LabState& state, const std::string& path,
             const json& body) {
  auto token = lab::read_control_token(dir);
  if (!token) fail("lab control token: " + token.error().message);
  httplib::Client c(state.control_address, state.control_port);
  c.set_bearer_token_auth(*token);
  c.set_read_timeout(10s);
  auto r = c.Post(path, body.dump(), "application/json");
  if (!r || r->status / 100 != 2)
    fail("lab control " + path + " " + body.dump() + ": " +
         (r ? r->body : httplib::to_string(r.error())));
}

void inject(const ScenarioSpec& spec, const std::filesystem::path& dir,
            const lab::LabState& state) {
  for (const auto& f : spec.faults) {
    if (f.scope == "apps-of-region") {
      for (const auto& c : state.components)
        if (c.kind == "app" && c.region == f.name)
          control(dir, state, "/kill", {{"scope", "component"}, {"name", c.name}});
      continue;
    }
    control(dir, state, "/kill", {{"scope", f.scope}, {"name", f.name}});
  }
}

// The controller's milestones on the drill's time axis.
void fill_events(drill::DrillEvents& ev, const std::vector<json>& events,
                 const drill::DrillEpoch& epoch) {
  const double fault = ev.fault_ms.value_or(0);
  for (const auto& e : events) {
    double t = epoch.ms_from_unix_ms(e.value("time_ms", int64_t{0}));
    std::string name = e.value("event", "");
    if (t < fault - 1) continue;
    if (name == "decision" && !ev.decision_ms) {
      std::string action = e.value("action", "");
      if (action == "az-failover" || action == "region-failover" || action == "app-region-failover")
        ev.decision_ms = t;
    } else if (name == "runbook-start" && !ev.runbook_start_ms) {
      ev.runbook_start_ms = t;
    } else if (name == "runbook-done" && !ev.runbook_end_ms) {
      ev.runbook_end_ms = t;
    } else if (name == "runbook-step") {
      double start = epoch.ms_from_unix_ms(e.value("started_ms", int64_t{0}));
      double end = start + static_cast<double>(e.value("duration_ms", int64_t{0}));
      ev.runbook.push_back({e.value("step", ""), start, end, e.value("outcome", "")});
      if (e.value("step", "") == "promote" && e.value("outcome", "") == "ok" && !ev.promotion_ms)
        ev.promotion_ms = end;
    }
  }
  // An operator's switchover has no automatic decision: it is decided when it starts.
  if (!ev.decision_ms && ev.runbook_start_ms) ev.decision_ms = ev.runbook_start_ms;
}

int run_drill(const DrillArgs& a) {
  const ScenarioSpec* spec = nullptr;
  std::string names;
  for (const auto& s : scenarios()) {
    names += (names.empty() ? "" : ", ") + s.name;
    if (s.name == a.scenario) spec = &s;
  }
  if (!spec) fail("unknown scenario '" + a.scenario + "' (scenarios: " + names + ")");
  if (a.fault_at_s >= a.duration_s) fail("--fault-at-s must come before the end of --duration-s");
  const auto dir = lab::resolve_lab_dir(a.dir);
  auto state = lab::load_lab_state(dir);
  if (!state) fail("no lab in " + dir.string() + ": run `drctl lab up` first");
  const lab::ComponentRecord* old_writer = writer_of(*state);
  if (!old_writer) fail("the lab state names no writer");
  const std::string fenced = old_writer->address;
  auto events_file = dir / "controller-events.jsonl";
  std::error_code ec;
  std::filesystem::remove(events_file, ec);

  std::cout << "drill " << a.scenario << ": starting the witness and the controller\n";
  std::vector<std::string> timing = {"--interval-ms", std::to_string(a.interval_ms), "--threshold",
                                     std::to_string(a.threshold)};
  auto with = [&](std::vector<std::string> head) {
    head.insert(head.end(), timing.begin(), timing.end());
    return head;
  };
  std::filesystem::remove(dir / "witness.url", ec);
  lab::Process witness = spawn_drctl(dir, with({"witness"}), "witness.log");
  std::vector<std::pair<std::string, std::string>> crash_env;
  if (spec->crash_controller) crash_env = {{"DR_CONTROLLER_CRASH_AFTER_STEP", "promote"}};
  lab::Process controller = spawn_drctl(dir, with({"controller"}), "controller.log", crash_env);
  auto healthy =
      lab::wait_until("the controller sees the primary healthy",
                      [&] {
                        for (const auto& e : read_events(events_file))
                          if (e.value("event", "") == "decision" && e.value("action", "") == "none")
                            return true;
                        return !controller.running();
                      },
                      {.timeout = 60s});
  if (!healthy || !controller.running())
    fail("the controller did not settle; see " + (dir / "controller.log").string());

  drill::WorkloadOptions wo;
  wo.base_url = state->front_door_url;
  wo.rate = a.rate;
  wo.duration = std::chrono::milliseconds(static_cast<int64_t>(a.duration_s * 1000));
  wo.threads = 4;
  wo.session_every = 5;
  wo.run_id = a.scenario + "-" +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
  drill::DrillEpoch epoch;
  auto workload = drill::Workload::create(wo, epoch);
  if (!workload) fail(workload.error());
  std::cout << "drill " << a.scenario << ": workload " << a.rate << " writes/s for " << a.duration_s
            << " s through " << wo.base_url << "\n";
  (*workload)->start();
  while (epoch.now_ms() < a.fault_at_s * 1000) std::this_thread::sleep_for(5ms);

  drill::DrillEvents ev;
  ev.fenced_server = fenced;
  ev.fault_ms = epoch.now_ms();
  std::unique_ptr<lab::Process> switchover;
  if (spec->switchover) {
    std::cout << "drill " << a.scenario << ": drctl switchover --to us-west-2\n";
    switchover = std::make_unique<lab::Process>(
        spawn_drctl(dir, {"switchover", "--to", "us-west-2"}, "switchover.log"));
  } else {
    std::cout << "drill " << a.scenario << ": injecting the fault at " << a.fault_at_s << " s\n";
    inject(*spec, dir, *state);
  }
  if (spec->crash_controller) {
    auto crashed = lab::wait_until("the controller crashes mid-runbook",
                                   [&] { return !controller.running(); }, {.timeout = 60s});
    if (!crashed) fail("the controller did not reach the crash point; see controller.log");
    std::cout << "drill " << a.scenario << ": controller crashed mid-runbook; restarting it\n";
    controller = spawn_drctl(dir, with({"controller"}), "controller.log");
  }
  drill::History history = (*workload)->wait();
  if (switchover) {
    auto code = switchover->wait(60s);
    if (!code || *code != 0)
      fail("the switchover failed; see " + (dir / "switchover.log").string());
  }
  (void)lab::wait_until("the runbook finishes",
                        [&] {
                          for (const auto& e : read_events(events_file))
                            if (e.value("event", "") == "runbook-done") return true;
                          return false;
                        },
                        {.timeout = 30s});
  fill_events(ev, read_events(events_file), epoch);
  (void)controller.stop(5s);
  (void)witness.stop(5s);
  if (spec->switchover) {
    // ...then back again: the old primary rejoins (no errant GTIDs after a clean switchover) and
    // the writer returns to us-east-1. The read-back below comes from there.
    std::cout << "drill " << a.scenario << ": drctl failback\n";
    auto fb = spawn_drctl(dir, {"failback"}, "failback.log");
    auto code = fb.wait(120s);
    if (!code || *code != 0) fail("failback failed; see " + (dir / "failback.log").string());
  }

  auto after = lab::load_lab_state(dir);
  if (!after) fail("lab state: " + after.error().describe());
  const lab::ComponentRecord* new_writer = writer_of(*after);
  if (!new_writer) fail("the lab state names no writer after the drill");
  auto creds = lab::LabCredentials::load_or_create(dir);
  if (!creds) fail("lab credentials: " + creds.error().describe());
  db::ConnectOptions o;
  o.host = new_writer->address;
  o.port = new_writer->port;
  o.user = creds->app.name;
  o.password = creds->app.password;
  o.database = "dr";
  auto readback = drill::read_back_orders(o);
  if (!readback) fail("read back from " + new_writer->name + ": " + readback.error());
  readback->source = new_writer->name + " (" + new_writer->address + ")";

  drill::PromiseOptions po;
  po.async_window_ms = a.async_window_ms;
  po.enforce_rto_target = a.enforce_rto;
  auto report = drill::build_report(a.scenario, history, *readback, ev, po);
  if (!report) fail(report.error());
  std::string json_out =
      a.json_out.empty() ? (dir / ("drill-" + a.scenario + ".json")).string() : a.json_out;
  std::string html_out =
      a.html_out.empty() ? (dir / ("drill-" + a.scenario + ".html")).string() : a.html_out;
  std::ofstream(json_out) << drill::report_json(*report).dump(2) << "\n";
  std::ofstream(html_out) << drill::render_html(*report, history);
  (void)drill::save_history(history, dir / ("drill-" + a.scenario + ".history.jsonl"));
  std::cout << drill::report_summary(*report) << "report: " << json_out << "\n        " << html_out
            << "\n";
  return report->passed ? 0 : 1;
}

}  // namespace

void register_drill_commands(CLI::App& app) {
  static DrillArgs args;
  CLI::App* drill = app.get_subcommand("drill");
  for (const auto& spec : scenarios()) {
    auto* cmd = drill->add_subcommand(spec.name, "drill: " + spec.name);
    cmd->add_option("--dir", args.dir, "lab directory (default: $DR_LAB_DIR, else /tmp/dr-lab)");
    cmd->add_option("--rate", args.rate, "writes per second")
        ->check(CLI::Range(1.0, 2000.0))
        ->capture_default_str();
    cmd->add_option("--duration-s", args.duration_s, "workload duration")
        ->check(CLI::Range(2.0, 600.0))
        ->capture_default_str();
    cmd->add_option("--fault-at-s", args.fault_at_s, "when the fault is injected")
        ->check(CLI::Range(0.5, 600.0))
        ->capture_default_str();
    cmd->add_option("--interval-ms", args.interval_ms, "controller/witness probe interval")
        ->capture_default_str();
    cmd->add_option("--threshold", args.threshold, "failed probes before a target is down")
        ->capture_default_str();
    cmd->add_option("--json", args.json_out, "JSON report (default <dir>/drill-<scenario>.json)");
    cmd->add_option("--html", args.html_out, "HTML report (default <dir>/drill-<scenario>.html)");
    cmd->add_option("--async-window-ms", args.async_window_ms,
                    "how far before the fault async loss is accepted")
        ->capture_default_str();
    cmd->add_flag("--enforce-rto", args.enforce_rto, "make the RTO targets promises");
    const std::string name = spec.name;
    cmd->callback([name] {
      args.scenario = name;
      int code = run_drill(args);
      if (code != 0) throw ExitCode{code};
    });
  }
}

}  // namespace dr::cli
