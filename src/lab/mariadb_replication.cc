// The replication operations of MariaDbInstance. Each opens its own short-lived root connection
// over the unix socket: cheap (~1 ms), and always valid across crashes and restarts.
#include <algorithm>
#include <cstdio>

#include "lab/mariadb_instance.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using namespace std::chrono_literals;

std::string seconds_literal(std::chrono::milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

}  // namespace

std::string change_primary_sql(const db::Connection& c, const std::string& host, std::uint16_t port,
                               const std::string& user, const std::string& password) {
  return "CHANGE MASTER TO MASTER_HOST=" + c.quote(host) + ", MASTER_PORT=" + std::to_string(port) +
         ", MASTER_USER=" + c.quote(user) + ", MASTER_PASSWORD=" + c.quote(password) +
         ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1";
}

Result<void> MariaDbInstance::make_replica_of(const std::string& primary_address,
                                              std::uint16_t primary_port, bool semi_sync) {
  // Resume from everything this server has, including what it wrote as a primary: with
  // log_slave_updates its binlog position is its whole history.
  return replicate_from(primary_address, primary_port, semi_sync, "@@gtid_binlog_pos");
}

Result<void> MariaDbInstance::replicate_from(const std::string& primary_address,
                                             std::uint16_t primary_port, bool semi_sync,
                                             const std::string& gtid_slave_pos_sql) {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"stop replication", "STOP SLAVE"},
      {"fence", "SET GLOBAL read_only=ON"},
      // Only the primary may wait for ACKs: on a replica it stalls the SQL thread (FACTS).
      {"disable semi-sync primary side", "SET GLOBAL rpl_semi_sync_master_enabled=OFF"},
      {"set semi-sync replica side",
       std::string("SET GLOBAL rpl_semi_sync_slave_enabled=") + (semi_sync ? "ON" : "OFF")},
      {"set the position to resume from", "SET GLOBAL gtid_slave_pos=" + gtid_slave_pos_sql},
      {"change primary",
       change_primary_sql(*c, primary_address, primary_port, credentials_.replication.name,
                          credentials_.replication.password)},
      {"start replication", "START SLAVE"},
  };
  for (const auto& [what, sql] : steps) {
    if (auto r = c->exec(sql); !r) {
      return std::unexpected(db_error(r.error(), what + " (replica of " + primary_address + ":" +
                                                     std::to_string(primary_port) + ")"));
    }
  }
  return {};
}

Result<void> MariaDbInstance::rejoin_as_replica_of(const MariaDbInstance& primary, bool semi_sync) {
  auto errant = errant_gtids_against(primary);
  if (!errant) return std::unexpected(errant.error());
  if (!errant->empty()) {
    return fail(ErrorKind::kRefused, "MariaDB " + name() + " has transactions " +
                                         to_string(*errant) + " that " + primary.name() +
                                         " lacks (errant GTIDs); rebuild it instead of rejoining");
  }
  return make_replica_of(primary, semi_sync);
}

Result<void> MariaDbInstance::promote(bool semi_sync) {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"stop replication", "STOP SLAVE"},
      {"forget the primary", "RESET SLAVE ALL"},
      {"disable semi-sync replica side", "SET GLOBAL rpl_semi_sync_slave_enabled=OFF"},
      {"set semi-sync primary side",
       std::string("SET GLOBAL rpl_semi_sync_master_enabled=") + (semi_sync ? "ON" : "OFF")},
      {"unfence", "SET GLOBAL read_only=OFF"},
  };
  for (const auto& [what, sql] : steps) {
    if (auto r = c->exec(sql); !r) return std::unexpected(db_error(r.error(), "promote: " + what));
  }
  return {};
}

Result<void> MariaDbInstance::set_read_only(bool read_only) {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  if (auto r = c->exec(std::string("SET GLOBAL read_only=") + (read_only ? "ON" : "OFF")); !r) {
    return std::unexpected(db_error(r.error(), "set read_only"));
  }
  return {};
}

