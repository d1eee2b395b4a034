// The proxies: each HAProxy's config, its start, and the proxy plan (lab/proxy_plan.h) applied
// through HAProxy's runtime API: endpoint repoints and the front door's override.
#include "lab/supervisor.h"

#include "lab/proxy_plan.h"
#include "lab/supervisor_internal.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

Result<HaproxyConfig> Supervisor::proxy_config(const std::string& name) const {
  const auto* existing = state_.find(name);
  const std::uint16_t port = existing != nullptr ? existing->port : 0;
  HaproxyConfig config;
  ProxyListener l;
  std::optional<ProxyListener> health;
  l.bind_port = port;
  if (name == kFrontDoorName) {
    auto address = lab_address(Site::kGlobal, Component::kFrontDoor);
    if (!address) return std::unexpected(address.error());
    l.name = "front_door";
    l.bind_address = *address;
    l.mode = ProxyMode::kHttp;
    // Route 53's failover check: the deep health of the region (writer, DynamoDB, not fenced,
    // holding the write lease). Every 250 ms, up after one success: the standby region's deep
    // health fails until the lease moves to it, and with two successes at 500 ms the front door
    // took ~1.2 s after the promotion to send it traffic (a region outage's RTO under the lease).
    l.health = HealthCheck{"/health/deep", 200, 250ms, 2, 1, /*observe_layer4=*/true};
    for (const auto& region : default_topology().regions) {
      const auto* alb = state_.find(alb_name(region));
      if (alb == nullptr) return fail(ErrorKind::kConfig, "front door before " + alb_name(region));
      ProxyServer s;
      s.name = region;
      s.address = alb->address;
      s.port = alb->port;
      // The check goes to the ALB's health listener (the apps' admin ports): load on the apps'
      // traffic ports must not move the front door.
      s.check_port = proxies_.at(alb_name(region)).port_of(kAlbHealthListener);
      s.backup = region != kPrimaryRegion;
      l.servers.push_back(s);
    }
  } else {
    auto [what, region] = split_regional(name);
    const Site site = site_of(region);
    if (what == "alb") {
      auto address = lab_address(site, Component::kAlb);
      if (!address) return std::unexpected(address.error());
      l.name = "alb";
      l.bind_address = *address;
      l.mode = ProxyMode::kHttp;
      // The target group check: the shallow /health, so a database outage does not take every
      // instance out of the ALB.
      l.health = HealthCheck{"/health", 200, 500ms, 2, 1, /*observe_layer4=*/true};
      for (int slot = 1; slot <= kAlbSlots; ++slot) {
        auto app = lab_address(site, Component::kApp, static_cast<unsigned>(slot - 1));
        if (!app) return std::unexpected(app.error());
        ProxyServer s;
        s.name = "app" + std::to_string(slot);
        s.address = *app;
        s.port = 1;  // a placeholder: the fleet sets the real port when it registers an instance
        s.maint = true;
        l.servers.push_back(s);
      }
      // The admin routes and /metrics are the apps' admin listener's, never the public's (the
      // apps answer 404 for them on their traffic port too).
      l.extra_lines.push_back(
          "http-request deny deny_status 404 if { path_beg /admin/ } || { path /metrics }");
      // The health listener: the same slots on the apps' admin ports, health paths only. The
      // fleet registers each instance in both.
      ProxyListener h = l;
      h.name = kAlbHealthListener;
      h.bind_port = proxies_.contains(name) ? proxies_.at(name).port_of(kAlbHealthListener) : 0;
      h.extra_lines = {
          "http-request deny deny_status 404 unless { path /health } || { path /health/deep }"};
      health = std::move(h);
    } else if (what == "writer" || what == "reader") {
      auto address = lab_address(
          site, what == "writer" ? Component::kWriterEndpoint : Component::kReaderEndpoint);
      if (!address) return std::unexpected(address.error());
      l.name = what;
      l.bind_address = *address;
      // An endpoint follows the writer across regions: its connections must carry its region's
      // address, or a partition would not cut them (docs/partitions.md).
      l.source_address = *address;
      l.mode = ProxyMode::kTcp;
      l.health = HealthCheck{"", 200, 500ms, 2, 1, false};
      const std::string target = state_.endpoints.at(region).at(what);
      const auto& db = *databases_.at(target);
      l.servers.push_back({"db", db.address(), db.port(), false, true, false});
    } else {
      return fail(ErrorKind::kNotFound, "no proxy named " + name);
    }
  }
  config.listeners.push_back(std::move(l));
  if (health) config.listeners.push_back(std::move(*health));  // after the main one (its record)
  return config;
}

