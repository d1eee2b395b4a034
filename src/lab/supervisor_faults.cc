// The faults behind `drctl lab kill` and `restore`: kills of components, AZs and regions, and
// the restore that brings them back with one writer.
#include "lab/supervisor.h"

#include <algorithm>
#include <fstream>

#include "lab/supervisor_internal.h"
#include "lab/wait.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

Result<void> Supervisor::kill_component(const std::string& name, std::vector<std::string>& done) {
  auto* rec = state_.find(name);
  if (rec == nullptr) return fail(ErrorKind::kNotFound, "no component '" + name + "'");
  if (rec->kind == "app") {
    if (auto k = fleets_.at(rec->region)->kill_instance(name); !k) return k;
    done.push_back(name + ": killed (pid " + std::to_string(rec->pid.pid) +
                   "); its fleet replaces it");
    return {};
  }
  if (rec->killed) {
    done.push_back(name + ": already killed");
    return {};
  }
  const pid_t pid = rec->pid.pid;
  Result<void> k;
  if (rec->kind == "mariadb") {
    k = databases_.at(name)->crash();
  } else if (rec->kind == "dynamodb") {
    k = dynamodbs_.at(name).kill();
  } else if (rec->kind == "etcd") {
    k = etcd_ ? etcd_->kill_member(name) : fail(ErrorKind::kNotFound, "no etcd cluster");
  } else if (rec->kind == "replicator") {
    replicator_paused_ = true;
  } else {
    k = proxies_.at(name).kill();
  }
  if (!k) return k;
  rec->killed = true;
  rec->pid = {};
  done.push_back(name + ": killed" + (pid ? " (pid " + std::to_string(pid) + ")" : "") +
                 "; stays down until restore");
  return {};
}

// Both locks, fleets_mu_ first: a kill of a region or AZ changes what the fleets may do, and a
// reconcile must see all of it or none of it (tick()).
Result<json> Supervisor::kill(const std::string& scope, const std::string& name) {
  std::lock_guard fleets_lock(fleets_mu_);
  std::lock_guard lock(mu_);
  std::vector<std::string> done;
  if (scope == "component") {
    if (auto k = kill_component(name, done); !k) return std::unexpected(k.error());
  } else if (scope == "az") {
    bool known = false;
    for (const auto& f : default_topology().fleets) {
      for (const auto& az : f.azs) known = known || az == name;
    }
    if (!known)
      return fail(ErrorKind::kNotFound,
                  "no AZ '" + name + "' (us-east-1a, us-east-1b, us-west-2a, us-west-2b)");
    state_.killed_azs.insert(name);
    for (const auto& d : default_topology().databases) {
      if (d.az == name) {
        if (auto k = kill_component(d.name, done); !k) return std::unexpected(k.error());
      }
    }
    for (auto& [region, fleet] : fleets_) {
      for (const auto& r : fleet->records()) {
        if (r.az == name) done.push_back(r.name + ": killed with its AZ");
      }
      fleet->kill_az(name);
    }
  } else if (scope == "region") {
    if (!known_region(name))
      return fail(ErrorKind::kNotFound, "no region '" + name + "' (us-east-1, us-west-2)");
    state_.killed_regions.insert(name);
    if (fleets_.contains(name)) {
      for (const auto& r : fleets_.at(name)->records())
        done.push_back(r.name + ": killed with its region");
      fleets_.at(name)->kill_all();
    }
    std::vector<std::string> names;
    for (const auto& c : state_.components) {
      if (c.region == name && c.kind != "app") names.push_back(c.name);
    }
    for (const auto& n : names) {
      if (auto k = kill_component(n, done); !k) return std::unexpected(k.error());
    }
  } else {
    return fail(ErrorKind::kConfig, "scope must be region, az or component, not '" + scope + "'");
  }
  record_fleets();
  save();
  for (const auto& d : done) log_line("kill: " + d);
  return json{{"killed", done}};
}

