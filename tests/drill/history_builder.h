// Hand-made histories for the checker's tests: one line per operation, read like a timeline.
#pragma once

#include <string>

#include "drill/events.h"
#include "drill/history.h"
#include "drill/promises.h"
#include "drill/readback_set.h"

namespace dr::drill::testing {

// A failover's events: the fault at `fault_ms`, the new primary accepting writes at
// `promotion_ms`, and `fenced` the old primary (a write it acknowledges after that: split brain).
inline DrillEvents failover_events(double fault_ms, double promotion_ms,
                                   const std::string& fenced) {
  DrillEvents e;
  e.fault_ms = fault_ms;
  e.promotion_ms = promotion_ms;
  e.fenced_server = fenced;
  return e;
}

class HistoryBuilder {
 public:
  // An order `key` issued at start_ms, answered at end_ms with `outcome`, committed by `by`.
  HistoryBuilder& order(const std::string& key, double start_ms, double end_ms, Outcome outcome,
                        const std::string& by = "a1") {
    Operation op;
    op.seq = history_.ops.size();
    op.kind = OpKind::kOrder;
    op.key = key;
    op.customer = "c-" + key;
    op.amount_cents = static_cast<std::int64_t>(op.seq) + 100;
    op.start_ms = start_ms;
    op.end_ms = end_ms;
    op.outcome = outcome;
    op.http_status = outcome == Outcome::kOk ? 201 : outcome == Outcome::kFailed ? 503 : 504;
    if (outcome == Outcome::kOk) op.committed_by = by;
    history_.ops.push_back(op);
    return *this;
  }
  HistoryBuilder& session(const std::string& key, double start_ms, double end_ms, Outcome outcome) {
    Operation op;
    op.seq = history_.ops.size();
    op.kind = OpKind::kSession;
    op.key = key;
    op.start_ms = start_ms;
    op.end_ms = end_ms;
    op.outcome = outcome;
    history_.ops.push_back(op);
    return *this;
  }
  // The path the last operation took ("stale:us-east-1"); the front door when never called.
  HistoryBuilder& via(const std::string& path) {
    history_.ops.back().via = path;
    return *this;
  }
  const History& history() const { return history_; }

  // A read-back holding exactly the orders and sessions named, with the values they were
  // written with. Sessions are read back (possibly none found); servers are not asked.
  ReadBack stored(std::initializer_list<std::string> keys) const {
    ReadBack r;
    r.source = "test";
    r.sessions.emplace();
    for (const auto& key : keys)
      for (const auto& op : history_.ops) {
        if (op.key != key) continue;
        if (op.kind == OpKind::kSession)
          r.sessions->insert(key);
        else
          r.orders[key] = {op.customer, op.amount_cents, op.committed_by};
      }
    return r;
  }

 private:
  History history_;
};

// `events` as they are when the scenario's fault hit and the controller ran its runbook to the
// end: what every drill that measured something has, so other promises can be tested alone.
inline DrillEvents acted(const std::string& scenario, DrillEvents events = {}) {
  auto p = promises_for(scenario);
  if (!p) return events;
  if (p->injects_fault && events.fault_hit.empty()) events.fault_hit = {"a1"};
  if (p->platform_moves_writer) {
    // Aurora moved the writer in-region; the controller only observed.
    if (events.writer_before.empty()) events.writer_before = "a1";
    if (events.writer_after.empty()) events.writer_after = "a2";
    return events;
  }
  if (!p->expects_failover) {
    // Riding the fault out: no decision, no runbook, the writer where it was.
    if (events.writer_before.empty()) events.writer_before = "a1";
    if (events.writer_after.empty()) events.writer_after = events.writer_before;
    return events;
  }
  if (events.decision_action.empty()) events.decision_action = std::string(p->controller_action);
  if (!events.runbook_end_ms) events.runbook_end_ms = events.fault_ms.value_or(0) + 1;
  if (events.failover_id.empty()) events.failover_id = "fo-1";
  return events;
}

}  // namespace dr::drill::testing
