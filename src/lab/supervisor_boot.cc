// The supervisor's boot: the start order of the servers (databases and DynamoDB Local, proxies,
// replicator, write lease, fleets, front door), and the resume of a recorded topology.
#include "lab/supervisor.h"

#include <algorithm>
#include <fstream>
#include <set>

#include "lab/guard_epoch.h"
#include "lab/net.h"
#include "lab/ports.h"
#include "lab/supervisor_internal.h"
#include "lab/wait.h"
#include "lease/etcd_store.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

namespace {

Result<std::string> load_or_create_token(const fs::path& path) {
  {
    std::ifstream in(path);
    std::string token;
    if (in >> token && !token.empty()) return token;
  }
  auto token = random_password(32);
  if (!token) return token;
  // 0600 from its first byte: written and chmod-ed after, it was readable by others in between.
  if (auto created = create_private_file_once(path, *token + "\n"); !created)
    return std::unexpected(created.error());
  std::ifstream in(path);
  std::string winner;
  if (!(in >> winner) || winner.empty())
    return fail(ErrorKind::kSystem, "cannot read " + path.string());
  return winner;
}

}  // namespace

Result<void> Supervisor::load_recorded_topology_into_state() {
  auto recorded = load_recorded_topology(options_.dir);
  if (!recorded) {
    if (recorded.error().kind == ErrorKind::kNotFound) return {};
    return fail(ErrorKind::kConfig,
                recorded.error().message + "; fix it (it names the database that holds the write " +
                    "role), or start afresh with `drctl lab down --purge --dir " +
                    options_.dir.string() + "`");
  }
  const std::string where = topology_file(options_.dir).string() + ": ";
  if (database_spec(recorded->writer) == nullptr)
    return fail(ErrorKind::kConfig, where + "no database '" + recorded->writer + "'");
  for (const auto& [region, roles] : recorded->endpoints) {
    if (!known_region(region))
      return fail(ErrorKind::kConfig, where + "no region '" + region + "'");
    for (const auto& [role, target] : roles) {
      if ((role != "writer" && role != "reader") || database_spec(target) == nullptr)
        return fail(ErrorKind::kConfig,
                    where + "endpoint " + role + "-" + region + " -> '" + target + "'");
      state_.endpoints[region][role] = target;
    }
  }
  for (const auto& [region, capacity] : recorded->fleets) {
    if (!known_region(region) || capacity.max > kAlbSlots)
      return fail(ErrorKind::kConfig, where + "fleet " + region + " (at most " +
                                          std::to_string(kAlbSlots) + " instances)");
    state_.fleets[region] = capacity;
  }
  if (recorded->front_door_override && !known_region(*recorded->front_door_override))
    return fail(ErrorKind::kConfig,
                where + "front door override '" + *recorded->front_door_override + "'");
  state_.front_door_override = recorded->front_door_override;
  for (const auto& region : recorded->fenced_regions) {
    if (!known_region(region))
      return fail(ErrorKind::kConfig, where + "fenced region '" + region + "'");
  }
  state_.fenced_regions = recorded->fenced_regions;
  writer_ = recorded->writer;
  // A writer endpoint the runbook could not move (its proxy was killed) may still name the old
  // writer in the record: every writer endpoint serves the writer.
  for (const auto& region : default_topology().regions)
    state_.endpoints[region]["writer"] = writer_;
  resuming_ = true;
  saved_topology_ = to_json_text(*recorded);
  return {};
}

// ---- Start ----

