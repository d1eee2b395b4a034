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

struct DrillReport {
  std::string scenario;
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
std::expected<DrillReport, std::string> build_report(const std::string& scenario,
                                                     const History& history,
                                                     const ReadBack& readback,
                                                     const DrillEvents& events,
                                                     const PromiseOptions& options);

// {"scenario", "acked", "failed", "unknown", "lost_acked", "rpo_window_ms", "split_brain_writes",
//  "rto_ms", "phases_ms": {...}, "passed"} and the details behind them.
nlohmann::json report_json(const DrillReport& report);

// One line per figure, for a terminal.
std::string report_summary(const DrillReport& report);

}  // namespace dr::drill
