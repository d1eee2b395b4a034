// The status report: what `drctl lab status`, the drills and the lab's AWS endpoint read. It is
// made in two steps so that a slow or frozen server never holds up a control operation (a
// failover's repoint must not wait for a status): under mu_ it copies the records and the
// handles of what it will probe (a database instance kept alive by its shared_ptr, an HAProxy's
// runtime socket, an address), then probes each server without any lock.
#include "lab/supervisor.h"

#include <optional>
#include <vector>

#include "lab/net.h"
#include "lab/process.h"
#include "lab/supervisor_internal.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

namespace {

struct DatabaseAddress {
  std::string name;
  std::string address;
  std::uint16_t port = 0;
};

// One component's line of the report: what the records say, and what is left to probe.
struct ComponentProbe {
  json line;
  std::string kind;
  std::shared_ptr<const MariaDbInstance> database;  // a running MariaDB
  std::optional<HaproxyRuntime> proxy;              // a running HAProxy
  std::string address;                              // DynamoDB Local, etcd: where to ask
  std::uint16_t port = 0;
};

// The role a database plays, from the server itself: replica of whom (named when it is one of
// the lab's), the writer, or fenced.
std::string database_role(const MariaDbInstance& db, const std::vector<DatabaseAddress>& databases,
                          const Result<ReplicaStatus>& s) {
  if (!s) return "unreachable";
  if (s->configured) {
    std::string primary = s->master_host + ":" + std::to_string(s->master_port);
    for (const auto& other : databases) {
      if (other.address == s->master_host && other.port == s->master_port) primary = other.name;
    }
    const auto* spec = database_spec(db.name());
    const bool semi = spec != nullptr && database_spec(primary) != nullptr &&
                      database_spec(primary)->region == spec->region;
    return std::string(semi ? "semi-sync" : "async") + " replica of " + primary;
  }
  auto ro = db.read_only();
  return ro && *ro ? "fenced (read-only)" : "writer";
}

void probe(ComponentProbe& c, const std::vector<DatabaseAddress>& databases) {
  json& j = c.line;
  if (const auto ps = c.database ? process_state(c.database->pid()) : std::nullopt;
      ps == 'T' || ps == 't') {
    // Stopped (SIGSTOP: the blip drill; 't': stopped under a debugger): it answers nothing, and
    // asking would cost the whole connect timeout (2 s; libmariadb counts whole seconds). Said at
    // once, so that a status call never waits on a frozen server: the lab's AWS endpoint answers
    // RDS and CloudWatch from it, and AWS's control plane does not stall when an instance freezes.
    j["role"] = "unreachable";
    j["stopped"] = true;
    j["healthy"] = false;
  } else if (c.database) {
    auto s = c.database->replica_status();
    j["role"] = database_role(*c.database, databases, s);
    if (s && s->configured) {
      j["healthy"] = s->healthy();
      if (s->seconds_behind) j["replication_lag_s"] = *s->seconds_behind;
      if (!s->healthy()) j["state"] = "replication broken: " + s->last_error();
    } else {
      j["healthy"] = s.has_value();
    }
  } else if (c.proxy) {
    j["healthy"] = c.proxy->servers().has_value();
  } else if (c.kind == "dynamodb" && c.port != 0) {
    j["healthy"] = http_status(c.address, c.port, "GET", "/", "", "", 1s).has_value();
  } else if (c.kind == "etcd" && c.port != 0) {
    // Healthy: it answers and is in a quorum (a member cut off from the others is not).
    j["healthy"] = EtcdCluster::healthy(host_port(c.address, c.port), 300ms);
  }
}

}  // namespace

