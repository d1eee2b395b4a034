// The controller's World in the lab: evidence from N checkers probing from the controller's
// address (in us-west-2's range), the witness's observation (global range), the secondary
// replica's own replication status; and backends that act through SQL and the supervisor.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "backends/jsonl_notifier.h"
#include "backends/lab/lab_database.h"
#include "backends/lab/lab_global_database.h"
#include "backends/lab/lab_targets.h"
#include "backends/lab/lab_write_lease.h"
#include "backends/lab/supervisor_client.h"
#include "core/world.h"

namespace dr::backends::lab {

struct LabWorldOptions {
  std::filesystem::path lab_dir;
  std::string controller_region = "us-west-2";
  std::string source_address = "127.0.2.23";  // the controller's place in the address plan
  int checkers = 3;
  core::ObserverThresholds thresholds;
  std::chrono::milliseconds probe_timeout{500};
  std::string witness_url;  // empty: read <lab_dir>/witness.url
};

class LabWorld final : public core::World {
 public:
  explicit LabWorld(LabWorldOptions options);

  std::expected<core::Snapshot, std::string> observe() override;
  core::Backends backends() override;

  // The state store lives in the controller region's DynamoDB Local; its URL comes from the lab.
  std::expected<std::string, std::string> state_store_url();
  const LabTargets* targets() const { return targets_ ? &*targets_ : nullptr; }
  // The lab's own mechanics behind the ports, for drctl's lab-only work (failback's checks and
  // baseline); valid until the next observe(), null before the first.
  LabDatabase* database() { return database_.get(); }
  SupervisorClient* supervisor() { return supervisor_.get(); }

 private:
  std::optional<core::Observation> fetch_witness();

  LabWorldOptions options_;
  std::string token_;  // the lab's control token: the supervisor and the witness want it
  std::vector<core::Observer> checkers_;
  std::optional<LabTargets> targets_;
  std::unique_ptr<LabDatabase> database_;
  std::unique_ptr<SupervisorClient> supervisor_;
  std::unique_ptr<LabGlobalDatabase> global_database_;
  std::unique_ptr<FrontDoorProbe> probe_;
  std::unique_ptr<JsonlNotifier> notifier_;
  std::unique_ptr<LabWriteLease> lease_;
};

}  // namespace dr::backends::lab
