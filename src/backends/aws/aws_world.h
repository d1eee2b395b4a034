// core::World on AWS: the evidence (aws_evidence.h) read through the secondary region's RDS,
// DynamoDB and CloudWatch, and the five ports (aws_ports.h), from one AwsTargets. What the
// Lambda and drctl's AWS commands drive.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aws/cloudwatch.h"
#include "aws/dynamodb.h"
#include "aws/rds.h"
#include "backends/aws/aws_evidence.h"
#include "backends/aws/aws_ports.h"
#include "backends/aws/replication_lag.h"
#include "core/world.h"

namespace dr::backends::aws_world {

// The evidence's options for these targets: the regions' ALBs, the global cluster, the
// controller's state table (where the witness writes its observation).
EvidenceOptions evidence_options(const AwsTargets& targets, const std::string& state_table);

class AwsWorld final : public core::World {
 public:
  // Fails (refused) when a client cannot be built for the secondary region.
  static core::Result<std::unique_ptr<AwsWorld>> create(AwsTargets targets, std::string state_table,
                                                        ClientConfigFor clients, Pacing pacing,
                                                        LogFn log);

  std::expected<core::Snapshot, std::string> observe() override;
  core::Backends backends() override { return ports_->backends(); }
  const AwsTargets& targets() const { return targets_; }

 private:
  AwsWorld(AwsTargets targets, std::unique_ptr<dr::aws::Rds> rds,
           std::unique_ptr<dr::aws::DynamoDb> dynamodb,
           std::map<std::string, std::unique_ptr<dr::aws::CloudWatch>> cloudwatch,
           std::unique_ptr<AwsPorts> ports, EvidenceOptions evidence, Pacing pacing);
  // The worst of the secondary `cluster`'s latest lag readings over the last `window`, in
  // `period`-second periods, read where Aurora publishes it (the cluster's own region).
  std::optional<LagReading> latest_lag(const std::string& cluster, std::chrono::seconds window,
                                       int64_t period);

  AwsTargets targets_;
  std::unique_ptr<dr::aws::Rds> rds_;
  std::unique_ptr<dr::aws::DynamoDb> dynamodb_;
  // Per region: the lag is read where the current secondary cluster lives.
  std::map<std::string, std::unique_ptr<dr::aws::CloudWatch>> cloudwatch_;
  std::unique_ptr<AwsPorts> ports_;
  Pacing pacing_;
  Evidence evidence_;
};

}  // namespace dr::backends::aws_world
