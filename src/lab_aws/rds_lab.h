// What the rds handler needs from the lab, behind an interface so the handler's AWS behaviour
// is unit-tested without servers: the database servers as they are now (who writes comes from
// the servers themselves) and the move of the writer to another region, run with the lab's own
// mechanics (lab_rds.h implements both over a running lab).
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dr::lab_aws {

struct DbServer {
  std::string name;  // "a1": the DB instance identifier
  std::string region;
  std::string az;
  std::string address;
  int port = 0;
  bool running = false;      // up and answering
  bool replicating = false;  // a replica whose replication runs (the server's own report)
  // Seconds_Behind_Master while it replicates (whole seconds, the server's own report).
  std::optional<double> lag_seconds;
};

struct HostPort {
  std::string host;
  int port = 0;
};

struct DbTopology {
  std::vector<DbServer> servers;
  // The server holding the write role: the one writable server that replicates from nobody,
  // or, when it does not answer, the one the writer endpoints were last pointed at.
  std::string writer;
  std::map<std::string, HostPort> writer_endpoints;  // region -> the cluster's endpoint
  std::map<std::string, HostPort> reader_endpoints;  // region -> its reader endpoint
};

class RdsLab {
 public:
  virtual ~RdsLab() = default;
  virtual std::expected<DbTopology, std::string> topology() = 0;
  // Moves the writer to a server of `to_region`: unplanned with data loss allowed
  // (FailoverGlobalCluster AllowDataLoss), else planned (no acknowledged write lost). Returns a
  // note ("" or what was left out), or why it failed. Blocks until done.
  virtual std::expected<std::string, std::string> move_writer(const std::string& to_region,
                                                              bool allow_data_loss) = 0;
  // Moves the writer from `old_writer` to `new_writer`, another server of its region, as Aurora's
  // Multi-AZ failover does (FailoverDBCluster, RebootDBInstance ForceFailover): the old writer
  // is fenced when it answers, the new one applies what semi-sync made it receive before it is
  // promoted, the other region follows it, every writer endpoint leads to it. Returns a note
  // ("" or what was left out), or why it failed. Blocks until done. Moves nothing when, on the
  // topology the move is built from, `old_writer` no longer holds the write role: the move was
  // planned on an older read, and a move that ran since (a global one: the endpoint's, or the
  // lab path's, which no lock orders with this one) took the writer elsewhere; "moving it back"
  // into this region would be a failback nobody asked for.
  virtual std::expected<std::string, std::string> fail_over_in_region(
      const std::string& old_writer, const std::string& new_writer) = 0;
};

}  // namespace dr::lab_aws