Result<void> Supervisor::restart_database(const std::string& name, const std::string& writer,
                                          std::vector<std::string>& done) {
  auto& db = *databases_.at(name);
  if (auto s = db.start(); !s) {
    return fail(s.error().kind, name + ": restart: " + s.error().message + " (see " +
                                    db.paths().log.string() + ")");
  }
  auto* rec = state_.find(name);
  rec->killed = false;
  rec->pid = {db.pid(), process_start_time(db.pid()).value_or(0)};
  rec->port = db.port();
  save();
  // It boots read-only: fenced until we know it is still the writer.
  std::string how;
  if (name == writer) {
    // Nobody took over while it was down: it is still the writer.
    const std::string region = database_spec(name)->region;
    const bool semi = std::ranges::any_of(default_topology().databases, [&](const auto& d) {
      return d.name != name && d.region == region;
    });
    if (auto p = db.promote(semi); !p)
      return fail(p.error().kind, name + ": promote: " + p.error().message);
    how = "the writer again";
  } else {
    const bool semi = database_spec(writer)->region == database_spec(name)->region;
    auto r = db.rejoin_as_replica_of(*databases_.at(writer), semi);
    if (!r) {
      rec->role = "fenced (read-only): " + r.error().message;
      return fail(r.error().kind,
                  name + ": restarted but left read-only, not re-attached to " + writer + ": " +
                      r.error().message +
                      (r.error().kind == ErrorKind::kRefused
                           ? " (`drctl lab restore --rebuild` rebuilds it from " + writer + ")"
                           : ""));
    }
    // Configured is not replicating: the server's own refusal (say, 1236 "slave has diverged",
    // which an errant check cannot always foresee) must reach the operator.
    if (auto healthy = db.wait_replicating(writer, 10s, &clock_); !healthy) {
      auto s = db.replica_status();
      const std::string why = s ? s->last_error() : s.error().message;
      rec->role = "replication broken: " + (why.empty() ? healthy.error().message : why);
      return fail(ErrorKind::kDatabase,
                  name + ": restarted read-only, but " + healthy.error().message);
    }
    how = std::string(semi ? "semi-sync" : "async") + " replica of " + writer;
  }
  // The port may have moved: endpoints that point here follow it.
  for (auto& [region, roles] : state_.endpoints) {
    for (auto& [role, target] : roles) {
      const std::string endpoint = role + "-" + region;
      if (target == name && !state_.find(endpoint)->killed) {
        (void)proxies_.at(endpoint).runtime().set_server_address(role, "db", db.address(),
                                                                 db.port());
      }
    }
  }
  rec->role = how == "the writer again" ? "writer" : how;
  done.push_back(name + ": restarted (pid " + std::to_string(db.pid()) + "), " + how);
  return {};
}

std::string Supervisor::establish_writer(std::vector<std::string>& done,
                                         std::vector<std::string>& errors) {
  std::vector<std::string> writable;
  for (auto& [name, db] : databases_) {
    const auto* rec = state_.find(name);
    if (rec == nullptr || rec->killed || !db->running()) continue;
    auto status = db->replica_status();
    if (!status || status->configured) continue;
    auto ro = db->read_only();
    if (ro && !*ro) writable.push_back(name);
  }
  std::string writer = writer_;
  if (writable.size() == 1) {
    writer = writable.front();
  } else if (!writable.empty() && std::ranges::find(writable, writer_) == writable.end()) {
    // Several writers and none of them the recorded one: the controller's region's endpoint
    // names the one the runbook promoted last.
    const std::string named = state_.endpoints[kSecondaryRegion]["writer"];
    writer = std::ranges::find(writable, named) != writable.end() ? named : writable.front();
  }
  for (const auto& other : writable) {
    if (other == writer) continue;
    const std::string why = ": it was writable while " + writer + " holds the write role";
    if (auto f = databases_.at(other)->set_read_only(true); !f) {
      errors.push_back(other + ": could not be fenced (" + f.error().message + ")" + why);
    } else {
      done.push_back(other + ": fenced (read-only)" + why);
    }
  }
  const auto* rec = state_.find(writer);
  if (writable.empty() && rec != nullptr && !rec->killed && databases_.at(writer)->running()) {
    // Running but not writable: a promotion that failed, or a runbook between its fence and its
    // promote. Promoting here could race that runbook: say so, and leave the choice to the
    // operator.
    errors.push_back("no server takes writes: " + writer +
                     " (the recorded writer) runs read-only; if no failover is under way, run "
                     "`drctl lab restore` again after fixing it, or `drctl failover`");
  }
  if (writer != writer_) {
    done.push_back(writer + " holds the write role (was recorded: " + writer_ + ")");
    writer_ = writer;
  }
  return writer;
}

