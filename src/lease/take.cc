#include "lease/take.h"

#include <thread>

namespace dr::lease {

namespace {

Taken noted(LeaseRecord record, const std::string& how) {
  std::string note = how + " " + record.region + " epoch " + std::to_string(record.epoch);
  return Taken{std::move(record), std::move(note)};
}

}  // namespace

Result<Taken> take(LeaseStore& store, const std::string& region, TakeHow how,
                   const TakeOptions& options) {
  const auto now = options.now ? options.now : [] { return std::chrono::steady_clock::now(); };
  const auto sleep = options.sleep ? options.sleep : [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
  };
  auto held = store.read();
  if (!held) return std::unexpected(held.error());
  if (*held && (*held)->region == region) return noted(**held, "held already by");
  if (*held && how == TakeHow::kHandOver) {
    auto moved = store.hand_over(**held, region, options.ttl);
    if (!moved) return std::unexpected(moved.error());
    return noted(*moved, "handed over to");
  }
  // After expiry (or nobody holds it): the store gives it out only once the old holder's TTL has
  // surely run out (etcd deletes the record; DynamoDB's taker has seen the version unrenewed for
  // the TTL plus a margin on this clock).
  const auto start = now();
  for (;;) {
    auto taken = store.acquire(region, options.ttl);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now() - start);
    if (taken) return noted(*taken, waited.count() > 0 ? "expired, taken by" : "taken by");
    if (taken.error().kind != ErrorKind::kRefused || how == TakeHow::kIfFree)
      return std::unexpected(taken.error());
    if (waited >= options.deadline)
      return fail(ErrorKind::kTimeout, "still renewed after " + std::to_string(waited.count()) +
                                           " ms (" + taken.error().message +
                                           "); the next attempt waits on");
    sleep(options.poll);
  }
}

}  // namespace dr::lease
