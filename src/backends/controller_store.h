// The controller's durable state in a DynamoDB table of the secondary region (the region that
// survives when the primary fails): the runbook in flight, and the guards (automatic failover
// on/off, the failover waiting for an acknowledgement). On AWS a real table; in the lab, the
// us-west-2 DynamoDB Local. Reads are strongly consistent so a restarted controller sees the
// last saved step.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "aws/dynamodb.h"
#include "core/runbook.h"
#include "core/snapshot.h"
#include "core/world.h"

namespace dr::backends {

// The table's hash key; infra/modules/lambda's aws_dynamodb_table.state must use the same name
// (tests/infra/table_keys_test.cc checks it).
inline constexpr const char* kStateTableKey = "id";

class ControllerStore final : public core::StateStore {
 public:
  using NowMs = std::function<int64_t()>;
  ControllerStore(aws::DynamoDb& dynamodb, std::string table, NowMs now_ms = {});

  // Creates the table when missing; idempotent.
  std::expected<void, std::string> ensure_table();

  // Conditional: refused while another owner's lease on an unfinished runbook still holds, so
  // two processes never drive the same (or a second) runbook at once.
  // conflict while another owner's lease holds; unreachable / outcome-unknown as the request
  // went (an outcome-unknown save is re-read by the next tick's load).
  core::Result<> save(const core::RunbookState& state) override;
  // The last saved runbook (done or not), or nullopt when there has never been one.
  std::expected<std::optional<core::RunbookState>, std::string> load_runbook() override;

  std::expected<core::Guards, std::string> load_guards() override;
  std::expected<void, std::string> set_automatic_failover(bool enabled) override;
  // Records a completed failover that must be acknowledged before the next automatic one.
  std::expected<void, std::string> require_ack(const std::string& failover_id) override;
  // Acknowledges `failover_id`; an error when it is not the one waiting (a typo must not
  // silently re-arm automatic failover).
  std::expected<void, std::string> acknowledge(const std::string& failover_id) override;
  std::expected<void, std::string> remember_primary_capacity(int desired) override;

 private:
  std::expected<nlohmann::json, std::string> get(const std::string& id);

  aws::DynamoDb& ddb_;
  std::string table_;
  NowMs now_ms_;
};

}  // namespace dr::backends
