// drctl lab up | status | down | kill | restore | partition | heal (and `supervise`, which `up`
// starts detached).
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "aws/dynamodb.h"
#include "backends/controller_store.h"
#include "cli/commands.h"
#include "lab/atomic_file.h"
#include "lab/control_api.h"
#include "lab/control_client.h"
#include "lab/control_token.h"
#include "lab/lab_state.h"
#include "lab/lab_topology.h"
#include "lab/partition.h"
#include "lab/partition_record.h"
#include "lab/ports.h"
#include "lab/process.h"
#include "lab/recorded_topology.h"
#include "lab/status_view.h"
#include "lab/supervisor.h"
#include "lab/wait.h"
#include "lab_aws/aws_credentials.h"
#include "lab_aws/function_env.h"
#include "lab_aws/lab_endpoint.h"

namespace dr::lab {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

[[noreturn]] void exit_with(int code, const std::string& message) {
  std::cerr << "drctl lab: " << message << "\n";
  throw cli::ExitCode{code};
}

fs::path self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path("drctl") : p;
}

// dr-app: --app-binary, $DR_APP_BINARY, next to drctl, the build tree's src/app/, else PATH.
fs::path find_app_binary(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag);
  if (const char* env = std::getenv("DR_APP_BINARY"); env != nullptr && *env != '\0') return env;
  const fs::path dir = self_exe().parent_path();
  for (const auto& candidate : {dir / "dr-app", dir.parent_path() / "app" / "dr-app"}) {
    if (fs::exists(candidate)) return candidate;
  }
  return "dr-app";
}

// dr-app must be an executable file (looked up on PATH when it is a bare name): checked before
// anything starts, so a typo is one clear line instead of a lab that fails half-way up.
Result<fs::path> usable_app_binary(const fs::path& app) {
  fs::path found = app;
  if (!app.has_parent_path()) {
    found.clear();
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "");
    for (std::string d; std::getline(dirs, d, ':');) {
      if (!d.empty() && ::access((fs::path(d) / app).c_str(), X_OK) == 0) {
        found = fs::path(d) / app;
        break;
      }
    }
    if (found.empty())
      return fail(ErrorKind::kNotFound, "dr-app binary \"" + app.string() +
                                            "\" is not on PATH; give --app-binary or "
                                            "$DR_APP_BINARY");
  }
  std::error_code ec;
  if (!fs::is_regular_file(found, ec))
    return fail(ErrorKind::kNotFound,
                "dr-app binary " + found.string() +
                    (fs::exists(found, ec) ? " is not a regular file" : " does not exist"));
  if (::access(found.c_str(), X_OK) != 0)
    return fail(ErrorKind::kConfig, "dr-app binary " + found.string() + " is not executable");
  return found;
}

fs::path progress_file(const fs::path& dir) {
  return dir / "progress.log";
}
fs::path supervisor_pid_file(const fs::path& dir) {
  return dir / "supervisor.pid";
}
fs::path supervisor_log(const fs::path& dir) {
  return dir / "supervisor.log";
}

std::optional<PidRecord> live_supervisor(const fs::path& dir,
                                         const std::optional<LabState>& state) {
  if (state && is_alive(state->supervisor)) return state->supervisor;
  if (auto r = read_pid_file(supervisor_pid_file(dir)); r && is_alive(*r)) return *r;
  return std::nullopt;
}

// Every server the lab spawns writes <dir>/<name>/process.pid (apps: <dir>/apps/<name>/) the
// moment it runs, and removes it once reaped: a supervisor that crashed before it recorded a
// process in the state leaves its PID file behind.
std::vector<std::pair<std::string, PidRecord>> pid_files(const fs::path& dir) {
  std::vector<std::pair<std::string, PidRecord>> out;
  for (const fs::path& parent : {dir, dir / "apps"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
      if (auto r = read_pid_file(entry.path() / "process.pid"))
        out.emplace_back(entry.path().filename().string(), *r);
    }
  }
  return out;
}

// What the lab runs: `down` looks for these under the lab directory to check that none is left.
const std::vector<std::string>& lab_programs() {
  static const std::vector<std::string> programs{"mariadbd", "haproxy", "java", "dr-app", "etcd"};
  return programs;
}

