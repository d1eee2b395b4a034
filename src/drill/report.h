// A drill's verdict: the checker's findings, the promises judged against them, and the events,
// assembled once so the JSON and HTML reports say the same thing.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <string>
#include <vector>

#include "drill/checker.h"
#include "drill/events.h"
#include "drill/history.h"
#include "drill/promises.h"
#include "drill/readback_set.h"

namespace dr::drill {

// What the drill was run with and where the lab stood, for the report's header; saved with the
// run (run.json) so a recomputed report says the same.
struct RunInfo {
  std::string run_id;
  nlohmann::json parameters = nlohmann::json::object();  // {"rate": 40, "duration_s": 12, ...}
  std::string topology_before;  // "writer a1 (us-east-1), front door us-east-1"
  std::string topology_after;
};
nlohmann::json to_json(const RunInfo& run);
RunInfo run_info_from_json(const nlohmann::json& j);

struct DrillReport {
  std::string scenario;
  RunInfo run;
  std::int64_t started_at_unix_ms = 0;
  std::string readback_source;
  DrillEvents events;
  CheckResult result;
  std::optional<double> rto_target_ms;
  std::vector<PromiseResult> promises;
  bool passed = false;
};

// Checks the history against the read-back and judges the scenario's promises; fails only for
// a scenario the table does not know.
std::expected<DrillReport, std::string> build_report(
    const std::string& scenario, const History& history, const ReadBack& readback,
    const DrillEvents& events, const PromiseOptions& options, const RunInfo& run = {});

// "PASSED", "FAILED", or "passed, N writes lost inside the async window": a run that lost
// acknowledged writes is never a plain PASSED.
std::string verdict_text(const DrillReport& report);

// {"scenario", "acked", "failed", "unknown", "lost_acked", "rpo_window_ms", "split_brain_writes",
//  "rto_ms", "phases_ms": {...}, "passed"} and the details behind them.
nlohmann::json report_json(const DrillReport& report);

// One line per figure, for a terminal.
std::string report_summary(const DrillReport& report);

}  // namespace dr::drill
