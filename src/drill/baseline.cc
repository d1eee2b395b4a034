#include "drill/baseline.h"

#include <algorithm>

namespace dr::drill {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

const json* component(const json& status, const std::string& name) {
  if (!status.contains("components") || !status["components"].is_array()) return nullptr;
  for (const auto& c : status["components"])
    if (str(c, "name") == name) return &c;
  return nullptr;
}

void check_components(const json& status, Baseline& b) {
  std::vector<std::string> killed, down, unhealthy;
  if (!status.contains("components") || !status["components"].is_array()) {
    b.problems.push_back({"the lab status lists no components", Remedy::kRestore});
    return;
  }
  for (const auto& c : status["components"]) {
    const std::string name = str(c, "name");
    const std::string state = str(c, "state");
    if (state == "killed") {
      killed.push_back(name);
    } else if (state == "down") {
      down.push_back(name);
    } else if (state.starts_with("replication broken")) {
      b.problems.push_back({name + ": " + state, Remedy::kRestore});
    } else if (!c.value("healthy", false)) {
      unhealthy.push_back(name + (state.empty() || state == "running" ? "" : " (" + state + ")"));
    }
  }
  if (!killed.empty()) b.problems.push_back({"killed: " + join(killed, ", "), Remedy::kRestore});
  if (!down.empty()) b.problems.push_back({"down: " + join(down, ", "), Remedy::kRestore});
  if (!unhealthy.empty())
    b.problems.push_back(
        {"not healthy yet: " + join(unhealthy, ", "), Remedy::kRestore, /*transient=*/true});
}

void check_writer(const json& status, const BaselineOptions& o, Baseline& b) {
  const json& regions = status.contains("regions") ? status["regions"] : json();
  const std::string writer =
      regions.contains(o.controller_region)
          ? str(regions[o.controller_region].value("writer_endpoint", json::object()), "database")
          : "";
  if (writer.empty()) {
    b.problems.push_back({"the lab names no writer", Remedy::kRestore});
    return;
  }
  const json* w = component(status, writer);
  const std::string region = w ? str(*w, "region") : "";
  // Named is not writing: a fenced writer (a stopped runbook, a failed promotion) takes no write,
  // and a drill against it would measure the lab's own outage.
  if (w != nullptr && str(*w, "state") != "killed" && str(*w, "role") != "writer")
    b.problems.push_back(
        {"the writer " + writer + " takes no writes (" + str(*w, "role") + ")", Remedy::kRestore});
  if (region != o.primary_region)
    b.problems.push_back({"the writer is " + writer + " in " + (region.empty() ? "?" : region) +
                              ", not in " + o.primary_region,
                          Remedy::kFailback});
  if (regions.contains(o.primary_region)) {
    const std::string local =
        str(regions[o.primary_region].value("writer_endpoint", json::object()), "database");
    if (local != writer)
      b.problems.push_back({o.primary_region + "'s writer endpoint points at " +
                                (local.empty() ? "nothing" : local) + ", not at the writer " +
                                writer,
                            Remedy::kFailback});
  }
  // One writable server: any other database that is a writer is a split brain to repair first.
  std::vector<std::string> writable;
  const json components = status.value("components", json::array());
  for (const auto& c : components)
    if (str(c, "kind") == "mariadb" && str(c, "state") == "running" && str(c, "role") == "writer" &&
        str(c, "name") != writer)
      writable.push_back(str(c, "name"));
  if (!writable.empty())
    b.problems.push_back(
        {"besides the writer " + writer + ", " + join(writable, ", ") + " also take(s) writes",
         Remedy::kRestore});
}

// Traffic, capacity or fences away from the baseline. A failback brings them back, with the
// writer when it moved, and alone when it is home (after an app-region failover).
void check_front_door(const json& status, const BaselineOptions& o, Baseline& b) {
  const Remedy remedy = Remedy::kFailback;
  const json fd = status.value("front_door", json::object());
  const json override_region = fd.value("override", json());
  if (override_region.is_string() && override_region.get<std::string>() != o.primary_region) {
    b.problems.push_back(
        {"the front door is forced to " + override_region.get<std::string>(), remedy});
  } else if (const std::string active = str(fd, "active_region"); active != o.primary_region) {
    b.problems.push_back({"the front door sends traffic to " + (active.empty() ? "?" : active),
                          remedy, /*transient=*/active == "none"});
  }
  const json regions = status.value("regions", json::object());
  if (regions.contains(o.primary_region)) {
    const json fleet = regions[o.primary_region].value("fleet", json::object());
    if (fleet.contains("desired") && fleet["desired"].is_number() &&
        fleet["desired"].get<int>() == 0)
      b.problems.push_back({o.primary_region + "'s fleet is scaled to 0", remedy});
  }
  for (const auto& [region, r] : regions.items()) {
    if (!r.is_object()) continue;
    const json fleet = r.value("fleet", json::object());
    if (fleet.value("fenced", false) == true)
      b.problems.push_back({region + "'s apps are fenced (they refuse writes)", remedy});
  }
}

}  // namespace

