// The lab's recorded topology (<dir>/topology.json): which database holds the write role, where
// the endpoints point, the front door's override and the fleets' capacities. The supervisor
// writes it whenever one of these changes; unlike state.json it survives `drctl lab down` (it
// belongs with the data it describes, and `down --purge` removes both), so that `lab up` after a
// failover resumes the topology the data was left in instead of making a1 the writer again.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "lab/error.h"
#include "lab/lab_state.h"

namespace dr::lab {

struct RecordedTopology {
  std::string writer;  // the database that holds the write role
  // region -> {"writer": database, "reader": database}
  std::map<std::string, std::map<std::string, std::string>> endpoints;
  std::optional<std::string> front_door_override;
  std::map<std::string, FleetCapacity> fleets;
  std::set<std::string> fenced_regions;  // regions whose apps refuse writes (the fleet's fence)

  friend bool operator==(const RecordedTopology&, const RecordedTopology&) = default;
};

std::string to_json_text(const RecordedTopology& topology);
// Every field is checked: a hand-edited or truncated file is an error naming what is wrong.
Result<RecordedTopology> parse_recorded_topology(const std::string& text);

std::filesystem::path topology_file(const std::filesystem::path& dir);
// kNotFound when the lab never recorded one (a fresh directory).
Result<RecordedTopology> load_recorded_topology(const std::filesystem::path& dir);
Result<void> save_recorded_topology(const std::filesystem::path& dir,
                                    const RecordedTopology& topology);

}  // namespace dr::lab
