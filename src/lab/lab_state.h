// The lab's state file (<dir>/state.json): what the supervisor started (with PID records, so
// that `down` can stop everything even after the supervisor died), where it listens, and what was
// killed on purpose. The supervisor is its only writer; the CLI reads it. Written atomically
// (temp file + rename), so a reader never sees half a file.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lab/error.h"
#include "lab/process.h"

namespace dr::lab {

struct ComponentRecord {
  std::string name;    // "a1", "alb-us-east-1", "app-us-east-1-3"
  std::string kind;    // mariadb | endpoint | dynamodb | alb | front-door | app | replicator
  std::string region;  // "us-east-1", "us-west-2", "global"
  std::string az;      // empty for regional and global components
  std::string role;    // writer | replica (semi-sync) | replica (async) | writer endpoint | ...
  std::string address;
  std::uint16_t port = 0;
  PidRecord pid;  // pid 0: not running (killed, or a thread of the supervisor)
  std::string log;
  bool killed = false;  // killed on purpose: not restarted until `restore`
};

struct FleetCapacity {
  int min = 0;
  int desired = 0;
  int max = 0;

  friend bool operator==(const FleetCapacity&, const FleetCapacity&) = default;
};

struct LabState {
  // starting -> ready | failed; stopping while the supervisor shuts down.
  std::string phase = "starting";
  std::string error;  // when failed: the component, what went wrong, the log to read
  PidRecord supervisor;
  std::string control_address;
  std::uint16_t control_port = 0;
  std::string aws_endpoint_url;  // the lab's AWS endpoint (src/lab_aws), "" until it serves
  int lease_ttl_s = 0;           // the write lease's TTL (lab up --lease-ttl-s); 0: no lease
  std::string front_door_url;
  std::optional<std::string> front_door_override;  // the region forced active, if any
  std::map<std::string, std::string> alb_urls;     // region -> url
  std::map<std::string, FleetCapacity> fleets;     // region -> capacity
  // region -> {"writer": database name, "reader": database name}
  std::map<std::string, std::map<std::string, std::string>> endpoints;
  std::set<std::string> killed_regions;
  std::set<std::string> killed_azs;
  std::set<std::string> fenced_regions;  // regions whose app fleet is fenced (refuses writes)
  std::vector<ComponentRecord> components;

  ComponentRecord* find(const std::string& name);
  const ComponentRecord* find(const std::string& name) const;
  void upsert(ComponentRecord record);
  void erase(const std::string& name);
};

std::string to_json_text(const LabState& state);
Result<LabState> parse_lab_state(const std::string& text);

std::filesystem::path state_file(const std::filesystem::path& dir);
// kNotFound when there is no state file (no lab in that directory).
Result<LabState> load_lab_state(const std::filesystem::path& dir);
Result<void> save_lab_state(const std::filesystem::path& dir, const LabState& state);

// The lab directory: --dir if given, else $DR_LAB_DIR, else /tmp/dr-lab.
std::filesystem::path resolve_lab_dir(const std::string& flag);

}  // namespace dr::lab
