#include "drill/operation.h"

namespace dr::drill {

std::string to_string(OpKind kind) {
  switch (kind) {
    case OpKind::kOrder:
      return "order";
    case OpKind::kSession:
      return "session";
  }
  return "?";
}

std::string to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kUnknown:
      return "unknown";
  }
  return "?";
}

std::optional<OpKind> op_kind_from_string(std::string_view text) {
  if (text == "order") return OpKind::kOrder;
  if (text == "session") return OpKind::kSession;
  return std::nullopt;
}

std::optional<Outcome> outcome_from_string(std::string_view text) {
  if (text == "ok") return Outcome::kOk;
  if (text == "failed") return Outcome::kFailed;
  if (text == "unknown") return Outcome::kUnknown;
  return std::nullopt;
}

nlohmann::json to_json(const Operation& op) {
  nlohmann::json j = {{"seq", op.seq},
                      {"kind", to_string(op.kind)},
                      {"key", op.key},
                      {"start_ms", op.start_ms},
                      {"end_ms", op.end_ms},
                      {"outcome", to_string(op.outcome)},
                      {"http_status", op.http_status}};
  if (op.kind == OpKind::kOrder) {
    j["customer"] = op.customer;
    j["amount_cents"] = op.amount_cents;
  }
  if (!op.error.empty()) j["error"] = op.error;
  if (!op.committed_by.empty()) j["committed_by"] = op.committed_by;
  if (!op.served_region.empty()) j["served_region"] = op.served_region;
  if (!op.via.empty()) j["via"] = op.via;
  return j;
}

std::expected<Operation, std::string> operation_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::unexpected("an operation must be a JSON object");
  try {
    Operation op;
    op.seq = j.at("seq").get<std::uint64_t>();
    auto kind = op_kind_from_string(j.at("kind").get<std::string>());
    if (!kind) return std::unexpected("unknown kind " + j.at("kind").dump());
    op.kind = *kind;
    op.key = j.at("key").get<std::string>();
    op.start_ms = j.at("start_ms").get<double>();
    op.end_ms = j.at("end_ms").get<double>();
    auto outcome = outcome_from_string(j.at("outcome").get<std::string>());
    if (!outcome) return std::unexpected("unknown outcome " + j.at("outcome").dump());
    op.outcome = *outcome;
    op.http_status = j.value("http_status", 0);
    op.customer = j.value("customer", "");
    op.amount_cents = j.value("amount_cents", std::int64_t{0});
    op.error = j.value("error", "");
    op.committed_by = j.value("committed_by", "");
    op.served_region = j.value("served_region", "");
    op.via = j.value("via", "");
    return op;
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(std::string("bad operation: ") + e.what());
  }
}

}  // namespace dr::drill
