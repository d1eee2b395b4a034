// The Jepsen-style checker: a pure function of what the clients saw (the history), what the new
// primary holds after recovery (the read-back) and when things happened (the events).
#pragma once

#include <optional>
#include <vector>

#include "drill/events.h"
#include "drill/history.h"
#include "drill/readback_set.h"

namespace dr::drill {

struct ValueMismatch {
  Operation written;
  StoredOrder found;
};

// RTO from the client's view, split by the controller's milestones. A phase is empty when a
// milestone it needs was not given.
struct Phases {
  std::optional<double> detect_ms;   // fault -> decision
  std::optional<double> decide_ms;   // decision -> runbook start
  std::optional<double> execute_ms;  // runbook start -> runbook end
  std::optional<double> traffic_ms;  // runbook end -> first acknowledged write (0 if before)
};

struct CheckResult {
  std::size_t ops = 0;
  std::size_t acked = 0;
  std::size_t failed = 0;
  std::size_t unknown = 0;
  std::size_t orders_checked = 0;  // orders with a definite or unknown outcome looked up

  // Acknowledged orders missing from the read-back, in start order.
  std::vector<Operation> lost;
  // Unknown-outcome orders that turned out written (not an error: the outcome was unknown).
  std::vector<Operation> unknown_present;
  std::size_t unknown_absent = 0;
  // Written orders read back with another customer or amount than the client sent.
  std::vector<ValueMismatch> unexpected;
  // Refused orders that were written anyway: the refusal was not one.
  std::vector<Operation> failed_present;
  // Orders started after the promotion and acknowledged by the fenced server.
  std::vector<Operation> split_brain;

  // RPO: how many acknowledged writes were lost and over what span of start times.
  double rpo_window_ms = 0;
  std::optional<double> first_lost_start_ms;
  std::optional<double> last_lost_start_ms;

  // Sessions (DynamoDB), when the read-back has them: acknowledged session writes found in no
  // table, and the unknown ones resolved.
  bool sessions_checked = false;
  std::size_t sessions_checked_count = 0;
  std::vector<Operation> lost_sessions;
  double session_rpo_window_ms = 0;
  std::vector<Operation> unknown_sessions_present;
  std::size_t unknown_sessions_absent = 0;

  // One writable server: the servers that said read_only = 0 at read-back, and those that did
  // not answer ("b1: <error>"), which are reported but not counted.
  bool servers_checked = false;
  std::vector<std::string> writable_servers;
  std::vector<std::string> unanswered_servers;

  // RTO: fault -> the acknowledgement of the first write that started after it and survived
  // (an acknowledged write that recovery lost does not count: it did not recover anything).
  std::optional<double> rto_ms;
  std::optional<double> first_ack_after_fault_ms;  // when that acknowledgement arrived
  Phases phases;
};

CheckResult check(const History& history, const ReadBack& readback, const DrillEvents& events);

}  // namespace dr::drill
