// The operator's actions (drctl failover / switchover), as plans built from what the controller
// sees: the same checks whatever the target, so that the CLI only parses flags, runs the plan
// through the loop and prints. (Failback's rejoin still lives in src/cli: it compares the lab's
// GTID states, for which core has no port yet.)
#pragma once

#include <expected>
#include <functional>
#include <string>

#include "core/planner.h"
#include "core/runbook.h"
#include "core/snapshot.h"

namespace dr::controller {

// Does this database server answer right now? (the lab: a MySQL handshake from the controller's
// address; AWS: the cluster member's status.)
using Answers = std::function<bool(const std::string& server)>;

// drctl failover --to <region>: an unplanned move the operator asks for. Refused when the writer
// is already there, the region is unknown, or (without `force`) a failover waits for its
// acknowledgement or the writer still answers (a failover would throw away writes in flight).
// Catches up from the in-region standby when it answers (it may hold semi-sync-acknowledged
// writes the secondary lacks). `drctl` is the command the refusals tell the operator to run
// ("drctl" for the lab, "drctl aws" on AWS).
std::expected<core::RunbookPlan, std::string> failover_plan(const core::Snapshot& snapshot,
                                                            const std::string& to, bool force,
                                                            const Answers& answers,
                                                            const core::PlanOptions& options,
                                                            const std::string& drctl = "drctl");

// drctl switchover --to <region>: a planned move, no data loss; only to the secondary region.
std::expected<core::RunbookPlan, std::string> switchover_plan(const core::Snapshot& snapshot,
                                                              const std::string& to,
                                                              const core::PlanOptions& options);

}  // namespace dr::controller
