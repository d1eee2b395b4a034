// drctl controller | witness | ack | automatic-failover | failover | switchover: the failover
// controller and the operator's commands, on the lab target (AWS backends come next).
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "aws/dynamodb.h"
#include "backends/aws/aws_evidence.h"
#include "backends/controller_store.h"
#include "backends/jsonl_notifier.h"
#include "backends/lab/lab_world.h"
#include "backends/lab/witness.h"
#include "cli/commands.h"
#include "controller/loop.h"
#include "controller/operator_actions.h"
#include "lab/control_token.h"
#include "lab/gtid.h"
#include "lab/lab_state.h"
#include "lab/lab_topology.h"
#include "lab_aws/aws_credentials.h"
#include "lab_aws/function_env.h"

namespace dr::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) {
  g_stop = true;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

// ISO 8601 UTC with milliseconds ("2026-12-02T15:04:05.123Z"): lines from several hosts and
// days sort and compare without guessing a date or a zone.
void log_line(const std::string& line) {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  char stamp[48];
  std::snprintf(stamp, sizeof stamp, "%s.%03lldZ", buf, static_cast<long long>(ms));
  std::cout << stamp << " " << line << std::endl;
}

[[noreturn]] void die(const std::string& message, int code = 1) {
  std::cerr << "drctl: " << message << "\n";
  throw ExitCode{code};
}

struct Common {
  std::string dir;
  std::string controller_region = lab::kSecondaryRegion;
  int interval_ms = 250;  // detection in under a second: docs/partitions.md
  int threshold = 3;
  int checkers = 3;
};

void add_common(CLI::App* cmd, Common& c) {
  cmd->add_option("--dir", c.dir, "lab directory (default: $DR_LAB_DIR, else /tmp/dr-lab)");
  cmd->add_option("--interval-ms", c.interval_ms, "probe interval")
      ->check(CLI::Range(100, 60000))
      ->capture_default_str();
  cmd->add_option("--threshold", c.threshold, "consecutive failed probes before a target is down")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
}

// Runbook ownership: an operator's command is its own owner (cli-<pid>); the controller is one
// logical owner per region, so a restarted controller resumes its own runbook at once (on AWS the
// Lambda's reserved concurrency of 1 keeps it single), while it leaves an operator's alone.
controller::LoopOptions loop_options(const Common& c, bool controller = false) {
  controller::LoopOptions o;
  o.events = [file = lab::resolve_lab_dir(c.dir) / "controller-events.jsonl"](
                 const nlohmann::json& event) { (void)backends::append_jsonl(file, event); };
  o.owner = controller ? "controller-" + c.controller_region : "cli-" + std::to_string(::getpid());
  return o;
}

// Everything a command needs to talk to the lab as the controller does.
struct Session {
  explicit Session(const Common& c)
      : world(backends::lab::LabWorldOptions{
            lab::resolve_lab_dir(c.dir), c.controller_region, "127.0.2.23", c.checkers,
            core::ObserverThresholds{c.threshold, std::min(c.threshold, 2)},
            std::chrono::milliseconds(std::min(500, c.interval_ms * 8 / 10)), ""}) {
    auto url = world.state_store_url();
    if (!url) die(url.error());
    aws::ClientConfig config;
    config.region = c.controller_region;
    config.endpoint_url = *url;
    config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{lab::kLabAccessKeyId, lab::kLabSecretAccessKey, "", {}, "lab"});
    config.retry.base_delay = std::chrono::milliseconds(50);
    ddb = std::make_unique<aws::DynamoDb>(config);
    store = std::make_unique<backends::ControllerStore>(*ddb, "dr-controller");
    if (auto t = store->ensure_table(); !t) die("state store: " + t.error());
  }
  backends::lab::LabWorld world;
  std::unique_ptr<aws::DynamoDb> ddb;
  std::unique_ptr<backends::ControllerStore> store;
};