// Stops the supervisor (which stops what it runs), then every process the state still records and
// every PID file names, by PID and start time (a recycled PID is never hit). Returns what was
// still alive and had to be stopped here.
std::vector<std::string> stop_everything(const fs::path& dir,
                                         const std::optional<LabState>& state) {
  std::vector<std::string> leftovers;
  if (auto sup = live_supervisor(dir, state)) {
    // Its SIGTERM handler stops the lab in order (apps, proxies, DynamoDB, databases).
    if (auto s = stop_pid(*sup, 60s); !s) leftovers.push_back("supervisor: " + s.error().message);
  }
  // Re-read: the supervisor may have recorded processes after our first read.
  std::optional<LabState> latest = state;
  if (auto reread = load_lab_state(dir)) latest = *reread;
  for (const auto& c : latest ? latest->components : std::vector<ComponentRecord>{}) {
    if (c.pid.pid == 0 || !is_alive(c.pid)) continue;
    leftovers.push_back(c.name + " (pid " + std::to_string(c.pid.pid) + ")");
    (void)stop_pid(c.pid, 5s);
  }
  for (const auto& [name, pid] : pid_files(dir)) {
    if (!is_alive(pid)) continue;
    leftovers.push_back(name + " (pid " + std::to_string(pid.pid) + ", from its PID file)");
    (void)stop_pid(pid, 5s);
  }
  return leftovers;
}

std::vector<std::string> still_alive(const fs::path& dir) {
  std::vector<std::string> alive;
  auto state = load_lab_state(dir);
  if (auto r = read_pid_file(supervisor_pid_file(dir)); r && is_alive(*r))
    alive.push_back("supervisor");
  if (state && is_alive(state->supervisor)) alive.push_back("supervisor");
  for (const auto& c : state ? state->components : std::vector<ComponentRecord>{}) {
    if (c.pid.pid != 0 && is_alive(c.pid))
      alive.push_back(c.name + " (pid " + std::to_string(c.pid.pid) + ")");
  }
  for (const auto& [name, pid] : pid_files(dir)) {
    if (is_alive(pid)) alive.push_back(name + " (pid " + std::to_string(pid.pid) + ")");
  }
  // Not only what was recorded: any server still running in the lab directory.
  for (const auto& p : processes_under(dir, lab_programs())) {
    alive.push_back(p.program + " (pid " + std::to_string(p.pid.pid) + ": " + p.command_line + ")");
  }
  return alive;
}

// One request to the supervisor's control API, with the lab's token.
Result<json> control(const fs::path& dir, const LabState& state, const std::string& method,
                     const std::string& path, const json& body = json::object(),
                     std::chrono::seconds timeout = 60s) {
  auto client = ControlClient::of_lab(dir, state, timeout);
  if (!client) return std::unexpected(client.error());
  auto r = client->call(method, path, body);
  if (r) return *r;
  if (r.error().kind == ControlError::Kind::kHttp)
    return fail(ErrorKind::kRefused, r.error().reason);
  return fail(
      r.error().kind == ControlError::Kind::kNotJson ? ErrorKind::kProtocol : ErrorKind::kSystem,
      "control API at " + state.control_address + ":" + std::to_string(state.control_port) + ": " +
          r.error().reason);
}

LabState require_running_lab(const fs::path& dir) {
  auto state = load_lab_state(dir);
  if (!state)
    exit_with(1, "no lab in " + dir.string() + " (drctl lab up --dir " + dir.string() + ")");
  if (!is_alive(state->supervisor)) {
    exit_with(1, "the lab's supervisor (pid " + std::to_string(state->supervisor.pid) +
                     ") is not running; `drctl lab up` cleans up and starts again, `drctl lab "
                     "down` stops what is left");
  }
  return *state;
}

// ---- up ----

