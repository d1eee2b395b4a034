// `drctl drill report`: recomputes a drill's JSON and HTML reports from its saved files (the
// operation history, the read-back, the events), so a verdict can be re-checked after the fact.
#pragma once

#include <CLI/CLI.hpp>

namespace dr::drill {

// Adds `report` under the `drill` subcommand of `app` (created if nobody registered it yet).
void register_drill_report_commands(CLI::App& app);

}  // namespace dr::drill
