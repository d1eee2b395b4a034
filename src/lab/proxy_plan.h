// The proxy plan: which database each endpoint (a writer or reader HAProxy of a region) should
// serve, and which regions the front door may send traffic to, from the recorded topology and
// what the servers said. A pure function: the supervisor gathers the inputs (the servers' own
// replication status), asks the plan, and applies it through HAProxy's runtime API
// (supervisor_proxies.cc). The ALBs are not planned here: their targets are the fleet's
// instances, which the fleet registers itself (fleet.h).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lab/lab_topology.h"

namespace dr::lab {

struct ProxyPlanInput {
  std::string writer;  // the database that holds the write role
  // region -> role ("writer" or "reader") -> the database its endpoint serves now, as recorded.
  std::map<std::string, std::map<std::string, std::string>> endpoints;
  // Databases that replicate, healthily, from the writer (running and not killed).
  std::set<std::string> followers;
  // Endpoints ("writer-us-east-1") whose HAProxy is killed: their move is recorded, and made by
  // the restart.
  std::set<std::string> killed_endpoints;
};

struct EndpointMove {
  std::string endpoint;  // "reader-us-west-2"
  std::string region;
  std::string role;  // "writer" or "reader"
  std::string from;
  std::string to;
  bool killed = false;  // the endpoint's HAProxy is down: record the target, do not repoint
  bool operator==(const EndpointMove&) const = default;
};

// Every writer endpoint serves the writer. A reader endpoint keeps its database while it is the
// writer or one of its followers; else (dead, fenced, replicating from elsewhere: a history that
// is not the writer's) it moves to its own region's first follower, else to the writer. Only
// the endpoints that move are listed, in topology order (regions, then writer before reader).
std::vector<EndpointMove> plan_endpoints(const ProxyPlanInput& input, const Topology& topology);

struct FrontDoorServer {
  std::string region;
  bool ready = true;  // false: MAINT (maint, not drain: a draining server still gets traffic)
  bool operator==(const FrontDoorServer&) const = default;
};

// The front door's servers: with an override, only the named region is ready; without one,
// every region is, and the health checks (primary, then backup) decide.
std::vector<FrontDoorServer> plan_front_door(const std::optional<std::string>& override_region,
                                             const Topology& topology);

}  // namespace dr::lab