// lease_ttl_s: the write lease's TTL, 0 for none.
void run_up(const fs::path& dir, const std::string& app_flag, std::chrono::seconds timeout,
            int lease_ttl_s) {
  const auto started = std::chrono::steady_clock::now();
  auto app = usable_app_binary(find_app_binary(app_flag));
  if (!app) exit_with(cli::kExitUsage, app.error().message + "; nothing was started");
  std::optional<LabState> previous;
  if (auto s = load_lab_state(dir)) previous = *s;
  if (auto sup = live_supervisor(dir, previous)) {
    exit_with(1, "a lab is already running in " + dir.string() + " (supervisor pid " +
                     std::to_string(sup->pid) + "); `drctl lab down --dir " + dir.string() +
                     "` first");
  }
  if (previous) {
    std::cout << "cleaning up a previous lab in " << dir.string() << " (its supervisor is gone)\n";
    for (const auto& l : stop_everything(dir, previous)) std::cout << "  stopped " << l << "\n";
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) exit_with(1, "cannot create " + dir.string() + ": " + ec.message());
  fs::remove(state_file(dir), ec);
  fs::remove(progress_file(dir), ec);
  { std::ofstream touch(progress_file(dir)); }

  SpawnOptions spawn;
  spawn.argv = {self_exe().string(), "lab",          "supervise",  "--dir",
                dir.string(),        "--app-binary", app->string()};
  if (lease_ttl_s > 0)
    spawn.argv.insert(spawn.argv.end(),
                      {"--write-lease", "--lease-ttl-s", std::to_string(lease_ttl_s)});
  spawn.log_file = supervisor_log(dir);
  spawn.pid_file = supervisor_pid_file(dir);
  auto process = Process::spawn(spawn);
  if (!process) exit_with(1, "cannot start the supervisor: " + process.error().message);
  const pid_t pid = process->release();  // it outlives us; `down` stops it by PID
  const PidRecord record{pid, process_start_time(pid).value_or(0)};
  std::cout << "supervisor  started  pid " << pid << " (log " << supervisor_log(dir).string()
            << ")\n";

  // Follow its progress file, one line per component.
  std::ifstream in(progress_file(dir));
  std::string outcome;
  std::string partial;
  auto follow = [&] {
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) {  // an unfinished line: keep it for the next read
        partial += line;
        in.clear();
        return false;
      }
      line = partial + line;
      partial.clear();
      if (line.starts_with("READY") || line.starts_with("FAILED")) {
        outcome = line;
        return true;
      }
      std::cout << "  " << line << std::endl;
    }
    in.clear();
    return false;
  };
  auto done =
      wait_until("the lab comes up",
                 [&] {
                   ::waitpid(pid, nullptr, WNOHANG);  // our child until we exit: reap it if it died
                   return follow() || !is_alive(record);
                 },
                 {.timeout = timeout, .poll = 50ms});
  follow();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (outcome.starts_with("READY")) {
    auto state = load_lab_state(dir);
    std::cout << std::fixed << std::setprecision(1) << "lab up in " << seconds << " s: front door "
              << (state ? state->front_door_url : "?") << ", control API http://"
              << (state ? state->control_address + ":" + std::to_string(state->control_port) : "?")
              << ", AWS endpoint " << (state ? state->aws_endpoint_url : "?")
              << " (`drctl lab env`), state " << state_file(dir).string() << "\n";
    return;
  }
  if (outcome.starts_with("FAILED")) {
    (void)stop_pid(record, 60s);  // it is already stopping what it started
    exit_with(1, "lab up failed: " + outcome.substr(7) +
                     "\n  supervisor log: " + supervisor_log(dir).string());
  }
  if (!done) {
    std::cerr << "drctl lab: the lab did not come up within " << timeout.count()
              << " s; stopping it\n";
  } else {
    std::cerr << "drctl lab: the supervisor exited during start; see "
              << supervisor_log(dir).string() << "\n";
  }
  std::optional<LabState> state;
  if (auto s = load_lab_state(dir)) state = *s;
  stop_everything(dir, state);
  throw cli::ExitCode{1};
}

// ---- supervise ----

int run_supervise(const fs::path& dir, const std::string& app_flag, int lease_ttl_s) {
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread: every thread inherits it

  std::ofstream progress_out(progress_file(dir), std::ios::app);
  auto progress = [&](const std::string& line) {
    progress_out << line << std::endl;
    std::cout << line << std::endl;
  };
  SupervisorOptions options;
  options.dir = dir;
  options.app_binary = find_app_binary(app_flag);
  options.lease_ttl_s = lease_ttl_s;  // 0: no write lease
  if (const char* t = std::getenv("DR_MARIADB_TEMPLATE"); t != nullptr && *t != '\0')
    options.mariadb_template = t;
  // The control API's token exists (0600) before anything starts; a planted or readable one stops
  // the lab here.
  auto token = load_or_create_control_token(dir);
  if (!token) {
    progress("FAILED control token: " + token.error().message);
    return 1;
  }
  Supervisor supervisor(options);
  if (auto s = supervisor.start(progress); !s) {
    supervisor.mark_failed(s.error().message);
    progress("FAILED " + s.error().message);
    supervisor.shutdown();
    return 1;
  }
  ControlApi api(supervisor, *token);
  const std::string address =
      lab_address(Site::kGlobal, Component::kSupervisor).value_or("127.0.0.1");
  auto port = api.start(address);
  if (!port) {
    progress("FAILED supervisor: " + port.error().message);
    supervisor.shutdown();
    return 1;
  }
  // The lab's AWS endpoint (src/lab_aws) answers once the control API it drives is up.
  lab_aws::LabEndpoint aws_endpoint(
      dir, [](const std::string& line) { std::cout << "aws endpoint: " << line << std::endl; });
  auto aws_url =
      aws_endpoint.start(lab_address(Site::kGlobal, Component::kAwsEndpoint).value_or("127.0.0.1"));
  if (!aws_url) {
    progress("FAILED AWS endpoint: " + aws_url.error().message);
    api.stop();
    supervisor.shutdown();
    return 1;
  }
  supervisor.mark_ready(address, *port, *aws_url);
  progress("READY control API http://" + address + ":" + std::to_string(*port) + ", AWS endpoint " +
           *aws_url);
  const timespec tick{0, 200'000'000};
  while (!api.shutdown_requested()) {
    siginfo_t info;
    if (sigtimedwait(&signals, &info, &tick) > 0) {
      std::cout << "supervisor: signal " << info.si_signo << ", stopping the lab" << std::endl;
      break;
    }
    supervisor.tick();
  }
  aws_endpoint.stop();  // waits for a failover it runs: never cut one half-way
  api.stop();
  supervisor.shutdown();
  return 0;
}

