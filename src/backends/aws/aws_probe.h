// core::Probe on AWS: a real write through the region's ALB, read back. POST /orders with an
// idempotency key (the same key on every retry of one verification, so a retried POST whose
// answer was lost finds its order instead of adding a second), then GET /orders/<id>?
// consistent=true: the order must come back with that key, and both answers must be served by
// the region being verified (dr-app's served_by.region). Retried within probe_deadline (the
// new region's instances and the ALB's checks may need a moment).
#pragma once

#include <memory>
#include <string>

#include "aws/transport.h"
#include "backends/aws/aws_targets.h"
#include "core/ports.h"

namespace dr::backends::aws_world {

class AwsProbe final : public core::Probe {
 public:
  // transport: nullptr = the default transport (HTTPS with the system's CAs).
  AwsProbe(AwsTargets targets, Pacing pacing,
           std::shared_ptr<dr::aws::HttpTransport> transport = nullptr);
  core::Result<> verify_write(const std::string& region) override;

 private:
  // One POST + GET; "" when verified, otherwise what went wrong.
  std::string attempt(const AwsRegionTargets& target, const std::string& key);

  AwsTargets targets_;
  Pacing pacing_;
  std::shared_ptr<dr::aws::HttpTransport> transport_;
  int verifications_ = 0;
};

}  // namespace dr::backends::aws_world