void run_controller(const Common& c, bool once, bool dry_run, int capacity, int heartbeat_ms) {
  Session s(c);
  std::filesystem::path dir = lab::resolve_lab_dir(c.dir);
  controller::LoopOptions options = loop_options(c, /*controller=*/true);
  options.standby_capacity = capacity;
  options.dry_run = dry_run;
  options.heartbeat = std::chrono::milliseconds(heartbeat_ms);
  const char* crash = std::getenv("DR_CONTROLLER_CRASH_AFTER_STEP");
  options.crash_after_step = crash != nullptr ? crash : "";
  controller::ControllerLoop loop(
      s.world, *s.store, options, [] { return core::Clock::now(); }, log_line);
  install_signal_handlers();
  log_line("controller in " + c.controller_region + " watching lab " + dir.string() +
           " (probe every " + std::to_string(c.interval_ms) + " ms, threshold " +
           std::to_string(c.threshold) + ", " + std::to_string(c.checkers) + " checkers)");
  auto next = std::chrono::steady_clock::now();
  do {
    loop.tick();
    // After a slow tick (a runbook ran in it) start a fresh cadence instead of firing the missed
    // ticks back to back, which would shrink "3 probes 1 s apart" to milliseconds.
    next =
        std::max(next + std::chrono::milliseconds(c.interval_ms), std::chrono::steady_clock::now());
    while (!g_stop && std::chrono::steady_clock::now() < next)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // the tick cadence
  } while (!once && !g_stop);
  log_line("controller stopped");
}

void run_witness(const Common& c, const std::string& listen, int port) {
  std::filesystem::path dir = lab::resolve_lab_dir(c.dir);
  // Before anything starts: a missing lab directory is a plain error, not a half-started witness.
  auto token = lab::read_control_token(dir);
  if (!token) die("witness: " + token.error().message);
  // As the witness does on AWS, each observation also goes into the controller's state table
  // (the item the AWS world reads, backends/aws/aws_evidence.h), through the lab's AWS endpoint:
  // the lab's Lambda has the witness's vote. A lab without the endpoint has only /observation.
  std::unique_ptr<aws::DynamoDb> state_table;
  if (auto state = lab::load_lab_state(dir); state && !state->aws_endpoint_url.empty()) {
    if (auto keys = lab_aws::read_aws_credentials(dir); keys) {
      aws::ClientConfig config = lab_aws::client_config(*state, *keys, c.controller_region);
      // One round's write: the next round writes a fresher one anyway.
      config.retry.max_attempts = 1;
      state_table = std::make_unique<aws::DynamoDb>(config);
    } else {
      log_line("witness: not writing to the state table: " + keys.error().message);
    }
  }
  std::string last_publish_error = "(none yet)";
  auto publish = [&](const core::Observation& o, const std::string& primary_region) {
    if (!state_table) return;
    auto put = state_table->put_item(
        {{"TableName", lab_aws::kLabStateTable},
         {"Item", backends::aws_world::witness_item(o, core::Clock::now(), primary_region)}});
    // Logged on a change only: a missing table would otherwise fill the log every second.
    std::string error = put ? "" : put.error().describe();
    if (error != last_publish_error)
      log_line(error.empty() ? "witness: writing to " + std::string(lab_aws::kLabStateTable)
                             : "witness: cannot write to the state table: " + error);
    last_publish_error = error;
  };
  backends::lab::Witness witness({dir, listen, port, std::chrono::milliseconds(c.interval_ms),
                                  core::ObserverThresholds{c.threshold, std::min(c.threshold, 2)},
                                  c.controller_region, *token, publish});
  auto bound = witness.start();
  if (!bound) die("witness: " + bound.error());
  std::string url = "http://" + listen + ":" + std::to_string(*bound);
  {
    const auto tmp = dir / "witness.url.tmp";
    std::ofstream(tmp) << url << "\n";
    std::error_code ec;
    std::filesystem::rename(tmp, dir / "witness.url", ec);
    if (ec)
      die("witness: cannot publish its URL in " + (dir / "witness.url").string() + ": " +
          ec.message());
  }
  install_signal_handlers();
  log_line("witness serving " + url + "/observation");
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  witness.stop();
  std::error_code ec;
  std::filesystem::remove(dir / "witness.url", ec);
}

