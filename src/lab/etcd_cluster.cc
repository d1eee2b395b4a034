#include "lab/etcd_cluster.h"

#include <httplib.h>

#include <unistd.h>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "lab/partition.h"
#include "lab/wait.h"

namespace dr::lab {

namespace fs = std::filesystem;

bool EtcdCluster::healthy(const std::string& endpoint, std::chrono::milliseconds timeout) {
  httplib::Client client("http://" + endpoint);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  auto r = client.Get("/health");
  if (!r || r->status != 200) return false;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  return j.is_object() && j.value("health", "") == "true";
}

namespace {

// POST /v3/maintenance/status: {header: {member_id}, leader} (uint64s as strings, grpc-gateway).
std::optional<nlohmann::json> status_of(const std::string& endpoint) {
  httplib::Client client("http://" + endpoint);
  client.set_connection_timeout(std::chrono::milliseconds(300));
  client.set_read_timeout(std::chrono::milliseconds(500));
  auto r = client.Post("/v3/maintenance/status", "{}", "application/json");
  if (!r || r->status != 200) return std::nullopt;
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("header") || !j["header"].is_object() ||
      !j["header"].value("member_id", nlohmann::json()).is_string() ||
      !j.value("leader", nlohmann::json()).is_string())
    return std::nullopt;
  return j;
}

}  // namespace

EtcdCluster::Leadership EtcdCluster::leadership() {
  Leadership out;
  std::string leader_id;
  std::map<std::string, std::string> names;  // member id -> name
  for (auto& m : members_) {
    if (!m.process.running()) continue;
    auto s = status_of(m.endpoint());
    if (!s) return out;
    const std::string id = (*s)["header"]["member_id"].get<std::string>();
    names[id] = m.name;
    out.id_of[m.name] = id;
    const std::string l = (*s)["leader"].get<std::string>();
    if (!leader_id.empty() && l != leader_id) return out;
    leader_id = l;
  }
  auto it = names.find(leader_id);
  if (it != names.end()) out.leader = it->second;
  return out;
}

std::string EtcdCluster::leader() {
  return leadership().leader;
}

Result<void> EtcdCluster::move_leader_to(Site site, std::chrono::milliseconds timeout) {
  const EtcdMember* target = nullptr;
  for (auto& m : members_)
    if (m.site == site && m.process.running()) target = &m;
  if (target == nullptr)
    return fail(ErrorKind::kNotFound,
                "no running etcd member in " + std::string(site_name(site)) + " to lead");
  auto moved = wait_until("etcd's leadership to move to " + target->name,
                          [&] {
                            const Leadership now = leadership();
                            if (now.leader == target->name) return true;
                            if (now.leader.empty())
                              return false;  // an election in progress, or a member not answering
                            auto target_id = now.id_of.find(target->name);
                            const EtcdMember* current = find(now.leader);
                            if (target_id == now.id_of.end() || current == nullptr) return false;
                            // Only the leader can hand leadership over; a refusal (another move, an
                            // election) is asked again on the next poll.
                            httplib::Client client("http://" + current->endpoint());
                            client.set_connection_timeout(std::chrono::milliseconds(300));
                            client.set_read_timeout(std::chrono::milliseconds(2000));
                            nlohmann::json body = {{"targetID", target_id->second}};
                            (void)client.Post("/v3/maintenance/transfer-leadership", body.dump(),
                                              "application/json");
                            return leader() == target->name;
                          },
                          {.timeout = timeout, .poll = std::chrono::milliseconds(100)});
  if (!moved) return std::unexpected(moved.error());
  return {};
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const auto& m : members_) out.push_back(m.endpoint());
  return out;
}

