// What each drill scenario promises, as a table (Patroni's modes-as-data), and the judgement of a
// checked drill against it. Every promise comes with one sentence saying what was found.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drill/checker.h"

namespace dr::drill {

// How many acknowledged writes a scenario may lose.
enum class DataPromise {
  kNoLoss,             // synchronous paths only (semi-sync in-region, switchover at zero lag)
  kOnlyInAsyncWindow,  // cross-region async replication: only writes just before the fault
  // A partition: the cut-off primary keeps acknowledging writes that never cross the cut until it
  // is fenced, and the promotion discards them (its errant GTIDs). Loss is allowed from the async
  // window before the fault up to the promotion, never after it: that would be split brain.
  kOnlyUntilPromotion,
};

struct ScenarioPromises {
  std::string_view scenario;
  DataPromise data;                     // orders (MariaDB)
  std::optional<double> rto_target_ms;  // with the lab's default timings (1 s probes, threshold 3)
  // Sessions (the DynamoDB global table replicates asynchronously): async-window loss only where
  // the fault kills a region's table.
  DataPromise sessions = DataPromise::kNoLoss;
  // What the controller must do for the drill to have measured anything: the decision's action
  // ("switchover": an operator's runbook), and whether the scenario injects a fault at all.
  std::string_view controller_action;
  bool injects_fault = true;
  // False for faults the controller must ride out (a blip, a cut that may isolate the controller
  // itself): the drill passes only if nothing failed over and the writer stayed where it was.
  bool expects_failover = true;
  // The fault cuts the primary region off (partition): whether the fence reached its apps across
  // the cut is reported (not enforced), since the lab's supervisor reaches them where a real
  // region's control plane would not.
  bool cuts_primary = false;
  // The platform moves the writer, not the controller (az-outage: Aurora's Multi-AZ failover, run
  // by the lab's RDS): the drill passes only if the writer moved while the controller decided
  // nothing and started no runbook.
  bool platform_moves_writer = false;
};

// Every scenario a drill knows; an unknown name is refused with this list.
const std::vector<ScenarioPromises>& scenario_table();
std::expected<ScenarioPromises, std::string> promises_for(std::string_view scenario);

struct PromiseOptions {
  // How far before the fault the asynchronous replica may lag: lost writes that started in
  // [fault - async_window, fault] are the price of async replication; any other is a broken
  // promise.
  double async_window_ms = 1000;
  // RTO targets are always reported; they are promises only when the caller asks.
  bool enforce_rto_target = false;
};

struct PromiseResult {
  // "fault_hit_and_controller_acted" (or "no_failover"), "fence_stayed_behind_the_cut" (reported
  // only), "no_lost_acked_writes",
  // "lost_only_in_async_window", "lost_only_until_promotion",
  // "no_lost_sessions", "sessions_lost_only_in_async_window", "no_split_brain", "single_writer",
  // "rto_within_target"
  std::string name;
  bool passed = false;
  bool enforced = true;  // false: reported, does not decide `passed`
  std::string sentence;
};

std::vector<PromiseResult> judge(const ScenarioPromises& promises, const CheckResult& result,
                                 const DrillEvents& events, const PromiseOptions& options);

// All enforced promises hold.
bool all_hold(const std::vector<PromiseResult>& results);

// Acknowledged writes (orders and sessions) lost inside the allowed async window while every
// promise held: the run passed, but not cleanly, and the verdict must say so.
std::size_t lost_inside_async_window(const CheckResult& result);

}  // namespace dr::drill
