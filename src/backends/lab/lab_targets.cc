#include "backends/lab/lab_targets.h"

#include <future>
#include <optional>

namespace dr::backends::lab {

ProbeTarget parse_http_url(const std::string& url) {
  std::string rest = url.starts_with("http://") ? url.substr(7) : url;
  rest = rest.substr(0, rest.find('/'));
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return {rest, 0};
  int port = 0;
  try {
    port = std::stoi(rest.substr(colon + 1));
  } catch (const std::exception&) {
    port = 0;
  }
  return {rest.substr(0, colon), static_cast<std::uint16_t>(port > 0 && port < 65536 ? port : 0)};
}

std::expected<LabTargets, std::string> resolve_targets(const dr::lab::LabState& state,
                                                       const std::string& controller_region) {
  LabTargets t;
  std::map<std::string, std::string> region_of;
  std::vector<std::string> regions;
  for (const auto& c : state.components) {
    if (c.kind != "mariadb") continue;
    t.databases[c.name] = {c.address, c.port};
    region_of[c.name] = c.region;
    t.database_region[c.name] = c.region;
  }
  for (const auto& [region, url] : state.alb_urls) regions.push_back(region);
  auto ep = state.endpoints.find(controller_region);
  if (ep == state.endpoints.end() || !ep->second.contains("writer"))
    return std::unexpected("the lab state has no writer endpoint for " + controller_region);
  core::Topology& topo = t.topology;
  topo.writer = ep->second.at("writer");
  if (!region_of.contains(topo.writer))
    return std::unexpected("writer " + topo.writer + " is not a known database server");
  topo.primary_region = region_of[topo.writer];
  for (const auto& r : regions) {
    if (r != topo.primary_region) topo.secondary_region = r;
  }
  if (topo.secondary_region.empty()) return std::unexpected("the lab has no second region");
  for (const auto& [name, region] : region_of) {
    if (name == topo.writer) continue;
    if (region == topo.primary_region && topo.az_standby.empty()) topo.az_standby = name;
    if (region == topo.secondary_region && topo.secondary_db.empty()) topo.secondary_db = name;
  }
  auto alb = state.alb_urls.find(topo.primary_region);
  if (alb == state.alb_urls.end())
    return std::unexpected("no ALB recorded for " + topo.primary_region);
  t.primary_alb = parse_http_url(alb->second);
  t.front_door_url = state.front_door_url;
  if (auto fleet = state.fleets.find(topo.primary_region); fleet != state.fleets.end())
    t.primary_fleet_desired = fleet->second.desired;
  t.primary_serves =
      state.front_door_override.value_or(topo.primary_region) == topo.primary_region &&
      !state.fenced_regions.contains(topo.primary_region);
  for (const auto& c : state.components) {
    if (c.kind == "dynamodb" && c.region == controller_region)
      t.secondary_dynamodb_url = "http://127.0.0.1:" + std::to_string(c.port);
    if (c.kind == "etcd") {
      const std::string endpoint = c.address + ":" + std::to_string(c.port);
      if (c.region == controller_region)
        t.lease_endpoints.insert(t.lease_endpoints.begin(), endpoint);
      else
        t.lease_endpoints.push_back(endpoint);
    }
  }
  if (state.lease_ttl_s > 0) t.lease_ttl = std::chrono::seconds(state.lease_ttl_s);
  t.supervisor_host = state.control_address;
  t.supervisor_port = state.control_port;
  return t;
}

std::expected<LabTargets, std::string> load_targets(const std::filesystem::path& lab_dir,
                                                    const std::string& controller_region) {
  auto state = dr::lab::load_lab_state(lab_dir);
  if (!state) return std::unexpected("lab state: " + state.error().describe());
  return resolve_targets(*state, controller_region);
}

void probe_primary(core::Observer& observer, const LabTargets& t, const std::string& source,
                   std::chrono::milliseconds timeout) {
  auto db = [&](const std::string& name) {
    auto it = t.databases.find(name);
    return it != t.databases.end() && probe_mysql(source, it->second, timeout);
  };
  // The targets at once: a cut region times every one of them out, and one after the other a
  // round took three timeouts, which made the witness (800 ms each) see a cut ~7 s late.
  auto writer = std::async(std::launch::async, [&] { return db(t.topology.writer); });
  auto standby = std::async(std::launch::async, [&] {
    return t.topology.az_standby.empty() ? std::optional<bool>()
                                         : std::optional<bool>(db(t.topology.az_standby));
  });
  auto app = std::async(std::launch::async,
                        [&] { return probe_http(source, t.primary_alb, "/health", timeout); });
  observer.record(core::Target::kWriter, writer.get());
  if (auto s = standby.get()) observer.record(core::Target::kAzStandby, *s);
  observer.record(core::Target::kApp, app.get());
}

}  // namespace dr::backends::lab
