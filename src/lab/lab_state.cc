#include "lab/lab_state.h"

#include "lab/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace dr::lab {
namespace fs = std::filesystem;
using nlohmann::json;

ComponentRecord* LabState::find(const std::string& name) {
  for (auto& c : components) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const ComponentRecord* LabState::find(const std::string& name) const {
  for (const auto& c : components) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void LabState::upsert(ComponentRecord record) {
  if (auto* existing = find(record.name)) {
    *existing = std::move(record);
  } else {
    components.push_back(std::move(record));
  }
}

void LabState::erase(const std::string& name) {
  std::erase_if(components, [&](const ComponentRecord& c) { return c.name == name; });
}

namespace {

json pid_json(const PidRecord& r) {
  return {{"pid", r.pid}, {"start_time", r.start_time}};
}

PidRecord pid_of(const json& j) {
  return {j.value("pid", 0), j.value("start_time", std::uint64_t{0})};
}

}  // namespace

std::string to_json_text(const LabState& s) {
  json j;
  j["version"] = 1;
  j["phase"] = s.phase;
  j["error"] = s.error;
  j["supervisor"] = pid_json(s.supervisor);
  j["control"] = {{"address", s.control_address}, {"port", s.control_port}};
  j["aws_endpoint"] = {{"url", s.aws_endpoint_url}};
  if (s.lease_ttl_s > 0) j["write_lease"] = {{"ttl_s", s.lease_ttl_s}};
  j["front_door"] = {{"url", s.front_door_url},
                     {"override", s.front_door_override ? json(*s.front_door_override) : json()}};
  j["alb_urls"] = s.alb_urls;
  j["fleets"] = json::object();
  for (const auto& [region, f] : s.fleets) {
    j["fleets"][region] = {{"min", f.min}, {"desired", f.desired}, {"max", f.max}};
  }
  j["endpoints"] = s.endpoints;
  j["killed_regions"] = s.killed_regions;
  j["killed_azs"] = s.killed_azs;
  j["fenced_regions"] = s.fenced_regions;
  j["components"] = json::array();
  for (const auto& c : s.components) {
    j["components"].push_back({{"name", c.name},
                               {"kind", c.kind},
                               {"region", c.region},
                               {"az", c.az},
                               {"role", c.role},
                               {"address", c.address},
                               {"port", c.port},
                               {"pid", pid_json(c.pid)},
                               {"log", c.log},
                               {"killed", c.killed}});
  }
  return j.dump(2) + "\n";
}

Result<LabState> parse_lab_state(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail(ErrorKind::kProtocol, "not a JSON object");
  try {
    LabState s;
    s.phase = j.value("phase", "");
    s.error = j.value("error", "");
    s.supervisor = pid_of(j.contains("supervisor") ? j.at("supervisor") : json::object());
    const json control = j.contains("control") ? j.at("control") : json::object();
    s.control_address = control.value("address", "");
    s.control_port = control.value("port", std::uint16_t{0});
    if (j.contains("aws_endpoint") && j["aws_endpoint"].is_object())
      s.aws_endpoint_url = j["aws_endpoint"].value("url", "");
    if (j.contains("write_lease") && j["write_lease"].is_object())
      s.lease_ttl_s = j["write_lease"].value("ttl_s", 0);
    const json fd = j.contains("front_door") ? j.at("front_door") : json::object();
    s.front_door_url = fd.value("url", "");
    if (fd.contains("override") && fd["override"].is_string()) {
      s.front_door_override = fd["override"].get<std::string>();
    }
    s.alb_urls = j.value("alb_urls", std::map<std::string, std::string>{});
    static const json kEmpty = json::object();
    const json& fleets = j.contains("fleets") ? j.at("fleets") : kEmpty;
    for (const auto& [region, f] : fleets.items()) {
      s.fleets[region] = {f.value("min", 0), f.value("desired", 0), f.value("max", 0)};
    }
    s.endpoints = j.value("endpoints", std::map<std::string, std::map<std::string, std::string>>{});
    s.killed_regions = j.value("killed_regions", std::set<std::string>{});
    s.killed_azs = j.value("killed_azs", std::set<std::string>{});
    s.fenced_regions = j.value("fenced_regions", std::set<std::string>{});
    static const json kNone = json::array();
    const json& components = j.contains("components") ? j.at("components") : kNone;
    for (const auto& c : components) {
      ComponentRecord r;
      r.name = c.value("name", "");
      r.kind = c.value("kind", "");
      r.region = c.value("region", "");
      r.az = c.value("az", "");
      r.role = c.value("role", "");
      r.address = c.value("address", "");
      r.port = c.value("port", std::uint16_t{0});
      r.pid = pid_of(c.contains("pid") ? c.at("pid") : json::object());
      r.log = c.value("log", "");
      r.killed = c.value("killed", false);
      s.components.push_back(std::move(r));
    }
    return s;
  } catch (const json::exception& e) {
    return fail(ErrorKind::kProtocol, std::string("unexpected shape: ") + e.what());
  }
}

fs::path state_file(const fs::path& dir) {
  return dir / "state.json";
}

Result<LabState> load_lab_state(const fs::path& dir) {
  const fs::path path = state_file(dir);
  auto text = read_whole_file(path);
  if (!text) return fail(ErrorKind::kNotFound, "no lab state at " + path.string());
  auto state = parse_lab_state(*text);
  if (!state) return fail(state.error().kind, path.string() + ": " + state.error().message);
  return state;
}

Result<void> save_lab_state(const fs::path& dir, const LabState& state) {
  return replace_file(state_file(dir), to_json_text(state));
}

fs::path resolve_lab_dir(const std::string& flag) {
  if (!flag.empty()) return fs::absolute(flag);
  if (const char* env = std::getenv("DR_LAB_DIR"); env != nullptr && *env != '\0') {
    return fs::absolute(env);
  }
  return "/tmp/dr-lab";
}

}  // namespace dr::lab
