// The drill's HTML report: one self-contained file (inline CSS and SVG, no external assets, so it
// can be mailed or archived as is) with a timeline and the summary of the JSON report.
#pragma once

#include <string>

#include "drill/history.h"
#include "drill/report.h"

namespace dr::drill {

// The timeline: ok / failed / unknown per 100 ms as stacked bars, p50 and max latency per bucket
// as lines, and vertical markers for the fault, the decision, each runbook step, the promotion
// and the recovery (the first acknowledged write after the fault).
std::string render_html(const DrillReport& report, const History& history);

}  // namespace dr::drill
