#include "backends/lab/lab_database.h"

#include "lab/mariadb_instance.h"

#include <cstdio>

namespace dr::backends::lab {

namespace {

std::string seconds(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// A replica's relay log applied (what it received, within 2 s), or kTimeout: "<server>: relay
// log not applied within 2 s; <otherwise>". Nothing to do on a server that replicates from nobody.
Result<> apply_relay_log(db::Connection& c, const std::string& server,
                         const std::string& otherwise) {
  auto status = c.query("SHOW SLAVE STATUS");
  if (!status || status->empty()) return {};
  auto io_pos = status->get(0, "Gtid_IO_Pos").value_or("");
  if (io_pos.empty()) return {};
  auto waited = c.query_value("SELECT MASTER_GTID_WAIT(" + c.quote(io_pos) + ", 2)");
  if (!waited || waited->value_or("-1") != "0")
    return core::fail(core::ErrorKind::kTimeout,
                      server + ": relay log not applied within 2 s; " + otherwise);
  return {};
}

}  // namespace

core::Error from_db(const std::string& context, const db::Error& e) {
  core::ErrorKind kind = core::ErrorKind::kRefused;
  switch (e.kind) {
    case db::ErrorKind::kConnectFailed:
      kind = core::ErrorKind::kUnreachable;
      break;
    case db::ErrorKind::kConnectionLost:
      kind = core::ErrorKind::kOutcomeUnknown;
      break;
    case db::ErrorKind::kLockWaitTimeout:
      kind = core::ErrorKind::kTimeout;
      break;
    case db::ErrorKind::kAccessDenied:
    case db::ErrorKind::kDuplicateKey:
    case db::ErrorKind::kReadOnly:
    case db::ErrorKind::kDeadlock:
    case db::ErrorKind::kServerError:
    case db::ErrorKind::kClientError:
      kind = core::ErrorKind::kRefused;
      break;
  }
  return {kind, context + e.describe()};
}

LabDatabase::LabDatabase(std::map<std::string, ProbeTarget> servers, DbLogin admin,
                         DbLogin replication, std::chrono::milliseconds connect_timeout,
                         std::map<std::string, std::string> regions, std::string source_address)
    : servers_(std::move(servers)),
      admin_(std::move(admin)),
      replication_(std::move(replication)),
      connect_timeout_(connect_timeout),
      regions_(std::move(regions)),
      source_address_(std::move(source_address)) {}

Result<db::Connection> LabDatabase::connect(const std::string& server) {
  auto it = servers_.find(server);
  if (it == servers_.end())
    return core::fail(core::ErrorKind::kRefused, "unknown database server " + server);
  db::ConnectOptions o;
  o.host = it->second.host;
  o.port = it->second.port;
  o.user = admin_.user;
  o.password = admin_.password;
  o.bind_address = source_address_;
  o.connect_timeout = connect_timeout_;
  o.read_timeout = std::chrono::seconds(10);
  o.write_timeout = std::chrono::seconds(10);
  auto c = db::Connection::connect(o);
  if (!c) return std::unexpected(from_db(server + ": ", c.error()));
  return std::move(*c);
}

Result<> LabDatabase::exec_all(const std::string& server, const std::vector<std::string>& sqls) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  for (const auto& sql : sqls) {
    if (auto r = c->exec(sql); !r)
      return std::unexpected(from_db(server + ": " + sql + ": ", r.error()));
  }
  return {};
}

Result<> LabDatabase::change_primary(db::Connection& c, const std::string& primary) {
  auto it = servers_.find(primary);
  if (it == servers_.end())
    return core::fail(core::ErrorKind::kRefused, "unknown database server " + primary);
  for (const std::string& sql :
       {std::string("STOP SLAVE"),
        dr::lab::change_primary_sql(c, it->second.host, it->second.port, replication_.user,
                                    replication_.password),
        std::string("START SLAVE")}) {
    if (auto r = c.exec(sql); !r)
      return std::unexpected(from_db(sql.substr(0, 12) + ": ", r.error()));
  }
  return {};
}

Result<> LabDatabase::fence(const std::string& server) {
  return exec_all(server, {"SET GLOBAL read_only=ON"});
}

Result<> LabDatabase::catch_up(const std::string& target, const std::string& source,
                               std::chrono::milliseconds timeout) {
  auto src = connect(source);
  if (!src) return std::unexpected(src.error().in("catch-up source "));
  auto pos = src->query_value("SELECT @@gtid_binlog_pos");
  if (!pos) return std::unexpected(from_db(source + ": GTID position: ", pos.error()));
  if (!*pos) return core::fail(core::ErrorKind::kRefused, source + ": no GTID position");
  auto c = connect(target);
  if (!c) return std::unexpected(c.error());
  if (auto r = change_primary(*c, source); !r) return std::unexpected(r.error().in(target + ": "));
  auto waited =
      c->query_value("SELECT MASTER_GTID_WAIT(" + c->quote(**pos) + ", " + seconds(timeout) + ")");
  if (!waited) return std::unexpected(from_db(target + ": ", waited.error()));
  if (waited->value_or("-1") != "0")
    return core::fail(core::ErrorKind::kTimeout, target + " did not reach " + source +
                                                     "'s position " + **pos + " within " +
                                                     seconds(timeout) + " s");
  return {};
}

Result<> LabDatabase::promote(const std::string& server) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  // Lag gate: apply what is already in the relay log, so nothing received is thrown away.
  if (auto applied = apply_relay_log(*c, server, "not promoting"); !applied) return applied;
  // Semi-sync on the primary side, without waiting when no semi-sync replica is connected (the
  // first writes after a failover must not stall for the ACK timeout): commits wait for an
  // in-region replica again as soon as one follows (replicate_from turns its side on).
  for (const char* sql :
       {"STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL rpl_semi_sync_slave_enabled=OFF",
        "SET GLOBAL rpl_semi_sync_master_wait_no_slave=OFF",
        "SET GLOBAL rpl_semi_sync_master_enabled=ON", "SET GLOBAL read_only=OFF"}) {
    if (auto r = c->exec(sql); !r)
      return std::unexpected(from_db(server + ": " + sql + ": ", r.error()));
  }
  return {};
}