bool Baseline::only_transient() const {
  return std::ranges::all_of(problems, [](const BaselineProblem& p) { return p.transient; });
}

std::vector<std::string> Baseline::commands(const std::string& dir_flag) const {
  auto needs = [&](Remedy r) {
    return std::ranges::any_of(problems, [&](const BaselineProblem& p) { return p.remedy == r; });
  };
  std::vector<std::string> out;
  // One controller tick resumes a saved runbook and runs it to its end.
  if (needs(Remedy::kFinishRunbook)) out.push_back("drctl controller --once" + dir_flag);
  if (needs(Remedy::kRestore)) out.push_back("drctl lab restore" + dir_flag);
  if (needs(Remedy::kFailback)) {
    out.push_back("drctl failback" + dir_flag);
    // A failback that moves the writer is a runbook too: it waits for its own acknowledgement.
    // At home it runs none, and the pending one stays.
    out.push_back("drctl ack <the id failback prints" +
                  (unacknowledged_failover ? ", or " + *unacknowledged_failover + " if none" : "") +
                  ">" + dir_flag);
  } else if (needs(Remedy::kAck) && unacknowledged_failover) {
    out.push_back("drctl ack " + *unacknowledged_failover + dir_flag);
  }
  if (needs(Remedy::kAutomaticFailoverOn)) out.push_back("drctl automatic-failover on" + dir_flag);
  return out;
}

std::string Baseline::refusal(const std::string& dir_flag) const {
  std::vector<std::string> whats;
  for (const auto& p : problems) whats.push_back(p.what);
  std::vector<std::string> quoted;
  for (const auto& c : commands(dir_flag)) quoted.push_back("`" + c + "`");
  return "the lab is not at the drill's baseline (" + join(whats, "; ") + "). Restore it with " +
         join(quoted, ", then ") + ", or run the drill with --reset";
}

Baseline check_baseline(const nlohmann::json& status, const ControllerGuards& guards,
                        const BaselineOptions& options) {
  Baseline b;
  if (!status.is_object()) {
    b.problems.push_back({"the lab status is not a JSON object", Remedy::kRestore});
    return b;
  }
  const json regions = status.value("regions", json::object());
  for (const auto& [region, r] : regions.items())
    if (r.value("killed", false))
      b.problems.push_back({"region " + region + " is killed", Remedy::kRestore});
  const json azs = status.value("killed_azs", json::array());
  for (const auto& az : azs)
    if (az.is_string())
      b.problems.push_back({"AZ " + az.get<std::string>() + " is killed", Remedy::kRestore});
  check_components(status, b);
  check_writer(status, options, b);
  check_front_door(status, options, b);
  if (guards.unacknowledged_failover) {
    b.unacknowledged_failover = guards.unacknowledged_failover;
    b.problems.push_back(
        {"failover " + *guards.unacknowledged_failover + " is not acknowledged", Remedy::kAck});
  }
  if (!guards.automatic_failover)
    b.problems.push_back({"automatic failover is off", Remedy::kAutomaticFailoverOn});
  if (guards.runbook_in_flight)
    b.problems.push_back(
        {"runbook " + *guards.runbook_in_flight + " is unfinished", Remedy::kFinishRunbook});
  return b;
}

}  // namespace dr::drill