Result<void> Supervisor::rebuild_database(const std::string& name, const std::string& writer,
                                          std::vector<std::string>& done) {
  auto& old = *databases_.at(name);
  MariaDbConfig config = old.config();
  const MariaDbPaths paths = old.paths();
  if (auto s = old.stop(); !s) return fail(s.error().kind, name + ": stop: " + s.error().message);
  // The marker first: an interrupted rebuild starts over at the next `up`, never resumes a
  // partial copy.
  {
    std::ofstream out(paths.dir / kRebuildMarker);
    out << "rebuilding from " << writer << "\n";
    if (!out)
      return fail(ErrorKind::kSystem, "cannot write " + (paths.dir / kRebuildMarker).string());
  }
  std::error_code ec;
  fs::remove_all(paths.datadir, ec);
  fs::remove(paths.dir / "users-created", ec);
  databases_.erase(name);
  auto fresh = MariaDbInstance::create(std::move(config));
  if (!fresh) return fail(fresh.error().kind, name + ": re-create: " + fresh.error().message);
  auto& db =
      *databases_.emplace(name, std::make_shared<MariaDbInstance>(std::move(*fresh))).first->second;
  if (auto s = db.start(); !s)
    return fail(s.error().kind,
                name + ": start: " + s.error().message + " (see " + db.paths().log.string() + ")");
  auto* rec = state_.find(name);
  rec->killed = false;
  rec->pid = {db.pid(), process_start_time(db.pid()).value_or(0)};
  rec->port = db.port();
  save();
  const bool semi = database_spec(writer)->region == database_spec(name)->region;
  if (auto c = db.clone_from(*databases_.at(writer), semi); !c)
    return fail(c.error().kind, name + ": rebuild from " + writer + ": " + c.error().message);
  fs::remove(paths.dir / kRebuildMarker, ec);
  const std::string how = std::string(semi ? "semi-sync" : "async") + " replica of " + writer;
  rec->role = how;
  done.push_back(name + ": rebuilt from a copy of " + writer + "'s data (its own divergent " +
                 "history discarded), " + how);
  return {};
}

