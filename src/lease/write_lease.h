// The write lease (issue 12): which region may write, held in a quorum store that spans the three
// failure domains (the lab: a 3-member etcd cluster, one member per site), so that a region cut
// off from the other two loses it by time, whatever it believes.
//
// The record at kLeaseKey names the holder region and its epoch, and is bound to an etcd lease
// of TTL seconds that the holder region's apps keep alive. kEpochKey (no lease) keeps the last
// epoch, which only grows: a new holder's epoch is one more, and every write carries its epoch to
// the database (the fencing token), so a delayed write from an old holder is rejected there too.
//
// Timing (docs/partitions.md, "The write lease"): an app may write until
//   t0 + ttl_left - margin
// where t0 is its own clock when it started the renewal round that confirmed, from a quorum, that
// its region holds the lease, and ttl_left is what the keep-alive reported. etcd deletes the record
// no sooner than ttl after the last keep-alive the leader applied (a new leader restarts every
// lease's TTL), and a taker waits for that deletion. The margin covers what could make the app's
// view outlive etcd's: a keep-alive applied by a deposed leader (at most an election timeout before
// it steps down) and the clocks' rate difference over one TTL.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "lease/error.h"
#include "lease/etcd.h"

namespace dr::lease {

inline constexpr std::string_view kLeaseKey = "/dr/write-lease";
inline constexpr std::string_view kEpochKey = "/dr/write-epoch";

struct LeaseRecord {
  std::string region;
  int64_t epoch = 0;
  int64_t etcd_lease = 0;

  friend bool operator==(const LeaseRecord&, const LeaseRecord&) = default;
};

std::string to_json_text(const LeaseRecord& record);
// Every field checked: a corrupt record is kBadReply, never a lease.
Result<LeaseRecord> parse_lease_record(std::string_view text);

struct LeaseTimings {
  std::chrono::seconds ttl{2};
  // Election timeout of the store (the lab's etcd runs 500 ms) plus the clocks' rate difference
  // over one TTL (1% is far above any real drift), rounded up.
  std::chrono::milliseconds margin{600};
};

// The holder's side: one per app instance, in the region it serves. renew() runs in a loop (every
// ttl / 4, say); may_write() and epoch() are asked by every write. Thread-safe.
class LeaseHolder {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;

  LeaseHolder(Etcd& etcd, std::string region, LeaseTimings timings, Now now);

  // One round: read the record from a quorum; when it names this region, keep its etcd lease
  // alive and read it back. A failed round changes nothing: the lease runs out by time (a blip
  // of the store must not stop writes; a cut must, within the TTL). A record naming another
  // region, or none, ends the right to write at once.
  Result<void> renew();

  // May this region's apps write now, and with which epoch (the fencing token)?
  bool may_write() const;
  int64_t epoch() const;
  // Why not, when may_write() is false ("" when it is true).
  std::string why_not() const;

 private:
  Etcd& etcd_;
  const std::string region_;
  const LeaseTimings timings_;
  Now now_;
  mutable std::mutex mu_;
  std::optional<std::chrono::steady_clock::time_point> valid_until_;
  int64_t epoch_ = 0;
  std::string why_not_ = "the write lease has not been confirmed yet";
};

// The controller's side.

// The holder now, read from a quorum (nullopt: nobody holds it, say it expired).
Result<std::optional<LeaseRecord>> read_lease(Etcd& etcd);

// A new store (the lab's cluster starts empty each time) must not give out epochs the databases
// have seen already: sets the last epoch to `at_least` unless the store has one already.
Result<void> seed_epoch(Etcd& etcd, int64_t at_least);

// Gives `region` the lease when nobody holds it: a new etcd lease of `ttl`, the epoch one more
// than the last. Idempotent: when `region` holds it already, returns that. Refused (kRefused,
// naming the holder) while another region holds it: the lease of a holder that cannot be reached
// is taken only once etcd has expired it, so the holder's apps have stopped by then.
Result<LeaseRecord> acquire(Etcd& etcd, const std::string& region, std::chrono::seconds ttl);

// A planned switchover: moves the lease from `from` (its holder, as read) to `region` at once,
// without waiting for the TTL, and revokes the old etcd lease. Refused when the lease changed since
// `from` was read. The old region's apps lose the right to write at their next renewal; their
// writes are fenced before (the runbook's fence step) and carry the old epoch after.
Result<LeaseRecord> hand_over(Etcd& etcd, const LeaseRecord& from, const std::string& region,
                              std::chrono::seconds ttl);

}  // namespace dr::lease