// Both locks for the whole boot: nothing else runs before it is done (the control API starts
// after it), and its spawns record their PIDs under mu_ (pid_recorder()).
Result<void> Supervisor::start(const Progress& progress) {
  std::lock_guard fleets_lock(fleets_mu_);
  std::lock_guard lock(mu_);
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  state_.phase = "starting";
  for (const auto& f : default_topology().fleets)
    state_.fleets[f.region] = {f.min, f.desired, f.max};
  for (const auto& region : default_topology().regions) {
    state_.endpoints[region] = {{"writer", default_topology().writer_of(region)},
                                {"reader", default_topology().reader_of(region)}};
  }
  writer_ = default_topology().writer_of(kPrimaryRegion);
  // After a failover and `down` (data kept), the data is in the topology the failover left:
  // resume it, or say why not. Making a1 the writer again would fork the history.
  if (auto r = load_recorded_topology_into_state(); !r) return r;
  if (resuming_ &&
      (writer_ != default_topology().writer_of(kPrimaryRegion) || state_.front_door_override)) {
    progress("topology  resumed  " + writer_ + " the writer (recorded in " +
             topology_file(options_.dir).string() + ")");
  }
  save();
  auto token = load_or_create_token(options_.dir / "admin-token");
  if (!token) return fail(token.error().kind, "admin token: " + token.error().message);
  admin_token_ = *token;

  // DynamoDB Local is the slowest to boot (~2 s of JVM): start both while the databases boot.
  std::map<std::string, Result<DynamoDbLocal>> booted;
  std::vector<std::thread> boots;
  std::mutex booted_mu;
  for (const auto& region : default_topology().regions) {
    boots.emplace_back([&, region] {
      DynamoDbLocalOptions o;
      o.name = dynamodb_name(region);
      auto started = DynamoDbLocal::start(options_.dir, o);
      std::lock_guard l(booted_mu);
      booted.emplace(region, std::move(started));
    });
  }
  auto databases = start_databases(progress);
  for (auto& t : boots) t.join();
  for (auto& [region, started] : booted) {
    const std::string name = dynamodb_name(region);
    if (!started) {
      return fail(started.error().kind, name + ": " + started.error().message + " (see " +
                                            (options_.dir / name).string() + "/)");
    }
    auto address = lab_address(site_of(region), Component::kDynamoDb);
    record({name,
            "dynamodb",
            region,
            "",
            "sessions table",
            address.value_or("127.0.0.1"),
            started->port(),
            {started->pid(), 0},
            started->log_file().string(),
            false});
    dynamodbs_.emplace(name, std::move(*started));
  }
  if (!databases) return databases;
  topology_established_ = true;
  save();
  for (const auto& region : default_topology().regions) {
    if (auto p = prepare_sessions(region); !p) return p;
    const auto* r = state_.find(dynamodb_name(region));
    progress(dynamodb_name(region) + "  ready  " + host_port(r->address, r->port) + " (table " +
             kSessionsTable + ", pid " + std::to_string(r->pid.pid) + ")");
  }
  for (const auto& region : default_topology().regions) {
    for (const auto& name :
         {writer_endpoint_name(region), reader_endpoint_name(region), alb_name(region)}) {
      if (auto p = start_proxy(name, progress); !p) return p;
    }
  }
  if (auto p = start_proxy(kFrontDoorName, progress); !p) return p;
  if (state_.front_door_override) {
    if (auto a = apply_front_door_override(); !a)
      return fail(a.error().kind, std::string(kFrontDoorName) + ": resume the override to " +
                                      *state_.front_door_override + ": " + a.error().message);
  }
  start_replicator();
  progress(std::string(kReplicatorName) + "  running  both directions every " +
           std::to_string(options_.replicate_every.count()) + " ms");
  if (options_.lease_ttl_s > 0) {
    if (auto l = start_write_lease(progress); !l) return l;
  }
  if (auto f = start_fleets(progress); !f) return f;
  return wait_for_front_door(progress);
}

