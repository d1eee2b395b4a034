// Where the write lease lives: a quorum store that spans three failure domains. The lab's is a
// 3-member etcd cluster (etcd_store.h); AWS's a DynamoDB table with multi-Region strong
// consistency, replicas in two regions and a witness in a third (dynamodb_store.h). The holder
// (write_lease.h's LeaseHolder) and the takers (the controller's runbook) speak to either.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lease/error.h"

namespace dr::lease {

struct LeaseRecord {
  std::string region;
  int64_t epoch = 0;
  // What renewals act on: etcd's lease ID; DynamoDB's item version, which every renewal bumps.
  int64_t token = 0;

  friend bool operator==(const LeaseRecord&, const LeaseRecord&) = default;
};

// "us-east-1 (epoch 3)"
std::string describe(const LeaseRecord& record);

struct Renewed {
  LeaseRecord record;                // as it is after the renewal
  std::chrono::milliseconds left{};  // how long it holds without another renewal
};

class LeaseStore {
 public:
  virtual ~LeaseStore() = default;
  // The record as a quorum sees it now; nullopt when nobody holds the lease.
  virtual Result<std::optional<LeaseRecord>> read() = 0;
  // Renews `held` for its region; nullopt when it is no longer held as `held` says (expired,
  // or moved to another region).
  virtual Result<std::optional<Renewed>> renew(const LeaseRecord& held) = 0;
  // Gives `region` the lease when nobody holds it any more, with the epoch one more than the
  // last: kRefused, naming the holder, while another region's lease has not surely run out.
  // Idempotent: the region that holds it gets its record back.
  virtual Result<LeaseRecord> acquire(const std::string& region, std::chrono::seconds ttl) = 0;
  // A planned move: from `from` (its holder, as read) to `region` at once, epoch + 1. Refused
  // when the lease changed since `from` was read.
  virtual Result<LeaseRecord> hand_over(const LeaseRecord& from, const std::string& region,
                                        std::chrono::seconds ttl) = 0;
};

}  // namespace dr::lease
