// Everything the controller knows at one tick. The controller re-reads the world every tick and
// derives its decision from this alone (Patroni's lesson): no hidden state machine, so a
// restarted controller decides exactly as the one that died would have.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/health_checker.h"

namespace dr::core {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

// Which server and region play which part right now.
struct Topology {
  std::string primary_region;    // where the writer is and traffic goes
  std::string secondary_region;  // the standby region (where the controller runs)
  std::string writer;            // the writer database server
  std::string az_standby;        // the primary region's other database server ("AZ b"); may be ""
  std::string secondary_db;      // the secondary region's replica; may be ""
};

// One observer's view of the primary region, each target run through its own HealthChecker.
// Observers are the controller's own checkers (several, like Route 53's checkers in several
// places) and the witness in the global range.
struct Observation {
  std::string observer;
  bool witness = false;
  Health writer = Health::kUnknown;      // the writer database answers and accepts writes
  Health az_standby = Health::kUnknown;  // the primary region's other database answers
  Health app = Health::kUnknown;         // the primary region's load balancer serves /health
  bool pending = false;                  // some target of this observer has a change pending
};

// The secondary database's own view of replication from the writer (the third kind of evidence:
// a replica that still receives events proves the writer alive, whatever the probes say).
struct ReplicationView {
  bool connected_to_writer = false;
  std::optional<double> lag_seconds;
};

struct Guards {
  bool automatic_failover_enabled = true;
  // Set by a completed failover until an operator acknowledges it (anti-flapping).
  std::optional<std::string> unacknowledged_failover;
  // The primary region's fleet capacity (desired) as last seen while it answered: a failover
  // scales the standby to at least this, as ARC Region switch does, since the dead region
  // cannot be asked any more. nullopt: never seen.
  std::optional<int> primary_capacity;
};

struct RunbookInProgress {
  std::string id;
  std::string scenario;
  std::string next_step;
  // Another live process (an operator's drctl failover, or a second controller) holds the
  // runbook's lease: do not touch it, and start nothing else, until it finishes or its lease runs
  // out (then it is resumed here).
  std::string owned_by;
};

struct Snapshot {
  TimePoint now;
  Topology topology;
  std::vector<Observation> observations;
  std::optional<ReplicationView> replication;  // nullopt: the secondary database did not answer
  Health secondary_db = Health::kUnknown;      // the controller's own probe of it
  Guards guards;
  std::optional<RunbookInProgress> runbook;
  // The primary region's fleet capacity (desired) now; nullopt when it did not answer.
  std::optional<int> primary_fleet_desired;
  // The write lease (issue 12): true when it was read and nobody holds it, so no region's apps
  // may write. false: held, unread, or no lease at all.
  bool write_lease_free = false;
};

}  // namespace dr::core