Result<void> Supervisor::start_databases(const Progress& progress) {
  auto credentials = LabCredentials::load_or_create(options_.dir);
  if (!credentials) return std::unexpected(credentials.error());
  credentials_ = *credentials;
  // A server without a datadir is new: on a fresh lab all are; resuming, it is one the operator
  // removed to rebuild it, or one whose rebuild was interrupted (its marker is still there).
  std::set<std::string> fresh;
  std::vector<MariaDbConfig> configs;
  for (const auto& spec : default_topology().databases) {
    MariaDbConfig config;
    config.name = spec.name;
    config.root_dir = options_.dir;
    auto address = lab_address(site_of(spec.region), Component::kDatabase, spec.index);
    if (!address) return std::unexpected(address.error());
    config.address = *address;
    config.server_id = spec.server_id;
    config.on_spawn = pid_recorder(spec.name);
    if (!options_.mariadb_template.empty()) config.datadir_template = options_.mariadb_template;
    const MariaDbPaths paths = MariaDbPaths::of(config);
    if (resuming_ && fs::exists(paths.dir / kRebuildMarker)) {
      std::error_code ec;
      fs::remove_all(paths.datadir, ec);
      fs::remove(paths.dir / "users-created", ec);
      progress(spec.name + "  rebuilding  its last rebuild did not finish: starting it over");
    }
    // What an interrupted clone left: a copy of the data and the admin password.
    if (std::error_code ec; fs::exists(paths.dir, ec)) {
      for (const auto& entry : fs::directory_iterator(paths.dir, ec)) {
        if (entry.path().filename().string().starts_with("clone."))
          fs::remove_all(entry.path(), ec);
      }
    }
    if (!fs::exists(paths.datadir / "mysql")) {
      fresh.insert(spec.name);
      // Marked before its datadir exists: if this `up` stops anywhere before the rebuild is
      // done, the next one sees the marker and starts over instead of taking a half-made server
      // for one with data.
      if (resuming_) {
        std::error_code ec;
        fs::create_directories(paths.dir, ec);
        std::ofstream(paths.dir / kRebuildMarker) << "rebuilding from " << writer_ << "\n";
      }
    }
    configs.push_back(std::move(config));
  }
  if (resuming_ && fresh.size() == default_topology().databases.size()) {
    // No data at all (say, the first `up` was interrupted): nothing to resume.
    progress("topology  fresh  no database has data: the recorded topology does not apply");
    resuming_ = false;
    writer_ = default_topology().writer_of(kPrimaryRegion);
    for (const auto& region : default_topology().regions) {
      state_.endpoints[region] = {{"writer", default_topology().writer_of(region)},
                                  {"reader", default_topology().reader_of(region)}};
    }
    for (const auto& f : default_topology().fleets)
      state_.fleets[f.region] = {f.min, f.desired, f.max};
    state_.front_door_override.reset();
    state_.fenced_regions.clear();
    for (const auto& config : configs) {
      std::error_code ec;
      fs::remove(MariaDbPaths::of(config).dir / kRebuildMarker, ec);
    }
  }
  if (resuming_ && fresh.contains(writer_)) {
    return fail(ErrorKind::kRefused,
                "cannot resume the recorded topology: its writer " + writer_ + " has no data (" +
                    (options_.dir / writer_ / "data").string() +
                    " is missing). Put its datadir back, or start afresh with `drctl lab down "
                    "--purge --dir " +
                    options_.dir.string() + "`");
  }
  for (auto& config : configs) {
    const std::string name = config.name;
    auto db = MariaDbInstance::create(std::move(config));
    if (!db) return fail(db.error().kind, name + ": " + db.error().message);
    databases_.emplace(name, std::make_shared<MariaDbInstance>(std::move(*db)));
  }
  for (auto& [name, instance] : databases_) {
    auto& db = *instance;
    if (auto l = db.launch(); !l) {
      return fail(l.error().kind,
                  name + ": " + l.error().message + " (see " + db.paths().log.string() + ")");
    }
    const auto* spec = database_spec(name);
    record({name,
            "mariadb",
            spec->region,
            spec->az,
            "starting",
            db.address(),
            db.port(),
            {db.pid(), 0},
            db.paths().log.string(),
            false});
  }
  for (auto& [name, instance] : databases_) {
    auto& db = *instance;
    if (auto w = db.wait_ready(); !w) {
      return fail(w.error().kind,
                  name + ": " + w.error().message + " (see " + db.paths().log.string() + ")");
    }
  }
  // The writer first, then its replicas; the database exists once a semi-sync replica can ACK.
  // The writer is a1 on a fresh lab, else the recorded one (topology.json).
  const std::string writer = writer_;
  const std::string writer_region = database_spec(writer)->region;
  auto& primary = *databases_.at(writer);
  const auto in_writer_region = [&](const DatabaseSpec& d) {
    return d.name != writer && d.region == writer_region;
  };
  const bool semi_sync_writer = std::ranges::any_of(default_topology().databases, in_writer_region);
  if (auto p = primary.promote(semi_sync_writer); !p) {
    return fail(p.error().kind, writer + ": promote: " + p.error().message);
  }
  state_.find(writer)->role = "writer";
  progress(writer + "  ready  " + host_port(primary.address(), primary.port()) + " writer (pid " +
           std::to_string(primary.pid()) + ")");
  std::vector<std::string> refused;
  std::string refused_dirs;
  for (const auto& spec : default_topology().databases) {
    if (spec.name == writer) continue;
    auto& db = *databases_.at(spec.name);
    const bool semi_sync = in_writer_region(spec);
    Result<void> r;
    if (!fresh.contains(spec.name)) {
      // A server with data may hold writes the writer never saw (an old primary's last
      // transactions before a failover cut it off): replicating would fork the history.
      r = db.rejoin_as_replica_of(primary, semi_sync);
    } else if (resuming_) {
      // The marker makes an interrupted rebuild start over instead of resuming a partial copy.
      const fs::path marker = db.paths().dir / kRebuildMarker;
      {
        std::ofstream out(marker);
        out << "rebuilding from " << writer << "\n";
        if (!out) return fail(ErrorKind::kSystem, "cannot write " + marker.string());
      }
      r = db.clone_from(primary, semi_sync);
      if (r) {
        std::error_code ec;
        fs::remove(marker, ec);
        progress(spec.name + "  rebuilt  from a copy of " + writer + "'s data");
      }
    } else {
      r = db.make_replica_of(primary, semi_sync);
    }
    if (!r && r.error().kind == ErrorKind::kRefused) {
      refused.push_back(r.error().message);
      refused_dirs += " " + (options_.dir / spec.name).string();
      continue;
    }
    if (!r) {
      return fail(r.error().kind, spec.name + ": replicate from " + writer + ": " +
                                      r.error().message + " (see " + db.paths().log.string() + ")");
    }
  }
  if (!refused.empty()) {
    std::string why;
    for (const auto& r : refused) why += (why.empty() ? "" : "; ") + r;
    return fail(ErrorKind::kRefused,
                "cannot resume the topology with " + writer + " the writer (" +
                    (resuming_ ? "recorded in " + topology_file(options_.dir).string()
                               : std::string("the default")) +
                    "): " + why + ". To keep " + writer + "'s data, rebuild from it: `rm -rf" +
                    refused_dirs + "`, then `drctl lab up --dir " + options_.dir.string() +
                    "` again (each is re-created from a copy of " + writer +
                    "); or start afresh with `drctl lab down --purge --dir " +
                    options_.dir.string() + "`");
  }
  for (const auto& spec : default_topology().databases) {
    if (spec.name == writer) continue;
    auto& db = *databases_.at(spec.name);
    // The server's own words (say, error 1236 "slave has diverged") say what to do, at once; a
    // bare timeout does not.
    if (auto connected = db.wait_replicating(writer, 15s); !connected)
      return fail(connected.error().kind, spec.name + ": " + connected.error().message + " (see " +
                                              db.paths().log.string() + ")");
  }
  auto conn = primary.connect_root();
  if (!conn) return fail(ErrorKind::kDatabase, writer + ": " + conn.error().message);
  if (auto c = conn->exec("CREATE DATABASE IF NOT EXISTS `" + primary.app_options().database + "`");
      !c) {
    return fail(ErrorKind::kDatabase, writer + ": create database: " + c.error().message);
  }
  auto positions = primary.gtid_positions();
  if (!positions) return std::unexpected(positions.error());
  for (const auto& spec : default_topology().databases) {
    if (spec.name == writer) continue;
    auto& db = *databases_.at(spec.name);
    // A replica may connect, look healthy above, and be refused a moment later (1236): said at
    // once, in the server's words, rather than after the whole wait.
    if (auto w = db.wait_caught_up(writer, positions->binlog, 15s); !w) {
      return fail(w.error().kind, spec.name + ": catching up: " + w.error().message + " (see " +
                                      db.paths().log.string() + ")");
    }
    const std::string how =
        std::string(in_writer_region(spec) ? "semi-sync" : "async") + " replica of " + writer;
    state_.find(spec.name)->role = how;
    progress(spec.name + "  ready  " + host_port(db.address(), db.port()) + " " + how + " (pid " +
             std::to_string(db.pid()) + ")");
  }
  return {};
}

