#include "lab/status_view.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace dr::lab {
using nlohmann::json;

namespace {

// A cell at most this wide: a long replication error must not push the table off the screen.
constexpr std::size_t kMaxCell = 40;

}  // namespace

std::string render_status_table(const json& status) {
  std::ostringstream out;
  std::vector<std::vector<std::string>> rows = {
      {"COMPONENT", "REGION", "ROLE", "ADDRESS", "STATE", "LAG", "FLEET"}};
  std::vector<std::string> notes;  // the cells that were cut, in full, under the table
  auto text = [](const json& j) {
    std::string t = j.is_string() ? j.get<std::string>()
                    : j.is_null() ? std::string("-")
                                  : j.dump();
    // One line per row: an error text's newlines and tabs would break it.
    std::ranges::replace_if(
        t, [](unsigned char c) { return c < 0x20; }, ' ');
    return t;
  };
  auto cell = [&](const std::string& owner, std::string value) {
    if (value.size() <= kMaxCell) return value;
    notes.push_back(owner + ": " + value);
    return value.substr(0, kMaxCell - 5) + " (*)";
  };
  for (const auto& c : status["components"]) {
    std::string state = text(c["state"]);
    if (state == "running" && !c.value("healthy", false)) state = "unhealthy";
    if (state == "running") state = "healthy";
    std::string lag = c["replication_lag_s"].is_null() ? "-" : text(c["replication_lag_s"]) + " s";
    const std::string name = text(c["name"]);
    rows.push_back({name, text(c["region"]), cell(name, text(c["role"])), text(c["address"]),
                    cell(name, state), lag, "-"});
  }
  for (const auto& [region, r] : status["regions"].items()) {
    const auto& f = r["fleet"];
    // A fenced fleet (the old primary's, after a failover) serves reads and refuses writes: it
    // is meant, so it is shown, not counted as degraded.
    std::string state = f["healthy"] == f["desired"] ? "healthy" : "degraded";
    if (f.value("fenced", false)) state = "fenced, " + state;
    rows.push_back({"fleet-" + region, region,
                    "app fleet (min " + text(f["min"]) + ", max " + text(f["max"]) + ")",
                    text(r["alb_url"]), state, "-", text(f["healthy"]) + "/" + text(f["desired"])});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      out << std::left << std::setw(static_cast<int>(width[i]) + 2) << row[i];
    }
    out << "\n";
  }
  out << "front door " << text(status["front_door"]["url"]) << " -> "
      << text(status["front_door"]["active_region"])
      << (status["front_door"]["override"].is_null() ? "" : " (override)") << "\n";
  if (status.contains("aws_endpoint") && status["aws_endpoint"].value("url", json()).is_string())
    out << "aws endpoint " << text(status["aws_endpoint"]["url"]) << " (drctl lab env)\n";
  for (const auto& n : notes) out << "(*) " << n << "\n";
  return out.str();
}

std::vector<std::string> degraded_parts(const json& status) {
  std::vector<std::string> out;
  const std::string phase = status.value("phase", "");
  if (phase != "ready") out.push_back("phase " + phase);
  const json components = status.value("components", json::array());
  const json regions = status.value("regions", json::object());
  for (const auto& c : components) {
    if (!c.value("healthy", false))
      out.push_back(c.value("name", "?") + " " + c.value("state", std::string("unhealthy")));
  }
  for (const auto& [region, r] : regions.items()) {
    const auto f = r.value("fleet", json::object());
    if (f.value("healthy", 0) != f.value("desired", 0))
      out.push_back("fleet-" + region + " " + std::to_string(f.value("healthy", 0)) + "/" +
                    std::to_string(f.value("desired", 0)) + " healthy");
  }
  // What a client gets through the front door (drctl asks it /health/deep): the parts can all
  // be up while the apps behind it refuse.
  const auto deep = status.value("front_door", json::object()).value("deep_health", json());
  if (deep.is_object() && !deep.value("ok", true)) {
    std::string why = deep.contains("status") ? "answers " + deep["status"].dump()
                                              : "does not answer: " + deep.value("error", "");
    const std::string body = deep.value("body", "");
    if (!body.empty()) why += " (" + body.substr(0, body.find('\n')) + ")";
    out.push_back("front door /health/deep " + why);
  }
  return out;
}

}  // namespace dr::lab