Result<bool> MariaDbInstance::read_only() const {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  auto v = c->query_value("SELECT @@GLOBAL.read_only");
  if (!v) return std::unexpected(db_error(v.error(), "read read_only"));
  return v->value_or("0") == "1";
}

Result<GtidPositions> MariaDbInstance::gtid_positions() const {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  auto rows = c->query(
      "SELECT @@gtid_current_pos, @@gtid_binlog_pos, @@gtid_slave_pos, @@gtid_binlog_state");
  if (!rows) return std::unexpected(db_error(rows.error(), "read GTID positions"));
  if (rows->empty() || rows->rows[0].size() != 4) {
    return fail(ErrorKind::kProtocol, "MariaDB " + name() + ": no GTID positions");
  }
  const auto& r = rows->rows[0];
  return GtidPositions{r[0].value_or(""), r[1].value_or(""), r[2].value_or(""), r[3].value_or("")};
}

Result<void> MariaDbInstance::wait_for_gtid(std::string_view gtid_position,
                                            std::chrono::milliseconds timeout) const {
  // The read timeout must outlast the server-side wait, or we would report a lost connection.
  auto c = connect_root(timeout + 5s);
  if (!c) return std::unexpected(c.error());
  auto v = c->query_value("SELECT MASTER_GTID_WAIT(" + c->quote(gtid_position) + ", " +
                          seconds_literal(timeout) + ")");
  if (!v) return std::unexpected(db_error(v.error(), "MASTER_GTID_WAIT"));
  if (v->value_or("") != "0") {
    return fail(ErrorKind::kTimeout, "MariaDB " + name() + " did not reach GTID " +
                                         std::string(gtid_position) + " within " +
                                         std::to_string(timeout.count()) + " ms");
  }
  return {};
}

Result<void> MariaDbInstance::wait_for_relay_log_applied(std::chrono::milliseconds timeout) const {
  auto status = replica_status();
  if (!status) return std::unexpected(status.error());
  if (!status->configured || status->gtid_io_pos.empty()) return {};
  auto positions = gtid_positions();
  if (!positions) return std::unexpected(positions.error());
  auto applied = parse_gtid_list(positions->slave);
  auto received = parse_gtid_list(status->gtid_io_pos);
  if (!applied) return std::unexpected(applied.error());
  if (!received) return std::unexpected(received.error());
  if (contains(*applied, *received)) return {};
  if (!status->sql_running) {
    return fail(ErrorKind::kDatabase, "MariaDB " + name() +
                                          ": the SQL thread is stopped, the relay log cannot be "
                                          "applied: " +
                                          status->last_error());
  }
  return wait_for_gtid(status->gtid_io_pos, timeout);
}

std::string MariaDbInstance::stopped_on_error_text(const std::string& source,
                                                   const ReplicaStatus& stopped) const {
  // The thread that stopped, in its own words (the other may be retrying something else).
  const bool io = stopped.io_running == "No" && stopped.last_io_errno != 0;
  return name() + " does not replicate from " + source + ": its " +
         (io ? "IO thread stopped on error " + std::to_string(stopped.last_io_errno) +
                   ": the server says: " + stopped.last_io_error
             : "SQL thread stopped on error " + std::to_string(stopped.last_sql_errno) +
                   ": the server says: " + stopped.last_sql_error);
}