Result<void> Supervisor::start_write_lease(const Progress& progress) {
  EtcdClusterOptions o;
  o.on_spawn = [this](const std::string& name, const PidRecord& pid) { pid_recorder(name)(pid); };
  auto cluster = EtcdCluster::start(options_.dir, o);
  if (!cluster) {
    if (cluster.error().kind == ErrorKind::kNotFound)
      return fail(ErrorKind::kNotFound,
                  "write lease: etcd is not installed (Debian: etcd-server; "
                  "scripts/bootstrap.sh installs it): " +
                      cluster.error().message);
    return fail(cluster.error().kind, "write lease: " + cluster.error().message);
  }
  etcd_.emplace(std::move(*cluster));
  for (auto& m : etcd_->members()) {
    record({m.name,
            "etcd",
            std::string(site_name(m.site)),
            "",
            "write lease store",
            m.address,
            m.client_port,
            {m.process.pid(), process_start_time(m.process.pid()).value_or(0)},
            m.process.log_file().string(),
            false});
  }
  if (auto moved = etcd_->move_leader_to(Site::kGlobal); !moved)
    return fail(moved.error().kind, "write lease: " + moved.error().message);
  std::vector<GuardReading> readings;
  for (const auto& [name, server] : databases_) {
    GuardReading r{name, name == writer_, std::optional<std::string>()};
    if (auto c = server->connect_root(std::chrono::seconds(5)))
      r.epoch = c->query_value("SELECT epoch FROM `" + server->app_options().database +
                               "`.dr_write_guard WHERE id = 1");
    else
      r.epoch = std::unexpected(db::Error{db::ErrorKind::kConnectFailed, 0, {}, c.error().message});
    readings.push_back(std::move(r));
  }
  auto seen = highest_guard_epoch(readings);
  if (!seen) return fail(ErrorKind::kDatabase, "write lease: " + seen.error());
  lease::Etcd etcd({etcd_->endpoints(), std::chrono::milliseconds(1000), ""});
  if (auto s = lease::seed_epoch(etcd, *seen); !s)
    return fail(ErrorKind::kProtocol, "write lease: seed the epoch: " + s.error().describe());
  const std::string region = state_.front_door_override.value_or(kPrimaryRegion);
  auto held = lease::acquire(etcd, region, std::chrono::seconds(options_.lease_ttl_s));
  state_.lease_ttl_s = options_.lease_ttl_s;
  if (!held) return fail(ErrorKind::kProtocol, "write lease: " + held.error().describe());
  std::string members;
  for (const auto& m : etcd_->members()) members += " " + m.endpoint();
  progress("etcd  ready " + members + "  write lease: " + region + " epoch " +
           std::to_string(held->epoch));
  return {};
}

