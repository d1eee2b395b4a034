#include "backends/lab/lab_world.h"

#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <future>

#include "backends/lab/write_guard.h"
#include "lab/control_token.h"
#include "lab/credentials.h"

namespace dr::backends::lab {

LabWorld::LabWorld(LabWorldOptions options) : options_(std::move(options)) {
  for (int i = 1; i <= options_.checkers; ++i)
    checkers_.emplace_back("checker-" + std::to_string(i), false, options_.thresholds);
  notifier_ = std::make_unique<JsonlNotifier>(options_.lab_dir / "notifications.jsonl",
                                              [] { return core::Clock::now(); });
}

std::optional<core::Observation> LabWorld::fetch_witness() {
  std::string url = options_.witness_url;
  if (url.empty()) std::ifstream(options_.lab_dir / "witness.url") >> url;
  if (url.empty()) return std::nullopt;
  httplib::Client c(url);
  c.set_bearer_token_auth(token_);
  c.set_connection_timeout(std::chrono::milliseconds(300));
  c.set_read_timeout(std::chrono::milliseconds(500));
  auto r = c.Get("/observation");
  if (!r || r->status != 200) return std::nullopt;
  auto o = core::observation_from_json(nlohmann::json::parse(r->body, nullptr, false));
  if (!o) return std::nullopt;
  return *o;
}

std::expected<core::Snapshot, std::string> LabWorld::observe() {
  auto targets = load_targets(options_.lab_dir, options_.controller_region);
  if (!targets) return std::unexpected(targets.error());
  // A new writer or standby is a new target: what the checkers knew about the old one (say,
  // "unhealthy" about a dead writer) must not carry over to its successor.
  if (targets_ && (targets_->topology.writer != targets->topology.writer ||
                   targets_->topology.az_standby != targets->topology.az_standby)) {
    for (auto& checker : checkers_)
      checker = core::Observer(checker.name(), false, options_.thresholds);
  }
  targets_ = *targets;

  auto creds = dr::lab::LabCredentials::load_or_create(options_.lab_dir);
  if (!creds) return std::unexpected("lab credentials: " + creds.error().describe());
  // Read every tick: a lab brought up again after `down --purge` has a new one.
  auto token = dr::lab::read_control_token(options_.lab_dir);
  if (!token) return std::unexpected("lab control token: " + token.error().message);
  token_ = *token;
  database_ = std::make_unique<LabDatabase>(
      targets_->databases, DbLogin{creds->admin.name, creds->admin.password},
      DbLogin{creds->replication.name, creds->replication.password}, std::chrono::milliseconds(500),
      targets_->database_region, options_.source_address);
  // From the controller's address: a cut of its site cuts its calls to the regions' control
  // planes too (the supervisor refuses those its lab's cut separates: control_api.cc).
  supervisor_ = std::make_unique<SupervisorClient>(
      targets_->supervisor_host, targets_->supervisor_port, token_, std::chrono::milliseconds(3000),
      options_.source_address);
  global_database_ = std::make_unique<LabGlobalDatabase>(*database_, *supervisor_);
  LabWriteLeaseOptions lease;
  lease.endpoints = targets_->lease_endpoints;
  lease.ttl = targets_->lease_ttl;
  lease.source_address = options_.source_address;
  // holder() tries the members in turn: together within the probe timeout.
  lease.read_timeout = options_.probe_timeout /
                       static_cast<int>(std::max<size_t>(1, targets_->lease_endpoints.size()));
  lease.raise_guard = [this](const std::string& region,
                             int64_t epoch) -> core::Result<std::string> {
    // The state as it is now: a switchover's lease moves after its promotion, in the same tick.
    auto now = load_targets(options_.lab_dir, options_.controller_region);
    if (!now) return core::fail(core::ErrorKind::kRefused, now.error());
    return raise_write_guard(*database_, *now, region, epoch);
  };
  lease_ = std::make_unique<LabWriteLease>(std::move(lease));
  // The probe is rebuilt every tick: a per-probe counter alone would restart at 1, and a second
  // verification would replay the first order (same idempotency key) instead of writing one.
  probe_ = std::make_unique<FrontDoorProbe>(
      targets_->front_door_url,
      "dr-verify-" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        core::Clock::now().time_since_epoch())
                                        .count()));

  // The checkers probe in parallel: a frozen target costs one timeout, not one per checker.
  std::vector<std::future<void>> rounds;
  for (auto& checker : checkers_) {
    rounds.push_back(std::async(std::launch::async, [&] {
      probe_primary(checker, *targets_, options_.source_address, options_.probe_timeout);
    }));
  }
  auto witness = std::async(std::launch::async, [this] { return fetch_witness(); });
  auto lease_free = std::async(std::launch::async, [this] {
    if (!targets_->primary_serves) return false;  // the lease is not the primary's to take back
    auto held = lease_->holder();
    return held && !*held;
  });
  core::Snapshot s;
  s.now = core::Clock::now();
  s.topology = targets_->topology;
  const auto& secondary = s.topology.secondary_db;
  if (!secondary.empty()) {
    auto it = targets_->databases.find(secondary);
    bool up = it != targets_->databases.end() &&
              probe_mysql(options_.source_address, it->second, options_.probe_timeout);
    s.secondary_db = up ? core::Health::kHealthy : core::Health::kUnhealthy;
    auto connected = database_->replication_connected(secondary);
    if (connected) s.replication = core::ReplicationView{*connected, std::nullopt};
  }
  s.primary_fleet_desired = targets_->primary_fleet_desired;
  s.write_lease_free = lease_free.get();
  for (auto& r : rounds) r.get();
  for (const auto& checker : checkers_) s.observations.push_back(checker.observation());
  if (auto w = witness.get()) s.observations.push_back(*w);
  return s;
}

core::Backends LabWorld::backends() {
  return core::Backends{*global_database_, *supervisor_, *supervisor_,
                        *probe_,           *notifier_,   *lease_};
}

std::expected<std::string, std::string> LabWorld::state_store_url() {
  auto targets = load_targets(options_.lab_dir, options_.controller_region);
  if (!targets) return std::unexpected(targets.error());
  if (targets->secondary_dynamodb_url.empty())
    return std::unexpected("no DynamoDB Local in " + options_.controller_region);
  return targets->secondary_dynamodb_url;
}

}  // namespace dr::backends::lab
