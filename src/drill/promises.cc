#include "drill/promises.h"

#include <algorithm>
#include <cmath>

namespace dr::drill {

namespace {

std::string ms(double v) {
  return std::to_string(std::llround(v)) + " ms";
}

std::string join(const std::vector<std::string>& parts, const std::string& separator = ", ") {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// What kind of write a promise is about, for its name and sentences.
struct Writes {
  std::string prefix;  // "" for orders, "sessions_" for sessions
  std::string noun;    // "acknowledged write(s)", "acknowledged session write(s)"
  std::string one;     // "acknowledged write", for "Every ..." and "No ..."
  std::string where;   // "on the new primary", "in any region's DynamoDB table"
};

const Writes kOrders{"", "acknowledged write(s)", "acknowledged write", "on the new primary"};
const Writes kSessions{"sessions_", "acknowledged session write(s)", "acknowledged session write",
                       "in any region's DynamoDB table"};

PromiseResult no_loss(const std::vector<Operation>& lost, const Writes& w) {
  const std::string name = w.prefix.empty() ? "no_lost_acked_writes" : "no_lost_sessions";
  if (lost.empty()) return {name, true, true, "Every " + w.one + " was found " + w.where + "."};
  return {name, false, true,
          std::to_string(lost.size()) + " " + w.noun + " are missing after recovery, " +
              "the first being " + lost.front().key + "."};
}

bool in_window(const Operation& op, double fault_ms, double window_ms) {
  return op.start_ms >= fault_ms - window_ms && op.start_ms <= fault_ms;
}

PromiseResult only_in_async_window(const std::vector<Operation>& lost, const Writes& w,
                                   const DrillEvents& events, double window_ms) {
  const std::string name = w.prefix + "lost_only_in_async_window";
  if (lost.empty())
    return {name, true, true, "No " + w.one + " was lost, not even inside the async window."};
  if (!events.fault_ms)
    return {name, false, true,
            std::to_string(lost.size()) + " " + w.noun +
                " were lost and without a fault time none can be placed inside the async "
                "window."};
  auto outside = std::ranges::count_if(
      lost, [&](const Operation& op) { return !in_window(op, *events.fault_ms, window_ms); });
  if (outside == 0)
    return {name, true, true,
            std::to_string(lost.size()) + " " + w.noun + " were lost, all started within " +
                ms(window_ms) + " before the fault (the asynchronous window)."};
  return {name, false, true,
          std::to_string(outside) + " of " + std::to_string(lost.size()) + " lost " + w.noun +
              " started outside [fault - " + ms(window_ms) + ", fault]."};
}

PromiseResult only_until_promotion(const std::vector<Operation>& lost, const Writes& w,
                                   const DrillEvents& events, double window_ms) {
  const std::string name = w.prefix + "lost_only_until_promotion";
  if (lost.empty())
    return {name, true, true, "No " + w.one + " was lost, not even while the region was cut off."};
  if (!events.fault_ms)
    return {name, false, true,
            std::to_string(lost.size()) + " " + w.noun +
                " were lost and without a fault time none can be placed before the promotion."};
  const double from = *events.fault_ms - window_ms;
  // Without a promotion nothing replaced the cut-off primary: only the async window applies.
  const double until = events.promotion_ms.value_or(*events.fault_ms);
  auto outside = std::ranges::count_if(
      lost, [&](const Operation& op) { return op.start_ms < from || op.start_ms > until; });
  if (outside == 0)
    return {name, true, true,
            std::to_string(lost.size()) + " " + w.noun + " were lost, all started between " +
                ms(window_ms) + " before the fault and the promotion (" + ms(until) +
                "): what the cut-off side acknowledged and never sent across the cut."};
  return {name, false, true,
          std::to_string(outside) + " of " + std::to_string(lost.size()) + " lost " + w.noun +
              " started outside [fault - " + ms(window_ms) + ", promotion], the first being " +
              lost.front().key + "."};
}

PromiseResult data_promise(DataPromise promise, const std::vector<Operation>& lost, const Writes& w,
                           const DrillEvents& events, double window_ms) {
  switch (promise) {
    case DataPromise::kNoLoss:
      return no_loss(lost, w);
    case DataPromise::kOnlyInAsyncWindow:
      return only_in_async_window(lost, w, events, window_ms);
    case DataPromise::kOnlyUntilPromotion:
      return only_until_promotion(lost, w, events, window_ms);
  }
  return no_loss(lost, w);
}

// "12 through the front door, 3 from stale clients of us-east-1's ALB"
std::string by_path(const std::vector<Operation>& ops) {
  std::size_t front = 0;
  std::vector<std::pair<std::string, std::size_t>> stale;
  for (const auto& op : ops) {
    if (op.via.empty()) {
      ++front;
      continue;
    }
    auto it = std::ranges::find(stale, op.via, &std::pair<std::string, std::size_t>::first);
    if (it == stale.end())
      stale.emplace_back(op.via, 1);
    else
      ++it->second;
  }
  std::vector<std::string> parts;
  if (front > 0) parts.push_back(std::to_string(front) + " through the front door");
  for (const auto& [via, n] : stale) parts.push_back(std::to_string(n) + " via " + via);
  return join(parts);
}

PromiseResult no_split_brain(const CheckResult& r, const DrillEvents& events) {
  const std::string name = "no_split_brain";
  if (events.fenced_server.empty() || !events.promotion_ms)
    return {name, true, true, "No server was promoted past another, so no write could be split."};
  // Name the old primary as fenced only when the runbook's fence step did fence it.
  const std::string fence = fence_outcome(events);
  const std::string old =
      fence == "ok" ? "the fenced old primary " + events.fenced_server
                    : "the old primary " + events.fenced_server + " (" +
                          (fence.empty() ? std::string("no fence step") : "fence " + fence) + ")";
  if (!r.split_brain.empty())
    return {name, false, true,
            std::to_string(r.split_brain.size()) + " write(s) started after the promotion were " +
                "acknowledged by " + old + " (" + by_path(r.split_brain) + "), the first being " +
                r.split_brain.front().key + "."};
  return {name, true, true,
          "No write started after the promotion was acknowledged by " + old + "."};
}

PromiseResult single_writer(const CheckResult& r) {
  const std::string name = "single_writer";
  std::string unanswered =
      r.unanswered_servers.empty()
          ? ""
          : " Not answering (not counted as writable): " + join(r.unanswered_servers) + ".";
  if (r.writable_servers.size() > 1)
    return {name, false, true,
            std::to_string(r.writable_servers.size()) +
                " database servers are writable at read-back: " + join(r.writable_servers) + "." +
                unanswered};
  if (r.writable_servers.empty())
    return {name, false, true, "No database server is writable at read-back." + unanswered};
  return {name, true, true,
          "Only " + r.writable_servers.front() + " is writable at read-back." + unanswered};
}

PromiseResult acted(const ScenarioPromises& p, const DrillEvents& e) {
  const std::string name = "fault_hit_and_controller_acted";
  std::vector<std::string> wrong;
  if (p.injects_fault) {
    if (e.fault_hit.empty()) wrong.push_back("the fault killed nothing");
    for (const auto& m : e.fault_missed) wrong.push_back("the fault missed: " + m);
  }
  if (e.decision_action != p.controller_action)
    wrong.push_back("the controller's action was " +
                    (e.decision_action.empty() ? std::string("none") : e.decision_action) +
                    ", not " + std::string(p.controller_action));
  if (!e.runbook_end_ms) wrong.push_back("no runbook finished");
  if (!wrong.empty())
    return {name, false, true,
            "The drill measured nothing it promises: " + join(wrong, "; ") + "."};
  std::string what = p.injects_fault ? "The fault hit " + join(e.fault_hit) + "; the controller "
                                     : "The operator's runbook ";
  return {name, true, true,
          what + (p.injects_fault ? "decided " + e.decision_action + " and " : "") + "ran " +
              (e.failover_id.empty() ? std::string("its runbook") : e.failover_id) +
              " to the end."};
}

// What is wrong when the controller was to stay out of a fault: the fault hit nothing or missed,
// the controller decided something (its reason, then `decided_suffix`), or a runbook started.
std::vector<std::string> stayed_out(const DrillEvents& e, const std::string& decided_suffix) {
  std::vector<std::string> wrong;
  if (e.fault_hit.empty()) wrong.push_back("the fault hit nothing, so the drill measured nothing");
  for (const auto& m : e.fault_missed) wrong.push_back("the fault missed: " + m);
  if (!e.unwatched.empty()) wrong.push_back(e.unwatched);
  if (!e.decision_action.empty())
    wrong.push_back("the controller decided " + e.decision_action +
                    (e.decision_reason.empty() ? "" : " (" + e.decision_reason + ")") +
                    decided_suffix);
  if (e.runbook_start_ms)
    wrong.push_back("runbook " + (e.failover_id.empty() ? std::string("?") : e.failover_id) +
                    " started");
  return wrong;
}

// A fault the controller must ride out: it hit, and nothing failed over.
PromiseResult no_failover(const DrillEvents& e) {
  const std::string name = "no_failover";
  std::vector<std::string> wrong = stayed_out(e, "");
  if (e.writer_after.empty())
    wrong.push_back("the lab names no writer at read-back");
  else if (e.writer_after != e.writer_before)
    wrong.push_back("the writer moved from " + e.writer_before + " to " + e.writer_after);
  if (!wrong.empty())
    return {name, false, true,
            "The controller had to ride this fault out, but " + join(wrong, "; ") + "."};
  return {name, true, true,
          "The fault hit " + join(e.fault_hit) +
              "; the controller did not fail over and the writer is still " + e.writer_after +
              (e.held_back.empty() ? std::string(" (the controller never held back a failover)")
                                   : " (it held back: " + e.held_back + ")") +
              "."};
}

// Aurora's own failover (az-outage): the fault hit, the writer moved, and the controller only
// observed: it decided nothing and ran no runbook (one control path, as on AWS).
PromiseResult platform_failed_over(const DrillEvents& e) {
  const std::string name = "fault_hit_and_aurora_failed_over";
  std::vector<std::string> wrong = stayed_out(e, " where it only observes");
  if (e.writer_after.empty())
    wrong.push_back("the lab names no writer at read-back");
  else if (e.writer_after == e.writer_before)
    wrong.push_back("the writer is still " + e.writer_after + ": no in-region failover ran");
  if (!wrong.empty())
    return {name, false, true,
            "Aurora's in-region failover was to move the writer, but " + join(wrong, "; ") + "."};
  return {name, true, true,
          "The fault hit " + join(e.fault_hit) + "; Aurora's in-region failover (the lab's RDS) " +
              "moved the writer from " + e.writer_before + " to " + e.writer_after +
              ", and the controller only observed" +
              (e.held_back.empty() ? std::string(".") : " (" + e.held_back + ").")};
}

// A partition's fence: did it reach the cut-off region's apps? In the lab it can (the supervisor
// pushes the fence from 127.0.0.1, which no cut touches); across a real partition it could not,
// and without a write lease those apps would go on acknowledging writes. Reported, not enforced:
// the lab's answer is not the region's.
PromiseResult fence_stayed_behind_the_cut(const DrillEvents& e) {
  const std::string name = "fence_stayed_behind_the_cut";
  std::optional<RunbookStep> fence;
  for (const auto& s : e.runbook)
    if (s.name == "fence_old_primary") fence = s;
  if (!fence) return {name, true, false, "The runbook did not fence the old primary's apps."};
  if (fence->outcome.find("apps of") != std::string::npos)
    return {name, true, false,
            "The cut kept the fence from the old primary's apps (" + fence->outcome +
                "), as a real partition would."};
  return {
      name, false, false,
      "The lab fenced the old primary's apps across the cut (fence_old_primary: " + fence->outcome +
          "): its supervisor reaches them from 127.0.0.1, which no cut touches. Across a real "
          "partition the fence would not arrive, and without a write lease those apps would go "
          "on acknowledging writes; no_split_brain holds here for the lab's reason."};
}

PromiseResult rto_within(const CheckResult& r, double target_ms, bool enforced) {
  const std::string name = "rto_within_target";
  if (!r.rto_ms)
    return {name, false, enforced,
            "No write was acknowledged after the fault, so the RTO target of " + ms(target_ms) +
                " was not met."};
  const bool met = *r.rto_ms <= target_ms;
  return {name, met, enforced,
          "Writes were acknowledged again " + ms(*r.rto_ms) + " after the fault (target " +
              ms(target_ms) + ")" + (met ? "." : ": the target was missed.")};
}

}  // namespace

const std::vector<ScenarioPromises>& scenario_table() {
  // app-region-outage keeps the database where it is, so nothing acknowledged may be lost;
  // partition can cut the async link like a region outage does, and what the cut-off primary
  // acknowledged until the promotion is lost with it. Sessions are lost only where a region's
  // DynamoDB dies with writes it had not replicated yet. blip and partition-controller must not
  // fail over at all.
  using enum DataPromise;
  static const std::vector<ScenarioPromises> table = {
      // Aurora's in-region failover (the lab's RDS runs it); the controller only observes. a2 is
      // semi-synchronous, so nothing acknowledged is lost.
      {"az-outage", kNoLoss, 4000.0, kNoLoss, "", true, /*expects_failover=*/false, false,
       /*platform_moves_writer=*/true},
      {"db-outage", kOnlyInAsyncWindow, std::nullopt, kNoLoss, "region-failover"},
      {"app-region-outage", kNoLoss, std::nullopt, kNoLoss, "app-region-failover"},
      {"region-outage", kOnlyInAsyncWindow, 10000.0, kOnlyInAsyncWindow, "region-failover"},
      {"switchover", kNoLoss, std::nullopt, kNoLoss, "switchover", /*injects_fault=*/false},
      {"controller-crash", kNoLoss, std::nullopt, kOnlyInAsyncWindow, "region-failover"},
      {"partition", kOnlyUntilPromotion, std::nullopt, kOnlyUntilPromotion, "region-failover", true,
       true, /*cuts_primary=*/true},
      {"partition-controller", kNoLoss, std::nullopt, kNoLoss, "", true, false},
      {"blip", kNoLoss, std::nullopt, kNoLoss, "", true, false},
  };
  return table;
}

std::expected<ScenarioPromises, std::string> promises_for(std::string_view scenario) {
  std::string names;
  for (const auto& row : scenario_table()) {
    if (row.scenario == scenario) return row;
    names += (names.empty() ? "" : ", ") + std::string(row.scenario);
  }
  return std::unexpected("unknown drill scenario '" + std::string(scenario) +
                         "' (one of: " + names + ")");
}

std::vector<PromiseResult> judge(const ScenarioPromises& promises, const CheckResult& result,
                                 const DrillEvents& events, const PromiseOptions& options) {
  std::vector<PromiseResult> out;
  out.push_back(promises.platform_moves_writer ? platform_failed_over(events)
                : promises.expects_failover    ? acted(promises, events)
                                               : no_failover(events));
  if (promises.cuts_primary) out.push_back(fence_stayed_behind_the_cut(events));
  out.push_back(data_promise(promises.data, result.lost, kOrders, events, options.async_window_ms));
  if (result.sessions_checked)
    out.push_back(data_promise(promises.sessions, result.lost_sessions, kSessions, events,
                               options.async_window_ms));
  out.push_back(no_split_brain(result, events));
  if (result.servers_checked) out.push_back(single_writer(result));
  if (promises.rto_target_ms)
    out.push_back(rto_within(result, *promises.rto_target_ms, options.enforce_rto_target));
  return out;
}

bool all_hold(const std::vector<PromiseResult>& results) {
  return std::ranges::all_of(results,
                             [](const PromiseResult& p) { return p.passed || !p.enforced; });
}

std::size_t lost_inside_async_window(const CheckResult& result) {
  return result.lost.size() + result.lost_sessions.size();
}

}  // namespace dr::drill
