// One lab MariaDB server: its directory, its process, its users, and the replication operations
// a DR controller performs on an Aurora-like topology (replicate, promote, fence, catch up,
// rejoin). Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "db/connection.h"
#include "lab/clock.h"
#include "lab/credentials.h"
#include "lab/error.h"
#include "lab/gtid.h"
#include "lab/mariadb_config.h"
#include "lab/process.h"

namespace dr::lab {

struct GtidPositions {
  std::string current;       // @@gtid_current_pos: everything it has, applied or written
  std::string binlog;        // @@gtid_binlog_pos: the last GTID per domain in its binlog
  std::string slave;         // @@gtid_slave_pos: the last GTID per domain applied as a replica
  std::string binlog_state;  // @@gtid_binlog_state: the last GTID per domain and server id
};

struct ReplicaStatus {
  bool configured = false;  // false: not a replica (SHOW SLAVE STATUS is empty)
  std::string io_running;   // "Yes", "No", "Connecting"
  bool sql_running = false;
  std::optional<long long> seconds_behind;  // NULL while the IO or SQL thread is stopped
  std::string master_host;
  std::uint16_t master_port = 0;
  std::string gtid_io_pos;  // what it has received (applied or still in its relay log)
  unsigned last_io_errno = 0;
  unsigned last_sql_errno = 0;
  std::string last_io_error;
  std::string last_sql_error;

  bool io_connected() const { return io_running == "Yes"; }
  bool healthy() const { return io_connected() && sql_running; }
  // The IO error, then the SQL error, when there are any.
  std::string last_error() const {
    if (last_io_error.empty()) return last_sql_error;
    return last_sql_error.empty() ? last_io_error : last_io_error + "; " + last_sql_error;
  }
  // Stopped on an error the server does not retry: the IO thread gave up (1236 "slave has
  // diverged": "No", where a lost connection stays "Connecting" and retries), or the SQL thread
  // stopped on an event it could not apply. Waiting changes nothing.
  bool stopped_on_error() const {
    return configured &&
           ((io_running == "No" && last_io_errno != 0) || (!sql_running && last_sql_errno != 0));
  }
};

class MariaDbInstance {
 public:
  // Writes the cnf, creates the credentials file if this is the lab's first server, and
  // initialises the datadir unless it exists. Does not start the server.
  static Result<MariaDbInstance> create(MariaDbConfig config);

  // Starts the server and waits until it answers; creates the lab users on its first start.
  Result<void> start();
  // start() in two halves, so that several servers can boot at once: launch() spawns,
  // wait_ready() waits until it answers and creates the users on the first start.
  Result<void> launch();
  Result<void> wait_ready();
  Result<void> stop();   // clean shutdown (SIGTERM), SIGKILL if it takes too long
  Result<void> crash();  // SIGKILL: no shutdown, crash recovery on the next start
  Result<void> restart() { return start(); }
  Result<void> freeze() { return process_.freeze(); }
  Result<void> thaw() { return process_.thaw(); }
  bool running() { return process_.running(); }
  pid_t pid() const { return process_.pid(); }

  const MariaDbConfig& config() const { return config_; }
  const MariaDbPaths& paths() const { return paths_; }
  const std::string& name() const { return config_.name; }
  const std::string& address() const { return config_.address; }
  std::uint16_t port() const { return config_.port; }
  const LabCredentials& credentials() const { return credentials_; }

  // Over TCP as the lab's admin user (what the controller would use); as the app user, on the
  // app's database.
  db::ConnectOptions admin_options() const;
  db::ConnectOptions app_options() const;
  // root over the unix socket: the lab's own maintenance connection.
  Result<db::Connection> connect_root(
      std::chrono::milliseconds read_timeout = std::chrono::seconds(10)) const;

  // ---- Replication ----

