// The lab's database mechanics: the controller's own SQL, as the lab's admin user over TCP to each
// MariaDB server. LabGlobalDatabase (lab_global_database.h) builds core's GlobalDatabase port,
// the lab's stand-in for the RDS API calls the Lambda makes on AWS, from these. Errors carry
// core's kinds: no connection is unreachable, a broken one outcome-unknown.
// Connections are short-lived: a failover talks to servers that just died or came back.
#pragma once

#include <map>

#include "backends/lab/probes.h"
#include "core/error.h"
#include "db/connection.h"

namespace dr::backends::lab {

struct DbLogin {
  std::string user;
  std::string password;
};

using core::Result;

// A db::Error as core sees it, prefixed with `context`.
core::Error from_db(const std::string& context, const db::Error& error);

class LabDatabase final {
 public:
  // `regions` (server -> region) decides where semi-sync is re-established: a replica in its
  // primary's region acknowledges commits (the AZ-failure guarantee); a cross-region one never.
  // `source_address`: where its connections leave from (the controller's address), so that a
  // partition cuts them like the controller's probes; empty: 127.0.0.1, which no cut stops.
  LabDatabase(std::map<std::string, ProbeTarget> servers, DbLogin admin, DbLogin replication,
              std::chrono::milliseconds connect_timeout = std::chrono::milliseconds(1000),
              std::map<std::string, std::string> regions = {}, std::string source_address = {});

  Result<> fence(const std::string& server);
  Result<> catch_up(const std::string& target, const std::string& source,
                    std::chrono::milliseconds timeout);
  // Lag gate first: everything the server already received is applied before it takes writes.
  Result<> promote(const std::string& server);
  // Writable and replicating from nobody: `server` already is the writer (a promotion whose
  // answer was lost, or a resumed runbook).
  Result<bool> is_writer(const std::string& server);
  Result<> replicate_from(const std::string& replica, const std::string& primary);
  Result<double> lag_seconds(const std::string& server);

  // For the controller's evidence: is `server` receiving from its primary right now?
  Result<bool> replication_connected(const std::string& server);
  // @@gtid_binlog_state: the last GTID per domain and server id, what errant checks compare.
  Result<std::string> gtid_binlog_state(const std::string& server);
  const std::map<std::string, ProbeTarget>& servers() const { return servers_; }
  // The apps' write guard (dr_write_guard in `schema`: app/mysql_order_store.cc) on `server`
  // raised to `epoch` (created when no app has written yet; never lowered). `local`: not
  // binlogged (on a replica about to be promoted while its primary is out of reach: a GTID of
  // its own would be errant), after the relay log is applied (a guard row change still in it,
  // applied later, would not find the row it expects and stop replication). Not `local`: refused
  // (kRefused) on a read-only server, a fenced old writer.
  Result<> raise_write_guard(const std::string& server, const std::string& schema, int64_t epoch,
                             bool local);

 private:
  Result<db::Connection> connect(const std::string& server);
  Result<> exec_all(const std::string& server, const std::vector<std::string>& statements);
  Result<> change_primary(db::Connection& c, const std::string& primary);

  std::map<std::string, ProbeTarget> servers_;
  DbLogin admin_;
  DbLogin replication_;
  std::chrono::milliseconds connect_timeout_;
  std::map<std::string, std::string> regions_;
  std::string source_address_;
};

}  // namespace dr::backends::lab