Result<EtcdCluster> EtcdCluster::start(const fs::path& root, EtcdClusterOptions options) {
  std::vector<EtcdMember> members;
  for (Site site : options.sites) {
    EtcdMember m;
    m.site = site;
    m.name = "etcd-" + std::string(site_name(site));
    auto address = lab_address(site, Component::kLeaseStore);
    if (!address) return std::unexpected(address.error());
    m.address = *address;
    auto client = pick_free_port(m.address);
    if (!client) return std::unexpected(client.error());
    auto peer = pick_free_port(m.address);
    for (int tries = 0; peer && *peer == *client && tries < 5; ++tries)
      peer = pick_free_port(m.address);
    if (!peer) return std::unexpected(peer.error());
    if (*peer == *client) return fail(ErrorKind::kSpawn, "etcd: no two free ports on " + m.address);
    m.client_port = *client;
    m.peer_port = *peer;
    members.push_back(std::move(m));
  }
  std::string initial;
  for (const auto& m : members)
    initial += (initial.empty() ? "" : ",") + m.name + "=http://" + m.address + ":" +
               std::to_string(m.peer_port);
  // A token of its own: members of another cluster (a leftover of a crashed run) never join.
  const std::string token =
      "dr-lab-" + std::to_string(::getpid()) + "-" + std::to_string(members.front().client_port);
  for (auto& m : members) {
    const fs::path dir = root / m.name;
    std::error_code ec;
    fs::remove_all(dir / "data", ec);
    fs::create_directories(dir, ec);
    if (ec) return fail(ErrorKind::kSystem, "create " + dir.string() + ": " + ec.message());
    const std::string client_url = "http://" + m.address + ":" + std::to_string(m.client_port);
    const std::string peer_url = "http://" + m.address + ":" + std::to_string(m.peer_port);
    SpawnOptions spawn;
    spawn.argv = {"etcd", "--name=" + m.name, "--data-dir=" + (dir / "data").string(),
                  "--listen-client-urls=" + client_url, "--advertise-client-urls=" + client_url,
                  "--listen-peer-urls=" + peer_url, "--initial-advertise-peer-urls=" + peer_url,
                  "--initial-cluster=" + initial, "--initial-cluster-state=new",
                  "--initial-cluster-token=" + token,
                  "--heartbeat-interval=" + std::to_string(options.heartbeat.count()),
                  "--election-timeout=" + std::to_string(options.election.count()),
                  // No metrics listener on 0.0.0.0, no v2 API: only what the lease uses.
                  "--enable-v2=false",
                  // A member back from a cut must not force an election with the term it
                  // campaigned up to alone (3.4 has pre-vote off by default).
                  "--pre-vote=true"};
    spawn.log_file = dir / "etcd.log";
    spawn.pid_file = dir / "process.pid";
    spawn.die_with_parent = options.die_with_parent;
    if (options.on_spawn)
      spawn.on_spawn = [cb = options.on_spawn, name = m.name](const PidRecord& r) { cb(name, r); };
    m.argv = spawn.argv;
    auto p = Process::spawn(spawn);
    if (!p) return std::unexpected(p.error());
    // Best effort, as for the lab's other servers: without a cgroup, a partition cuts only what
    // binds a site address (partition.h).
    (void)join_site_cgroup(p->pid(), m.site);
    m.process = std::move(*p);
  }
  EtcdCluster cluster(std::move(members), root, options.die_with_parent);
  auto ready =
      wait_until("the etcd cluster to elect a leader and every member to answer /health",
                 [&cluster] {
                   for (auto& m : cluster.members_) {
                     if (!m.process.running()) return true;  // reported below
                     if (!healthy(m.endpoint(), std::chrono::milliseconds(300))) return false;
                   }
                   return true;
                 },
                 {.timeout = options.start_timeout, .poll = std::chrono::milliseconds(50)});
  for (auto& m : cluster.members_)
    if (!m.process.running())
      return fail(ErrorKind::kExited,
                  m.name + " exited at start; see " + m.process.log_file().string());
  if (!ready) return std::unexpected(ready.error());
  return cluster;
}

EtcdMember* EtcdCluster::find(const std::string& name) {
  for (auto& m : members_)
    if (m.name == name) return &m;
  return nullptr;
}

Result<void> EtcdCluster::kill_member(const std::string& name) {
  auto* m = find(name);
  if (m == nullptr) return fail(ErrorKind::kNotFound, "no etcd member " + name);
  return m->process.kill();
}

Result<PidRecord> EtcdCluster::restart_member(const std::string& name) {
  auto* m = find(name);
  if (m == nullptr) return fail(ErrorKind::kNotFound, "no etcd member " + name);
  if (m->process.running()) (void)m->process.kill();
  SpawnOptions spawn;
  spawn.argv = m->argv;
  spawn.log_file = root_ / m->name / "etcd.log";
  spawn.pid_file = root_ / m->name / "process.pid";
  spawn.die_with_parent = die_with_parent_;
  auto p = Process::spawn(spawn);
  if (!p) return std::unexpected(p.error());
  (void)join_site_cgroup(p->pid(), m->site);
  m->process = std::move(*p);
  return PidRecord{m->process.pid(), process_start_time(m->process.pid()).value_or(0)};
}

void EtcdCluster::stop() {
  for (auto& m : members_) (void)m.process.stop(std::chrono::seconds(3));
}

}  // namespace dr::lab
