// The controller's decision for one tick: a pure function of the snapshot, with a one-line reason
// that is logged and asserted in tests.
#pragma once

#include <ostream>
#include <string>

#include "core/snapshot.h"

namespace dr::core {

enum class Action {
  kNone,               // all well, or nothing we may do
  kWait,               // evidence is pending or disagrees: look again next tick
  kResumeRunbook,      // a runbook was interrupted: finish it first
  kAppRegionFailover,  // scale the standby fleet and move traffic; the database stays
  kRegionFailover,     // fence, promote the secondary database, move everything
  kBlocked,            // a failover is called for but a guard forbids it (the reason says how)
  kRetakeLease,        // all well, but nobody holds the write lease: the primary region takes it
};

std::string to_string(Action action);
std::ostream& operator<<(std::ostream& os, Action action);

struct Decision {
  Action action = Action::kNone;
  std::string reason;
};

Decision tick(const Snapshot& snapshot);

}  // namespace dr::core
