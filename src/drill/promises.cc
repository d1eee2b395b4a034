#include "drill/promises.h"

#include <algorithm>
#include <cmath>

namespace dr::drill {

namespace {

std::string ms(double v) {
  return std::to_string(std::llround(v)) + " ms";
}

PromiseResult no_loss(const CheckResult& r) {
  if (r.lost.empty())
    return {"no_lost_acked_writes", true, true,
            "Every acknowledged write was found on the new primary."};
  return {"no_lost_acked_writes", false, true,
          std::to_string(r.lost.size()) + " acknowledged write(s) are missing after recovery, " +
              "the first being " + r.lost.front().key + "."};
}

PromiseResult only_in_async_window(const CheckResult& r, const DrillEvents& events,
                                   double window_ms) {
  const std::string name = "lost_only_in_async_window";
  if (r.lost.empty())
    return {name, true, true, "No acknowledged write was lost, not even inside the async window."};
  if (!events.fault_ms)
    return {name, false, true,
            std::to_string(r.lost.size()) +
                " acknowledged write(s) were lost and without a fault time none can be placed "
                "inside the async window."};
  const double from = *events.fault_ms - window_ms;
  const double to = *events.fault_ms;
  auto outside = std::ranges::count_if(
      r.lost, [&](const Operation& op) { return op.start_ms < from || op.start_ms > to; });
  if (outside == 0)
    return {name, true, true,
            std::to_string(r.lost.size()) +
                " acknowledged write(s) were lost, all started within " + ms(window_ms) +
                " before the fault (the asynchronous window)."};
  return {name, false, true,
          std::to_string(outside) + " of " + std::to_string(r.lost.size()) +
              " lost acknowledged write(s) started outside [fault - " + ms(window_ms) +
              ", fault]."};
}

PromiseResult no_split_brain(const CheckResult& r, const DrillEvents& events) {
  const std::string name = "no_split_brain";
  if (!r.split_brain.empty())
    return {name, false, true,
            std::to_string(r.split_brain.size()) + " write(s) started after the promotion were " +
                "acknowledged by the fenced server " + events.fenced_server + "."};
  if (events.fenced_server.empty() || !events.promotion_ms)
    return {name, true, true,
            "No server was fenced and promoted past, so no write could be split."};
  return {name, true, true,
          "No write started after the promotion was acknowledged by the fenced server " +
              events.fenced_server + "."};
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
  // partition can cut the async link like a region outage does.
  static const std::vector<ScenarioPromises> table = {
      {"az-outage", DataPromise::kNoLoss, 5000.0},
      {"db-outage", DataPromise::kOnlyInAsyncWindow, std::nullopt},
      {"app-region-outage", DataPromise::kNoLoss, std::nullopt},
      {"region-outage", DataPromise::kOnlyInAsyncWindow, 10000.0},
      {"switchover", DataPromise::kNoLoss, std::nullopt},
      {"controller-crash", DataPromise::kNoLoss, std::nullopt},
      {"partition", DataPromise::kOnlyInAsyncWindow, std::nullopt},
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
  switch (promises.data) {
    case DataPromise::kNoLoss:
      out.push_back(no_loss(result));
      break;
    case DataPromise::kOnlyInAsyncWindow:
      out.push_back(only_in_async_window(result, events, options.async_window_ms));
      break;
  }
  out.push_back(no_split_brain(result, events));
  if (promises.rto_target_ms)
    out.push_back(rto_within(result, *promises.rto_target_ms, options.enforce_rto_target));
  return out;
}

bool all_hold(const std::vector<PromiseResult>& results) {
  return std::ranges::all_of(results,
                             [](const PromiseResult& p) { return p.passed || !p.enforced; });
}

}  // namespace dr::drill
