// `drctl lab status`: the supervisor's status JSON as a table, and what keeps the lab from being
// healthy (the command's exit code).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace dr::lab {

// One row per component and fleet, then the front door. A cell longer than a column may be (a
// replication error) is cut and given in full under the table, so the columns stay aligned.
std::string render_status_table(const nlohmann::json& status);

// Why the lab is not fully up ("a2 killed", "fleet-us-east-1 1/2 healthy", "phase starting"),
// one reason each; empty when every part is healthy.
std::vector<std::string> degraded_parts(const nlohmann::json& status);

}  // namespace dr::lab