Result<bool> LabDatabase::is_writer(const std::string& server) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  auto read_only = c->query_value("SELECT @@read_only");
  if (!read_only) return std::unexpected(from_db(server + ": ", read_only.error()));
  if (read_only->value_or("1") != "0") return false;
  auto status = c->query("SHOW SLAVE STATUS");
  if (!status) return std::unexpected(from_db(server + ": ", status.error()));
  return status->empty();
}

Result<> LabDatabase::replicate_from(const std::string& replica, const std::string& primary) {
  auto c = connect(replica);
  if (!c) return std::unexpected(c.error());
  // Resume from everything the replica has, including what it wrote as a primary (a former
  // primary rejoining). Only safe without errant transactions: failback checks that first.
  const bool same_region = regions_.contains(replica) && regions_.contains(primary) &&
                           regions_.at(replica) == regions_.at(primary);
  const std::string semi_sync =
      std::string("SET GLOBAL rpl_semi_sync_slave_enabled=") + (same_region ? "ON" : "OFF");
  for (const std::string& sql :
       {std::string("SET GLOBAL read_only=ON"), std::string("STOP SLAVE"),
        // Only a primary waits for ACKs: on a replica it would stall its SQL thread (FACTS).
        std::string("SET GLOBAL rpl_semi_sync_master_enabled=OFF"), semi_sync,
        std::string("SET GLOBAL gtid_slave_pos=@@gtid_binlog_pos")}) {
    if (auto r = c->exec(sql); !r)
      return std::unexpected(from_db(replica + ": " + sql + ": ", r.error()));
  }
  if (auto r = change_primary(*c, primary); !r)
    return std::unexpected(r.error().in(replica + ": "));
  return {};
}

Result<double> LabDatabase::lag_seconds(const std::string& server) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  auto status = c->query("SHOW SLAVE STATUS");
  if (!status) return std::unexpected(from_db(server + ": ", status.error()));
  if (status->empty()) return core::fail(core::ErrorKind::kRefused, server + " is not a replica");
  auto behind = status->get(0, "Seconds_Behind_Master");
  if (!behind)
    return core::fail(core::ErrorKind::kRefused, server + " is not replicating (threads stopped)");
  try {
    return std::stod(*behind);
  } catch (const std::exception&) {
    return core::fail(core::ErrorKind::kRefused,
                      server + ": Seconds_Behind_Master is not a number: " + *behind);
  }
}

Result<std::string> LabDatabase::gtid_binlog_state(const std::string& server) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  auto v = c->query_value("SELECT @@gtid_binlog_state");
  if (!v) return std::unexpected(from_db(server + ": ", v.error()));
  return v->value_or("");
}

Result<bool> LabDatabase::replication_connected(const std::string& server) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  auto status = c->query("SHOW SLAVE STATUS");
  if (!status) return std::unexpected(from_db(server + ": ", status.error()));
  // Not a replica at all is not "lost its link": it proves nothing about the writer, and
  // promoting a server that was not following it would throw away its writes.
  if (status->empty()) return core::fail(core::ErrorKind::kRefused, server + " is not a replica");
  return status->get(0, "Slave_IO_Running").value_or("No") == "Yes";
}

Result<> LabDatabase::raise_write_guard(const std::string& server, const std::string& schema,
                                        int64_t epoch, bool local) {
  auto c = connect(server);
  if (!c) return std::unexpected(c.error());
  if (local) {
    if (auto applied = apply_relay_log(*c, server, "guard not raised"); !applied) return applied;
  } else {
    // The admin login writes past read_only: on a fenced old writer (a region failover whose
    // fence held) the raise would reach no replica, its link being what failed, and would be a
    // GTID of its own, errant when it rejoins.
    auto read_only = c->query_value("SELECT @@read_only");
    if (!read_only) return std::unexpected(from_db(server + ": ", read_only.error()));
    if (read_only->value_or("1") != "0")
      return core::fail(
          core::ErrorKind::kRefused,
          server + " is read-only (fenced): the guard is raised where the lease went");
  }
  const std::string table = "`" + schema + "`.dr_write_guard";
  const std::string n = std::to_string(epoch);
  std::vector<std::string> sqls;
  if (local) sqls.push_back("SET SESSION sql_log_bin=0");
  // The app's own schema (mysql_order_store.cc), so that its migration finds it as it made it.
  sqls.push_back("CREATE TABLE IF NOT EXISTS " + table +
                 " (id TINYINT NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL) ENGINE=InnoDB");
  sqls.push_back("INSERT INTO " + table + " (id, epoch) VALUES (1, " + n +
                 ") ON DUPLICATE KEY UPDATE epoch = GREATEST(epoch, " + n + ")");
  for (const auto& sql : sqls) {
    if (auto r = c->exec(sql); !r) return std::unexpected(from_db(server + ": ", r.error()));
  }
  return {};
}

}  // namespace dr::backends::lab
