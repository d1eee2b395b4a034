// core::WriteLease on AWS: the lease (src/lease) in a DynamoDB table with multi-Region strong
// consistency (infra/global), taken through the SECONDARY region's client, where the controller
// runs (the table reads strongly from either replica region, and a region cut off from the other
// replica and the witness can neither read nor write it). No table (DR_LEASE_TABLE unset):
// not-supported, and the runbook skips the step.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aws/dynamodb.h"
#include "backends/aws/aws_targets.h"
#include "core/ports.h"
#include "lease/dynamodb_store.h"

namespace dr::backends::aws_world {

class AwsWriteLease final : public core::WriteLease {
 public:
  AwsWriteLease(const AwsTargets& targets, ClientConfigFor clients, Pacing pacing);
  core::Result<std::string> take(const std::string& region, core::LeaseTake how) override;
  core::Result<std::optional<std::string>> holder() override;

 private:
  core::Result<lease::DynamoDbLeaseStore*> store();

  std::string table_;
  std::string secondary_region_;
  std::chrono::seconds ttl_;
  std::chrono::milliseconds deadline_;
  std::chrono::milliseconds poll_;
  ClientConfigFor clients_;
  Pacing pacing_;
  // Kept across takes: a taker's wait for an unrenewed version (the store's memory of when it
  // first saw it) goes on at the next attempt instead of starting again.
  std::unique_ptr<dr::aws::DynamoDb> ddb_;
  std::unique_ptr<lease::DynamoDbLeaseStore> store_;
};

}  // namespace dr::backends::aws_world