  // Replicate from `primary_address:primary_port` with GTIDs, resuming from what this server
  // already has (its binlog position), semi-synchronously or not. Fences this server.
  Result<void> make_replica_of(const std::string& primary_address, std::uint16_t primary_port,
                               bool semi_sync);
  Result<void> make_replica_of(const MariaDbInstance& primary, bool semi_sync) {
    return make_replica_of(primary.address(), primary.port(), semi_sync);
  }
  // The steps of make_replica_of, resuming from `gtid_slave_pos_sql` (an SQL expression).
  Result<void> replicate_from(const std::string& primary_address, std::uint16_t primary_port,
                              bool semi_sync, const std::string& gtid_slave_pos_sql);
  // Rebuilds a fresh server (its datadir just created) as a replica of `source`: a consistent
  // copy of the app database (mariadb-dump, at a GTID position) imported without binlogging,
  // then replication from that position. Replaying the source's binlog from its start does not
  // work for an old primary: a replica skips the events that carry its own server id, and the
  // start of that history does.
  Result<void> clone_from(const MariaDbInstance& source, bool semi_sync);
  // As make_replica_of, but first refuses (kRefused, naming the GTIDs) when this server has
  // transactions the new primary lacks: an old primary may rejoin only without errant writes.
  Result<void> rejoin_as_replica_of(const MariaDbInstance& primary, bool semi_sync);

  // Stop replicating, forget the primary, accept writes. With semi_sync, commits then wait for
  // a semi-sync replica's ACK (up to the configured timeout).
  Result<void> promote(bool semi_sync);
  // read_only=ON fences the server against the app (not against replication or admins).
  Result<void> set_read_only(bool read_only);
  Result<bool> read_only() const;

  Result<GtidPositions> gtid_positions() const;
  // Waits until this replica has applied `gtid_position` (MASTER_GTID_WAIT, on gtid_slave_pos).
  Result<void> wait_for_gtid(std::string_view gtid_position,
                             std::chrono::milliseconds timeout) const;
  // Waits until everything already received from the primary is applied: after a primary died,
  // this makes gtid_current_pos final, so replicas can be compared.
  Result<void> wait_for_relay_log_applied(std::chrono::milliseconds timeout) const;
  Result<ReplicaStatus> replica_status() const;
  // Waits until this replica of `source` has applied `gtid_position`, up to `timeout`; ends at
  // once, in the server's words, when its replication stops on an error meanwhile.
  Result<void> wait_caught_up(const std::string& source, std::string_view gtid_position,
                              std::chrono::milliseconds timeout, Clock* clock = nullptr) const;
  // "b1 does not replicate from a1: its IO thread stopped on error 1236: the server says: ..."
  std::string stopped_on_error_text(const std::string& source, const ReplicaStatus& stopped) const;
  // Waits until it replicates (both threads running), up to `timeout`. Replication stopped on
  // an error (ReplicaStatus::stopped_on_error) for `settle` ends the wait at once, with the
  // server's own words: waiting out the timeout would only hide them. `settle` asks the stop to
  // be seen on polls apart, not just once, before the wait gives up on it.
  Result<void> wait_replicating(
      const std::string& source, std::chrono::milliseconds timeout, Clock* clock = nullptr,
      std::chrono::milliseconds settle = std::chrono::milliseconds(300)) const;
  // GTIDs this server has (in its binlog) that `other` does not, compared per domain and server
  // id (gtid.h): non-empty means errant.
  Result<GtidList> errant_gtids_against(const MariaDbInstance& other) const;

 private:
  MariaDbInstance(MariaDbConfig config, MariaDbPaths paths, LabCredentials credentials)
      : config_(std::move(config)),
        paths_(std::move(paths)),
        credentials_(std::move(credentials)) {}
  Result<void> create_users();
  Error db_error(const db::Error& error, std::string_view what) const;

  MariaDbConfig config_;
  MariaDbPaths paths_;
  LabCredentials credentials_;
  bool port_picked_ = false;  // the port was picked free by us, so we may pick another
  Process process_;
};

// The lab's one CHANGE MASTER (a replica of `host:port`, by GTID, retrying every second): the
// supervisor's replicas and the controller's repoints both run it, so that they cannot drift.
std::string change_primary_sql(const db::Connection& connection, const std::string& host,
                               std::uint16_t port, const std::string& user,
                               const std::string& password);

}  // namespace dr::lab
