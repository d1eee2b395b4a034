// From a decision and the snapshot it was made on, the runbook plan: who is fenced, who is
// promoted, who follows, which endpoints move. Pure, so every scenario's plan is unit-tested.
#pragma once

#include <optional>

#include "core/decision.h"
#include "core/runbook.h"

namespace dr::core {

struct PlanOptions {
  std::string id;            // the failover's id
  int standby_capacity = 2;  // what the new primary region's fleet scales to
};

// nullopt for decisions that start no runbook (none, wait, blocked, resume).
std::optional<RunbookPlan> plan_for(const Decision& decision, const Snapshot& snapshot,
                                    const PlanOptions& options);

// A planned switchover (no data loss): the operator's `drctl switchover --to <region>`.
RunbookPlan switchover_plan(const Topology& topology, const PlanOptions& options);

}  // namespace dr::core
