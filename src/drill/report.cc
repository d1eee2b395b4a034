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
  if (!op.via.empty()) j["via"] = op.via;
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

std::expected<DrillReport, std::string> build_report(
    const std::string& scenario, const History& history, const ReadBack& readback,
    const DrillEvents& events, const PromiseOptions& options, const RunInfo& run) {
  auto promises = promises_for(scenario);
  if (!promises) return std::unexpected(promises.error());
  DrillReport r;
  r.scenario = scenario;
  r.run = run;
  r.started_at_unix_ms = history.started_at_unix_ms;
  r.readback_source = readback.source;
  r.events = events;
  r.result = check(history, readback, events);
  r.rto_target_ms = promises->rto_target_ms;
  r.promises = judge(*promises, r.result, events, options);
  r.passed = all_hold(r.promises);
  return r;
}

nlohmann::json to_json(const RunInfo& run) {
  return {{"run_id", run.run_id},
          {"parameters", run.parameters},
          {"topology_before", run.topology_before},
          {"topology_after", run.topology_after}};
}

RunInfo run_info_from_json(const nlohmann::json& j) {
  RunInfo r;
  if (!j.is_object()) return r;
  r.run_id = j.value("run_id", "");
  if (j.contains("parameters") && j["parameters"].is_object()) r.parameters = j["parameters"];
  r.topology_before = j.value("topology_before", "");
  r.topology_after = j.value("topology_after", "");
  return r;
}

std::string verdict_text(const DrillReport& report) {
  if (!report.passed) return "FAILED";
  const std::size_t lost = lost_inside_async_window(report.result);
  if (lost == 0) return "PASSED";
  // A partition's loss is what the cut-off primary acknowledged until the promotion, not only the
  // async window before the fault.
  const auto promises = promises_for(report.scenario);
  const bool until_promotion = promises && promises->data == DataPromise::kOnlyUntilPromotion;
  return "passed, " + std::to_string(lost) + " write" + (lost == 1 ? "" : "s") +
         (until_promotion ? " lost with the cut-off primary (before the promotion)"
                          : " lost inside the async window");
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
      {"verdict", verdict_text(report)},
      {"sessions",
       {{"checked", c.sessions_checked},
        {"written", c.sessions_checked_count},
        {"lost_acked", c.lost_sessions.size()},
        {"rpo_window_ms", std::round(c.session_rpo_window_ms * 10) / 10},
        {"lost", briefs(c.lost_sessions)},
        {"unknown_present", c.unknown_sessions_present.size()},
        {"unknown_absent", c.unknown_sessions_absent}}},
      {"servers",
       {{"checked", c.servers_checked},
        {"writable", c.writable_servers},
        {"not_answering", c.unanswered_servers}}},
      {"run", to_json(report.run)},
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
  out << "drill " << report.scenario << ": " << verdict_text(report) << "\n"
      << "  writes: " << c.acked << " acknowledged, " << c.failed << " failed, " << c.unknown
      << " unknown\n"
      << "  RPO: " << c.lost.size() << " acknowledged write(s) lost";
  if (!c.lost.empty()) out << " over " << std::llround(c.rpo_window_ms) << " ms";
  if (c.sessions_checked) {
    out << "; sessions: " << c.lost_sessions.size() << " lost";
    if (!c.lost_sessions.empty()) out << " over " << std::llround(c.session_rpo_window_ms) << " ms";
  }
  out << "\n  RTO: " << fmt_ms(c.rto_ms) << " (detect " << fmt_ms(c.phases.detect_ms) << ", decide "
      << fmt_ms(c.phases.decide_ms) << ", execute " << fmt_ms(c.phases.execute_ms) << ", traffic "
      << fmt_ms(c.phases.traffic_ms);
  // The phases are the controller's timeline from the fault, not a sum that makes the RTO: the
  // traffic may move, and writes come back, before the runbook's last step (a switchover
  // refuses writes only while it promotes). Said, so that the numbers do not read as a mistake.
  if (c.rto_ms && c.phases.detect_ms && c.phases.decide_ms && c.phases.execute_ms &&
      *c.rto_ms < *c.phases.detect_ms + *c.phases.decide_ms + *c.phases.execute_ms)
    out << "; writes came back before the runbook ended";
  out << ")\n"
      << "  split-brain writes: " << c.split_brain.size() << "\n";
  if (!report.events.failover_id.empty())
    out << "  failover: " << report.events.failover_id << " (" << report.events.decision_action
        << ")\n";
  if (!report.events.rejoin.empty())
    out << "  old primary after the heal: " << report.events.rejoin << "\n";
  for (const auto& p : report.promises)
    out << "  [" << (p.passed ? "pass" : "FAIL") << (p.enforced ? "" : ", not enforced") << "] "
        << p.name << ": " << p.sentence << "\n";
  return out.str();
}

}  // namespace dr::drill