// ---- status ----

// When the supervisor is gone, the state file is all there is: liveness by PID only.
json status_from_state(const LabState& s) {
  json out;
  out["phase"] = s.phase + " (supervisor not running)";
  out["aws_endpoint"] = {{"url", s.aws_endpoint_url.empty() ? json() : json(s.aws_endpoint_url)}};
  out["front_door"] = {{"url", s.front_door_url},
                       {"active_region", "unknown"},
                       {"override", s.front_door_override ? json(*s.front_door_override) : json()}};
  out["regions"] = json::object();
  for (const auto& [region, url] : s.alb_urls) {
    const auto cap = s.fleets.contains(region) ? s.fleets.at(region) : FleetCapacity{};
    int running = 0;
    for (const auto& c : s.components) {
      if (c.kind == "app" && c.region == region && is_alive(c.pid)) ++running;
    }
    out["regions"][region] = {{"alb_url", url},
                              {"fleet",
                               {{"min", cap.min},
                                {"desired", cap.desired},
                                {"max", cap.max},
                                {"healthy", running},
                                {"running", running}}}};
  }
  out["components"] = json::array();
  for (const auto& c : s.components) {
    const bool alive = c.pid.pid != 0 && is_alive(c.pid);
    out["components"].push_back(
        {{"name", c.name},
         {"kind", c.kind},
         {"region", c.region},
         {"az", c.az},
         {"role", c.role},
         {"address", c.port ? c.address + ":" + std::to_string(c.port) : c.address},
         {"pid", c.pid.pid},
         {"healthy", alive},
         {"state", c.killed ? "killed"
                   : alive  ? "running (unsupervised)"
                            : "down"},
         {"replication_lag_s", json()},
         {"log", c.log}});
  }
  return out;
}

// Whether a cut is on (the nft table, which is the machine's) and which one this lab recorded.
// "active" is null when it cannot be asked (not root, no nft): "error" says why.
json partition_status(const fs::path& dir) {
  json out = {{"table", std::string(kPartitionTable)}, {"active", nullptr}, {"recorded", nullptr}};
  if (auto active = is_active(); active)
    out["active"] = *active;
  else
    out["error"] = active.error().message;
  if (auto rec = recorded_partition(dir); !rec)
    out["record_error"] = rec.error().message;
  else if (*rec)
    out["recorded"] = to_json(**rec);
  return out;
}

// One line for the text status; empty when there is nothing to say (no cut, none recorded).
std::string partition_line(const json& p) {
  const bool recorded = p["recorded"].is_object();
  const std::string what = recorded
                               ? p["recorded"]["region"].get<std::string>() + " cut off from " +
                                     [&] {
                                       std::string l;
                                       for (const auto& f : p["recorded"]["from"])
                                         l += (l.empty() ? "" : ", ") + f.get<std::string>();
                                       return l;
                                     }()
                               : std::string();
  const std::string heal = "; `drctl lab heal` removes it";
  if (p["active"] == true)
    return "partition: ACTIVE (nft table " + p["table"].get<std::string>() + ")" +
           (recorded ? ": " + what : ": a cut this lab did not record") + heal + "\n";
  if (p["active"].is_null() && recorded)
    return "partition: recorded (" + what +
           "), cannot check the table: " + p.value("error", std::string("?")) + "\n";
  if (recorded) return "partition: none (a stale record of " + what + ")\n";
  return "";
}

// What a client of the front door gets, asked as one would: every part can look healthy while
// the apps behind it refuse (a fence record nobody lifted), and the status must not say healthy
// then. Asked here, not in the supervisor's /status, which the lab's AWS endpoint reads on every
// call and must not wait on a front door that hangs.
void probe_front_door(json& status) {
  json& fd = status["front_door"];
  if (!fd.is_object() || !fd.contains("url") || !fd["url"].is_string()) return;
  httplib::Client c(fd["url"].get<std::string>());
  c.set_connection_timeout(std::chrono::seconds(1));
  c.set_read_timeout(std::chrono::seconds(2));
  auto r = c.Get("/health/deep");
  if (!r) {
    fd["deep_health"] = {{"ok", false}, {"error", httplib::to_string(r.error())}};
    return;
  }
  fd["deep_health"] = {
      {"ok", r->status == 200}, {"status", r->status}, {"body", r->body.substr(0, 200)}};
}