json Supervisor::status() {
  json out;
  std::vector<ComponentProbe> components;
  std::vector<DatabaseAddress> databases;
  std::optional<HaproxyRuntime> front_door;
  {
    std::lock_guard lock(mu_);
    out["phase"] = state_.phase;
    out["control_url"] =
        state_.control_port == 0
            ? json()
            : json("http://" + host_port(state_.control_address, state_.control_port));
    out["aws_endpoint"] = {
        {"url", state_.aws_endpoint_url.empty() ? json() : json(state_.aws_endpoint_url)}};
    out["front_door"] = {
        {"url", state_.front_door_url},
        {"active_region", state_.front_door_override ? *state_.front_door_override : "none"},
        {"override", state_.front_door_override ? json(*state_.front_door_override) : json()}};
    if (auto it = proxies_.find(kFrontDoorName); it != proxies_.end()) {
      const auto* rec = state_.find(kFrontDoorName);
      if (rec != nullptr && !rec->killed) front_door = it->second.runtime();
    }
    out["regions"] = json::object();
    for (const auto& region : default_topology().regions) {
      json r;
      r["alb_url"] = state_.alb_urls.contains(region) ? state_.alb_urls.at(region) : "";
      const FleetCapacity cap = state_.fleets[region];
      const FleetView view = fleet_views_.contains(region) ? fleet_views_.at(region) : FleetView{};
      r["fleet"] = {{"min", cap.min},          {"desired", cap.desired},  {"max", cap.max},
                    {"healthy", view.healthy}, {"running", view.running}, {"fenced", view.fenced}};
      r["writer_endpoint"] = {{"address", app_endpoint(region, "writer")},
                              {"database", state_.endpoints[region]["writer"]}};
      r["reader_endpoint"] = {{"address", app_endpoint(region, "reader")},
                              {"database", state_.endpoints[region]["reader"]}};
      r["killed"] = state_.killed_regions.contains(region);
      out["regions"][region] = r;
    }
    out["killed_azs"] = state_.killed_azs;
    for (const auto& [name, db] : databases_)
      databases.push_back({name, db->address(), db->port()});
    for (const auto& c : state_.components) {
      ComponentProbe p;
      p.kind = c.kind;
      p.line = {{"name", c.name},
                {"kind", c.kind},
                {"region", c.region},
                {"az", c.az},
                {"role", c.role},
                {"address", c.port ? host_port(c.address, c.port) : c.address},
                {"pid", c.pid.pid},
                {"healthy", false},
                {"state", c.killed ? "killed" : "running"},
                {"replication_lag_s", json()},
                {"log", c.log}};
      if (!c.killed) {
        if (c.kind == "mariadb" && databases_.contains(c.name)) {
          auto& db = databases_.at(c.name);
          if (!db->running()) {
            p.line["state"] = "down";
          } else {
            p.database = db;
          }
        } else if ((c.kind == "endpoint" || c.kind == "alb" || c.kind == "front-door") &&
                   proxies_.contains(c.name)) {
          auto& proxy = proxies_.at(c.name);
          if (proxy.running()) {
            p.proxy = proxy.runtime();
          } else {
            p.line["state"] = "down";
          }
        } else if (c.kind == "dynamodb" && dynamodbs_.contains(c.name)) {
          if (dynamodbs_.at(c.name).running()) {
            p.address = c.address;
            p.port = c.port;
          } else {
            p.line["state"] = "down";
          }
        } else if (c.kind == "app") {
          // The fleet's record, as of its last reconcile (record_fleets()).
          const bool up = c.role.find("launching") == std::string::npos;
          p.line["healthy"] = up;
          if (!up) p.line["state"] = "launching";
        } else if (c.kind == "etcd") {
          auto* m = etcd_ ? etcd_->find(c.name) : nullptr;
          if (m != nullptr && m->process.running()) {
            p.address = c.address;
            p.port = c.port;
          } else {
            p.line["state"] = "down";
          }
        } else if (c.kind == "replicator") {
          p.line["healthy"] = !replicator_paused_ && !replicator_stop_;
          p.line["applied"] = replicator_applied_.load();
          p.line["errors"] = replicator_errors_.load();
        }
      }
      components.push_back(std::move(p));
    }
  }

  // ---- Probes, without a lock ----
  // The front door's own view: the primary while it is UP, else the backup; and HAProxy's
  // health check of each region's ALB ("UP", "DOWN 1/2", "MAINT" under an override): what the
  // lab's Route 53 GetHealthCheckStatus reports.
  out["front_door"]["checks"] = json::object();
  if (front_door) {
    if (auto servers = front_door->servers()) {
      if (out["front_door"]["override"].is_null()) {
        std::string active = "none";
        std::string backup_up;
        for (const auto& s : *servers) {
          if (!s.up() || s.status == "MAINT") continue;
          if (!s.backup) {
            active = s.server;
            break;
          }
          backup_up = s.server;
        }
        if (active == "none" && !backup_up.empty()) active = backup_up;
        out["front_door"]["active_region"] = active;
      }
      for (const auto& s : *servers)
        if (s.backend == "front_door") out["front_door"]["checks"][s.server] = s.status;
    }
  }
  out["components"] = json::array();
  for (auto& c : components) {
    probe(c, databases);
    out["components"].push_back(std::move(c.line));
  }
  return out;
}

}  // namespace dr::lab