// The loop has already logged each step as it was saved, and the runbook's end: printing the
// audit again would show every step twice. Only a runbook that stopped still needs saying.
void print_runbook(const core::RunbookState& state) {
  if (!state.done)
    die(state.plan.id + " stopped: " + state.last_error + "; `drctl controller` resumes it");
}

void failover(const Common& c, const std::string& to, bool force) {
  Session s(c);
  controller::ControllerLoop loop(
      s.world, *s.store, loop_options(c), [] { return core::Clock::now(); }, log_line);
  auto snap = loop.observe_with_guards();
  if (!snap) die(snap.error());
  // A server answers when a MySQL handshake from the controller's address succeeds.
  const auto& databases = s.world.targets()->databases;
  auto answers = [&](const std::string& server) {
    auto it = databases.find(server);
    return it != databases.end() &&
           backends::lab::probe_mysql("127.0.2.23", it->second, std::chrono::milliseconds(500));
  };
  auto plan = controller::failover_plan(*snap, to, force, answers,
                                        {loop.new_failover_id("fo"), loop.standby_capacity(*snap)});
  if (!plan) die(plan.error());
  auto done = loop.run_plan(*plan);
  if (!done) die(done.error());
  print_runbook(*done);
}

void switchover(const Common& c, const std::string& to, int max_wait_s) {
  Session s(c);
  controller::ControllerLoop loop(
      s.world, *s.store, loop_options(c), [] { return core::Clock::now(); }, log_line);
  auto snap = loop.observe_with_guards();
  if (!snap) die(snap.error());
  const auto& t = snap->topology;
  auto plan = controller::switchover_plan(
      *snap, to, {loop.new_failover_id("so"), loop.standby_capacity(*snap)});
  if (!plan) die(plan.error());
  // Wait for zero lag first, so the writer is fenced for as short a time as possible.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(max_wait_s);
  auto& db = *s.world.database();
  for (;;) {
    auto lag = db.lag_seconds(t.secondary_db);
    if (lag && *lag == 0.0) break;
    if (std::chrono::steady_clock::now() > until)
      die(t.secondary_db + " did not reach zero lag within " + std::to_string(max_wait_s) + " s (" +
          (lag ? std::to_string(*lag) + " s behind" : lag.error().describe()) +
          "); nothing changed");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // lag is reported in seconds
  }
  auto done = loop.run_plan(*plan);
  if (!done) die(done.error());
  print_runbook(*done);
}

// The rest of the lab's baseline once the writer is home: every fleet at its default capacity and
// unfenced, then no front-door override (capacity first, so that the health checks find the home
// fleet up when they decide again). Changes only what differs; returns what it changed.
std::vector<std::string> restore_baseline(Session& s, const Common& c) {
  auto state = lab::load_lab_state(lab::resolve_lab_dir(c.dir));
  if (!state) die("lab state: " + state.error().describe());
  auto& supervisor = *s.world.supervisor();
  std::vector<std::string> changed;
  for (const auto& f : lab::default_topology().fleets) {
    const auto now = state->fleets.find(f.region);
    if (now != state->fleets.end() && now->second.min == f.min &&
        now->second.desired == f.desired && now->second.max == f.max)
      continue;
    if (auto r = supervisor.set_capacity(f.region, f.min, f.desired, f.max); !r)
      die("the writer is home, but " + f.region +
          "'s fleet stays as it was: " + r.error().describe());
    changed.push_back("fleet " + f.region + ": back to min " + std::to_string(f.min) + " desired " +
                      std::to_string(f.desired) + " max " + std::to_string(f.max));
  }
  for (const auto& region : state->fenced_regions) {
    if (auto r = supervisor.unfence_apps(region); !r)
      die("the writer is home, but " + region + "'s apps stay fenced: " + r.error().describe());
    changed.push_back("fleet " + region + ": fence lifted (its apps take writes again)");
  }
  if (state->front_door_override) {
    if (auto r = supervisor.clear_front_door_override(); !r)
      die("the writer is home, but the front door override stays: " + r.error().describe());
    changed.push_back("front door: override to " + *state->front_door_override +
                      " cleared (health checks decide, " + lab::kPrimaryRegion + " primary)");
  }
  return changed;
}