// Exit codes: 0 every part healthy, kExitDegraded down or degraded, kExitFailed no answer at all.
// With --json, an error is a JSON object too ({"error": ...} on stdout), so a script parsing the
// output always gets JSON.
void run_status(const fs::path& dir, bool as_json) {
  auto error = [&](const std::string& message) {
    if (!as_json) exit_with(cli::kExitFailed, message);
    std::cout << json{{"error", message}}.dump(2) << "\n";
    throw cli::ExitCode{cli::kExitFailed};
  };
  auto state = load_lab_state(dir);
  if (!state) {
    // `lab down` without --purge keeps the data (and the topology it resumes): a lab that is
    // down, not one that does not exist, and down is what exit code 3 says.
    std::error_code ec;
    if (std::filesystem::exists(topology_file(dir), ec)) {
      const std::string message = "the lab in " + dir.string() +
                                  " is down (its data is kept: `drctl lab up --dir " +
                                  dir.string() + "` resumes it)";
      if (as_json)
        std::cout << json{{"error", message}, {"down", true}}.dump(2) << "\n";
      else
        std::cerr << "drctl lab: " << message << "\n";
      throw cli::ExitCode{cli::kExitDegraded};
    }
    error("no lab in " + dir.string() + " (drctl lab up --dir " + dir.string() + ")");
  }
  json status;
  const bool supervised = is_alive(state->supervisor) && state->control_port != 0;
  if (supervised) {
    auto s = control(dir, *state, "GET", "/status", json::object(), 30s);
    if (!s) error("supervisor did not answer: " + s.error().message);
    status = *s;
    probe_front_door(status);
  } else {
    if (!as_json)  // with --json the phase says so: the output stays one JSON document
      std::cerr << "drctl lab: the supervisor is not running; showing " << state_file(dir).string()
                << " (health = process alive)\n";
    status = status_from_state(*state);
  }
  status["partition"] = partition_status(dir);
  if (as_json) {
    std::cout << status.dump(2) << "\n";
  } else {
    std::cout << render_status_table(status) << partition_line(status["partition"]);
  }
  const auto degraded = degraded_parts(status);
  if (!degraded.empty()) {
    std::string list;
    for (const auto& d : degraded) list += (list.empty() ? "" : ", ") + d;
    if (!as_json)
      std::cerr << "drctl lab: the lab is " << (supervised ? "degraded" : "down") << ": " << list
                << "\n";
    throw cli::ExitCode{cli::kExitDegraded};
  }
}

// ---- down ----

void run_down(const fs::path& dir, bool purge) {
  // A cut this lab made goes with it, first (even when nothing else is left to stop): left on,
  // it would cut the next lab on the machine.
  bool heal_failed = false;
  if (auto rec = recorded_partition(dir); !rec) {
    std::cerr << "drctl lab: down: " << rec.error().message << "\n";
  } else if (*rec) {
    if (auto healed = heal((*rec)->table); healed) {
      forget_partition(dir);
      std::cout << "healed the partition this lab made (" << describe(**rec) << ")\n";
    } else {
      heal_failed = true;
      std::cerr << "drctl lab: down: cannot heal the partition this lab made (" << describe(**rec)
                << "): " << healed.error().message << "; `drctl lab heal` as root removes it\n";
    }
  }
  std::optional<LabState> state;
  if (auto s = load_lab_state(dir)) state = *s;
  const bool pid_file_alive =
      std::ranges::any_of(pid_files(dir), [](const auto& named) { return is_alive(named.second); });
  if (!state && !live_supervisor(dir, state) && !pid_file_alive) {
    std::cout << "no lab in " << dir.string() << "; nothing to stop\n";
    if (purge && fs::exists(dir / "credentials")) fs::remove_all(dir);
    if (heal_failed) exit_with(1, "the partition this lab made is still on");
    return;
  }
  const auto leftovers = stop_everything(dir, state);
  for (const auto& l : leftovers) std::cout << "stopped " << l << " by PID\n";
  const auto alive = still_alive(dir);
  if (!alive.empty()) {
    std::string list;
    for (const auto& a : alive) list += " " + a;
    exit_with(1, "still running after down:" + list);
  }
  std::error_code ec;
  fs::remove(state_file(dir), ec);
  fs::remove(progress_file(dir), ec);
  fs::remove(supervisor_pid_file(dir), ec);
  if (purge) {
    fs::remove_all(dir, ec);
    std::cout << "lab stopped; " << dir.string() << " removed (databases included)\n";
  } else {
    std::cout
        << "lab stopped; nothing left running. MariaDB data kept in " << dir.string()
        << " (down --purge removes it); DynamoDB Local ran in memory, its sessions are gone\n";
  }
  if (heal_failed) exit_with(1, "the lab is down but its partition is still on");
}

// ---- kill / restore ----