Result<void> Supervisor::start_fleets(const Progress& progress) {
  for (const auto& spec : default_topology().fleets) {
    AppLaunchConfig launch;
    launch.app_binary = options_.app_binary;
    launch.dir = options_.dir / "apps";
    launch.region = spec.region;
    launch.writer = app_endpoint(spec.region, "writer");
    launch.reader = app_endpoint(spec.region, "reader");
    const auto* ddb = state_.find(dynamodb_name(spec.region));
    launch.dynamodb_endpoint = "http://" + host_port(ddb->address, ddb->port);
    launch.db_user = credentials_.app.name;
    launch.db_password = credentials_.app.password;
    launch.db_name = databases_.begin()->second->app_options().database;
    launch.admin_token = admin_token_;
    if (etcd_) {
      // Each app's own site's member first: the one it reaches when its region is cut off.
      for (const auto& m : etcd_->members())
        if (site_name(m.site) == spec.region) launch.lease_endpoints.push_back(m.endpoint());
      for (const auto& m : etcd_->members())
        if (site_name(m.site) != spec.region) launch.lease_endpoints.push_back(m.endpoint());
      // Valid for ttl - 600 ms after a confirmed round (docs/partitions.md): a 1 s TTL leaves
      // 400 ms, so it renews every 100 ms, 4 rounds of slack as 2 s at 250 ms has 5.
      launch.lease_ttl_s = options_.lease_ttl_s;
      launch.lease_renew = std::chrono::milliseconds(options_.lease_ttl_s == 1 ? 100 : 250);
    }
    fleets_[spec.region] =
        std::make_unique<Fleet>(state_.fleets.at(spec.region), spec.azs, launch,
                                proxies_.at(alb_name(spec.region)).runtime(), clock_);
    // A resumed fence holds before the first instance starts: every one launches fenced.
    if (state_.fenced_regions.contains(spec.region)) {
      if (auto f = fleets_[spec.region]->set_fenced(
              true, "fenced (resumed from " + topology_file(options_.dir).string() + ")");
          !f)
        return f;
      progress("fleet-" + spec.region + "  fenced  (resumed): its apps refuse writes");
    }
  }
  std::set<std::string> reported;
  auto all_healthy = wait_until(
      "every fleet at its desired capacity",
      [&] {
        bool done = true;
        for (auto& [region, fleet] : fleets_) {
          for (const auto& e : fleet->reconcile(state_.killed_azs, false)) log_line(e);
          const int want = fleet->capacity().desired;
          if (fleet->healthy() >= want) {
            if (reported.insert(region).second) {
              progress("fleet-" + region + "  ready  " + std::to_string(fleet->healthy()) + "/" +
                       std::to_string(want) + " healthy behind " + alb_name(region));
            }
          } else {
            done = false;
          }
        }
        record_fleets();
        return done;
      },
      {.timeout = 45s, .poll = 100ms, .clock = &clock_});
  if (!all_healthy) {
    std::string logs;
    for (auto& [region, fleet] : fleets_) {
      for (const auto& r : fleet->records()) logs += " " + r.log;
    }
    return fail(ErrorKind::kTimeout, "app fleets: " + all_healthy.error().message +
                                         " (see the instance logs:" + logs + ")");
  }
  return {};
}

Result<void> Supervisor::wait_for_front_door(const Progress& progress) {
  const auto* fd = state_.find(kFrontDoorName);
  auto runtime = proxies_.at(kFrontDoorName).runtime();
  // The primary region, unless a resumed override forces traffic elsewhere.
  const std::string active = state_.front_door_override.value_or(kPrimaryRegion);
  auto ok = wait_until("the front door sees " + active + " UP and answers /health/deep",
                       [&] {
                         // The active region's own check must be UP: a 200 may come from the
                         // backup.
                         auto primary = runtime.server("front_door", active);
                         if (!primary || !primary->up()) return false;
                         auto s =
                             http_status(fd->address, fd->port, "GET", "/health/deep", "", "", 1s);
                         return s && *s == 200;
                       },
                       {.timeout = 20s, .poll = 100ms, .clock = &clock_});
  if (!ok)
    return fail(ErrorKind::kTimeout,
                std::string(kFrontDoorName) + ": " + ok.error().message + " (see " + fd->log + ")");
  progress(std::string(kFrontDoorName) + "  serving  " + state_.front_door_url + " -> " + active +
           (state_.front_door_override ? " (override)" : ""));
  return {};
}

}  // namespace dr::lab
