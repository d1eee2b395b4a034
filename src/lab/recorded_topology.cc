#include "lab/recorded_topology.h"

#include "lab/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

namespace dr::lab {
namespace fs = std::filesystem;
using nlohmann::json;

std::string to_json_text(const RecordedTopology& t) {
  json j;
  j["version"] = 1;
  j["writer"] = t.writer;
  j["endpoints"] = t.endpoints;
  j["front_door_override"] = t.front_door_override ? json(*t.front_door_override) : json();
  j["fleets"] = json::object();
  for (const auto& [region, f] : t.fleets)
    j["fleets"][region] = {{"min", f.min}, {"desired", f.desired}, {"max", f.max}};
  j["fenced_regions"] = t.fenced_regions;
  return j.dump(2) + "\n";
}

Result<RecordedTopology> parse_recorded_topology(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ErrorKind::kProtocol, "not a JSON object");
  RecordedTopology t;
  if (!j.contains("writer") || !j["writer"].is_string() || j["writer"].get<std::string>().empty())
    return fail(ErrorKind::kProtocol, "\"writer\" must name a database");
  t.writer = j["writer"];
  if (!j.contains("endpoints") || !j["endpoints"].is_object())
    return fail(ErrorKind::kProtocol, "\"endpoints\" must be an object");
  for (const auto& [region, roles] : j["endpoints"].items()) {
    if (!roles.is_object())
      return fail(ErrorKind::kProtocol, "\"endpoints\"." + region + " must be an object");
    for (const auto& [role, target] : roles.items()) {
      if (!target.is_string())
        return fail(ErrorKind::kProtocol,
                    "\"endpoints\"." + region + "." + role + " must name a database");
      t.endpoints[region][role] = target.get<std::string>();
    }
  }
  if (j.contains("front_door_override") && !j["front_door_override"].is_null()) {
    if (!j["front_door_override"].is_string())
      return fail(ErrorKind::kProtocol, "\"front_door_override\" must be a region or null");
    t.front_door_override = j["front_door_override"].get<std::string>();
  }
  if (j.contains("fleets")) {
    if (!j["fleets"].is_object()) return fail(ErrorKind::kProtocol, "\"fleets\" must be an object");
    for (const auto& [region, f] : j["fleets"].items()) {
      FleetCapacity c;
      for (auto [key, field] :
           {std::pair{"min", &c.min}, std::pair{"desired", &c.desired}, std::pair{"max", &c.max}}) {
        // Integers in int's range only: get<int>() would wrap a larger one silently.
        if (!f.is_object() || !f.contains(key) || !f[key].is_number_integer() ||
            f[key].get<std::int64_t>() < std::numeric_limits<int>::min() ||
            f[key].get<std::int64_t>() > std::numeric_limits<int>::max())
          return fail(ErrorKind::kProtocol,
                      "\"fleets\"." + region + "." + key + " must be an integer");
        *field = f[key].get<int>();
      }
      if (c.min < 0 || c.min > c.desired || c.desired > c.max)
        return fail(ErrorKind::kProtocol,
                    "\"fleets\"." + region + " needs 0 <= min <= desired <= max");
      t.fleets[region] = c;
    }
  }
  if (j.contains("fenced_regions")) {
    if (!j["fenced_regions"].is_array())
      return fail(ErrorKind::kProtocol, "\"fenced_regions\" must be a list of regions");
    for (const auto& r : j["fenced_regions"]) {
      if (!r.is_string())
        return fail(ErrorKind::kProtocol, "\"fenced_regions\" must be a list of regions");
      t.fenced_regions.insert(r.get<std::string>());
    }
  }
  return t;
}

fs::path topology_file(const fs::path& dir) {
  return dir / "topology.json";
}

Result<RecordedTopology> load_recorded_topology(const fs::path& dir) {
  const fs::path path = topology_file(dir);
  auto text = read_whole_file(path);
  if (!text) return fail(ErrorKind::kNotFound, "no recorded topology at " + path.string());
  auto t = parse_recorded_topology(*text);
  if (!t) return fail(t.error().kind, path.string() + ": " + t.error().message);
  return t;
}

Result<void> save_recorded_topology(const fs::path& dir, const RecordedTopology& topology) {
  return replace_file(topology_file(dir), to_json_text(topology));
}

}  // namespace dr::lab
