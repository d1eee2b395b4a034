#include "drill/events.h"

namespace dr::drill {

namespace {

void put(nlohmann::json& j, const char* name, const std::optional<double>& v) {
  j[name] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::optional<double> get(const nlohmann::json& j, const char* name) {
  if (!j.contains(name) || j[name].is_null()) return std::nullopt;
  return j[name].get<double>();
}

}  // namespace

nlohmann::json to_json(const DrillEvents& events) {
  nlohmann::json j = nlohmann::json::object();
  put(j, "fault_ms", events.fault_ms);
  put(j, "decision_ms", events.decision_ms);
  put(j, "runbook_start_ms", events.runbook_start_ms);
  put(j, "runbook_end_ms", events.runbook_end_ms);
  put(j, "promotion_ms", events.promotion_ms);
  put(j, "heal_ms", events.heal_ms);
  j["fenced_server"] = events.fenced_server;
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : events.runbook)
    steps.push_back({{"name", s.name},
                     {"start_ms", s.start_ms},
                     {"end_ms", s.end_ms},
                     {"duration_ms", s.end_ms - s.start_ms},
                     {"outcome", s.outcome}});
  j["runbook"] = steps;
  j["decision_action"] = events.decision_action;
  j["decision_reason"] = events.decision_reason;
  j["failover_id"] = events.failover_id;
  j["fault_hit"] = events.fault_hit;
  j["fault_missed"] = events.fault_missed;
  j["writer_before"] = events.writer_before;
  j["writer_after"] = events.writer_after;
  j["rejoin"] = events.rejoin;
  j["held_back"] = events.held_back;
  j["unwatched"] = events.unwatched;
  return j;
}

std::expected<DrillEvents, std::string> events_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return std::unexpected("drill events must be a JSON object");
  try {
    DrillEvents e;
    e.fault_ms = get(j, "fault_ms");
    e.decision_ms = get(j, "decision_ms");
    e.runbook_start_ms = get(j, "runbook_start_ms");
    e.runbook_end_ms = get(j, "runbook_end_ms");
    e.promotion_ms = get(j, "promotion_ms");
    e.heal_ms = get(j, "heal_ms");
    e.fenced_server = j.value("fenced_server", "");
    if (j.contains("runbook"))
      for (const auto& s : j["runbook"])
        e.runbook.push_back({s.at("name").get<std::string>(), s.at("start_ms").get<double>(),
                             s.at("end_ms").get<double>(), s.value("outcome", "")});
    e.decision_action = j.value("decision_action", "");
    e.decision_reason = j.value("decision_reason", "");
    e.failover_id = j.value("failover_id", "");
    e.fault_hit = j.value("fault_hit", std::vector<std::string>{});
    e.fault_missed = j.value("fault_missed", std::vector<std::string>{});
    e.writer_before = j.value("writer_before", "");
    e.writer_after = j.value("writer_after", "");
    e.rejoin = j.value("rejoin", "");
    e.held_back = j.value("held_back", "");
    e.unwatched = j.value("unwatched", "");
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return std::unexpected(std::string("bad drill events: ") + ex.what());
  }
}

bool ticked_since(const std::vector<nlohmann::json>& controller_events, int64_t since_unix_ms) {
  for (const auto& e : controller_events) {
    if (!e.is_object()) continue;
    const auto name = e.find("event");
    const auto at = e.find("time_ms");
    if (name == e.end() || !name->is_string() || at == e.end() || !at->is_number_integer())
      continue;
    if ((*name == "tick" || *name == "decision") && at->get<int64_t>() >= since_unix_ms)
      return true;
  }
  return false;
}

std::string fence_outcome(const DrillEvents& events) {
  for (const auto& s : events.runbook)
    if (s.name.starts_with("fence")) return s.outcome;
  return "";
}

}  // namespace dr::drill
