#include "drill/report.h"

#include <cmath>
#include <sstream>

namespace dr::drill {

namespace {

nlohmann::json opt(const std::optional<double>& v) {
  return v ? nlohmann::json(std::round(*v * 10) / 10) : nlohmann::json(nullptr);
}

nlohmann::json op_brief(const Operation& op) {
  nlohmann::json j = {{"key", op.key}, {"start_ms", op.start_ms}, {"end_ms", op.end_ms}};
  if (!op.committed_by.empty()) j["committed_by"] = op.committed_by;
  if (!op.served_region.empty()) j["served_region"] = op.served_region;
  return j;
}

nlohmann::json briefs(const std::vector<Operation>& ops) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& op : ops) a.push_back(op_brief(op));
  return a;
}

std::string fmt_ms(const std::optional<double>& v) {
  return v ? std::to_string(std::llround(*v)) + " ms" : "n/a";
}

}  // namespace

std::expected<DrillReport, std::string> build_report(const std::string& scenario,
                                                     const History& history,
                                                     const ReadBack& readback,
                                                     const DrillEvents& events,
                                                     const PromiseOptions& options) {
  auto promises = promises_for(scenario);
  if (!promises) return std::unexpected(promises.error());
  DrillReport r;
  r.scenario = scenario;
  r.started_at_unix_ms = history.started_at_unix_ms;
  r.readback_source = readback.source;
  r.events = events;
  r.result = check(history, readback, events);
  r.rto_target_ms = promises->rto_target_ms;
  r.promises = judge(*promises, r.result, events, options);
  r.passed = all_hold(r.promises);
  return r;
}

nlohmann::json report_json(const DrillReport& report) {
  const auto& c = report.result;
  nlohmann::json promises = nlohmann::json::array();
  for (const auto& p : report.promises)
    promises.push_back({{"name", p.name},
                        {"passed", p.passed},
                        {"enforced", p.enforced},
                        {"sentence", p.sentence}});
  nlohmann::json unexpected = nlohmann::json::array();
  for (const auto& m : c.unexpected)
    unexpected.push_back(
        {{"key", m.written.key},
         {"written", {{"customer", m.written.customer}, {"amount_cents", m.written.amount_cents}}},
         {"found",
          {{"customer", m.found.customer},
           {"amount_cents", m.found.amount_cents},
           {"committed_by", m.found.committed_by}}}});
  nlohmann::json lost_keys = nlohmann::json::array();
  for (const auto& op : c.lost) lost_keys.push_back(op.key);
  return {
      {"scenario", report.scenario},
      {"started_at_unix_ms", report.started_at_unix_ms},
      {"ops", c.ops},
      {"acked", c.acked},
      {"failed", c.failed},
      {"unknown", c.unknown},
      {"lost_acked", c.lost.size()},
      {"rpo_window_ms", std::round(c.rpo_window_ms * 10) / 10},
      {"split_brain_writes", c.split_brain.size()},
      {"rto_ms", opt(c.rto_ms)},
      {"rto_target_ms", opt(report.rto_target_ms)},
      {"phases_ms",
       {{"detect", opt(c.phases.detect_ms)},
        {"decide", opt(c.phases.decide_ms)},
        {"execute", opt(c.phases.execute_ms)},
        {"traffic", opt(c.phases.traffic_ms)}}},
      {"passed", report.passed},
      {"promises", promises},
      {"details",
       {{"lost_keys", lost_keys},
        {"lost", briefs(c.lost)},
        {"first_lost_start_ms", opt(c.first_lost_start_ms)},
        {"last_lost_start_ms", opt(c.last_lost_start_ms)},
        {"unknown_present", c.unknown_present.size()},
        {"unknown_present_keys", briefs(c.unknown_present)},
        {"unknown_absent", c.unknown_absent},
        {"unexpected_values", unexpected},
        {"failed_but_present", briefs(c.failed_present)},
        {"split_brain", briefs(c.split_brain)},
        {"first_ack_after_fault_ms", opt(c.first_ack_after_fault_ms)},
        {"orders_checked", c.orders_checked},
        {"readback_source", report.readback_source}}},
      {"events", to_json(report.events)},
  };
}

std::string report_summary(const DrillReport& report) {
  const auto& c = report.result;
  std::ostringstream out;
  out << "drill " << report.scenario << ": " << (report.passed ? "PASSED" : "FAILED") << "\n"
      << "  writes: " << c.acked << " acknowledged, " << c.failed << " failed, " << c.unknown
      << " unknown\n"
      << "  RPO: " << c.lost.size() << " acknowledged write(s) lost";
  if (!c.lost.empty()) out << " over " << std::llround(c.rpo_window_ms) << " ms";
  out << "\n  RTO: " << fmt_ms(c.rto_ms) << " (detect " << fmt_ms(c.phases.detect_ms) << ", decide "
      << fmt_ms(c.phases.decide_ms) << ", execute " << fmt_ms(c.phases.execute_ms) << ", traffic "
      << fmt_ms(c.phases.traffic_ms) << ")\n"
      << "  split-brain writes: " << c.split_brain.size() << "\n";
  for (const auto& p : report.promises)
    out << "  [" << (p.passed ? "pass" : "FAIL") << (p.enforced ? "" : ", not enforced") << "] "
        << p.name << ": " << p.sentence << "\n";
  return out.str();
}

}  // namespace dr::drill