// Brings the writer back to the region it failed away from: the old primary's servers rejoin as
// replicas of the current writer (refused when one holds writes the writer never saw), catch
// up, and a switchover moves the writer back without losing a write.
void failback(const Common& c, int max_wait_s) {
  Session s(c);
  controller::ControllerLoop loop(
      s.world, *s.store, loop_options(c), [] { return core::Clock::now(); }, log_line);
  auto snap = loop.observe_with_guards();
  if (!snap) die(snap.error());
  const auto& t = snap->topology;
  // Home is the lab's primary region. Failing back from home would move the writer away from it:
  // a second failback must change nothing.
  const std::string home = lab::kPrimaryRegion;
  if (t.primary_region == home) {
    // An earlier failback may have stopped after the switch: finish its baseline.
    const auto changed = restore_baseline(s, c);
    if (changed.empty()) {
      std::cout << "the writer " << t.writer << " is already in " << home
                << " (home): nothing to fail back; nothing was changed\n";
    } else {
      std::cout << "the writer " << t.writer << " is already in " << home
                << " (home); restored the rest of the baseline:\n";
      for (const auto& line : changed) std::cout << "  " << line << "\n";
    }
    return;
  }
  const auto* targets = s.world.targets();
  const std::filesystem::path dir = lab::resolve_lab_dir(c.dir);
  auto& db = *s.world.database();
  std::vector<std::string> old_servers;
  for (const auto& [name, region] : targets->database_region)
    if (region == home) old_servers.push_back(name);
  if (old_servers.empty()) die("no database server in " + home + " to fail back to");
  // Binlog states, compared per domain and server id: positions (one GTID per domain) cannot
  // tell a1's lost 0-1-132 from b1's 0-3-255 (gtid.h).
  auto writer_state_text = db.gtid_binlog_state(t.writer);
  if (!writer_state_text) die("writer " + t.writer + ": " + writer_state_text.error().describe());
  auto writer_state = lab::parse_gtid_list(*writer_state_text);
  if (!writer_state) die("writer GTID state: " + writer_state.error().describe());
  // Every server is checked before anything is refused: one rebuild, not one failback per server.
  std::string errant_report;
  for (const auto& name : old_servers) {
    auto state = db.gtid_binlog_state(name);
    if (!state)
      die(name + " does not answer (" + state.error().describe() +
          "); run `drctl lab restore` first");
    auto parsed = lab::parse_gtid_list(*state);
    if (!parsed) die(name + " GTID state: " + parsed.error().describe());
    auto errant = lab::errant_gtids(*parsed, *writer_state);
    if (!errant.empty()) {
      errant_report += (errant_report.empty() ? "" : "; ") + name + " holds transactions " +
                       lab::to_string(errant) + " that the writer " + t.writer +
                       " never received (" + name + " has " + *state + ")";
      continue;
    }
    std::cout << name << ": no errant transactions (" << *state << " within " << *writer_state_text
              << ")\n";
  }
  if (!errant_report.empty())
    die(errant_report + "; " + t.writer + " has " + *writer_state_text +
        ". They were written after the failover cut those servers off: rejoining would fork the "
        "history; nothing was changed. Rebuild them from " +
        t.writer + " (their divergent history is discarded): `drctl lab restore --rebuild --dir " +
        dir.string() + "`, then `drctl failback --dir " + dir.string() + "`");
  for (const auto& name : old_servers) {
    if (auto r = db.replicate_from(name, t.writer); !r)
      die("rejoin " + name + ": " + r.error().describe());
    std::cout << name << ": replicating from " << t.writer << "\n";
  }
  core::Topology back = t;
  back.secondary_db = old_servers.front();
  back.az_standby.clear();
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(max_wait_s);
  for (;;) {
    auto lag = db.lag_seconds(back.secondary_db);
    if (lag && *lag == 0.0) break;
    if (std::chrono::steady_clock::now() > until)
      die(back.secondary_db + " did not catch up within " + std::to_string(max_wait_s) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // lag is reported in seconds
  }
  core::RunbookPlan plan =
      core::switchover_plan(back, {loop.new_failover_id("fb"), loop.standby_capacity(*snap)});
  for (size_t i = 1; i < old_servers.size(); ++i) plan.followers.push_back(old_servers[i]);
  auto done = loop.run_plan(plan);
  if (!done) die(done.error());
  print_runbook(*done);
  // Home again: the baseline's capacity and traffic, not the failover's.
  for (const auto& line : restore_baseline(s, c)) std::cout << line << "\n";
}

}  // namespace

