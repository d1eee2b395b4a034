#include "lease/write_lease.h"

#include <algorithm>

namespace dr::lease {

std::string describe(const LeaseRecord& r) {
  return r.region + " (epoch " + std::to_string(r.epoch) + ")";
}

LeaseHolder::LeaseHolder(LeaseStore& store, std::string region, LeaseTimings timings, Now now)
    : store_(store), region_(std::move(region)), timings_(timings), now_(std::move(now)) {}

Result<void> LeaseHolder::renew() {
  const auto t0 = now_();
  auto stop = [this](std::string why) {
    std::lock_guard lock(mu_);
    valid_until_.reset();
    why_not_ = std::move(why);
  };
  auto held = store_.read();
  if (!held) {
    // A corrupt record is nobody's lease; a store that does not answer leaves it to run out.
    if (held.error().kind == ErrorKind::kBadReply) stop(held.error().message);
    return std::unexpected(held.error());
  }
  if (!*held) {
    stop("no region holds the write lease");
    return {};
  }
  const LeaseRecord record = **held;
  if (record.region != region_) {
    stop("the write lease is " + describe(record) + "'s, not " + region_ + "'s");
    return {};
  }
  auto renewed = store_.renew(record);
  if (!renewed) return std::unexpected(renewed.error());
  if (!*renewed) {
    stop("the write lease of " + describe(record) + " expired or moved");
    return {};
  }
  // Read back from a quorum: still ours, as renewed.
  auto again = store_.read();
  if (!again) return std::unexpected(again.error());
  if (!*again || **again != (*renewed)->record) {
    stop("the write lease moved while " + region_ + " renewed it");
    return {};
  }
  const auto ttl = std::min<std::chrono::milliseconds>((*renewed)->left, timings_.ttl);
  std::lock_guard lock(mu_);
  valid_until_ = t0 + ttl - timings_.margin;
  epoch_ = record.epoch;
  why_not_.clear();
  return {};
}

bool LeaseHolder::may_write() const {
  std::lock_guard lock(mu_);
  return valid_until_ && now_() < *valid_until_;
}

int64_t LeaseHolder::epoch() const {
  std::lock_guard lock(mu_);
  return epoch_;
}

std::string LeaseHolder::why_not() const {
  std::lock_guard lock(mu_);
  if (!valid_until_) return why_not_;
  if (now_() < *valid_until_) return "";
  return "no quorum has confirmed " + region_ + "'s write lease (epoch " + std::to_string(epoch_) +
         ") in time: it may have passed to another region";
}

}  // namespace dr::lease
