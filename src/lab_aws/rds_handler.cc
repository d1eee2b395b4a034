#include "lab_aws/rds_handler.h"

#include <algorithm>
#include <chrono>
#include <set>

namespace dr::lab_aws {

namespace {

constexpr const char* kNamespace = "http://rds.amazonaws.com/doc/2014-10-31/";
constexpr const char* kEngine = "aurora-mysql";
constexpr const char* kEngineVersion = "8.0.mysql_aurora.3.05.2";

AwsError not_found(const char* code, int status, const std::string& what) {
  return {status, code, what + " not found."};
}

}  // namespace

std::string RdsNames::cluster_id(const std::string& region) const {
  return global_cluster + "-" + region;
}

std::string RdsNames::cluster_arn(const std::string& region) const {
  return "arn:aws:rds:" + region + ":" + account + ":cluster:" + cluster_id(region);
}

std::string RdsNames::global_arn() const {
  return "arn:aws:rds::" + account + ":global-cluster:" + global_cluster;
}

RdsHandler::RdsHandler(RdsLab& lab, RdsNames names, Log log)
    : lab_(lab), names_(std::move(names)), log_(std::move(log)) {
  if (!log_) log_ = [](const std::string&) {};
}

RdsHandler::~RdsHandler() {
  wait_idle();
  std::lock_guard lock(mu_);
  if (worker_.joinable()) worker_.join();
}

void RdsHandler::wait_idle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return !moving_.has_value(); });
}

QueryService RdsHandler::service() {
  QueryService s;
  s.xml_namespace = kNamespace;
  auto bind = [this](auto method) {
    return QueryAction{[this, method](const FormParams& p, const Caller& c, pugi::xml_node r) {
      return (this->*method)(p, c, r);
    }};
  };
  s.actions["DescribeGlobalClusters"] = bind(&RdsHandler::describe_global_clusters);
  s.actions["DescribeDBClusters"] = bind(&RdsHandler::describe_db_clusters);
  s.actions["DescribeDBInstances"] = bind(&RdsHandler::describe_db_instances);
  s.actions["FailoverGlobalCluster"] = {
      [this](const FormParams& p, const Caller&, pugi::xml_node r) { return move(p, r, false); }};
  s.actions["SwitchoverGlobalCluster"] = {
      [this](const FormParams& p, const Caller&, pugi::xml_node r) { return move(p, r, true); }};
  s.actions["FailoverDBCluster"] = bind(&RdsHandler::failover_db_cluster);
  s.actions["RebootDBInstance"] = bind(&RdsHandler::reboot_db_instance);
  return s;
}

std::expected<DbTopology, AwsError> RdsHandler::read_topology() {
  auto t = lab_.topology();
  if (!t) return std::unexpected(internal_failure("the lab's databases: " + t.error()));
  return *t;
}

std::vector<std::string> RdsHandler::regions(const DbTopology& t) const {
  std::set<std::string> out;
  for (const auto& s : t.servers) out.insert(s.region);
  return {out.begin(), out.end()};
}

std::string RdsHandler::writer_region(const DbTopology& t) const {
  for (const auto& s : t.servers)
    if (s.name == t.writer) return s.region;
  return "";
}

void RdsHandler::write_global_cluster(pugi::xml_node g, const DbTopology& t,
                                      const std::optional<Move>& move) const {
  const std::string primary = writer_region(t);
  add_text(g, "GlobalClusterIdentifier", names_.global_cluster);
  add_text(g, "GlobalClusterResourceId", "cluster-" + names_.global_cluster);
  add_text(g, "GlobalClusterArn", names_.global_arn());
  add_text(g, "Status", "available");
  add_text(g, "Engine", kEngine);
  add_text(g, "EngineVersion", kEngineVersion);
  add_text(g, "DatabaseName", "app");
  add_bool(g, "StorageEncrypted", false);
  add_bool(g, "DeletionProtection", false);
  auto members = g.append_child("GlobalClusterMembers");
  for (const auto& region : regions(t)) {
    auto m = members.append_child("GlobalClusterMember");
    add_text(m, "DBClusterArn", names_.cluster_arn(region));
    auto readers = m.append_child("Readers");
    if (region == primary) {
      for (const auto& other : regions(t))
        if (other != region) add_text(readers, "member", names_.cluster_arn(other));
    }
    add_bool(m, "IsWriter", region == primary);
    if (region != primary) {
      // From the servers: a secondary whose replication runs is connected.
      const bool connected = std::ranges::any_of(
          t.servers, [&](const DbServer& s) { return s.region == region && s.replicating; });
      add_text(m, "SynchronizationStatus", connected ? "connected" : "pending-resync");
    }
  }
  if (move && !move->in_region) {
    auto f = g.append_child("FailoverState");
    add_text(f, "Status", move->status);
    add_text(f, "FromDbClusterArn", names_.cluster_arn(move->from_region));
    add_text(f, "ToDbClusterArn", names_.cluster_arn(move->to_region));
    add_bool(f, "IsDataLossAllowed", move->data_loss);
  }
}

