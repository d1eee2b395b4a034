#include "lab_aws/lab_backends.h"

#include <algorithm>

#include "backends/lab/lab_database.h"
#include "backends/lab/lab_global_database.h"
#include "backends/lab/lab_targets.h"
#include "backends/lab/probes.h"
#include "backends/lab/supervisor_client.h"
#include "core/planner.h"
#include "lab/control_token.h"
#include "lab/credentials.h"
#include "lab/lab_state.h"

namespace dr::lab_aws {

namespace {

using nlohmann::json;

std::expected<backends::lab::SupervisorClient, std::string> supervisor(
    const std::filesystem::path& dir, std::chrono::milliseconds timeout) {
  auto state = lab::load_lab_state(dir);
  if (!state) return std::unexpected("lab state: " + state.error().describe());
  if (state->control_port == 0) return std::unexpected("the supervisor has no control API yet");
  auto token = lab::read_control_token(dir);
  if (!token) return std::unexpected("control token: " + token.error().message);
  return backends::lab::SupervisorClient(state->control_address, state->control_port, *token,
                                         timeout);
}

std::expected<json, std::string> lab_status(const std::filesystem::path& dir) {
  // GET /status asks every server; a frozen one costs its probe timeout.
  auto sup = supervisor(dir, std::chrono::seconds(20));
  if (!sup) return std::unexpected(sup.error());
  auto s = sup->status();
  if (!s) return std::unexpected(s.error().describe());
  return *s;
}

HostPort split_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return {text, 0};
  int port = 0;
  try {
    port = std::stoi(text.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  return {text.substr(0, colon), port};
}

std::string str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

std::expected<DbTopology, std::string> LabBackends::topology() {
  auto s = lab_status(dir_);
  if (!s) return std::unexpected(s.error());
  DbTopology t;
  std::vector<std::string> writers;
  for (const auto& c : (*s)["components"]) {
    if (str(c, "kind") != "mariadb") continue;
    DbServer d;
    d.name = str(c, "name");
    d.region = str(c, "region");
    d.az = str(c, "az");
    const auto hp = split_host_port(str(c, "address"));
    d.address = hp.host;
    d.port = hp.port;
    const std::string state = str(c, "state");
    const std::string role = str(c, "role");
    d.running = state != "killed" && state != "down" && role != "unreachable";
    if (d.running && role == "writer") writers.push_back(d.name);
    d.replicating = d.running && state == "running" && c.value("healthy", false) &&
                    role.find("replica of") != std::string::npos;
    if (d.replicating && c.contains("replication_lag_s") && c["replication_lag_s"].is_number())
      d.lag_seconds = c["replication_lag_s"].get<double>();
    t.servers.push_back(std::move(d));
  }
  std::sort(t.servers.begin(), t.servers.end(),
            [](const DbServer& a, const DbServer& b) { return a.name < b.name; });
  for (const auto& [region, r] : (*s)["regions"].items()) {
    t.writer_endpoints[region] = split_host_port(str(r["writer_endpoint"], "address"));
    t.reader_endpoints[region] = split_host_port(str(r["reader_endpoint"], "address"));
    // The recorded writer: where the writer endpoints lead (a dead writer answers nothing).
    if (t.writer.empty()) t.writer = str(r["writer_endpoint"], "database");
  }
  if (writers.size() == 1) t.writer = writers.front();
  return t;
}

std::expected<std::string, std::string> LabBackends::move_writer(const std::string& to,
                                                                 bool allow_data_loss) {
  auto t = topology();
  if (!t) return std::unexpected(t.error());
  auto state = lab::load_lab_state(dir_);
  if (!state) return std::unexpected("lab state: " + state.error().describe());
  auto targets = backends::lab::resolve_targets(*state, to);
  if (!targets) return std::unexpected(targets.error());
  core::Topology topo;
  topo.writer = t->writer;
  for (const auto& s : t->servers)
    if (s.name == t->writer) topo.primary_region = s.region;
  topo.secondary_region = to;
  std::vector<std::string> others_in_target;
  for (const auto& s : t->servers) {
    if (s.name == t->writer) continue;
    if (s.region == topo.primary_region && topo.az_standby.empty()) topo.az_standby = s.name;
    if (s.region == to) {
      if (topo.secondary_db.empty() && s.running)
        topo.secondary_db = s.name;
      else
        others_in_target.push_back(s.name);
    }
  }
  if (topo.secondary_db.empty()) return std::unexpected("no running database server in " + to);

  core::DatabaseMove move;
  if (allow_data_loss) {
    // The controller's region failover (core/planner.cc): the in-region standby of the old
    // writer may hold semi-synchronously acknowledged writes the target lacks; when it answers,
    // the new writer catches up from it and it follows.
    move.from_region = topo.primary_region;
    move.to_region = to;
    move.old_writer = topo.writer;
    move.new_writer = topo.secondary_db;
    move.regions = {topo.primary_region, to};
    if (!topo.az_standby.empty()) {
      auto it = targets->databases.find(topo.az_standby);
      if (it != targets->databases.end() &&
          backends::lab::probe_mysql("", it->second, std::chrono::milliseconds(500))) {
        move.catch_up_source = topo.az_standby;
        move.followers = {topo.az_standby};
      }
    }
  } else {
    move = core::switchover_plan(topo, {"aws-switchover", 2}).database_move();
  }
  // The target cluster's other instances follow their new writer (a failback to {a1, a2}).
  for (const auto& name : others_in_target) move.followers.push_back(name);
  return run_move(*targets, move, allow_data_loss ? MoveKind::kFailover : MoveKind::kSwitchover);
}

std::expected<std::string, std::string> LabBackends::fail_over_in_region(
    const std::string& old_writer, const std::string& new_writer) {
  auto t = topology();
  if (!t) return std::unexpected(t.error());
  auto state = lab::load_lab_state(dir_);
  if (!state) return std::unexpected("lab state: " + state.error().describe());
  core::Topology topo;
  topo.writer = t->writer;
  std::string target_region;
  for (const auto& s : t->servers) {
    if (s.name == t->writer) topo.primary_region = s.region;
    if (s.name == new_writer) target_region = s.region;
  }
  // Checked on the topology the move is built from (rds_lab.h says why). A global move may still
  // start between this read and the promotion: only the endpoint's moves are serialised with
  // this one (RdsHandler's one move at a time), the lab path's are not.
  const std::string writer = t->writer.empty() ? "nobody" : t->writer;
  if (t->writer != old_writer)
    return std::unexpected("the writer is " + writer + " now, not " + old_writer +
                           ": nothing was moved");
  if (target_region.empty() || target_region != topo.primary_region)
    return std::unexpected(new_writer + " is not a server of " + writer + "'s region " +
                           topo.primary_region + ": nothing was moved");
  // The other region's replica follows the new writer (b1 follows a2), as it does Aurora's.
  for (const auto& s : t->servers) {
    if (s.region == topo.primary_region || s.region.empty()) continue;
    if (topo.secondary_region.empty()) topo.secondary_region = s.region;
    if (s.region == topo.secondary_region && topo.secondary_db.empty()) topo.secondary_db = s.name;
  }
  // The endpoints are repointed through the region the writer stays in.
  auto targets = backends::lab::resolve_targets(*state, topo.primary_region);
  if (!targets) return std::unexpected(targets.error());
  // Aurora's move, which only the lab runs (the controller leaves it to Aurora): the writer
  // stays in its region, every region's writer endpoint follows it.
  core::DatabaseMove move;
  move.from_region = topo.primary_region;
  move.to_region = topo.primary_region;
  move.old_writer = topo.writer;
  move.new_writer = new_writer;
  if (!topo.secondary_db.empty()) move.followers = {topo.secondary_db};
  move.regions = {topo.primary_region, topo.secondary_region};
  if (topo.secondary_region.empty()) move.regions = {topo.primary_region};
  // A writer that still answers (a reboot, FailoverDBCluster) becomes a reader of the new one,
  // as Aurora's old writer does; it first gives the new writer whatever it committed that
  // semi-sync had not yet shipped, or a later move back to it would lose a2's writes and its
  // own would be errant. A dead one is left for restore.
  if (auto it = targets->databases.find(topo.writer);
      it != targets->databases.end() &&
      backends::lab::probe_mysql("", it->second, std::chrono::milliseconds(500))) {
    move.catch_up_source = topo.writer;
    move.followers.push_back(topo.writer);
  }
  return run_move(*targets, move, MoveKind::kInRegion);
}

std::expected<void, std::string> LabBackends::fence(const std::string& server) {
  auto state = lab::load_lab_state(dir_);
  if (!state) return std::unexpected("lab state: " + state.error().describe());
  const auto* c = state->find(server);
  if (c == nullptr || c->kind != "mariadb") return std::unexpected("no database server " + server);
  auto targets = backends::lab::resolve_targets(*state, c->region);
  if (!targets) return std::unexpected(targets.error());
  auto db = database(*targets);
  if (!db) return std::unexpected(db.error());
  if (auto r = db->fence(server); !r) return std::unexpected(r.error().describe());
  return {};
}

std::expected<backends::lab::LabDatabase, std::string> LabBackends::database(
    const backends::lab::LabTargets& targets) const {
  auto creds = lab::LabCredentials::load_or_create(dir_);
  if (!creds) return std::unexpected("lab credentials: " + creds.error().describe());
  return backends::lab::LabDatabase(targets.databases, {creds->admin.name, creds->admin.password},
                                    {creds->replication.name, creds->replication.password},
                                    std::chrono::milliseconds(1000), targets.database_region);
}

std::expected<std::string, std::string> LabBackends::run_move(
    const backends::lab::LabTargets& targets, const core::DatabaseMove& move, MoveKind kind) {
  auto db = database(targets);
  if (!db) return std::unexpected(db.error());
  auto sup = supervisor(dir_, std::chrono::seconds(5));
  if (!sup) return std::unexpected(sup.error());
  backends::lab::LabGlobalDatabase global(*db, *sup);
  core::Result<std::string> r;
  switch (kind) {
    case MoveKind::kFailover:
      r = global.fail_over(move, /*allow_data_loss=*/true);
      break;
    case MoveKind::kSwitchover:
      r = global.switch_over(move);
      break;
    case MoveKind::kInRegion: {
      // Aurora fences the writer itself; one that does not answer is what a failover expects
      // (fail_over fences it again right before the promotion and notes it).
      std::string note;
      if (auto fenced = global.fence_writer(move); !fenced)
        note = "fence " + move.old_writer + " (" + fenced.error().describe() + ")";
      // No acknowledged write is lost either way: a2 was a semi-synchronous replica, so it holds
      // every acknowledged write and the promotion's lag gate applies them before it takes
      // writes. A catch-up from the old writer that fails is noted, not fatal (allow_data_loss
      // here means only that): it can add only what no client saw acknowledged.
      r = global.fail_over(move, /*allow_data_loss=*/true);
      if (r && !note.empty() && r->empty()) r = note;
      break;
    }
  }
  if (!r) return std::unexpected(r.error().describe());
  return *r;
}

std::expected<std::map<std::string, FleetView>, std::string> LabBackends::fleets() {
  auto s = lab_status(dir_);
  if (!s) return std::unexpected(s.error());
  std::map<std::string, FleetView> out;
  for (const auto& [region, r] : (*s)["regions"].items()) {
    const auto& f = r["fleet"];
    out[region] = {f.value("min", 0), f.value("desired", 0), f.value("max", 0), {}};
  }
  for (const auto& c : (*s)["components"]) {
    if (str(c, "kind") != "app") continue;
    auto it = out.find(str(c, "region"));
    if (it == out.end()) continue;
    it->second.instances.push_back({str(c, "name"), str(c, "az"),
                                    c.value("healthy", false) && str(c, "state") == "running",
                                    split_host_port(str(c, "address")).port,
                                    str(c, "role").find("launching") != std::string::npos});
  }
  return out;
}

std::expected<void, std::string> LabBackends::set_capacity(const std::string& region, int min,
                                                           int desired, int max) {
  auto sup = supervisor(dir_, std::chrono::seconds(10));
  if (!sup) return std::unexpected(sup.error());
  if (auto r = sup->set_capacity(region, min, desired, max); !r)
    return std::unexpected(r.error().describe());
  return {};
}

std::expected<FrontDoorView, std::string> LabBackends::front_door() {
  auto s = lab_status(dir_);
  if (!s) return std::unexpected(s.error());
  FrontDoorView v;
  const json& fd = (*s)["front_door"];
  v.active_region = str(fd, "active_region");
  if (fd.contains("override") && fd["override"].is_string())
    v.forced_to = fd["override"].get<std::string>();
  const json checks = fd.contains("checks") ? fd["checks"] : json::object();
  for (const auto& [region, r] : (*s)["regions"].items()) {
    const std::string check = str(checks, region.c_str());
    v.alb_url[region] = str(r, "alb_url");
    if (check.starts_with("UP") || check.starts_with("DOWN")) {
      v.alb_up[region] = check.starts_with("UP");
    } else {
      v.alb_up[region] = !r.value("killed", false) && r["fleet"].value("healthy", 0) > 0;
    }
  }
  return v;
}

std::expected<void, std::string> LabBackends::force_front_door(
    const std::optional<std::string>& region) {
  auto sup = supervisor(dir_, std::chrono::seconds(10));
  if (!sup) return std::unexpected(sup.error());
  auto r = region ? sup->shift_to(*region) : sup->clear_front_door_override();
  if (!r) return std::unexpected(r.error().describe());
  return {};
}

}  // namespace dr::lab_aws