Result<void> Supervisor::start_proxy(const std::string& name, const Progress& progress) {
  auto config = proxy_config(name);
  if (!config) return fail(config.error().kind, name + ": " + config.error().message);
  HaproxyOptions o;
  o.name = name;
  o.root_dir = options_.dir;
  o.on_spawn = pid_recorder(name);
  auto started = HaproxyInstance::start(o, std::move(*config));
  if (!started) {
    return fail(started.error().kind, name + ": " + started.error().message + " (see " +
                                          (options_.dir / name).string() + "/)");
  }
  const ProxyListener& l = started->config().listeners.front();
  auto [what, region] = split_regional(name);
  ComponentRecord r;
  r.name = name;
  r.region = name == kFrontDoorName ? kGlobal : region;
  r.kind = name == kFrontDoorName ? "front-door" : what == "alb" ? "alb" : "endpoint";
  r.role = name == kFrontDoorName ? "failover routing"
           : what == "alb"        ? "load balancer"
                                  : what + " endpoint -> " + state_.endpoints.at(region).at(what);
  r.address = l.bind_address;
  r.port = l.bind_port;
  r.pid = {started->pid(), 0};
  r.log = started->log_file().string();
  if (name == kFrontDoorName) state_.front_door_url = "http://" + host_port(r.address, r.port);
  if (what == "alb") state_.alb_urls[region] = "http://" + host_port(r.address, r.port);
  proxies_.erase(name);
  proxies_.emplace(name, std::move(*started));
  progress(name + "  ready  " + host_port(r.address, r.port) + " " + r.role + " (pid " +
           std::to_string(r.pid.pid) + ")");
  record(std::move(r));
  return {};
}

// Needs mu_ held: the public repoint() (supervisor_control.cc) and a restore's reconcile both
// come here.
Result<json> Supervisor::repoint_locked(const std::string& region, const std::string& role,
                                        const std::string& database) {
  if (!known_region(region)) return fail(ErrorKind::kNotFound, "no region '" + region + "'");
  if (role != "writer" && role != "reader")
    return fail(ErrorKind::kConfig, "role must be writer or reader, not '" + role + "'");
  if (!databases_.contains(database))
    return fail(ErrorKind::kNotFound, "no database '" + database + "'");
  const std::string name = role + "-" + region;
  auto* rec = state_.find(name);
  if (rec == nullptr || !proxies_.contains(name))
    return fail(ErrorKind::kNotFound, name + " is not running yet");
  if (rec->killed) return fail(ErrorKind::kRefused, name + " is killed; restore it first");
  auto runtime = proxies_.at(name).runtime();
  const auto& db = *databases_.at(database);
  if (auto s = runtime.set_server_address(role, "db", db.address(), db.port()); !s)
    return std::unexpected(s.error());
  // Nothing may keep writing to the old target through connections opened before.
  if (auto s = runtime.shutdown_sessions(role, "db"); !s) return std::unexpected(s.error());
  const std::string previous = state_.endpoints[region][role];
  state_.endpoints[region][role] = database;
  rec->role = role + " endpoint -> " + database;
  // Whoever moves a writer endpoint (the controller, after promoting) names the writer: recorded,
  // so that a restore or the next `up` knows it even if another endpoint could not be moved.
  if (role == "writer") writer_ = database;
  save();
  log_line(name + ": repointed from " + previous + " to " + database);
  return json{{"endpoint", name},
              {"previous", previous},
              {"database", database},
              {"address", host_port(db.address(), db.port())}};
}

// Needs mu_ held.
Result<void> Supervisor::apply_front_door_override() {
  auto it = proxies_.find(kFrontDoorName);
  if (it == proxies_.end()) return fail(ErrorKind::kNotFound, "no front door");
  auto runtime = it->second.runtime();
  for (const auto& server : plan_front_door(state_.front_door_override, default_topology())) {
    if (auto s = runtime.set_server_state(
            "front_door", server.region,
            server.ready ? ServerAdminState::kReady : ServerAdminState::kMaint);
        !s) {
      return s;
    }
  }
  return {};
}

// Needs mu_ held. Asks the servers who follows the writer (the plan's only I/O-bound input),
// then applies the plan.
void Supervisor::reconcile_endpoints(const std::string& writer, std::vector<std::string>& done,
                                     std::vector<std::string>& errors) {
  ProxyPlanInput input;
  input.writer = writer;
  input.endpoints = state_.endpoints;
  const auto& w = *databases_.at(writer);
  for (auto& [name, db] : databases_) {
    const auto* rec = state_.find(name);
    if (name == writer || rec == nullptr || rec->killed || !db->running()) continue;
    auto s = db->replica_status();
    if (s && s->configured && s->healthy() && s->master_host == w.address() &&
        s->master_port == w.port())
      input.followers.insert(name);
  }
  for (const auto& c : state_.components) {
    if (c.kind == "endpoint" && c.killed) input.killed_endpoints.insert(c.name);
  }
  for (const auto& move : plan_endpoints(input, default_topology())) {
    if (move.killed) {
      // Restarted by the restore from the reconciled record.
      state_.endpoints[move.region][move.role] = move.to;
      done.push_back(move.endpoint + ": will point at " + move.to + " (was " + move.from + ")");
      continue;
    }
    if (auto r = repoint_locked(move.region, move.role, move.to); !r) {
      errors.push_back(move.endpoint + ": could not point it at " + move.to + ": " +
                       r.error().message);
    } else {
      done.push_back(move.endpoint + ": repointed from " + move.from + " to " + move.to);
    }
  }
}

}  // namespace dr::lab
