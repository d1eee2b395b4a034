// One client operation of a drill's workload, as the client saw it. Times are milliseconds on the
// steady clock since the drill started (the wall clock can jump during a drill; the steady clock
// cannot), and the history carries one wall-clock anchor to place them in real time.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace dr::drill {

enum class OpKind { kOrder, kSession };

// Jepsen's three outcomes. Only kOk is an acknowledgement; kUnknown is a write that may or may
// not have happened, so it can never be counted as lost.
enum class Outcome { kOk, kFailed, kUnknown };

std::string to_string(OpKind kind);
std::string to_string(Outcome outcome);
std::optional<OpKind> op_kind_from_string(std::string_view text);
std::optional<Outcome> outcome_from_string(std::string_view text);

struct Operation {
  std::uint64_t seq = 0;  // unique and increasing in issue order
  OpKind kind = OpKind::kOrder;
  std::string key;  // orders: the idempotency key; sessions: the session id
  // What was written (orders), so a read-back can tell a changed value from a missing one.
  std::string customer;
  std::int64_t amount_cents = 0;
  double start_ms = 0;  // steady ms since the drill started
  double end_ms = 0;
  Outcome outcome = Outcome::kUnknown;
  int http_status = 0;  // 0: no response
  std::string error;    // the error code from the body, or the transport error
  // From an order's response: the database server that committed it and the region that served it.
  std::string committed_by;
  std::string served_region;
  // The path the client took: "" through the front door; "stale:<region>" for a client that kept
  // talking to that region's ALB directly (cached DNS), so a split-brain write names its path.
  std::string via;

  double latency_ms() const { return end_ms - start_ms; }
};

nlohmann::json to_json(const Operation& op);
std::expected<Operation, std::string> operation_from_json(const nlohmann::json& j);

}  // namespace dr::drill
