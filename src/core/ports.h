// What the runbook drives, shaped at the level AWS works at: the global database fails over (or
// switches over) to a region, a region's fleet scales and its apps are fenced, traffic shifts, a
// real write verifies, a notification goes out. Every method is idempotent (a resumed runbook
// calls it again, and a call whose outcome was lost is re-read, not repeated blindly) and fails
// with a core::Error whose kind tells the runbook whether to skip or stop (core/error.h).
// The lab implements these with MariaDB, HAProxy and the supervisor (src/backends/lab); AWS with
// RDS global clusters, Auto Scaling, CloudWatch and SNS (src/backends/aws, issue 10).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace dr::core {

// Where the writer goes. AWS needs only the regions (the global cluster knows its members); the
// lab, which plays Aurora with MariaDB servers, also uses the servers the planner chose.
struct DatabaseMove {
  std::string from_region;
  std::string to_region;  // == from_region: the writer moves inside its region (an AZ failover)
  std::string old_writer;
  std::string new_writer;
  std::string catch_up_source;         // a reachable replica more advanced than new_writer, or ""
  std::vector<std::string> followers;  // replicas that must follow the new writer (if alive)
  std::vector<std::string> regions;    // every region whose writer endpoint leads to the writer
  std::chrono::milliseconds catch_up_timeout{2000};
};

class GlobalDatabase {
 public:
  virtual ~GlobalDatabase() = default;
  // The old writer stops taking writes (read-only). Succeeds when it already is. On AWS the
  // failover fences Aurora's writer itself: not-supported there.
  virtual Result<> fence_writer(const DatabaseMove& move) = 0;
  // Unplanned: the writer moves to move.to_region. With allow_data_loss, what the new writer has
  // is what survives (FailoverGlobalCluster AllowDataLoss); without, it first takes everything a
  // reachable source has, and refuses when it cannot. Returns a note for the audit ("" or what it
  // left out, such as a follower that died with its region). Re-reads who writes first: when
  // move.new_writer already does, only what follows the promotion is done again.
  virtual Result<std::string> fail_over(const DatabaseMove& move, bool allow_data_loss) = 0;
  // Planned, no data loss (SwitchoverGlobalCluster): the old writer is fenced and the new one
  // has everything before it takes writes.
  virtual Result<std::string> switch_over(const DatabaseMove& move) = 0;
};

class Fleet {
 public:
  virtual ~Fleet() = default;
  // The region's fleet (Auto Scaling group) has `desired` instances, within [min, max].
  virtual Result<> set_capacity(const std::string& region, int min, int desired, int max) = 0;
  // Tells the region's app instances to refuse writes (and fail /health/deep), those launched
  // later too.
  virtual Result<> fence_apps(const std::string& region, const std::string& reason) = 0;
  // Lifts that: the region is about to take traffic again (a failback).
  virtual Result<> unfence_apps(const std::string& region) = 0;
};

class Traffic {
 public:
  virtual ~Traffic() = default;
  // Sends all client traffic to `region` (Route 53 failover records / the lab's front door).
  virtual Result<> shift_to(const std::string& region) = 0;
};

class Probe {
 public:
  virtual ~Probe() = default;
  // A real write through the front door, read back from the writer: the failover worked.
  virtual Result<> verify_write(const std::string& region) = 0;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  // One event (JSON text). Never fails the runbook: a lost notification is logged, not fatal.
  virtual void notify(const std::string& json_event) = 0;
};

// The write lease (issue 12, src/lease): which region's apps may write, held in a quorum store
// that spans three failure domains. It moves with the traffic.
enum class LeaseTake {
  kHandOver,     // at once: the move is planned, or the old holder's apps are fenced
  kAfterExpiry,  // only once the old holder's TTL has run out: it may be cut off and still write
  kIfFree,       // only if nobody holds it now (or `region` does): no waiting, refused otherwise
};

class WriteLease {
 public:
  virtual ~WriteLease() = default;
  // `region` takes the write lease; a note for the audit ("epoch 3"). With kAfterExpiry it waits,
  // up to the target's deadline (then kTimeout: the next attempt waits again), for the old
  // holder's TTL to run out. not-supported: the target runs without a write lease.
  virtual Result<std::string> take(const std::string& region, LeaseTake how) = 0;
  // The region the lease names now, as a quorum sees it; nullopt when nobody holds it (the lab's
  // etcd deletes a lease that ran out unrenewed; AWS's table has no item before the first take).
  // not-supported: the target runs without a write lease.
  virtual Result<std::optional<std::string>> holder() = 0;
};

}  // namespace dr::core
