#include "lab/fleet.h"

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "lab/lab_topology.h"
#include "lab/net.h"
#include "lab/ports.h"

namespace dr::lab {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// How long an instance may take to listen before it is given up on (the app's schema migration
// and DynamoDB table check run before it listens, each bounded by its own timeouts).
constexpr auto kLaunchTimeout = 30s;
constexpr int kFailedChecksBeforeReplace = 3;

// The app writes "host:port" to its ready file once it listens.
std::optional<std::uint16_t> ready_port(const fs::path& ready_file) {
  std::ifstream in(ready_file);
  std::string host_port;
  if (!(in >> host_port)) return std::nullopt;
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  try {
    const int port = std::stoi(host_port.substr(colon + 1));
    if (port <= 0 || port > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Fleet::Fleet(FleetCapacity capacity, std::vector<std::string> azs, AppLaunchConfig launch,
             HaproxyRuntime alb, Clock& clock)
    : capacity_(capacity),
      azs_(std::move(azs)),
      launch_(std::move(launch)),
      alb_(std::move(alb)),
      clock_(clock) {}

Result<void> Fleet::set_capacity(FleetCapacity c) {
  if (c.min < 0 || c.min > c.desired || c.desired > c.max || c.max > kAlbSlots) {
    return fail(ErrorKind::kConfig,
                "capacity must satisfy 0 <= min <= desired <= max <= " + std::to_string(kAlbSlots) +
                    " (got min " + std::to_string(c.min) + ", desired " +
                    std::to_string(c.desired) + ", max " + std::to_string(c.max) + ")");
  }
  capacity_ = c;
  return {};
}

int Fleet::healthy() const {
  int n = 0;
  for (const auto& i : instances_) {
    if (i.phase == Phase::kInService && i.registered && slots_up_.contains(i.slot)) ++n;
  }
  return n;
}

std::vector<std::string> Fleet::instance_names() const {
  std::vector<std::string> names;
  for (const auto& i : instances_) names.push_back(i.name);
  return names;
}

std::vector<ComponentRecord> Fleet::records() const {
  std::vector<ComponentRecord> out;
  for (const auto& i : instances_) {
    ComponentRecord r;
    r.name = i.name;
    r.kind = "app";
    r.region = launch_.region;
    r.az = i.az;
    r.role = i.phase == Phase::kInService ? "app (ALB slot " + slot_name(i.slot) + ")"
                                          : "app (launching)";
    r.address = i.address;
    r.port = i.port;
    r.pid = {i.process.pid(), process_start_time(i.process.pid()).value_or(0)};
    r.log = i.process.log_file().string();
    out.push_back(std::move(r));
  }
  return out;
}

Result<void> Fleet::register_instance(Instance& i) {
  if (auto a = alb_.set_server_address(launch_.alb_backend, slot_name(i.slot), i.address, i.port);
      !a) {
    return a;
  }
  if (auto s =
          alb_.set_server_state(launch_.alb_backend, slot_name(i.slot), ServerAdminState::kReady);
      !s) {
    return s;
  }
  i.registered = true;
  return {};
}

void Fleet::retire(Instance& i, bool graceful, std::vector<std::string>& events,
                   const std::string& why) {
  // Deregister first, so the ALB sends it nothing new while it stops.
  if (i.registered) {
    (void)alb_.set_server_state(launch_.alb_backend, slot_name(i.slot), ServerAdminState::kMaint);
    i.registered = false;
  }
  if (graceful) {
    (void)i.process.stop(2s, &clock_);
  } else {
    (void)i.process.kill();
  }
  events.push_back(launch_.region + ": " + i.name + " removed: " + why);
}

Result<void> Fleet::launch(const std::set<std::string>& killed_azs,
                           std::vector<std::string>& events) {
  // The live AZ with the fewest instances, as an ASG rebalances.
  std::map<std::string, int> per_az;
  for (const auto& az : azs_) {
    if (!killed_azs.contains(az)) per_az[az] = 0;
  }
  if (per_az.empty()) return fail(ErrorKind::kRefused, "no live AZ in " + launch_.region);
  for (const auto& i : instances_) {
    if (per_az.contains(i.az)) ++per_az[i.az];
  }
  std::string az = per_az.begin()->first;
  for (const auto& [name, n] : per_az) {
    if (n < per_az[az]) az = name;
  }
  int slot = 1;
  while (std::any_of(instances_.begin(), instances_.end(),
                     [&](const Instance& i) { return i.slot == slot; })) {
    ++slot;
  }
  if (slot > kAlbSlots) return fail(ErrorKind::kRefused, "no free ALB slot");
  auto address =
      lab_address(site_of(launch_.region), Component::kApp, static_cast<unsigned>(slot - 1));
  if (!address) return std::unexpected(address.error());

  Instance i;
  i.name = "app-" + launch_.region + "-" + std::to_string(next_id_++);
  i.az = az;
  i.slot = slot;
  i.address = *address;
  const fs::path dir = launch_.dir / i.name;
  std::error_code ec;
  fs::create_directories(dir, ec);
  i.ready_file = dir / "ready";
  fs::remove(i.ready_file, ec);

  SpawnOptions spawn;
  spawn.argv = {launch_.app_binary.string(),
                "--region",
                launch_.region,
                "--listen",
                i.address,
                "--port",
                "0",
                "--instance-id",
                i.name,
                "--db-writer",
                launch_.writer,
                "--db-reader",
                launch_.reader,
                "--db-user",
                launch_.db_user,
                "--db-name",
                launch_.db_name,
                "--dynamodb-endpoint",
                launch_.dynamodb_endpoint,
                "--sessions-table",
                kSessionsTable,
                "--ready-file",
                i.ready_file.string(),
                "--drain-ms",
                "100"};
  spawn.env = {{"DR_DB_PASSWORD", launch_.db_password},
               {"DR_ADMIN_TOKEN", launch_.admin_token},
               {"AWS_ACCESS_KEY_ID", kLabAccessKeyId},
               {"AWS_SECRET_ACCESS_KEY", kLabSecretAccessKey},
               {"AWS_REGION", launch_.region}};
  spawn.log_file = dir / "app.log";
  // Found by `lab down` even when the supervisor died before it recorded this instance.
  spawn.pid_file = dir / "process.pid";
  auto process = Process::spawn(std::move(spawn));
  if (!process) return std::unexpected(process.error());
  i.process = std::move(*process);
  i.launched_at = clock_.now();
  events.push_back(launch_.region + ": launched " + i.name + " in " + az + " (ALB slot " +
                   slot_name(slot) + ", pid " + std::to_string(i.process.pid()) + ")");
  instances_.push_back(std::move(i));
  return {};
}

std::vector<std::string> Fleet::reconcile(const std::set<std::string>& killed_azs,
                                          bool region_killed) {
  std::vector<std::string> events;
  // What the ALB's own health checks say (a killed ALB says nothing: keep the last view empty).
  slots_up_.clear();
  if (auto servers = alb_.servers()) {
    for (const auto& s : *servers) {
      if (s.backend == launch_.alb_backend && s.server.starts_with("app") && s.up() &&
          s.status != "MAINT") {
        slots_up_.insert(std::atoi(s.server.c_str() + 3));
      }
    }
  }

  for (auto& i : instances_) {
    if (!i.process.running()) {
      const int code = i.process.exit_code().value_or(-1);
      retire(i, false, events,
             "exited with code " + std::to_string(code) + "; see " + i.process.log_file().string());
      continue;
    }
    if (i.phase == Phase::kLaunching) {
      if (auto port = ready_port(i.ready_file)) {
        i.port = *port;
        i.phase = Phase::kInService;
      } else if (clock_.now() - i.launched_at > kLaunchTimeout) {
        retire(i, false, events,
               "did not listen within 30 s; see " + i.process.log_file().string());
        continue;
      }
    }
    if (i.phase != Phase::kInService) continue;
    if (!i.registered) {
      if (auto r = register_instance(i)) {
        events.push_back(launch_.region + ": registered " + i.name + " (" + i.address + ":" +
                         std::to_string(i.port) + ") with the ALB as " + slot_name(i.slot));
      }
    }
    // The ASG's own health check: the shallow /health, as the ALB target check uses.
    auto status = http_status(i.address, i.port, "GET", "/health", "", "", 300ms);
    if (status && *status == 200) {
      i.failed_checks = 0;
    } else if (++i.failed_checks >= kFailedChecksBeforeReplace) {
      retire(i, false, events,
             "failed " + std::to_string(i.failed_checks) + " health checks in a row");
    }
  }
  std::erase_if(instances_, [](Instance& i) { return !i.process.running(); });

  // Scale in: the newest instances go first.
  while (static_cast<int>(instances_.size()) > capacity_.desired) {
    retire(instances_.back(), true, events, "scale in to " + std::to_string(capacity_.desired));
    instances_.pop_back();
  }
  // Scale out (or replace), unless the region is down: an outage is not undone by the ASG.
  if (!region_killed) {
    while (static_cast<int>(instances_.size()) < capacity_.desired) {
      if (auto l = launch(killed_azs, events); !l) {
        events.push_back(launch_.region + ": cannot launch: " + l.error().message);
        break;
      }
    }
  }
  return events;
}

Result<void> Fleet::kill_instance(const std::string& name) {
  for (auto& i : instances_) {
    if (i.name == name) return i.process.kill();
  }
  return fail(ErrorKind::kNotFound, "no instance " + name + " in " + launch_.region);
}

void Fleet::kill_az(const std::string& az) {
  for (auto& i : instances_) {
    if (i.az == az) (void)i.process.kill();
  }
}

void Fleet::kill_all() {
  for (auto& i : instances_) (void)i.process.kill();
}

void Fleet::stop_all() {
  std::vector<std::string> ignored;
  for (auto& i : instances_) {
    if (i.registered) {
      (void)alb_.set_server_state(launch_.alb_backend, slot_name(i.slot), ServerAdminState::kMaint);
      i.registered = false;
    }
    ::kill(-i.process.pid(), SIGTERM);  // all at once; each is reaped below
  }
  for (auto& i : instances_) (void)i.process.stop(2s, &clock_);
  instances_.clear();
}

void Fleet::forget_registrations() {
  for (auto& i : instances_) i.registered = false;
}

}  // namespace dr::lab