void run_kill(const fs::path& dir, const std::string& scope, const std::string& name) {
  const LabState state = require_running_lab(dir);
  if (scope == "component" && name == kSupervisorName) {
    // A crash of the control plane: the servers keep running, nothing replaces failed apps.
    ::kill(state.supervisor.pid, SIGKILL);
    auto gone = wait_until("the supervisor dies", [&] { return !is_alive(state.supervisor); },
                           {.timeout = 5s});
    if (!gone) exit_with(1, gone.error().message);
    std::cout << "supervisor: killed (pid " << state.supervisor.pid
              << "); the lab runs unsupervised. `drctl lab up` cleans up and starts again, `drctl "
                 "lab down` stops it\n";
    return;
  }
  auto r = control(dir, state, "POST", "/kill", json{{"scope", scope}, {"name", name}});
  if (!r) exit_with(1, "kill " + scope + " " + name + ": " + r.error().message);
  for (const auto& line : (*r)["killed"]) std::cout << line.get<std::string>() << "\n";
}

void run_restore(const fs::path& dir, bool rebuild) {
  const LabState state = require_running_lab(dir);
  auto r = control(dir, state, "POST", "/restore", json{{"rebuild", rebuild}}, 300s);
  if (!r) exit_with(1, "restore: " + r.error().message);
  for (const auto& line : (*r)["restored"]) std::cout << line.get<std::string>() << "\n";
  if ((*r)["restored"].empty() && (*r)["errors"].empty()) std::cout << "nothing was killed\n";
  if (!(*r)["errors"].empty()) {
    for (const auto& e : (*r)["errors"])
      std::cerr << "drctl lab: restore: " << e.get<std::string>() << "\n";
    throw cli::ExitCode{1};
  }
}

// ---- partition / heal ----

// Partitions act on the machine's loopback, not on one lab directory: every lab on the machine
// shares the address plan. With --json, errors are JSON objects too.
[[noreturn]] void fail_as(bool as_json, const std::string& message) {
  if (!as_json) exit_with(cli::kExitFailed, message);
  std::cout << json{{"error", message}}.dump(2) << "\n";
  throw cli::ExitCode{cli::kExitFailed};
}

json site_json(Site site) {
  return json{{"site", std::string(site_name(site))}, {"cidr", site_cidr(site)}};
}

