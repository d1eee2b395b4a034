// Taking the write lease for a region, as the controller's runbook does (core::WriteLease's
// ports, the lab's and AWS's, only pick the store and map the errors): the region that holds it
// keeps it; a planned switchover hands it over at once; otherwise the taker waits, up to a
// deadline, for the old holder's lease to run out unrenewed (it may be cut off and still writing
// until then), and times out, to be retried, while it is still renewed.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "lease/error.h"
#include "lease/store.h"

namespace dr::lease {

enum class TakeHow {
  kHandOver,     // planned: the holder is reachable and stops writing first
  kAfterExpiry,  // the holder is unreachable: only once its TTL has surely run out
  kIfFree,       // one attempt: taken when nobody holds it, refused (kRefused) while anyone does
};

struct TakeOptions {
  std::chrono::seconds ttl{2};               // what the new holder is granted
  std::chrono::milliseconds deadline{3000};  // kAfterExpiry's wait, then kTimeout
  std::chrono::milliseconds poll{100};       // between attempts while the old holder renews
  std::function<std::chrono::steady_clock::time_point()> now;  // default: steady_clock
  std::function<void(std::chrono::milliseconds)> sleep;        // default: the thread sleeps
};

struct Taken {
  LeaseRecord record;  // the region's, as it holds it now
  // "held already by us-west-2 epoch 2", "handed over to ...", "taken by ...",
  // "expired, taken by ..." (the taker waited for the old holder's TTL)
  std::string note;
};

// Errors: the store's (kUnavailable, kBadReply, kRefused when a hand-over lost a race), or
// kTimeout when the old holder still renewed at the deadline (nothing changed).
Result<Taken> take(LeaseStore& store, const std::string& region, TakeHow how,
                   const TakeOptions& options);

}  // namespace dr::lease
