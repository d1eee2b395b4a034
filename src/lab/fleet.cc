#include "lab/fleet.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <future>
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

std::optional<std::uint16_t> port_of(const std::string& host_port) {
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

struct ReadyPorts {
  std::uint16_t traffic = 0;
  std::uint16_t admin = 0;
};

// The app writes "host:port" (traffic) and "host:port" (admin) to its ready file once it
// listens; the file is renamed into place, so it is whole or absent.
std::optional<ReadyPorts> ready_ports(const fs::path& ready_file) {
  std::ifstream in(ready_file);
  std::string traffic, admin;
  if (!(in >> traffic >> admin)) return std::nullopt;
  auto t = port_of(traffic);
  auto a = port_of(admin);
  if (!t || !a) return std::nullopt;
  return ReadyPorts{*t, *a};
}

std::string url_encoded(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

Fleet::Fleet(FleetCapacity capacity, std::vector<std::string> azs, AppLaunchConfig launch,
             HaproxyRuntime alb, Clock& clock, LivenessPolicy liveness)
    : capacity_(capacity),
      azs_(std::move(azs)),
      launch_(std::move(launch)),
      alb_(std::move(alb)),
      clock_(clock),
      liveness_(liveness) {}

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
  const std::string slot = slot_name(i.slot);
  // Traffic to the traffic port, the ALB's health check to the admin port; the front door's check
  // (the ALB's health listener) to the admin port as well.
  if (auto a = alb_.set_server_address(launch_.alb_backend, slot, i.address, i.port); !a) return a;
  if (auto c = alb_.set_server_check_port(launch_.alb_backend, slot, i.admin_port); !c) return c;
  if (auto a = alb_.set_server_address(launch_.alb_health_backend, slot, i.address, i.admin_port);
      !a) {
    return a;
  }
  for (const auto& backend : {launch_.alb_backend, launch_.alb_health_backend}) {
    if (auto s = alb_.set_server_state(backend, slot, ServerAdminState::kReady); !s) return s;
  }
  i.registered = true;
  return {};
}

void Fleet::deregister(Instance& i) {
  for (const auto& backend : {launch_.alb_backend, launch_.alb_health_backend})
    (void)alb_.set_server_state(backend, slot_name(i.slot), ServerAdminState::kMaint);
  i.registered = false;
}

Result<void> Fleet::push_fence(const Instance& i) const {
  const std::string path =
      fenced_ ? "/admin/fence?reason=" + url_encoded(fence_reason_) : std::string("/admin/unfence");
  auto status =
      http_status(i.address, i.admin_port, "POST", path,
                  "Authorization: Bearer " + launch_.admin_token + "\r\n", "", liveness_.timeout);
  if (!status) return std::unexpected(status.error());
  if (*status != 200)
    return fail(ErrorKind::kProtocol,
                i.name + ": POST " + path + " answered " + std::to_string(*status));
  return {};
}

Result<void> Fleet::set_fenced(bool fenced, const std::string& reason) {
  const bool changed = fenced != fenced_;
  fenced_ = fenced;
  fence_reason_ = fenced ? (reason.empty() ? "region fenced" : reason) : "";
  std::string failed;
  for (auto& i : instances_) {
    // Nothing changes for an instance already told: a hung one must not fail a runbook step
    // that asks for the state the region is already in (the runbook lifts fences every time).
    if (!changed && i.fence_synced) continue;
    i.fence_synced = false;
    // Told once it listens (reconcile); a dead one is replaced by one launched fenced.
    if (i.phase != Phase::kInService || !i.process.running()) continue;
    if (auto p = push_fence(i); p) {
      i.fence_synced = true;
    } else {
      if (i.registered) deregister(i);  // no traffic to it until it is told
      failed += " " + i.name + " (" + p.error().message + ")";
    }
  }
  // Fencing must reach everyone or say so. Lifting a fence that some instance did not hear keeps
  // that one out of the ALB until reconcile tells it: no write can slip through, so it is not a
  // failure of the whole region.
  if (!failed.empty() && fenced)
    return fail(ErrorKind::kRefused,
                launch_.region + ": not told, kept out of the ALB until it is:" + failed);
  return {};
}

// Asks every in-service instance's admin listener at once (each ask bounded by the timeout), at
// most once per interval; an answer of any status is life (a draining instance answers 503).
void Fleet::check_liveness(std::vector<std::string>& events) {
  const auto now = clock_.now();
  std::vector<std::pair<Instance*, std::future<bool>>> asks;
  for (auto& i : instances_) {
    if (i.phase != Phase::kInService || !i.process.running()) continue;
    if (now - i.last_checked < liveness_.interval) continue;
    i.last_checked = now;
    asks.emplace_back(&i, std::async(std::launch::async, [address = i.address, port = i.admin_port,
                                                          timeout = liveness_.timeout] {
      return http_status(address, port, "GET", "/health", "", "", timeout).has_value();
    }));
  }
  const auto grace_s = std::chrono::duration_cast<std::chrono::seconds>(liveness_.grace).count();
  for (auto& [i, answered] : asks) {
    if (answered.get()) {
      i->last_alive = clock_.now();
    } else if (clock_.now() - i->last_alive > liveness_.grace) {
      retire(*i, false, events,
             "its admin listener has not answered for " + std::to_string(grace_s) +
                 " s (hung); see " + i->process.log_file().string());
    }
  }
}

void Fleet::retire(Instance& i, bool graceful, std::vector<std::string>& events,
                   const std::string& why) {
  // Deregister first, so the ALB sends it nothing new while it stops.
  if (i.registered) deregister(i);
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
                "--admin-port",
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
  if (fenced_) spawn.argv.insert(spawn.argv.end(), {"--fenced", fence_reason_});
  if (!launch_.lease_endpoints.empty()) {
    std::string list;
    for (const auto& e : launch_.lease_endpoints) list += (list.empty() ? "" : ",") + e;
    // From the instance's own address: a cut of its site cuts its renewals too.
    spawn.argv.insert(spawn.argv.end(),
                      {"--lease-endpoints", list, "--lease-local-address", i.address,
                       "--lease-ttl-s", std::to_string(launch_.lease_ttl_s), "--lease-renew-ms",
                       std::to_string(launch_.lease_renew.count())});
  }
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
  i.fence_synced = true;  // launched with the region's fence
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
      if (auto ports = ready_ports(i.ready_file)) {
        i.port = ports->traffic;
        i.admin_port = ports->admin;
        i.phase = Phase::kInService;
        i.last_alive = clock_.now();
      } else if (clock_.now() - i.launched_at > kLaunchTimeout) {
        retire(i, false, events,
               "did not listen within 30 s; see " + i.process.log_file().string());
        continue;
      }
    }
    if (i.phase != Phase::kInService) continue;
    // The region's fence first: an instance that may not take writes gets no traffic.
    if (!i.fence_synced) {
      if (auto p = push_fence(i)) {
        i.fence_synced = true;
        events.push_back(launch_.region + ": " + i.name + (fenced_ ? " fenced" : " unfenced"));
      } else if (i.registered) {
        deregister(i);
        events.push_back(
            launch_.region + ": " + i.name +
            " taken out of the ALB: cannot tell it the region's fence: " + p.error().message);
      }
    }
    if (!i.registered && i.fence_synced) {
      if (auto r = register_instance(i)) {
        events.push_back(launch_.region + ": registered " + i.name + " (" + i.address + ":" +
                         std::to_string(i.port) + ", admin port " + std::to_string(i.admin_port) +
                         ") with the ALB as " + slot_name(i.slot));
      }
    }
  }
  check_liveness(events);
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
    if (i.registered) deregister(i);
    ::kill(-i.process.pid(), SIGTERM);  // all at once; each is reaped below
  }
  for (auto& i : instances_) (void)i.process.stop(2s, &clock_);
  instances_.clear();
}

void Fleet::forget_registrations() {
  for (auto& i : instances_) i.registered = false;
}

}  // namespace dr::lab
