// The controller's two other ports: the world it observes and acts on, and where it keeps its
// state. src/controller drives them; the lab (src/backends/lab) and AWS implement them, and the
// controller's unit tests fake them.
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "core/runbook.h"
#include "core/snapshot.h"

namespace dr::core {

// One target's evidence and the ports that act on it.
class World {
 public:
  virtual ~World() = default;
  // Probes and reads everything a snapshot needs except the guards and the runbook (the loop
  // adds those from the state store).
  virtual std::expected<Snapshot, std::string> observe() = 0;
  // Valid until the next observe().
  virtual Backends backends() = 0;
};

// The controller's durable state (a DynamoDB table in the region that survives): the runbook in
// flight and the guards. save() (RunbookStore) is conditional: refused while another owner's
// lease on an unfinished runbook still holds, so two processes never drive a runbook at once.
class StateStore : public RunbookStore {
 public:
  // The last saved runbook (done or not), or nullopt when there has never been one.
  virtual std::expected<std::optional<RunbookState>, std::string> load_runbook() = 0;
  virtual std::expected<Guards, std::string> load_guards() = 0;
  virtual std::expected<void, std::string> set_automatic_failover(bool enabled) = 0;
  // Records a completed failover that must be acknowledged before the next automatic one.
  virtual std::expected<void, std::string> require_ack(const std::string& failover_id) = 0;
  // Acknowledges `failover_id`; an error when it is not the one waiting (a typo must not
  // silently re-arm automatic failover).
  virtual std::expected<void, std::string> acknowledge(const std::string& failover_id) = 0;
  // Remembers the primary fleet's desired capacity (Guards::primary_capacity).
  virtual std::expected<void, std::string> remember_primary_capacity(int desired) = 0;
};

}  // namespace dr::core
