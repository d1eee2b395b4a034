// Reads the DR timings a stack is configured with (root variables, and the Route 53 resources
// where their values are known) for the DR budget (dr_budget.h).
#pragma once

#include <expected>
#include <string>

#include "infra/dr_budget.h"
#include "infra/stack.h"

namespace dr::infra {

// The root variables the budget reads; a stack without rto_target_seconds has no budget.
inline constexpr const char* kRtoTargetVariable = "rto_target_seconds";

// Fails with the name of a missing or non-numeric root variable.
std::expected<DrTimings, std::string> read_dr_timings(const Stack& stack);

}  // namespace dr::infra
