#include "drill/checker.h"

#include <algorithm>

namespace dr::drill {

namespace {

std::optional<double> span(const std::optional<double>& from, const std::optional<double>& to) {
  if (!from || !to) return std::nullopt;
  return *to - *from;
}

// The orders are what a failover recovers (sessions live in DynamoDB, which a database fault
// does not touch), so RTO is measured on them; a session-only workload falls back to sessions.
bool counts_for_rto(const Operation& op, bool history_has_orders) {
  return !history_has_orders || op.kind == OpKind::kOrder;
}

void check_orders(const History& history, const ReadBack& readback, const DrillEvents& events,
                  CheckResult& r) {
  for (const auto& op : history.ops) {
    if (op.kind != OpKind::kOrder) continue;
    ++r.orders_checked;
    auto found = readback.orders.find(op.key);
    const bool present = found != readback.orders.end();
    switch (op.outcome) {
      case Outcome::kOk:
        if (!present) r.lost.push_back(op);
        // A write issued after the promotion that the fenced server still committed: two
        // primaries took writes at once. Writes that started before the promotion may have
        // committed before the fence, so they prove nothing.
        if (!events.fenced_server.empty() && events.promotion_ms &&
            op.committed_by == events.fenced_server && op.start_ms >= *events.promotion_ms)
          r.split_brain.push_back(op);
        break;
      case Outcome::kUnknown:
        if (present)
          r.unknown_present.push_back(op);
        else
          ++r.unknown_absent;
        break;
      case Outcome::kFailed:
        if (present) r.failed_present.push_back(op);
        break;
    }
    if (present && op.outcome != Outcome::kFailed &&
        (found->second.customer != op.customer || found->second.amount_cents != op.amount_cents))
      r.unexpected.push_back({op, found->second});
  }
  std::ranges::sort(r.lost, {}, &Operation::start_ms);
  if (!r.lost.empty()) {
    r.first_lost_start_ms = r.lost.front().start_ms;
    r.last_lost_start_ms = r.lost.back().start_ms;
    r.rpo_window_ms = *r.last_lost_start_ms - *r.first_lost_start_ms;
  }
}

void check_sessions(const History& history, const ReadBack& readback, CheckResult& r) {
  if (!readback.sessions) return;
  r.sessions_checked = true;
  for (const auto& op : history.ops) {
    if (op.kind != OpKind::kSession) continue;
    ++r.sessions_checked_count;
    const bool present = readback.sessions->contains(op.key);
    if (op.outcome == Outcome::kOk && !present) r.lost_sessions.push_back(op);
    if (op.outcome == Outcome::kUnknown) {
      if (present)
        r.unknown_sessions_present.push_back(op);
      else
        ++r.unknown_sessions_absent;
    }
  }
  std::ranges::sort(r.lost_sessions, {}, &Operation::start_ms);
  if (!r.lost_sessions.empty())
    r.session_rpo_window_ms = r.lost_sessions.back().start_ms - r.lost_sessions.front().start_ms;
}

void check_servers(const ReadBack& readback, CheckResult& r) {
  r.servers_checked = !readback.servers.empty();
  for (const auto& s : readback.servers) {
    if (!s.read_only)
      r.unanswered_servers.push_back(s.name + ": " + (s.error.empty() ? "no answer" : s.error));
    else if (!*s.read_only)
      r.writable_servers.push_back(s.name);
  }
}

void measure_rto(const History& history, const ReadBack& readback, const DrillEvents& events,
                 CheckResult& r) {
  r.phases.detect_ms = span(events.fault_ms, events.decision_ms);
  r.phases.decide_ms = span(events.decision_ms, events.runbook_start_ms);
  r.phases.execute_ms = span(events.runbook_start_ms, events.runbook_end_ms);
  if (!events.fault_ms) return;
  const bool has_orders = std::ranges::any_of(
      history.ops, [](const Operation& op) { return op.kind == OpKind::kOrder; });
  for (const auto& op : history.ops) {
    if (op.outcome != Outcome::kOk || op.start_ms < *events.fault_ms) continue;
    if (!counts_for_rto(op, has_orders)) continue;
    // An acknowledged write that recovery then lost brought nothing back: a primary cut off by a
    // partition keeps acknowledging writes that its promotion-time successor never sees.
    if (op.kind == OpKind::kOrder && !readback.orders.contains(op.key)) continue;
    // Nor did one the old primary acknowledged while its region went down (a kill takes a few
    // ms, and a write it replicated before it died survives): once an outage made another
    // server primary, service is back only when the new one acknowledges. (A region outage once
    // reported an RTO of 5 ms this way.) A planned switchover is different: the old primary
    // serves until it is fenced, and that is service.
    if (events.promotion_ms && !events.fenced_server.empty() &&
        events.decision_action != "switchover" && op.committed_by == events.fenced_server)
      continue;
    if (!r.first_ack_after_fault_ms || op.end_ms < *r.first_ack_after_fault_ms)
      r.first_ack_after_fault_ms = op.end_ms;
  }
  if (!r.first_ack_after_fault_ms) return;
  r.rto_ms = *r.first_ack_after_fault_ms - *events.fault_ms;
  // Traffic can come back before the runbook's last step (verify, notify) ends; that phase is
  // then zero, not negative.
  if (events.runbook_end_ms)
    r.phases.traffic_ms = std::max(0.0, *r.first_ack_after_fault_ms - *events.runbook_end_ms);
}

}  // namespace

CheckResult check(const History& history, const ReadBack& readback, const DrillEvents& events) {
  CheckResult r;
  r.ops = history.ops.size();
  for (const auto& op : history.ops) {
    switch (op.outcome) {
      case Outcome::kOk:
        ++r.acked;
        break;
      case Outcome::kFailed:
        ++r.failed;
        break;
      case Outcome::kUnknown:
        ++r.unknown;
        break;
    }
  }
  check_orders(history, readback, events, r);
  check_sessions(history, readback, r);
  check_servers(readback, r);
  measure_rto(history, readback, events, r);
  return r;
}

}  // namespace dr::drill