// Both locks for its whole length: it restarts servers and the ALBs (whose fleets re-register).
Result<json> Supervisor::restore(bool rebuild) {
  std::lock_guard fleets_lock(fleets_mu_);
  std::lock_guard lock(mu_);
  std::vector<std::string> done;
  std::vector<std::string> errors;
  auto killed = [&](const std::string& n) {
    const auto* r = state_.find(n);
    return r != nullptr && r->killed;
  };
  // Who writes now comes from the servers, not from an endpoint: a runbook that could not move
  // a killed endpoint left it on the old writer, and promoting that one again split the brain.
  const std::string writer = establish_writer(done, errors);
  // Databases: the writer first, so the replicas have a primary to re-attach to.
  std::vector<std::string> dbs;
  if (killed(writer)) dbs.push_back(writer);
  for (const auto& d : default_topology().databases) {
    if (d.name != writer && killed(d.name)) dbs.push_back(d.name);
  }
  for (const auto& n : dbs) {
    if (auto r = restart_database(n, writer, done); !r) {
      if (r.error().kind != ErrorKind::kRefused || !rebuild) errors.push_back(r.error().message);
    }
  }
  // Every other server must follow the writer and hold nothing the writer lacks: one left
  // read-only by an earlier refusal (this restore's or a previous one's) rejoins now, and one that
  // replicates but holds errant GTIDs (a write that reached it after the failover) is a fork
  // waiting to break: reported, or rebuilt when asked.
  for (const auto& d : default_topology().databases) {
    if (d.name == writer || killed(d.name) || !databases_.at(d.name)->running()) continue;
    if (std::ranges::any_of(errors,
                            [&](const std::string& e) { return e.starts_with(d.name + ": "); }))
      continue;  // already reported by its restart
    auto& db = *databases_.at(d.name);
    const auto& w = *databases_.at(writer);
    auto errant = db.errant_gtids_against(w);
    if (!errant) {
      errors.push_back(d.name + ": cannot compare its GTIDs with " + writer + ": " +
                       errant.error().message);
      continue;
    }
    if (!errant->empty()) {
      if (rebuild) {
        if (auto b = rebuild_database(d.name, writer, done); !b)
          errors.push_back(b.error().message);
      } else {
        errors.push_back(d.name + ": holds transactions " + to_string(*errant) + " that " + writer +
                         " lacks (errant GTIDs); left as it is (`drctl lab restore --rebuild` "
                         "rebuilds it from " +
                         writer + ")");
      }
      continue;
    }
    auto s = db.replica_status();
    if (s && s->configured && s->master_host == w.address() && s->master_port == w.port()) continue;
    const bool semi = database_spec(writer)->region == d.region;
    if (auto r = db.make_replica_of(w, semi); !r) {
      errors.push_back(d.name + ": not re-attached to " + writer + ": " + r.error().message);
      continue;
    }
    state_.find(d.name)->role = std::string(semi ? "semi-sync" : "async") + " replica of " + writer;
    done.push_back(d.name + ": rejoined " + writer);
  }
  reconcile_endpoints(writer, done, errors);
  for (const auto& region : default_topology().regions) {
    const std::string n = dynamodb_name(region);
    if (!killed(n)) continue;
    auto* rec = state_.find(n);
    DynamoDbLocalOptions o;
    o.name = n;
    o.port = rec->port;  // the apps keep their endpoint
    o.on_spawn = pid_recorder(n);
    auto started = DynamoDbLocal::start(options_.dir, o);
    if (!started) {
      errors.push_back(n + ": restart: " + started.error().message);
      continue;
    }
    rec->killed = false;
    rec->pid = {started->pid(), process_start_time(started->pid()).value_or(0)};
    dynamodbs_.erase(n);
    dynamodbs_.emplace(n, std::move(*started));
    if (auto p = prepare_sessions(region); !p) {
      errors.push_back(p.error().message);
      continue;
    }
    // Fresh replicators read the other region's stream from its start: the empty table is
    // refilled from there (last writer wins keeps anything newer).
    rebuild_replicators();
    done.push_back(n + ": restarted empty (in memory); refilled from the other region's stream");
  }
  if (etcd_) {
    for (auto& m : etcd_->members()) {
      if (!killed(m.name)) continue;
      auto pid = etcd_->restart_member(m.name);
      if (!pid) {
        errors.push_back(m.name + ": restart: " + pid.error().message);
        continue;
      }
      auto* rec = state_.find(m.name);
      rec->killed = false;
      rec->pid = *pid;
      done.push_back(m.name + ": restarted; it rejoins the lease's quorum");
    }
    // Leadership back on the third site (etcd_cluster.h: why), wherever an outage or a cut
    // left it.
    const std::string global = "etcd-" + std::string(site_name(Site::kGlobal));
    if (etcd_->leader() != global) {
      if (auto moved = etcd_->move_leader_to(Site::kGlobal); moved)
        done.push_back(global + ": leads the lease's quorum again");
      else
        errors.push_back("etcd: " + moved.error().message);
    }
  }
  std::vector<std::string> proxies;
  for (const auto& region : default_topology().regions) {
    for (const auto& n :
         {writer_endpoint_name(region), reader_endpoint_name(region), alb_name(region)})
      proxies.push_back(n);
  }
  proxies.push_back(kFrontDoorName);
  for (const auto& n : proxies) {
    if (!killed(n)) continue;
    std::vector<std::string> lines;
    if (auto s = start_proxy(n, [&](const std::string& line) { lines.push_back(line); }); !s) {
      errors.push_back(s.error().message);
      continue;
    }
    state_.find(n)->killed = false;
    auto [what, region] = split_regional(n);
    if (what == "alb" && fleets_.contains(region)) fleets_.at(region)->forget_registrations();
    if (n == kFrontDoorName) (void)apply_front_door_override();
    done.push_back(n + ": restarted (pid " + std::to_string(state_.find(n)->pid.pid) + ")");
  }
  if (killed(kReplicatorName)) {
    replicator_paused_ = false;
    state_.find(kReplicatorName)->killed = false;
    done.push_back(std::string(kReplicatorName) + ": resumed");
  }
  for (const auto& r : state_.killed_regions)
    done.push_back("region " + r + ": its fleet may launch again");
  for (const auto& a : state_.killed_azs)
    done.push_back("AZ " + a + ": its fleet may launch there again");
  state_.killed_regions.clear();
  state_.killed_azs.clear();
  record_fleets();
  save();
  for (const auto& d : done) log_line("restore: " + d);
  for (const auto& e : errors) log_line("restore failed: " + e);
  return json{{"restored", done}, {"errors", errors}};
}

}  // namespace dr::lab
