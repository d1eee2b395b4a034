// The write lease (issue 12): which region may write, held in a quorum store that spans the three
// failure domains (store.h: the lab's etcd cluster, AWS's DynamoDB MRSC table), so that a region
// cut off from the other two loses it by time, whatever it believes. Every write carries the
// holder's epoch to the database (the fencing token), so a delayed write from an old holder is
// refused there too.
//
// Timing (docs/partitions.md, "The write lease"): an app may write until
//   t0 + ttl_left - margin
// where t0 is its own clock when it started the renewal round that confirmed, from a quorum, that
// its region holds the lease, and ttl_left is what the renewal reported. The store gives the lease
// to another region no sooner than ttl after the last renewal it applied, measured on its own or
// the taker's clock. The margin covers what could make the app's view outlive that: a renewal
// applied by a deposed etcd leader (at most an election timeout before it steps down) and the
// clocks' rate difference over one TTL.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "lease/error.h"
#include "lease/store.h"

namespace dr::lease {

struct LeaseTimings {
  std::chrono::seconds ttl{2};
  // Election timeout of the store (the lab's etcd runs 500 ms) plus the clocks' rate difference
  // over one TTL (1% is far above any real drift), rounded up.
  std::chrono::milliseconds margin{600};
};

// The holder's side: one per app instance, in the region it serves. renew() runs in a loop (every
// ttl / 8, say); may_write() and epoch() are asked by every write. Thread-safe.
class LeaseHolder {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  LeaseHolder(LeaseStore& store, std::string region, LeaseTimings timings, Now now);

  // One round: read the record from a quorum; when it names this region, renew it and read it
  // back. A failed round changes nothing: the lease runs out by time (a blip of the store must
  // not stop writes; a cut must, within the TTL). A record naming another region, or none, ends
  // the right to write at once.
  Result<void> renew();

  // May this region's apps write now, and with which epoch (the fencing token)?
  bool may_write() const;
  int64_t epoch() const;
  // Why not, when may_write() is false ("" when it is true).
  std::string why_not() const;

 private:
  LeaseStore& store_;
  const std::string region_;
  const LeaseTimings timings_;
  Now now_;
  mutable std::mutex mu_;
  std::optional<std::chrono::steady_clock::time_point> valid_until_;
  int64_t epoch_ = 0;
  std::string why_not_ = "the write lease has not been confirmed yet";
};

}  // namespace dr::lease
