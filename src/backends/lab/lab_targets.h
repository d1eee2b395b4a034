// Where the controller's targets are in a running lab, read from the lab's state file every tick
// (the controller keeps no topology of its own: after a failover the state says who is writer).
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>

#include "backends/lab/probes.h"
#include "core/observer.h"
#include "core/snapshot.h"
#include "lab/lab_state.h"

namespace dr::backends::lab {

struct LabTargets {
  core::Topology topology;
  std::map<std::string, ProbeTarget> databases;  // every MariaDB server by name
  std::map<std::string, std::string> database_region;
  ProbeTarget primary_alb;
  std::string front_door_url;
  std::string secondary_dynamodb_url;  // the controller's state store
  std::string supervisor_host;
  int supervisor_port = 0;
  // The write lease's etcd members (kind "etcd"), "address:port", the controller's site first;
  // empty: the lab runs without a write lease.
  std::vector<std::string> lease_endpoints;
  std::chrono::seconds lease_ttl{2};  // as the lab grants it (state.json's write_lease.ttl_s)
  // The primary fleet's size as the supervisor (the lab's Auto Scaling) recorded it last: from
  // the same state file, so a tick reads one file (nullopt: no fleet recorded for the region).
  std::optional<int> primary_fleet_desired;
  // Traffic and writes go to the primary region: the front door is not forced elsewhere (an
  // app-region failover leaves the writer home and the traffic, and the lease, away), and its
  // fleet is not fenced. Only then may a free write lease go back to the primary.
  bool primary_serves = true;
};

// `controller_region` is where the controller runs; its writer endpoint names the global writer
// (it is always repointed, even when the old primary region's endpoint is dead).
std::expected<LabTargets, std::string> resolve_targets(const dr::lab::LabState& state,
                                                       const std::string& controller_region);

// load_lab_state + resolve_targets: what every tick of the controller and the witness starts with.
std::expected<LabTargets, std::string> load_targets(const std::filesystem::path& lab_dir,
                                                    const std::string& controller_region);

// One round of probes of the primary region from `source`, recorded into `observer`.
void probe_primary(core::Observer& observer, const LabTargets& targets, const std::string& source,
                   std::chrono::milliseconds timeout);

ProbeTarget parse_http_url(const std::string& url);  // "http://h:p" -> {h, p}; port 0 if bad

}  // namespace dr::backends::lab