Result<void> MariaDbInstance::wait_caught_up(const std::string& source,
                                             std::string_view gtid_position,
                                             std::chrono::milliseconds timeout,
                                             Clock* clock) const {
  Clock& c = clock != nullptr ? *clock : steady_clock();
  const auto deadline = c.now() + timeout;
  for (;;) {
    // Short server-side waits, with a look at replication between them: a replica can connect,
    // look healthy, and then be refused (1236 "slave has diverged"); one long MASTER_GTID_WAIT
    // would sit out its whole timeout on a replica that will never catch up.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - c.now());
    auto reached = wait_for_gtid(gtid_position, std::clamp(left, 0ms, 500ms));
    if (reached || reached.error().kind != ErrorKind::kTimeout) return reached;
    auto s = replica_status();
    if (s && s->stopped_on_error())
      return fail(ErrorKind::kDatabase, stopped_on_error_text(source, *s));
    if (c.now() >= deadline)
      return fail(
          ErrorKind::kTimeout,
          "MariaDB " + name() + " did not reach GTID " + std::string(gtid_position) + " within " +
              std::to_string(timeout.count()) + " ms" +
              (s && !s->last_error().empty() ? ": the server says: " + s->last_error() : ""));
  }
}

Result<void> MariaDbInstance::wait_replicating(const std::string& source,
                                               std::chrono::milliseconds timeout, Clock* clock,
                                               std::chrono::milliseconds settle) const {
  Clock& c = clock != nullptr ? *clock : steady_clock();
  std::string last_error;
  std::optional<Clock::TimePoint> stopped_since;
  ReplicaStatus stopped;
  auto replicating =
      wait_until(name() + " replicates from " + source,
                 [&] {
                   auto s = replica_status();
                   if (!s) return false;
                   if (!s->last_error().empty()) last_error = s->last_error();
                   if (!s->stopped_on_error()) {
                     stopped_since.reset();
                     return s->healthy();
                   }
                   if (!stopped_since) stopped_since = c.now();
                   stopped = *s;
                   return c.now() - *stopped_since >= settle;
                 },
                 {.timeout = timeout, .poll = std::chrono::milliseconds(20), .clock = clock});
  if (replicating && !stopped_since) return {};
  if (replicating) return fail(ErrorKind::kDatabase, stopped_on_error_text(source, stopped));
  return fail(
      ErrorKind::kTimeout,
      replicating.error().message + (last_error.empty() ? "" : ": the server says: " + last_error));
}

Result<ReplicaStatus> MariaDbInstance::replica_status() const {
  auto c = connect_root();
  if (!c) return std::unexpected(c.error());
  auto rows = c->query("SHOW SLAVE STATUS");
  if (!rows) return std::unexpected(db_error(rows.error(), "SHOW SLAVE STATUS"));
  ReplicaStatus s;
  if (rows->empty()) return s;
  auto get = [&](std::string_view column) { return rows->get(0, column).value_or(""); };
  auto number = [&](std::string_view column) -> unsigned long long {
    const std::string v = get(column);
    return v.empty() ? 0ULL : std::stoull(v);
  };
  s.configured = true;
  s.io_running = get("Slave_IO_Running");
  s.sql_running = get("Slave_SQL_Running") == "Yes";
  if (auto behind = rows->get(0, "Seconds_Behind_Master")) s.seconds_behind = std::stoll(*behind);
  s.master_host = get("Master_Host");
  s.master_port = static_cast<std::uint16_t>(number("Master_Port"));
  s.gtid_io_pos = get("Gtid_IO_Pos");
  s.last_io_errno = static_cast<unsigned>(number("Last_IO_Errno"));
  s.last_sql_errno = static_cast<unsigned>(number("Last_SQL_Errno"));
  s.last_io_error = get("Last_IO_Error");
  s.last_sql_error = get("Last_SQL_Error");
  return s;
}

Result<GtidList> MariaDbInstance::errant_gtids_against(const MariaDbInstance& other) const {
  auto mine = gtid_positions();
  if (!mine) return std::unexpected(mine.error());
  auto theirs = other.gtid_positions();
  if (!theirs) return std::unexpected(theirs.error());
  auto a = parse_gtid_list(mine->binlog_state);
  if (!a) return std::unexpected(a.error());
  auto b = parse_gtid_list(theirs->binlog_state);
  if (!b) return std::unexpected(b.error());
  return errant_gtids(*a, *b);
}

}  // namespace dr::lab
