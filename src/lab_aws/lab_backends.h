// The rds and autoscaling handlers' view of a running lab (rds_lab.h, autoscaling_handler.h):
// what the servers are doing comes from the supervisor's GET /status (each database's role is
// asked from the server itself), capacity changes go through its PUT /fleets/<region>, and the
// writer moves with backends/lab's LabGlobalDatabase: the very mechanics the lab's controller
// runs (fence, catch up when reachable, promote behind the lag gate, re-point), so the SQL
// stays in one place. Everything is read again on each call: a lab brought up again has new
// ports, token and passwords.
#pragma once

#include <filesystem>

#include "backends/lab/lab_database.h"
#include "backends/lab/lab_targets.h"
#include "core/ports.h"
#include "lab_aws/autoscaling_handler.h"
#include "lab_aws/front_door_lab.h"
#include "lab_aws/rds_lab.h"

namespace dr::lab_aws {

class LabBackends final : public RdsLab, public FleetLab, public FrontDoorLab {
 public:
  explicit LabBackends(std::filesystem::path lab_dir) : dir_(std::move(lab_dir)) {}

  std::expected<DbTopology, std::string> topology() override;
  std::expected<std::string, std::string> move_writer(const std::string& to_region,
                                                      bool allow_data_loss) override;
  std::expected<std::string, std::string> fail_over_in_region(
      const std::string& old_writer, const std::string& new_writer) override;
  // Sets `server` read-only (the lab's fence): an old writer that wakes after Aurora's automatic
  // failover moved the writer past it (in_region_watcher.h).
  std::expected<void, std::string> fence(const std::string& server);
  std::expected<std::map<std::string, FleetView>, std::string> fleets() override;
  std::expected<void, std::string> set_capacity(const std::string& region, int min, int desired,
                                                int max) override;
  // HAProxy's check of each ALB (the front door's; while an override holds a region in MAINT,
  // where checks stop, the region's ALB is UP when it has a healthy instance and is not killed).
  std::expected<FrontDoorView, std::string> front_door() override;
  std::expected<void, std::string> force_front_door(
      const std::optional<std::string>& region) override;

 private:
  enum class MoveKind { kFailover, kSwitchover, kInRegion };
  // The lab's mechanics (backends/lab's LabGlobalDatabase) run one move.
  std::expected<std::string, std::string> run_move(const backends::lab::LabTargets& targets,
                                                   const core::DatabaseMove& move, MoveKind kind);
  // The lab's databases of `targets`, reached with the lab's admin and replication logins.
  std::expected<backends::lab::LabDatabase, std::string> database(
      const backends::lab::LabTargets& targets) const;

  std::filesystem::path dir_;
};

}  // namespace dr::lab_aws
