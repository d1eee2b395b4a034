// What happened to the system during a drill, on the drill's time axis (ms since it started):
// the fault, and the controller's milestones when it reports them. Every field is optional: the
// checker fills what it can from what it is given.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
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
  std::optional<double> heal_ms;           // the fault was removed (a blip's SIGCONT, a heal)
  // The committed_by of the old primary, the server the runbook fences or demotes ("" when
  // none): a write it acknowledges after the promotion is split brain. Whether the fence
  // actually ran is the fence step's outcome (fence_outcome()).
  std::string fenced_server;
  std::vector<RunbookStep> runbook;
  // The controller's decision that started the runbook (an operator's switchover: "switchover").
  std::string decision_action;
  std::string decision_reason;  // its one-line reason, as the controller logged it
  std::string failover_id;      // the runbook's id (what `drctl ack` takes)
  // What the fault hit, per the lab: each component it killed, and each fault that killed
  // nothing (its target was already down), so a drill on a broken lab cannot pass.
  std::vector<std::string> fault_hit;
  std::vector<std::string> fault_missed;
  // The writer (database server name) before the fault and at read-back: a scenario that must not
  // fail over is judged on these too, not only on the controller's decisions.
  std::string writer_before;
  std::string writer_after;
  // After a partition heals: whether the old primary rejoined the new one, or why it was refused
  // (its errant GTIDs), in the lab's words; "" when the scenario does not heal a cut.
  std::string rejoin;
  // The controller's last "wait" after the fault ("... but the witness reaches it: ..."): what
  // held it back, so a scenario it must ride out shows that it saw the fault at all.
  std::string held_back;
  // Why the controller cannot vouch for the whole run ("" when it watched throughout): its
  // process died, or the Lambda's execution environment was replaced, between settling and the
  // end, or it logged no tick after the run (hung, frozen). A fault it had to ride out proves
  // nothing when nobody was watching.
  std::string unwatched;
};

// Whether the controller's events show a tick that ended at or after `since_unix_ms`: its
// heartbeat (`tick`) or a change of decision (`decision`), each stamped `time_ms` (Unix ms).
bool ticked_since(const std::vector<nlohmann::json>& controller_events, int64_t since_unix_ms);

// The outcome of the runbook's fence step ("ok", "skipped: ..."), or "" when the runbook had
// none (an app-region failover fences nothing).
std::string fence_outcome(const DrillEvents& events);

nlohmann::json to_json(const DrillEvents& events);
std::expected<DrillEvents, std::string> events_from_json(const nlohmann::json& j);

}  // namespace dr::drill
