// The supervisor's bookkeeping (the state file, the recorded topology), its loop and its shutdown.
// Its other jobs have a file each: supervisor_boot.cc (start order, resume), supervisor_proxies.cc
// (the proxy plan applied), supervisor_status.cc, supervisor_control.cc (the control API's
// operations), supervisor_faults.cc (kill, restore), supervisor_replicator.cc.
#include "lab/supervisor.h"

#include <set>
#include <thread>
#include <vector>

// The destructor destroys the replicators.
#include "lab/replicator.h"
#include "lab/supervisor_internal.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

Supervisor::Supervisor(SupervisorOptions options, Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  state_.supervisor = {::getpid(), process_start_time(::getpid()).value_or(0)};
}

Supervisor::~Supervisor() {
  shutdown();
}

void Supervisor::save() {
  if (auto s = save_lab_state(options_.dir, state_); !s)
    log_line("cannot save state: " + s.error().describe());
  if (!topology_established_) return;
  const RecordedTopology topology{writer_, state_.endpoints, state_.front_door_override,
                                  state_.fleets, state_.fenced_regions};
  std::string text = to_json_text(topology);
  if (text == saved_topology_) return;
  if (auto s = save_recorded_topology(options_.dir, topology); !s) {
    log_line("cannot save the topology: " + s.error().describe());
    return;
  }
  saved_topology_ = std::move(text);
}

void Supervisor::record(ComponentRecord r) {
  if (r.pid.pid != 0 && r.pid.start_time == 0) {
    r.pid.start_time = process_start_time(r.pid.pid).value_or(0);
  }
  state_.upsert(std::move(r));
  save();  // at once: a crash of ours must not hide a process from `down`
}

// A restart's new PID goes to the state file the moment the process runs, before the start can
// fail or this process crash (mid-restore, say): `down` stops what the state records. A first
// start is recorded once it is up; until then `down` finds it by its PID file. Runs on the
// thread that starts the process, which holds mu_ (every start and restart runs under it; the
// DynamoDB Locals that boot on threads of their own in start() record no PID this way).
std::function<void(const PidRecord&)> Supervisor::pid_recorder(const std::string& name) {
  return [this, name](const PidRecord& pid) {
    auto* rec = state_.find(name);
    if (rec == nullptr) return;
    rec->pid = pid;
    save();
  };
}

std::string Supervisor::app_endpoint(const std::string& region, const std::string& role) const {
  const auto* r = state_.find(role + "-" + region);
  return r == nullptr ? "" : host_port(r->address, r->port);
}

void Supervisor::record_fleets() {
  std::erase_if(state_.components, [](const ComponentRecord& c) { return c.kind == "app"; });
  for (auto& [region, fleet] : fleets_) {
    for (auto& r : fleet->records()) state_.components.push_back(std::move(r));
    state_.fleets[region] = fleet->capacity();
    fleet_views_[region] = {fleet->healthy(), fleet->running(), fleet->fenced()};
  }
}

void Supervisor::mark_ready(const std::string& control_address, std::uint16_t control_port,
                            const std::string& aws_endpoint_url) {
  std::lock_guard lock(mu_);
  state_.control_address = control_address;
  state_.control_port = control_port;
  state_.aws_endpoint_url = aws_endpoint_url;
  state_.phase = "ready";
  save();
}

void Supervisor::mark_failed(const std::string& error) {
  std::lock_guard lock(mu_);
  state_.phase = "failed";
  state_.error = error;
  save();
}

// ---- The loop ----

// The fleets reconcile under fleets_mu_ alone: a reconcile probes every instance (up to its
// liveness timeout each), and a repoint or a status must not wait for that. The kills it obeys
// are read under fleets_mu_, which every kill holds while it kills, so that a reconcile never
// launches into a region or AZ a kill is taking down.
void Supervisor::tick() {
  std::lock_guard fleets_lock(fleets_mu_);
  std::set<std::string> killed_azs;
  std::set<std::string> killed_regions;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    killed_azs = state_.killed_azs;
    killed_regions = state_.killed_regions;
  }
  std::vector<std::string> events;
  for (auto& [region, fleet] : fleets_) {
    for (auto& e : fleet->reconcile(killed_azs, killed_regions.contains(region)))
      events.push_back(std::move(e));
  }
  for (const auto& e : events) log_line(e);
  std::lock_guard lock(mu_);
  const std::string before = to_json_text(state_);
  record_fleets();
  if (to_json_text(state_) != before) save();
}

void Supervisor::shutdown() {
  std::lock_guard fleets_lock(fleets_mu_);
  std::lock_guard lock(mu_);
  if (stopped_) return;
  stopped_ = true;
  state_.phase = "stopping";
  save();
  for (auto& [region, fleet] : fleets_) fleet->stop_all();
  record_fleets();
  replicator_stop_ = true;
  if (replicator_thread_.joinable()) replicator_thread_.join();
  if (auto it = proxies_.find(kFrontDoorName); it != proxies_.end()) (void)it->second.stop();
  for (auto& [name, proxy] : proxies_) (void)proxy.stop();
  for (auto& [name, ddb] : dynamodbs_) (void)ddb.stop();
  if (etcd_) etcd_->stop();
  // Clean shutdowns, all at once: each flushes its own InnoDB.
  std::vector<std::thread> stops;
  for (auto& [name, db] : databases_) stops.emplace_back([&db] { (void)db->stop(); });
  for (auto& t : stops) t.join();
  for (auto& c : state_.components) c.pid = {};
  state_.phase = "stopped";
  save();
}

}  // namespace dr::lab
