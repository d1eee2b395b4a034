#include "lab/proxy_plan.h"

#include <algorithm>

namespace dr::lab {

std::vector<EndpointMove> plan_endpoints(const ProxyPlanInput& input, const Topology& topology) {
  std::vector<EndpointMove> moves;
  const auto serves_writers_history = [&](const std::string& database) {
    return database == input.writer || input.followers.contains(database);
  };
  for (const auto& region : topology.regions) {
    for (const std::string role : {"writer", "reader"}) {
      std::string current;
      if (auto r = input.endpoints.find(region); r != input.endpoints.end()) {
        if (auto t = r->second.find(role); t != r->second.end()) current = t->second;
      }
      std::string target = current;
      if (role == "writer") {
        target = input.writer;
      } else if (!serves_writers_history(current)) {
        target = input.writer;
        const auto follower = std::ranges::find_if(topology.databases, [&](const auto& d) {
          return d.region == region && input.followers.contains(d.name);
        });
        if (follower != topology.databases.end()) target = follower->name;
      }
      if (target == current) continue;
      const std::string endpoint = role + "-" + region;
      moves.push_back(
          {endpoint, region, role, current, target, input.killed_endpoints.contains(endpoint)});
    }
  }
  return moves;
}

std::vector<FrontDoorServer> plan_front_door(const std::optional<std::string>& override_region,
                                             const Topology& topology) {
  std::vector<FrontDoorServer> servers;
  for (const auto& region : topology.regions)
    servers.push_back({region, !override_region || *override_region == region});
  return servers;
}

}  // namespace dr::lab
