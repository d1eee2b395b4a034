#include "lab/supervisor.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/session_store.h"
#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "lab/guard_epoch.h"
#include "lab/net.h"
#include "lab/ports.h"
#include "lab/replicator.h"
#include "lab/wait.h"
#include "lease/etcd_store.h"

namespace dr::lab {
namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

struct Supervisor::RegionClients {
  explicit RegionClients(const aws::ClientConfig& config) : ddb(config), streams(config) {}
  aws::DynamoDb ddb;
  aws::DynamoDbStreams streams;
};

namespace {

const DatabaseSpec* database_spec(const std::string& name) {
  for (const auto& d : default_topology().databases) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

bool known_region(const std::string& region) {
  for (const auto& r : default_topology().regions) {
    if (r == region) return true;
  }
  return false;
}

std::string host_port(const std::string& address, std::uint16_t port) {
  return address + ":" + std::to_string(port);
}

// "writer-us-east-1" -> {"writer", "us-east-1"}; the same for reader-, alb-, dynamodb-.
std::pair<std::string, std::string> split_regional(const std::string& name) {
  for (const std::string prefix : {"writer-", "reader-", "alb-", "dynamodb-"}) {
    if (name.starts_with(prefix))
      return {prefix.substr(0, prefix.size() - 1), name.substr(prefix.size())};
  }
  return {"", ""};
}

// ISO 8601 in UTC ("2026-12-02T15:04:05Z"): the log compares with the controller's and the
// drill's without guessing the date or the zone.
std::string timestamp() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void log_line(const std::string& line) {
  std::cout << timestamp() << " " << line << std::endl;
}

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
// thread that starts the process, which holds mu_ (never from another thread: see start()).
std::function<void(const PidRecord&)> Supervisor::pid_recorder(const std::string& name) {
  return [this, name](const PidRecord& pid) {
    std::lock_guard lock(mu_);
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

// ---- Start ----

Result<void> Supervisor::start(const Progress& progress) {
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
  if (options_.write_lease) {
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
    databases_.emplace(name, std::move(*db));
  }
  for (auto& [name, db] : databases_) {
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
  for (auto& [name, db] : databases_) {
    if (auto w = db.wait_ready(); !w) {
      return fail(w.error().kind,
                  name + ": " + w.error().message + " (see " + db.paths().log.string() + ")");
    }
  }
  // The writer first, then its replicas; the database exists once a semi-sync replica can ACK.
  // The writer is a1 on a fresh lab, else the recorded one (topology.json).
  const std::string writer = writer_;
  const std::string writer_region = database_spec(writer)->region;
  auto& primary = databases_.at(writer);
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
    auto& db = databases_.at(spec.name);
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
    auto& db = databases_.at(spec.name);
    std::string last_error;
    auto connected = wait_until(spec.name + " replicates from " + writer,
                                [&] {
                                  auto s = db.replica_status();
                                  if (s && !s->last_error.empty()) last_error = s->last_error;
                                  return s && s->healthy();
                                },
                                {.timeout = 15s, .poll = 20ms});
    if (!connected) {
      // The server's own words (say, error 1236 "slave has diverged") say what to do; a bare
      // timeout does not.
      return fail(ErrorKind::kTimeout,
                  spec.name + ": " + connected.error().message +
                      (last_error.empty() ? "" : ": the server says: " + last_error) + " (see " +
                      db.paths().log.string() + ")");
    }
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
    auto& db = databases_.at(spec.name);
    if (auto w = db.wait_for_gtid(positions->binlog, 15s); !w) {
      return fail(w.error().kind, spec.name + ": catching up: " + w.error().message);
    }
    const std::string how =
        std::string(in_writer_region(spec) ? "semi-sync" : "async") + " replica of " + writer;
    state_.find(spec.name)->role = how;
    progress(spec.name + "  ready  " + host_port(db.address(), db.port()) + " " + how + " (pid " +
             std::to_string(db.pid()) + ")");
  }
  return {};
}

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
    // Route 53's failover check: the deep health of the region (writer, DynamoDB, not fenced).
    l.health = HealthCheck{"/health/deep", 200, 500ms, 2, 2, /*observe_layer4=*/true};
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
      const auto& db = databases_.at(target);
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

Result<void> Supervisor::prepare_sessions(const std::string& region) {
  const auto* r = state_.find(dynamodb_name(region));
  aws::ClientConfig config;
  config.region = region;
  config.endpoint_url = "http://" + host_port(r->address, r->port);
  config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{kLabAccessKeyId, kLabSecretAccessKey, "", {}, "lab"});
  // Shared: the replicators built on the previous clients keep those alive while they poll on
  // their thread; replacing the entry here never frees what a poll is using.
  auto clients = std::make_shared<RegionClients>(config);
  {
    std::lock_guard l(replicator_mu_);
    // The replicators of the old clients would only poll a dead DynamoDB until the caller
    // rebuilds them: drop them now.
    replicators_.clear();
    clients_[region] = clients;
  }
  app::SessionStore store(clients->ddb, kSessionsTable, region,
                          [] { return std::chrono::system_clock::now(); });
  if (auto t = store.ensure_table(); !t) {
    return fail(ErrorKind::kProtocol,
                dynamodb_name(region) + ": " + t.error() + " (see " + r->log + ")");
  }
  return {};
}

void Supervisor::rebuild_replicators() {
  std::lock_guard l(replicator_mu_);
  replicators_.clear();
  const auto& regions = default_topology().regions;
  for (const auto& source : regions) {
    for (const auto& target : regions) {
      if (source == target || !clients_.contains(source) || !clients_.contains(target)) continue;
      const auto& from = clients_.at(source);
      const auto& to = clients_.at(target);
      replicators_.push_back(std::make_unique<StreamReplicator>(
          ReplicationLink{source, target, kSessionsTable},
          std::shared_ptr<aws::DynamoDbStreams>(from, &from->streams),
          std::shared_ptr<aws::DynamoDb>(to, &to->ddb),
          [] { return std::chrono::system_clock::now(); }));
    }
  }
}

void Supervisor::start_replicator() {
  rebuild_replicators();
  state_.upsert({kReplicatorName,
                 "replicator",
                 kGlobal,
                 "",
                 "sessions, both directions",
                 lab_address(Site::kGlobal, Component::kReplicator).value_or(""),
                 0,
                 {},
                 "",
                 false});
  save();
  replicator_thread_ = std::thread([this] { replicate_loop(); });
}

void Supervisor::replicate_loop() {
  while (!replicator_stop_) {
    if (!replicator_paused_) {
      std::lock_guard l(replicator_mu_);
      for (auto& r : replicators_) {
        if (auto polled = r->poll_once(); !polled) ++replicator_errors_;
      }
      std::uint64_t applied = 0;
      for (auto& r : replicators_) applied += r->stats().applied;
      replicator_applied_ = applied;
    }
    clock_.sleep_for(options_.replicate_every);
  }
}

// The write lease's store, then the lease itself for the region traffic goes to (the front door's
// override, else the primary region), with an epoch above any the databases have seen: the
// cluster is new on every `up`, the guard rows are not.
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
    if (auto c = server.connect_root(std::chrono::seconds(5)))
      r.epoch = c->query_value("SELECT epoch FROM `" + server.app_options().database +
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
  auto held = lease::acquire(etcd, region, std::chrono::seconds(2));
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
    launch.db_name = databases_.begin()->second.app_options().database;
    launch.admin_token = admin_token_;
    if (etcd_) {
      // Each app's own site's member first: the one it reaches when its region is cut off.
      for (const auto& m : etcd_->members())
        if (site_name(m.site) == spec.region) launch.lease_endpoints.push_back(m.endpoint());
      for (const auto& m : etcd_->members())
        if (site_name(m.site) != spec.region) launch.lease_endpoints.push_back(m.endpoint());
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

void Supervisor::record_fleets() {
  std::erase_if(state_.components, [](const ComponentRecord& c) { return c.kind == "app"; });
  for (auto& [region, fleet] : fleets_) {
    for (auto& r : fleet->records()) state_.components.push_back(std::move(r));
    state_.fleets[region] = fleet->capacity();
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

void Supervisor::tick() {
  std::lock_guard lock(mu_);
  if (stopped_) return;
  const std::string before = to_json_text(state_);
  for (auto& [region, fleet] : fleets_) {
    for (const auto& e :
         fleet->reconcile(state_.killed_azs, state_.killed_regions.contains(region))) {
      log_line(e);
    }
  }
  record_fleets();
  if (to_json_text(state_) != before) save();
}

void Supervisor::shutdown() {
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
  for (auto& [name, db] : databases_) stops.emplace_back([&db] { (void)db.stop(); });
  for (auto& t : stops) t.join();
  for (auto& c : state_.components) c.pid = {};
  state_.phase = "stopped";
  save();
}

// ---- Status ----

std::string Supervisor::database_role(const std::string& name) {
  auto& db = databases_.at(name);
  auto s = db.replica_status();
  if (!s) return "unreachable";
  if (s->configured) {
    std::string primary = s->master_host + ":" + std::to_string(s->master_port);
    for (auto& [other, o] : databases_) {
      if (o.address() == s->master_host && o.port() == s->master_port) primary = other;
    }
    const auto* spec = database_spec(name);
    const bool semi = spec != nullptr && database_spec(primary) != nullptr &&
                      database_spec(primary)->region == spec->region;
    return std::string(semi ? "semi-sync" : "async") + " replica of " + primary;
  }
  auto ro = db.read_only();
  return ro && *ro ? "fenced (read-only)" : "writer";
}

json Supervisor::status() {
  std::lock_guard lock(mu_);
  json out;
  out["phase"] = state_.phase;
  out["control_url"] =
      state_.control_port == 0
          ? json()
          : json("http://" + host_port(state_.control_address, state_.control_port));
  out["aws_endpoint"] = {
      {"url", state_.aws_endpoint_url.empty() ? json() : json(state_.aws_endpoint_url)}};
  // The front door's own view: the primary while it is UP, else the backup.
  std::string active = "none";
  if (state_.front_door_override) {
    active = *state_.front_door_override;
  } else if (auto it = proxies_.find(kFrontDoorName);
             it != proxies_.end() && !state_.find(kFrontDoorName)->killed) {
    if (auto servers = it->second.runtime().servers()) {
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
    }
  }
  out["front_door"] = {
      {"url", state_.front_door_url},
      {"active_region", active},
      {"override", state_.front_door_override ? json(*state_.front_door_override) : json()}};
  // HAProxy's health check of each region's ALB ("UP", "DOWN 1/2", "MAINT" under an override):
  // what the lab's Route 53 GetHealthCheckStatus reports.
  out["front_door"]["checks"] = json::object();
  if (auto it = proxies_.find(kFrontDoorName);
      it != proxies_.end() && !state_.find(kFrontDoorName)->killed) {
    if (auto servers = it->second.runtime().servers())
      for (const auto& s : *servers)
        if (s.backend == "front_door") out["front_door"]["checks"][s.server] = s.status;
  }
  out["regions"] = json::object();
  for (const auto& region : default_topology().regions) {
    json r;
    r["alb_url"] = state_.alb_urls.contains(region) ? state_.alb_urls.at(region) : "";
    const FleetCapacity cap = state_.fleets[region];
    const Fleet* fleet = fleets_.contains(region) ? fleets_.at(region).get() : nullptr;
    r["fleet"] = {{"min", cap.min},
                  {"desired", cap.desired},
                  {"max", cap.max},
                  {"healthy", fleet ? fleet->healthy() : 0},
                  {"running", fleet ? fleet->running() : 0},
                  {"fenced", fleet ? fleet->fenced() : false}};
    r["writer_endpoint"] = {{"address", app_endpoint(region, "writer")},
                            {"database", state_.endpoints[region]["writer"]}};
    r["reader_endpoint"] = {{"address", app_endpoint(region, "reader")},
                            {"database", state_.endpoints[region]["reader"]}};
    r["killed"] = state_.killed_regions.contains(region);
    out["regions"][region] = r;
  }
  out["killed_azs"] = state_.killed_azs;
  out["components"] = json::array();
  for (const auto& c : state_.components) {
    json j = {{"name", c.name},
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
      if (c.kind == "mariadb") {
        auto& db = databases_.at(c.name);
        if (!db.running()) {
          j["state"] = "down";
        } else {
          j["role"] = database_role(c.name);
          auto s = db.replica_status();
          if (s && s->configured) {
            j["healthy"] = s->healthy();
            if (s->seconds_behind) j["replication_lag_s"] = *s->seconds_behind;
            if (!s->healthy()) j["state"] = "replication broken: " + s->last_error;
          } else {
            j["healthy"] = s.has_value();
          }
        }
      } else if (c.kind == "endpoint" || c.kind == "alb" || c.kind == "front-door") {
        auto& p = proxies_.at(c.name);
        j["healthy"] = p.running() && p.runtime().servers().has_value();
        if (!p.running()) j["state"] = "down";
      } else if (c.kind == "dynamodb") {
        auto& d = dynamodbs_.at(c.name);
        j["healthy"] =
            d.running() && http_status(c.address, c.port, "GET", "/", "", "", 1s).has_value();
        if (!d.running()) j["state"] = "down";
      } else if (c.kind == "app") {
        const Fleet* fleet = fleets_.at(c.region).get();
        bool up = false;
        for (const auto& r : fleet->records()) {
          if (r.name == c.name) up = r.role.find("launching") == std::string::npos;
        }
        j["healthy"] = up;
        if (!up) j["state"] = "launching";
      } else if (c.kind == "etcd") {
        auto* m = etcd_ ? etcd_->find(c.name) : nullptr;
        const bool up = m != nullptr && m->process.running();
        // Healthy: it answers and is in a quorum (a member cut off from the others is not).
        j["healthy"] = up && EtcdCluster::healthy(host_port(c.address, c.port), 300ms);
        if (!up) j["state"] = "down";
      } else if (c.kind == "replicator") {
        j["healthy"] = !replicator_paused_ && !replicator_stop_;
        j["applied"] = replicator_applied_.load();
        j["errors"] = replicator_errors_.load();
      }
    }
    out["components"].push_back(j);
  }
  return out;
}

// ---- Control operations ----

Result<json> Supervisor::set_fleet(const std::string& region, std::optional<int> min,
                                   std::optional<int> desired, std::optional<int> max) {
  std::lock_guard lock(mu_);
  if (!fleets_.contains(region))
    return fail(ErrorKind::kNotFound, "no fleet in region '" + region + "'");
  auto& fleet = *fleets_.at(region);
  FleetCapacity c = fleet.capacity();
  if (min) c.min = *min;
  if (desired) c.desired = *desired;
  if (max) c.max = *max;
  if (auto s = fleet.set_capacity(c); !s) return std::unexpected(s.error());
  state_.fleets[region] = c;
  save();
  log_line(region + ": capacity set to min " + std::to_string(c.min) + " desired " +
           std::to_string(c.desired) + " max " + std::to_string(c.max));
  return json{{"region", region}, {"min", c.min}, {"desired", c.desired}, {"max", c.max}};
}

Result<json> Supervisor::fence_fleet(const std::string& region, bool fenced,
                                     const std::string& reason) {
  std::lock_guard lock(mu_);
  if (!fleets_.contains(region))
    return fail(ErrorKind::kNotFound, "no fleet in region '" + region + "'");
  auto& fleet = *fleets_.at(region);
  auto told = fleet.set_fenced(fenced, reason);
  if (fenced) {
    state_.fenced_regions.insert(region);
  } else {
    state_.fenced_regions.erase(region);
  }
  save();
  log_line(region + (fenced ? ": fleet fenced (" + reason + ")" : ": fleet fence lifted"));
  if (!told) {
    log_line(told.error().message);
    return std::unexpected(told.error());
  }
  return json{{"region", region}, {"fenced", fenced}, {"instances", fleet.running()}};
}

Result<json> Supervisor::repoint(const std::string& region, const std::string& role,
                                 const std::string& database) {
  std::lock_guard lock(mu_);
  if (!known_region(region)) return fail(ErrorKind::kNotFound, "no region '" + region + "'");
  if (role != "writer" && role != "reader")
    return fail(ErrorKind::kConfig, "role must be writer or reader, not '" + role + "'");
  if (!databases_.contains(database))
    return fail(ErrorKind::kNotFound, "no database '" + database + "'");
  const std::string name = role + "-" + region;
  auto* rec = state_.find(name);
  if (rec->killed) return fail(ErrorKind::kRefused, name + " is killed; restore it first");
  auto runtime = proxies_.at(name).runtime();
  const auto& db = databases_.at(database);
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

Result<void> Supervisor::apply_front_door_override() {
  auto it = proxies_.find(kFrontDoorName);
  if (it == proxies_.end()) return fail(ErrorKind::kNotFound, "no front door");
  auto runtime = it->second.runtime();
  for (const auto& region : default_topology().regions) {
    // maint, not drain: one server draining and the others in maint still sends new traffic to
    // the backup (FACTS).
    const bool on = !state_.front_door_override || *state_.front_door_override == region;
    if (auto s = runtime.set_server_state("front_door", region,
                                          on ? ServerAdminState::kReady : ServerAdminState::kMaint);
        !s) {
      return s;
    }
  }
  return {};
}

Result<json> Supervisor::override_front_door(const std::optional<std::string>& region) {
  std::lock_guard lock(mu_);
  if (region && !known_region(*region))
    return fail(ErrorKind::kNotFound, "no region '" + *region + "'");
  const auto previous = state_.front_door_override;
  state_.front_door_override = region;
  if (auto a = apply_front_door_override(); !a) {
    state_.front_door_override = previous;
    return std::unexpected(a.error());
  }
  save();
  log_line(region ? "front door: forced to " + *region : "front door: override cleared");
  return json{{"active_region", region ? json(*region) : json()}, {"override", region.has_value()}};
}

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
    k = databases_.at(name).crash();
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

Result<json> Supervisor::kill(const std::string& scope, const std::string& name) {
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
  save();
  for (const auto& d : done) log_line("kill: " + d);
  return json{{"killed", done}};
}

Result<void> Supervisor::restart_database(const std::string& name, const std::string& writer,
                                          std::vector<std::string>& done) {
  auto& db = databases_.at(name);
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
    auto r = db.rejoin_as_replica_of(databases_.at(writer), semi);
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
    std::string last_error;
    auto healthy = wait_until(name + " replicates from " + writer,
                              [&] {
                                auto s = db.replica_status();
                                if (s && !s->last_error.empty()) last_error = s->last_error;
                                return s && s->healthy();
                              },
                              {.timeout = 10s, .poll = 20ms, .clock = &clock_});
    if (!healthy) {
      rec->role = "replication broken: " + last_error;
      return fail(ErrorKind::kDatabase,
                  name + ": restarted read-only, but " + healthy.error().message +
                      (last_error.empty() ? "" : ": the server says: " + last_error));
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
    if (rec == nullptr || rec->killed || !db.running()) continue;
    auto status = db.replica_status();
    if (!status || status->configured) continue;
    auto ro = db.read_only();
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
    if (auto f = databases_.at(other).set_read_only(true); !f) {
      errors.push_back(other + ": could not be fenced (" + f.error().message + ")" + why);
    } else {
      done.push_back(other + ": fenced (read-only)" + why);
    }
  }
  const auto* rec = state_.find(writer);
  if (writable.empty() && rec != nullptr && !rec->killed && databases_.at(writer).running()) {
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

void Supervisor::reconcile_endpoints(const std::string& writer, std::vector<std::string>& done,
                                     std::vector<std::string>& errors) {
  auto replicates_from_writer = [&](const std::string& name) {
    const auto* rec = state_.find(name);
    if (rec == nullptr || rec->killed || !databases_.at(name).running()) return false;
    auto s = databases_.at(name).replica_status();
    const auto& w = databases_.at(writer);
    return s && s->configured && s->healthy() && s->master_host == w.address() &&
           s->master_port == w.port();
  };
  for (const auto& region : default_topology().regions) {
    for (const std::string role : {"writer", "reader"}) {
      const std::string current = state_.endpoints[region][role];
      std::string target = current;
      if (role == "writer") {
        target = writer;
      } else if (current != writer && !replicates_from_writer(current)) {
        // A reader on a dead, fenced or foreign server would serve a history that is not the
        // writer's: its own region's follower if it has one, else the writer.
        target = writer;
        for (const auto& d : default_topology().databases) {
          if (d.region == region && replicates_from_writer(d.name)) {
            target = d.name;
            break;
          }
        }
      }
      if (target == current) continue;
      const std::string endpoint = role + "-" + region;
      if (state_.find(endpoint)->killed) {
        // Restarted below from the reconciled record.
        state_.endpoints[region][role] = target;
        done.push_back(endpoint + ": will point at " + target + " (was " + current + ")");
        continue;
      }
      if (auto r = repoint(region, role, target); !r) {
        errors.push_back(endpoint + ": could not point it at " + target + ": " + r.error().message);
      } else {
        done.push_back(endpoint + ": repointed from " + current + " to " + target);
      }
    }
  }
}

Result<void> Supervisor::rebuild_database(const std::string& name, const std::string& writer,
                                          std::vector<std::string>& done) {
  auto& old = databases_.at(name);
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
  auto& db = databases_.emplace(name, std::move(*fresh)).first->second;
  if (auto s = db.start(); !s)
    return fail(s.error().kind,
                name + ": start: " + s.error().message + " (see " + db.paths().log.string() + ")");
  auto* rec = state_.find(name);
  rec->killed = false;
  rec->pid = {db.pid(), process_start_time(db.pid()).value_or(0)};
  rec->port = db.port();
  save();
  const bool semi = database_spec(writer)->region == database_spec(name)->region;
  if (auto c = db.clone_from(databases_.at(writer), semi); !c)
    return fail(c.error().kind, name + ": rebuild from " + writer + ": " + c.error().message);
  fs::remove(paths.dir / kRebuildMarker, ec);
  const std::string how = std::string(semi ? "semi-sync" : "async") + " replica of " + writer;
  rec->role = how;
  done.push_back(name + ": rebuilt from a copy of " + writer + "'s data (its own divergent " +
                 "history discarded), " + how);
  return {};
}

Result<json> Supervisor::restore(bool rebuild) {
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
    if (d.name == writer || killed(d.name) || !databases_.at(d.name).running()) continue;
    if (std::ranges::any_of(errors,
                            [&](const std::string& e) { return e.starts_with(d.name + ": "); }))
      continue;  // already reported by its restart
    auto& db = databases_.at(d.name);
    const auto& w = databases_.at(writer);
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
  save();
  for (const auto& d : done) log_line("restore: " + d);
  for (const auto& e : errors) log_line("restore failed: " + e);
  return json{{"restored", done}, {"errors", errors}};
}

}  // namespace dr::lab
