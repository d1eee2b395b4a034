// core::GlobalDatabase for the lab: what Aurora Global Database does on AWS, played with today's
// MariaDB mechanics. A failover fences the old writer once more right before the promotion (the
// runbook's fence step may be long past, and the old writer revived since), catches the new
// writer up from a more advanced replica when there is one, promotes it, makes the followers
// replicate from it and repoints every region's writer endpoint to it (Aurora keeps its endpoints
// on the writer by itself).
#pragma once

#include "backends/lab/lab_database.h"
#include "backends/lab/supervisor_client.h"
#include "core/ports.h"

namespace dr::backends::lab {

class LabGlobalDatabase final : public core::GlobalDatabase {
 public:
  LabGlobalDatabase(LabDatabase& database, SupervisorClient& supervisor)
      : db_(database), supervisor_(supervisor) {}

  Result<> fence_writer(const core::DatabaseMove& move) override;
  Result<std::string> fail_over(const core::DatabaseMove& move, bool allow_data_loss) override;
  Result<std::string> switch_over(const core::DatabaseMove& move) override;

 private:
  LabDatabase& db_;
  SupervisorClient& supervisor_;
};

}  // namespace dr::backends::lab