void run_partition(const fs::path& dir, const std::string& region,
                   const std::vector<std::string>& from, bool as_json) {
  // CLI11 checked the names; a name it let through and we cannot map is still a usage error.
  const auto site = site_from_name(region);
  if (!site) exit_with(cli::kExitUsage, "unknown region '" + region + "'");
  std::vector<Site> from_sites;
  for (const auto& name : from) {
    const auto s = site_from_name(name);
    if (!s) exit_with(cli::kExitUsage, "unknown site '" + name + "' in --from");
    if (*s == *site) exit_with(cli::kExitUsage, region + " cannot be cut off from itself");
    from_sites.push_back(*s);
  }
  auto cut_done = cut(*site, from_sites);
  if (!cut_done) fail_as(as_json, "partition " + region + ": " + cut_done.error().message);
  // The lab in --dir claims the cut, so that its `down` heals it and its `status` shows it.
  std::string recorded;
  if (load_lab_state(dir)) {
    if (auto r = record_partition(
            dir, {std::string(kPartitionTable), *site, cut_done->from, "drctl lab partition"});
        r)
      recorded = partition_record_file(dir).string();
    else
      std::cerr << "drctl lab: partition: not recorded for the lab in " << dir.string() << ": "
                << r.error().message << "\n";
  }
  if (as_json) {
    json out = {{"cut", site_json(*site)},
                {"from", json::array()},
                {"servers_cut", cut_done->servers_cut},
                {"table", std::string(kPartitionTable)}};
    for (Site s : cut_done->from) out["from"].push_back(site_json(s));
    if (!cut_done->note.empty()) out["note"] = cut_done->note;
    out["recorded"] = recorded.empty() ? json(nullptr) : json(recorded);
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::string list;
  for (Site s : cut_done->from) {
    list += (list.empty() ? "" : ", ") + std::string(site_name(s)) + " (" + site_cidr(s) + ")";
  }
  std::cout << region << " (" << site_cidr(*site) << ") is cut off from " << list
            << "; 127.0.0.1 (the internet) still reaches every site. `drctl lab heal` undoes "
               "it\n";
  if (!cut_done->note.empty()) std::cerr << "drctl lab: partition: " << cut_done->note << "\n";
}

// Single-quoted for the shell: the values are URLs, ARNs, [A-Za-z0-9] keys and a path.
std::string shell_quote(const std::string& v) {
  std::string q = "'";
  for (char c : v) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// What the aws CLI and the SDKs need to talk to the lab's AWS endpoint; with --function, the
// failover function's whole configuration for this lab (lab_aws/function_env.h), which `drctl
// lab lambda run --env-file` and `drctl aws ... --env-file` read from --out.
void run_env(const fs::path& dir, bool as_json, bool function, const std::string& out) {
  if (!out.empty() && !function) fail_as(as_json, "--out goes with --function");
  auto state = load_lab_state(dir);
  if (!state)
    fail_as(as_json, "no lab in " + dir.string() + " (drctl lab up --dir " + dir.string() + ")");
  if (state->aws_endpoint_url.empty())
    fail_as(as_json,
            "the lab in " + dir.string() + " has no AWS endpoint yet (phase " + state->phase + ")");
  auto keys = lab_aws::read_aws_credentials(dir);
  if (!keys) fail_as(as_json, keys.error().message);
  std::vector<std::pair<std::string, std::string>> vars;
  if (function) {
    auto env = lab_aws::lab_function_env(*state, *keys);
    if (!env) fail_as(as_json, "the lab in " + dir.string() + ": " + env.error());
    vars = std::move(*env);
    // The function's state table exists where infra/modules/lambda creates it with the function:
    // here, in us-west-2 through the lab's endpoint (idempotent).
    aws::DynamoDb ddb(lab_aws::client_config(*state, *keys, kSecondaryRegion));
    if (auto t = backends::ControllerStore(ddb, lab_aws::kLabStateTable).ensure_table(); !t)
      fail_as(as_json, "the function's state table " + std::string(lab_aws::kLabStateTable) + ": " +
                           t.error());
  } else {
    vars = {{"AWS_ENDPOINT_URL", state->aws_endpoint_url},
            {"AWS_ACCESS_KEY_ID", keys->access_key_id},
            {"AWS_SECRET_ACCESS_KEY", keys->secret_access_key},
            {"AWS_DEFAULT_REGION", "us-east-1"},
            {"DR_LAB_DIR", fs::absolute(dir).string()}};
  }
  const json object = lab_aws::to_json(vars);
  if (!out.empty()) {
    if (auto w = replace_private_file(out, object.dump(2) + "\n"); !w)
      fail_as(as_json, w.error().message);
    if (as_json)
      std::cout << json{{"written", out}, {"variables", vars.size()}}.dump(2) << "\n";
    else
      std::cout << "the function's " << vars.size() << " variables (with the lab's keys) are in "
                << out << " (mode 0600)\n";
    return;
  }
  if (as_json) {
    std::cout << object.dump(2) << "\n";
    return;
  }
  for (const auto& [k, v] : vars) std::cout << "export " << k << "=" << shell_quote(v) << "\n";
}

void run_heal(const fs::path& dir, bool as_json) {
  if (auto healed = heal(); !healed) fail_as(as_json, "heal: " + healed.error().message);
  forget_partition(dir);
  if (as_json) {
    std::cout << json{{"healed", true}, {"table", std::string(kPartitionTable)}}.dump(2) << "\n";
  } else {
    std::cout << "healed: no cut between the lab's sites is left\n";
  }
}

}  // namespace

void register_lab_commands(CLI::App& app) {
  auto* lab = app.add_subcommand(
      "lab", "the local two-region lab: real MariaDB, HAProxy, DynamoDB Local on loopback");
  lab->require_subcommand(1);
  auto dir_flag = std::make_shared<std::string>();
  auto add_dir = [dir_flag](CLI::App* c) {
    c->add_option("--dir", *dir_flag, "lab directory (default: $DR_LAB_DIR, else /tmp/dr-lab)");
  };

  auto* up = lab->add_subcommand(
      "up", "start the default topology; returns once every component is healthy");
  add_dir(up);
  auto app_binary = std::make_shared<std::string>();
  auto timeout_s = std::make_shared<int>(180);
  up->add_option("--app-binary", *app_binary,
                 "dr-app to run (default: $DR_APP_BINARY, next to drctl, or PATH)");
  up->add_option("--timeout", *timeout_s, "seconds to wait for the lab to be healthy")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  auto write_lease = std::make_shared<bool>(false);
  up->add_flag("--write-lease", *write_lease,
               "run the write lease's 3-member etcd cluster (one member per site); the apps write "
               "only while their region holds the lease (docs/partitions.md)");
  auto lease_ttl_s = std::make_shared<int>(2);
  up->add_option("--lease-ttl-s", *lease_ttl_s,
                 "the write lease's TTL: 2 (renewed every 250 ms), or 1 (every 100 ms: a region "
                 "outage's RTO under 2 s; docs/partitions.md, \"Timing\")")
      ->capture_default_str()
      ->check(CLI::Range(1, 2))
      ->needs("--write-lease");
  up->callback([=] {
    run_up(resolve_lab_dir(*dir_flag), *app_binary, std::chrono::seconds(*timeout_s),
           *write_lease ? *lease_ttl_s : 0);
  });

  auto* status = lab->add_subcommand(
      "status", "components, roles, addresses, health, replication lag, fleets");
  add_dir(status);
  auto as_json = std::make_shared<bool>(false);
  status->add_flag("--json", *as_json, "print JSON");
  status->callback([=] { run_status(resolve_lab_dir(*dir_flag), *as_json); });

  auto* down = lab->add_subcommand(
      "down", "stop everything the lab started, by PID (also after a supervisor crash)");
  add_dir(down);
  auto purge = std::make_shared<bool>(false);
  down->add_flag("--purge", *purge,
                 "also delete the lab directory (MariaDB data, credentials, logs)");
  down->callback([=] { run_down(resolve_lab_dir(*dir_flag), *purge); });

  auto* kill = lab->add_subcommand(
      "kill", "kill a region, an AZ or one component (SIGKILL); it stays down until restore");
  add_dir(kill);
  auto scope = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  kill->add_option("scope", *scope, "region | az | component")
      ->required()
      ->check(CLI::IsMember({"region", "az", "component"}));
  kill->add_option("name", *name,
                   "us-east-1, us-east-1b, a2, alb-us-west-2, app-us-east-1-1, supervisor, ...")
      ->required();
  kill->callback([=] { run_kill(resolve_lab_dir(*dir_flag), *scope, *name); });

  auto* restore = lab->add_subcommand(
      "restore", "bring back everything killed; databases rejoin as replicas (no errant GTIDs)");
  add_dir(restore);
  auto rebuild = std::make_shared<bool>(false);
  restore->add_flag("--rebuild", *rebuild,
                    "rebuild a database that cannot rejoin (errant GTIDs) from a copy of the "
                    "writer's data, discarding its divergent history");
  restore->callback([=] { run_restore(resolve_lab_dir(*dir_flag), *rebuild); });

  const std::vector<std::string> sites = {"us-east-1", "us-west-2", "global"};
  auto* partition = lab->add_subcommand(
      "partition",
      "cut a region's addresses off from the other sites (nftables, both directions; needs "
      "root); 127.0.0.1, the internet, still reaches every site");
  auto region = std::make_shared<std::string>();
  auto from = std::make_shared<std::vector<std::string>>();
  auto partition_json = std::make_shared<bool>(false);
  partition->add_option("region", *region, "us-east-1 | us-west-2 | global")
      ->required()
      ->check(CLI::IsMember(sites));
  partition
      ->add_option("--from", *from,
                   "cut it off only from these sites (repeatable; default: every other site)")
      ->check(CLI::IsMember(sites));
  partition->add_flag("--json", *partition_json, "print JSON");
  add_dir(partition);
  partition->callback(
      [=] { run_partition(resolve_lab_dir(*dir_flag), *region, *from, *partition_json); });

  auto* env = lab->add_subcommand(
      "env",
      "the exports for the aws CLI and the SDKs: the lab's AWS endpoint and its keys "
      "(eval \"$(drctl lab env)\")");
  add_dir(env);
  auto env_json = std::make_shared<bool>(false);
  env->add_flag("--json", *env_json, "print JSON");
  auto env_function = std::make_shared<bool>(false);
  env->add_flag("--function", *env_function,
                "the failover function's configuration for this lab instead: every DR_* "
                "variable infra/modules/lambda sets, AWS_ENDPOINT_URL and the lab's keys");
  auto env_out = std::make_shared<std::string>();
  env->add_option("--out", *env_out,
                  "with --function: write them to this file as a JSON object, mode 0600 (the "
                  "--env-file of `drctl lab lambda run` and `drctl aws`)");
  env->callback([=] { run_env(resolve_lab_dir(*dir_flag), *env_json, *env_function, *env_out); });

  auto* heal_cmd = lab->add_subcommand("heal", "remove every cut `partition` made");
  auto heal_json = std::make_shared<bool>(false);
  heal_cmd->add_flag("--json", *heal_json, "print JSON");
  add_dir(heal_cmd);
  heal_cmd->callback([=] { run_heal(resolve_lab_dir(*dir_flag), *heal_json); });

  auto* supervise =
      lab->add_subcommand("supervise", "run the lab supervisor in the foreground (`up` starts it)");
  add_dir(supervise);
  supervise->add_option("--app-binary", *app_binary, "dr-app to run");
  supervise->add_flag("--write-lease", *write_lease, "run the write lease's etcd cluster");
  supervise->add_option("--lease-ttl-s", *lease_ttl_s, "the write lease's TTL (1-2)")
      ->check(CLI::Range(1, 2));
  supervise->callback([=] {
    const int code =
        run_supervise(resolve_lab_dir(*dir_flag), *app_binary, *write_lease ? *lease_ttl_s : 0);
    if (code != 0) throw cli::ExitCode{code};
  });
}

}  // namespace dr::lab