std::expected<void, AwsError> RdsHandler::describe_global_clusters(const FormParams& p,
                                                                   const Caller&,
                                                                   pugi::xml_node result) {
  auto id = p.get("GlobalClusterIdentifier");
  if (id && *id != names_.global_cluster && *id != names_.global_arn())
    return std::unexpected(not_found("GlobalClusterNotFoundFault", 404, "GlobalCluster " + *id));
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  std::optional<Move> move;
  {
    std::lock_guard lock(mu_);
    move = moving_;
  }
  write_global_cluster(result.append_child("GlobalClusters").append_child("GlobalClusterMember"),
                       *t, move);
  return {};
}

std::expected<void, AwsError> RdsHandler::describe_db_clusters(const FormParams& p,
                                                               const Caller& caller,
                                                               pugi::xml_node result) {
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  const std::string region = caller.region;
  auto id = p.get("DBClusterIdentifier");
  const auto all = regions(*t);
  const bool ours = std::ranges::find(all, region) != all.end();
  if (id && (!ours || (*id != names_.cluster_id(region) && *id != names_.cluster_arn(region))))
    return std::unexpected(not_found("DBClusterNotFoundFault", 404, "DBCluster " + *id));
  auto list = result.append_child("DBClusters");
  if (!ours) return {};
  std::optional<Move> move;
  {
    std::lock_guard lock(mu_);
    move = moving_;
  }
  write_cluster(list.append_child("DBCluster"), *t, region, move);
  return {};
}

void RdsHandler::write_cluster(pugi::xml_node c, const DbTopology& topology,
                               const std::string& region, const std::optional<Move>& move) const {
  const DbTopology* t = &topology;
  const std::string primary = writer_region(*t);
  bool any_running = false;
  std::set<std::string> azs;
  for (const auto& s : t->servers) {
    if (s.region != region) continue;
    any_running = any_running || s.running;
    if (!s.az.empty()) azs.insert(s.az);
  }
  const bool busy = move && (move->from_region == region || move->to_region == region);
  auto zones = c.append_child("AvailabilityZones");
  for (const auto& az : azs) add_text(zones, "AvailabilityZone", az);
  add_text(c, "DatabaseName", "app");
  add_text(c, "DBClusterIdentifier", names_.cluster_id(region));
  add_text(c, "DbClusterResourceId", "cluster-" + names_.cluster_id(region));
  // "available" while a server of the cluster answers; the lab's own word otherwise.
  add_text(c, "Status", busy ? "failing-over" : any_running ? "available" : "unavailable");
  if (auto it = t->writer_endpoints.find(region); it != t->writer_endpoints.end()) {
    add_text(c, "Endpoint", it->second.host);
    add_int(c, "Port", it->second.port);
  }
  if (auto it = t->reader_endpoints.find(region); it != t->reader_endpoints.end())
    add_text(c, "ReaderEndpoint", it->second.host);
  add_bool(c, "MultiAZ", azs.size() > 1);
  add_text(c, "Engine", kEngine);
  add_text(c, "EngineVersion", kEngineVersion);
  add_text(c, "EngineMode", "provisioned");
  add_bool(c, "StorageEncrypted", false);
  add_bool(c, "DeletionProtection", false);
  if (region != primary && !primary.empty())
    add_text(c, "ReplicationSourceIdentifier", names_.cluster_arn(primary));
  auto members = c.append_child("DBClusterMembers");
  for (const auto& s : t->servers) {
    if (s.region != region) continue;
    auto m = members.append_child("DBClusterMember");
    add_text(m, "DBInstanceIdentifier", s.name);
    add_bool(m, "IsClusterWriter", s.name == t->writer);
    add_int(m, "PromotionTier", 1);
  }
  add_text(c, "DBClusterArn", names_.cluster_arn(region));
  add_text(c, "GlobalClusterIdentifier", names_.global_cluster);
}

