#include "core/decision.h"

namespace dr::core {

std::string to_string(Action action) {
  switch (action) {
    case Action::kNone:
      return "none";
    case Action::kWait:
      return "wait";
    case Action::kResumeRunbook:
      return "resume-runbook";
    case Action::kAppRegionFailover:
      return "app-region-failover";
    case Action::kRegionFailover:
      return "region-failover";
    case Action::kBlocked:
      return "blocked";
    case Action::kRetakeLease:
      return "retake-lease";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Action action) {
  return os << to_string(action);
}

namespace {

using Target = Health Observation::*;

struct Votes {
  int checkers = 0;
  int unhealthy = 0;
  int healthy = 0;
  bool majority_unhealthy() const { return checkers > 0 && unhealthy * 2 > checkers; }
  bool majority_healthy() const { return checkers > 0 && healthy * 2 > checkers; }
  std::string tally(const std::string& what) const {
    return std::to_string(unhealthy) + " of " + std::to_string(checkers) + " checkers see " + what +
           " unhealthy";
  }
};

Votes count(const Snapshot& s, Target target) {
  Votes v;
  for (const auto& o : s.observations) {
    if (o.witness) continue;
    ++v.checkers;
    if (o.*target == Health::kUnhealthy) ++v.unhealthy;
    if (o.*target == Health::kHealthy) ++v.healthy;
  }
  return v;
}

const Observation* witness_of(const Snapshot& s) {
  for (const auto& o : s.observations) {
    if (o.witness) return &o;
  }
  return nullptr;
}

int pending_checkers(const Snapshot& s) {
  int n = 0;
  for (const auto& o : s.observations) n += (!o.witness && o.pending);
  return n;
}

// A failover is called for; the guards decide whether it may run.
Decision guarded(const Snapshot& s, Action action, const std::string& why) {
  if (s.guards.unacknowledged_failover) {
    return {Action::kBlocked,
            why + "; blocked: failover " + *s.guards.unacknowledged_failover +
                " is not acknowledged (run `drctl ack " + *s.guards.unacknowledged_failover +
                "`, or `drctl failover --to " + s.topology.secondary_region + " --force`)"};
  }
  if (!s.guards.automatic_failover_enabled) {
    return {Action::kBlocked, why +
                                  "; blocked: automatic failover is disabled (run `drctl "
                                  "failover --to " +
                                  s.topology.secondary_region + " --force` to fail over by hand)"};
  }
  return {action, why};
}

Decision writer_down(const Snapshot& s, const Votes& writer) {
  const std::string& region = s.topology.primary_region;
  const Observation* witness = witness_of(s);
  if (witness == nullptr || witness->writer == Health::kUnknown)
    return {Action::kWait, writer.tally("writer " + s.topology.writer) +
                               ", but the witness has no verdict yet: waiting for it"};
  if (witness->writer != Health::kUnhealthy)
    return {Action::kWait, writer.tally("writer " + s.topology.writer) +
                               ", but the witness reaches it: the controller may be the one cut "
                               "off; not failing over"};
  // A healthy secondary that cannot report its link is a gap in the evidence; an unhealthy one
  // is judged below (it cannot be promoted, but an in-region standby still can).
  if (!s.replication && s.secondary_db == Health::kHealthy)
    return {Action::kWait, "checkers and witness see writer " + s.topology.writer + " down, but " +
                               (s.topology.secondary_db.empty() ? std::string("no replica")
                                                                : s.topology.secondary_db) +
                               " cannot say whether it still replicates from it: not failing over"};
  if (s.replication && s.replication->connected_to_writer)
    return {Action::kWait, "checkers and witness see writer " + s.topology.writer + " down, but " +
                               s.topology.secondary_db +
                               " still replicates from it: it is alive; not failing over"};

  // Aurora moves the writer inside its region itself (Multi-AZ failover: on AWS, and in the
  // lab's RDS, src/lab_aws/in_region_watcher.h): the controller only observes it. A global
  // failover while it runs would throw away a move that keeps every acknowledged write.
  Votes standby = count(s, &Observation::az_standby);
  const bool standby_up = !s.topology.az_standby.empty() && standby.majority_healthy() &&
                          witness->az_standby == Health::kHealthy;
  if (standby_up)
    return {Action::kWait, "writer " + s.topology.writer + " is down (" + writer.tally("it") +
                               ", the witness agrees), but " + s.topology.az_standby + " in " +
                               region +
                               " is up: Aurora's in-region failover moves the writer there; "
                               "observing"};
  if (s.topology.secondary_db.empty() || s.secondary_db != Health::kHealthy)
    return {Action::kBlocked,
            "the databases of " + region + " are down, but the secondary database " +
                (s.topology.secondary_db.empty() ? "(none)" : s.topology.secondary_db) +
                " is not healthy: nothing to promote"};
  return guarded(s, Action::kRegionFailover,
                 "the databases of " + region + " are down (" + writer.tally("the writer") +
                     ", the witness agrees, " + s.topology.secondary_db +
                     " lost its replication link): failing over to " + s.topology.secondary_region);
}

Decision app_down(const Snapshot& s, const Votes& app) {
  const Observation* witness = witness_of(s);
  const std::string& region = s.topology.primary_region;
  if (witness == nullptr || witness->app != Health::kUnhealthy)
    return {Action::kWait, app.tally("the load balancer of " + region) +
                               ", but the witness does not agree: not moving traffic"};
  // The app tier's verdict came first; the writer's may still be on its way (a region dying
  // process by process: its apps a moment before its database). Moving only the traffic now
  // would leave the database in a dead region, and the failover's acknowledgement would then
  // block the region failover it needs.
  if (const int pending = pending_checkers(s); pending > 0)
    return {Action::kWait, app.tally("the load balancer of " + region) + ", but " +
                               std::to_string(pending) +
                               " of them have a change pending: waiting for the databases' "
                               "verdict before moving traffic"};
  return guarded(s, Action::kAppRegionFailover,
                 "the application tier of " + region + " is down (" + app.tally("it") +
                     ", the witness agrees) while its databases are healthy: moving traffic to " +
                     s.topology.secondary_region + ", the database stays");
}

}  // namespace

Decision tick(const Snapshot& s) {
  if (s.runbook && !s.runbook->owned_by.empty())
    return {Action::kWait, "runbook " + s.runbook->id + " (" + s.runbook->scenario +
                               ") is being run by " + s.runbook->owned_by + ", now at " +
                               s.runbook->next_step + ": waiting for it"};
  if (s.runbook)
    return {Action::kResumeRunbook, "runbook " + s.runbook->id + " (" + s.runbook->scenario +
                                        ") was interrupted: resuming at " + s.runbook->next_step};
  Votes writer = count(s, &Observation::writer);
  if (writer.majority_unhealthy()) return writer_down(s, writer);
  Votes app = count(s, &Observation::app);
  if (app.majority_unhealthy()) return app_down(s, app);

  const int pending = pending_checkers(s);
  if (writer.unhealthy > 0 || app.unhealthy > 0) {
    return {Action::kWait, writer.tally("the writer") + " and " + app.tally("the app") +
                               ": no majority, no action"};
  }
  if (pending > 0)
    return {Action::kWait, std::to_string(pending) + " of " + std::to_string(writer.checkers) +
                               " checkers have a change pending in " + s.topology.primary_region};
  // A lease that ran out with nothing failing over (its apps killed and restored, fenced for a
  // while and unfenced, a revoke) is taken by nobody else: without this the healthy primary
  // would refuse every write until the next runbook. The world reports it free only where the
  // primary serves (lab_world.cc).
  if (s.write_lease_free && s.guards.automatic_failover_enabled)
    return {Action::kRetakeLease, "primary region " + s.topology.primary_region +
                                      " is healthy, but nobody holds the write lease (it ran out "
                                      "unrenewed): giving it back to " +
                                      s.topology.primary_region};
  return {Action::kNone, "primary region " + s.topology.primary_region + " is healthy"};
}

}  // namespace dr::core
