// The control API's operations on fleets, endpoints and the front door.
#include "lab/supervisor.h"

#include "lab/supervisor_internal.h"

namespace dr::lab {
using namespace supervisor_detail;  // with it fs, json and the chrono literals

// ---- Control operations ----

// The fleet's own work (a fence tells every instance through its admin port) runs under
// fleets_mu_; mu_ only for the record.
Result<json> Supervisor::set_fleet(const std::string& region, std::optional<int> min,
                                   std::optional<int> desired, std::optional<int> max) {
  std::lock_guard fleets_lock(fleets_mu_);
  if (!fleets_.contains(region))
    return fail(ErrorKind::kNotFound, "no fleet in region '" + region + "'");
  auto& fleet = *fleets_.at(region);
  FleetCapacity c = fleet.capacity();
  if (min) c.min = *min;
  if (desired) c.desired = *desired;
  if (max) c.max = *max;
  if (auto s = fleet.set_capacity(c); !s) return std::unexpected(s.error());
  {
    std::lock_guard lock(mu_);
    record_fleets();
    save();
  }
  log_line(region + ": capacity set to min " + std::to_string(c.min) + " desired " +
           std::to_string(c.desired) + " max " + std::to_string(c.max));
  return json{{"region", region}, {"min", c.min}, {"desired", c.desired}, {"max", c.max}};
}

Result<json> Supervisor::fence_fleet(const std::string& region, bool fenced,
                                     const std::string& reason) {
  Result<void> told;
  json instances;
  {
    std::lock_guard fleets_lock(fleets_mu_);
    if (!fleets_.contains(region))
      return fail(ErrorKind::kNotFound, "no fleet in region '" + region + "'");
    auto& fleet = *fleets_.at(region);
    told = fleet.set_fenced(fenced, reason);
    instances = fleet.running();
    std::lock_guard lock(mu_);
    if (fenced) {
      state_.fenced_regions.insert(region);
    } else {
      state_.fenced_regions.erase(region);
    }
    record_fleets();
    save();
  }
  log_line(region + (fenced ? ": fleet fenced (" + reason + ")" : ": fleet fence lifted"));
  // The apps honour the fence record too (what the controller writes on AWS, and through the
  // lab's AWS endpoint): a lift here that left a record of the Lambda's in place kept every app
  // of the region refusing writes after `drctl failback`, the front door answering 503. Written
  // outside the fleets' lock: it is I/O.
  for (const auto& e : write_fence_record(region, fenced, reason)) log_line(e);
  if (!told) {
    log_line(told.error().message);
    return std::unexpected(told.error());
  }
  return json{{"region", region}, {"fenced", fenced}, {"instances", instances}};
}

Result<json> Supervisor::repoint(const std::string& region, const std::string& role,
                                 const std::string& database) {
  std::lock_guard lock(mu_);
  return repoint_locked(region, role, database);
}

Result<json> Supervisor::override_front_door(const std::optional<std::string>& region) {
  std::lock_guard lock(mu_);
  if (region && !known_region(*region))
    return fail(ErrorKind::kNotFound, "no region '" + *region + "'");
  const auto previous = state_.front_door_override;
  state_.front_door_override = region;
  if (auto a = apply_front_door_override(); !a) {
    state_.front_door_override = previous;
    return std::unexpected(a.error());
  }
  save();
  log_line(region ? "front door: forced to " + *region : "front door: override cleared");
  return json{{"active_region", region ? json(*region) : json()}, {"override", region.has_value()}};
}

}  // namespace dr::lab
