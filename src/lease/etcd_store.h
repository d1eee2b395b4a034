// The write lease in etcd (the lab's store): the record at kLeaseKey names the holder region and
// its epoch, and is bound to an etcd lease of TTL seconds that the holder region's apps keep alive;
// etcd deletes it when nobody renews it, and only then may another region take it. kEpochKey (no
// lease) keeps the last epoch, which only grows. Only etcd's own API: lease grant / keep-alive /
// revoke, linearizable reads, transactions with compares (docs/partitions.md, "The write lease").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lease/error.h"
#include "lease/etcd.h"
#include "lease/store.h"

namespace dr::lease {

inline constexpr std::string_view kLeaseKey = "/dr/write-lease";
inline constexpr std::string_view kEpochKey = "/dr/write-epoch";

// The record's JSON ({"region", "epoch", "etcd_lease"}); every field checked on the way in: a
// corrupt record is kBadReply, never a lease.
std::string to_json_text(const LeaseRecord& record);
Result<LeaseRecord> parse_lease_record(std::string_view text);

// The holder now, read from a quorum (nullopt: nobody holds it, say it expired).
Result<std::optional<LeaseRecord>> read_lease(Etcd& etcd);

// A new store (the lab's cluster starts empty each time) must not give out epochs the databases
// have seen already: sets the last epoch to `at_least` unless the store has one already.
Result<void> seed_epoch(Etcd& etcd, int64_t at_least);

// LeaseStore::acquire / hand_over in etcd (see store.h): a taker waits for etcd to delete the old
// holder's record (its TTL ran out with no keep-alive reaching a quorum); a hand-over moves it
// at once and revokes the old etcd lease.
Result<LeaseRecord> acquire(Etcd& etcd, const std::string& region, std::chrono::seconds ttl);
Result<LeaseRecord> hand_over(Etcd& etcd, const LeaseRecord& from, const std::string& region,
                              std::chrono::seconds ttl);

class EtcdLeaseStore final : public LeaseStore {
 public:
  explicit EtcdLeaseStore(Etcd& etcd) : etcd_(etcd) {}
  Result<std::optional<LeaseRecord>> read() override { return read_lease(etcd_); }
  Result<std::optional<Renewed>> renew(const LeaseRecord& held) override;
  Result<LeaseRecord> acquire(const std::string& region, std::chrono::seconds ttl) override {
    return lease::acquire(etcd_, region, ttl);
  }
  Result<LeaseRecord> hand_over(const LeaseRecord& from, const std::string& region,
                                std::chrono::seconds ttl) override {
    return lease::hand_over(etcd_, from, region, ttl);
  }

 private:
  Etcd& etcd_;
};

}  // namespace dr::lease
