// What happened to the system during a drill, on the drill's time axis (ms since it started):
// the fault, and the controller's milestones when it reports them. Every field is optional: the
// checker fills what it can from what it is given.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace dr::drill {

struct RunbookStep {
  std::string name;
  double start_ms = 0;
  double end_ms = 0;
  std::string outcome;  // "ok", "skipped: ...", "failed: ..."
};

struct DrillEvents {
  std::optional<double> fault_ms;          // the fault was injected
  std::optional<double> decision_ms;       // the controller decided to fail over
  std::optional<double> runbook_start_ms;  // the runbook's first step started
  std::optional<double> runbook_end_ms;    // its last step ended
  std::optional<double> promotion_ms;      // the new primary accepted writes
  std::optional<double> heal_ms;           // the fault was removed
  // The committed_by of the server that was fenced or demoted ("" when none was): a write it
  // acknowledges after the promotion is split brain.
  std::string fenced_server;
  std::vector<RunbookStep> runbook;
};

nlohmann::json to_json(const DrillEvents& events);
std::expected<DrillEvents, std::string> events_from_json(const nlohmann::json& j);

}  // namespace dr::drill