void register_controller_commands(CLI::App& app) {
  static Common common;
  static bool once = false, dry_run = false, force = false;
  static int capacity = 2, port = 0, max_wait = 30, heartbeat_ms = 0;
  static std::string listen = "127.0.3.24", to, id, onoff;

  auto* ctl = app.add_subcommand("controller", "run the failover controller against the lab");
  add_common(ctl, common);
  ctl->add_option("--checkers", common.checkers, "independent checkers")
      ->check(CLI::Range(1, 9))
      ->capture_default_str();
  ctl->add_option("--standby-capacity", capacity, "fleet size the new primary region scales to")
      ->check(CLI::Range(1, 4))  // max = 2x, and the lab's ALBs have 8 slots
      ->capture_default_str();
  ctl->add_option("--heartbeat-ms", heartbeat_ms,
                  "one `tick` event (controller-events.jsonl) this often between changes of "
                  "decision; 0: none")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  ctl->add_flag("--once", once, "one tick, then exit");
  ctl->add_flag("--dry-run", dry_run, "decide and log, never act");
  ctl->callback([] { run_controller(common, once, dry_run, capacity, heartbeat_ms); });

  auto* wit = app.add_subcommand("witness", "run the third-site witness (global range)");
  add_common(wit, common);
  wit->add_option("--listen", listen, "address to serve on")->capture_default_str();
  wit->add_option("--port", port, "port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  wit->callback([] { run_witness(common, listen, port); });

  auto* ack = app.add_subcommand("ack", "acknowledge a failover, re-arming automatic failover");
  ack->add_option("id", id, "the failover id the controller printed")->required();
  ack->add_option("--dir", common.dir, "lab directory");
  ack->callback([] {
    Session s(common);
    if (auto r = s.store->acknowledge(id); !r) die(r.error());
    std::cout << "acknowledged " << id << "; automatic failover is armed again\n";
  });

  auto* af = app.add_subcommand("automatic-failover", "turn automatic failover on or off");
  af->add_option("state", onoff, "on | off")->required()->check(CLI::IsMember({"on", "off"}));
  af->add_option("--dir", common.dir, "lab directory");
  af->callback([] {
    Session s(common);
    if (auto r = s.store->set_automatic_failover(onoff == "on"); !r) die(r.error());
    std::cout << "automatic failover " << onoff << "\n";
  });

  auto* fo = app.add_subcommand("failover", "fail the writer over to another region now");
  fo->add_option("--to", to, "the region to fail over to")->required();
  fo->add_flag("--force", force, "even if the writer answers or a failover is unacknowledged");
  fo->add_option("--dir", common.dir, "lab directory");
  fo->callback([] { failover(common, to, force); });

  auto* so = app.add_subcommand("switchover", "planned move of the writer: no data loss");
  so->add_option("--to", to, "the region to move to")->required();
  so->add_option("--max-wait-s", max_wait, "how long to wait for zero lag")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  so->add_option("--dir", common.dir, "lab directory");
  so->callback([] { switchover(common, to, max_wait); });

  auto* fb = app.add_subcommand(
      "failback", "rejoin the old primary region (refused on errant GTIDs) and switch back");
  fb->add_option("--max-wait-s", max_wait, "how long to wait for the catch-up")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  fb->add_option("--dir", common.dir, "lab directory");
  fb->callback([] { failback(common, max_wait); });
}

}  // namespace dr::cli