std::expected<void, AwsError> RdsHandler::describe_db_instances(const FormParams& p,
                                                                const Caller& caller,
                                                                pugi::xml_node result) {
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  auto id = p.get("DBInstanceIdentifier");
  std::vector<const DbServer*> chosen;
  for (const auto& s : t->servers) {
    const std::string arn = "arn:aws:rds:" + s.region + ":" + names_.account + ":db:" + s.name;
    if (s.region == caller.region && (!id || *id == s.name || *id == arn)) chosen.push_back(&s);
  }
  if (id && chosen.empty())
    return std::unexpected(not_found("DBInstanceNotFound", 404, "DBInstance " + *id));
  std::optional<Move> move;
  {
    std::lock_guard lock(mu_);
    move = moving_;
  }
  auto list = result.append_child("DBInstances");
  for (const auto* s : chosen) write_instance(list.append_child("DBInstance"), *s, move);
  return {};
}

void RdsHandler::write_instance(pugi::xml_node i, const DbServer& server,
                                const std::optional<Move>& move) const {
  const DbServer* s = &server;
  add_text(i, "DBInstanceIdentifier", s->name);
  add_text(i, "DBInstanceClass", "db.r6g.large");
  add_text(i, "Engine", kEngine);
  const bool rebooting = move && move->in_region && move->rebooting == s->name;
  add_text(i, "DBInstanceStatus", rebooting ? "rebooting" : s->running ? "available" : "failed");
  auto endpoint = i.append_child("Endpoint");
  add_text(endpoint, "Address", s->address);
  add_int(endpoint, "Port", s->port);
  if (!s->az.empty()) add_text(i, "AvailabilityZone", s->az);
  add_text(i, "EngineVersion", kEngineVersion);
  add_text(i, "DBClusterIdentifier", names_.cluster_id(s->region));
  add_int(i, "PromotionTier", 1);
  add_text(i, "DBInstanceArn",
           "arn:aws:rds:" + s->region + ":" + names_.account + ":db:" + s->name);
  add_text(i, "DbiResourceId", "db-" + s->name);
  add_bool(i, "StorageEncrypted", false);
}

std::expected<void, AwsError> RdsHandler::move(const FormParams& p, pugi::xml_node result,
                                               bool switchover_action) {
  auto global = p.require("GlobalClusterIdentifier");
  if (!global) return std::unexpected(global.error());
  auto target = p.require("TargetDbClusterIdentifier");
  if (!target) return std::unexpected(target.error());
  bool data_loss = false;
  if (!switchover_action) {
    auto allow = p.boolean("AllowDataLoss");
    if (!allow) return std::unexpected(allow.error());
    auto planned = p.boolean("Switchover");
    if (!planned) return std::unexpected(planned.error());
    if (allow->value_or(false) && planned->value_or(false))
      return std::unexpected(AwsError{400, "InvalidParameterCombination",
                                      "Cannot specify both AllowDataLoss and Switchover."});
    // Neither: a planned move, which is what FailoverGlobalCluster with Switchover does.
    data_loss = allow->value_or(false);
  }
  if (*global != names_.global_cluster && *global != names_.global_arn())
    return std::unexpected(
        not_found("GlobalClusterNotFoundFault", 404, "GlobalCluster " + *global));
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  std::string to;
  for (const auto& region : regions(*t)) {
    if (*target == names_.cluster_arn(region) || *target == names_.cluster_id(region)) to = region;
  }
  if (to.empty())
    return std::unexpected(not_found("DBClusterNotFoundFault", 404, "DBCluster " + *target));
  const std::string from = writer_region(*t);
  if (to == from)
    return std::unexpected(AwsError{400, "InvalidDBClusterStateFault",
                                    "DBCluster " + names_.cluster_id(to) +
                                        " is already the primary cluster of global cluster " +
                                        names_.global_cluster + "."});
  const bool target_up = std::ranges::any_of(
      t->servers, [&](const DbServer& s) { return s.region == to && s.running; });
  if (!target_up)
    return std::unexpected(AwsError{400, "InvalidDBClusterStateFault",
                                    "DBCluster " + names_.cluster_id(to) +
                                        " is not available: none of its instances answers."});
  Move m{"pending", from, to, data_loss, false, "", "", "", ""};
  if (auto started = start(m); !started) return std::unexpected(started.error());
  write_global_cluster(result.append_child("GlobalCluster"), *t, m);
  return {};
}

