// core::WriteLease for the lab: the lease (src/lease) in the lab's 3-member etcd cluster, taken by
// the controller from its own address (so that a partition cuts it like everything else of its
// site). A lab started without the cluster has no lease: not-supported, and the runbook skips the
// step.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/ports.h"

namespace dr::backends::lab {

struct LabWriteLeaseOptions {
  std::vector<std::string> endpoints;  // "address:port"; empty: no lease in this lab
  std::string source_address;          // the controller's
  std::chrono::seconds ttl{2};         // what the new holder's etcd lease is granted
  // How long kAfterExpiry waits for the old holder's lease to run out: its TTL, plus a poll.
  std::chrono::milliseconds expiry_wait{3000};
  std::chrono::milliseconds poll{100};
  // holder()'s bound per member: asked every tick, it must not slow the tick's probes.
  std::chrono::milliseconds read_timeout{500};
  // Once the lease is the region's (taken, handed over or held already): the apps' write guard
  // raised to its epoch at the database (write_guard.h); an error fails the step, to be retried.
  // Empty: not raised (the new holder's first write raises it).
  std::function<core::Result<std::string>(const std::string& region, int64_t epoch)> raise_guard;
  std::function<void(std::chrono::milliseconds)> sleep;  // default: the thread sleeps (lease::take)
};

class LabWriteLease final : public core::WriteLease {
 public:
  explicit LabWriteLease(LabWriteLeaseOptions options);
  core::Result<std::string> take(const std::string& region, core::LeaseTake how) override;
  core::Result<std::optional<std::string>> holder() override;

 private:
  LabWriteLeaseOptions options_;
};

}  // namespace dr::backends::lab