std::expected<void, AwsError> RdsHandler::start(const Move& m) {
  std::lock_guard lock(mu_);
  if (moving_) {
    const std::string what =
        moving_->in_region ? "an in-region failover of " + names_.cluster_id(moving_->from_region)
                           : std::string("a ") + (moving_->data_loss ? "failover" : "switchover") +
                                 " to " + names_.cluster_id(moving_->to_region);
    return std::unexpected(
        m.in_region ? AwsError{400, "InvalidDBClusterStateFault",
                               "DBCluster " + names_.cluster_id(m.from_region) +
                                   " is not available: " + what + " is in progress."}
                    : AwsError{400, "InvalidGlobalClusterStateFault",
                               "Global cluster " + names_.global_cluster + " is in state " +
                                   moving_->status + ": " + what + " is in progress."});
  }
  moving_ = m;
  // The previous worker has cleared moving_ and takes the lock no more: joining is quick.
  if (worker_.joinable()) worker_.join();
  worker_ = std::thread([this, m] {
    {
      std::lock_guard inner(mu_);
      moving_->status = m.data_loss || m.in_region ? "failing-over" : "switching-over";
    }
    const std::string what =
        m.in_region
            ? std::string(!m.cause.empty()      ? "automatic failover (Aurora Multi-AZ) "
                          : m.rebooting.empty() ? "FailoverDBCluster "
                                                : "RebootDBInstance ") +
                  names_.cluster_id(m.from_region) + " " + m.old_writer + " -> " + m.new_writer
            : std::string(m.data_loss ? "FailoverGlobalCluster" : "SwitchoverGlobalCluster") + " " +
                  m.from_region + " -> " + m.to_region;
    log_(what + ": started" + (m.cause.empty() ? "" : " (" + m.cause + ")"));
    const auto began = std::chrono::steady_clock::now();
    std::expected<std::string, std::string> r;
    try {
      r = m.in_region ? lab_.fail_over_in_region(m.old_writer, m.new_writer)
                      : lab_.move_writer(m.to_region, m.data_loss);
    } catch (const std::exception& e) {
      r = std::unexpected(std::string("exception: ") + e.what());
    }
    // Aurora reports how long a failover took (its events); the lab says it in its log.
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    log_(what + (r ? ": done in " + std::to_string(took.count()) + " ms" +
                         (r->empty() ? "" : " (" + *r + ")")
                   : ": FAILED after " + std::to_string(took.count()) +
                         " ms, the writer stays where it was: " + r.error()));
    {
      std::lock_guard inner(mu_);
      moving_.reset();
      if (r)
        last_failure_.reset();
      else
        last_failure_ = r.error();
    }
    idle_.notify_all();
  });
  return {};
}

std::expected<RdsHandler::Move, AwsError> RdsHandler::start_in_region(const DbTopology& t,
                                                                      const std::string& region,
                                                                      const std::string& target,
                                                                      const std::string& rebooting,
                                                                      const std::string& cause) {
  const std::string cluster = names_.cluster_id(region);
  if (writer_region(t) != region)
    return std::unexpected(
        AwsError{400, "InvalidDBClusterStateFault",
                 "DBCluster " + cluster + " is a secondary cluster of global cluster " +
                     names_.global_cluster + ": it has no writer to fail over."});
  std::string to;
  for (const auto& s : t.servers) {
    if (s.region != region || s.name == t.writer) continue;
    if (target.empty() ? (to.empty() && s.running) : s.name == target) to = s.name;
  }
  if (!target.empty() && to.empty()) {
    if (target == t.writer)
      return std::unexpected(
          AwsError{400, "InvalidDBInstanceStateFault",
                   "DBInstance " + target + " is already the writer of " + cluster + "."});
    return std::unexpected(
        not_found("DBInstanceNotFound", 404, "DBInstance " + target + " in " + cluster));
  }
  if (to.empty())
    return std::unexpected(
        AwsError{400, "InvalidDBClusterStateFault",
                 "DBCluster " + cluster + " has no available reader to fail over to."});
  const bool target_up =
      std::ranges::any_of(t.servers, [&](const DbServer& s) { return s.name == to && s.running; });
  if (!target_up)
    return std::unexpected(
        AwsError{400, "InvalidDBInstanceStateFault", "DBInstance " + to + " is not available."});
  Move m{"pending", region, region, false, true, t.writer, to, rebooting, cause};
  if (auto started = start(m); !started) return std::unexpected(started.error());
  return m;
}

std::expected<void, AwsError> RdsHandler::fail_over_in_region_for(const std::string& region,
                                                                  const std::string& target,
                                                                  const std::string& cause) {
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  auto m = start_in_region(*t, region, target, "", cause.empty() ? "automatic" : cause);
  if (!m) return std::unexpected(m.error());
  std::unique_lock lock(mu_);
  // This move, or a later one, ends; either way the guard is free again.
  idle_.wait(lock, [&] { return !moving_.has_value(); });
  if (last_failure_) return std::unexpected(internal_failure(*last_failure_));
  return {};
}

std::expected<void, AwsError> RdsHandler::failover_db_cluster(const FormParams& p,
                                                              const Caller& caller,
                                                              pugi::xml_node result) {
  auto id = p.require("DBClusterIdentifier");
  if (!id) return std::unexpected(id.error());
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  const auto all = regions(*t);
  const std::string region = caller.region;
  if (std::ranges::find(all, region) == all.end() ||
      (*id != names_.cluster_id(region) && *id != names_.cluster_arn(region)))
    return std::unexpected(not_found("DBClusterNotFoundFault", 404, "DBCluster " + *id));
  const std::string target = p.get("TargetDBInstanceIdentifier").value_or("");
  auto m = start_in_region(*t, region, target, "");
  if (!m) return std::unexpected(m.error());
  write_cluster(result.append_child("DBCluster"), *t, region, *m);
  return {};
}

std::expected<void, AwsError> RdsHandler::reboot_db_instance(const FormParams& p,
                                                             const Caller& caller,
                                                             pugi::xml_node result) {
  auto id = p.require("DBInstanceIdentifier");
  if (!id) return std::unexpected(id.error());
  auto force = p.boolean("ForceFailover");
  if (!force) return std::unexpected(force.error());
  auto t = read_topology();
  if (!t) return std::unexpected(t.error());
  const DbServer* s = nullptr;
  for (const auto& server : t->servers) {
    const std::string arn =
        "arn:aws:rds:" + server.region + ":" + names_.account + ":db:" + server.name;
    if (server.region == caller.region && (*id == server.name || *id == arn)) s = &server;
  }
  if (s == nullptr)
    return std::unexpected(not_found("DBInstanceNotFound", 404, "DBInstance " + *id));
  // The lab restarts no server: a reboot is Aurora's Multi-AZ failover, which is what
  // ForceFailover asks of a writer. Anything else is refused rather than pretended.
  if (!force->value_or(false))
    return std::unexpected(AwsError{400, "InvalidParameterCombination",
                                    "The lab reboots a DB instance only with ForceFailover "
                                    "(Aurora's in-region failover); DBInstance " +
                                        s->name + " was left as it is."});
  if (s->name != t->writer)
    return std::unexpected(AwsError{400, "InvalidDBInstanceStateFault",
                                    "DBInstance " + s->name +
                                        " is not its cluster's writer: ForceFailover moves the "
                                        "writer, and the lab does not reboot readers."});
  auto m = start_in_region(*t, s->region, "", s->name);
  if (!m) return std::unexpected(m.error());
  write_instance(result.append_child("DBInstance"), *s, *m);
  return {};
}

}  // namespace dr::lab_aws
