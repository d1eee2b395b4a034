#include "backends/lab/lab_write_lease.h"

#include <thread>

#include "lease/etcd_store.h"

namespace dr::backends::lab {

namespace {

core::Error to_core(const lease::Error& e) {
  switch (e.kind) {
    case lease::ErrorKind::kUnavailable:
      return {core::ErrorKind::kUnreachable, "write lease: " + e.message};
    case lease::ErrorKind::kRefused:
      return {core::ErrorKind::kConflict, "write lease: " + e.message};
    case lease::ErrorKind::kBadReply:
      return {core::ErrorKind::kRefused, "write lease: " + e.message};
  }
  return {core::ErrorKind::kRefused, "write lease: " + e.message};
}

std::string note(const lease::LeaseRecord& r, const std::string& how) {
  return how + " " + r.region + " epoch " + std::to_string(r.epoch);
}

}  // namespace

LabWriteLease::LabWriteLease(LabWriteLeaseOptions options) : options_(std::move(options)) {
  if (!options_.sleep)
    options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

core::Result<std::string> LabWriteLease::take(const std::string& region, core::LeaseTake how) {
  if (options_.endpoints.empty())
    return core::fail(core::ErrorKind::kNotSupported,
                      "this lab runs without a write lease (drctl lab up --write-lease)");
  lease::Etcd etcd({options_.endpoints, std::chrono::milliseconds(500), options_.source_address});
  auto held = lease::read_lease(etcd);
  if (!held) return std::unexpected(to_core(held.error()));
  if (*held && (*held)->region == region) return note(**held, "held already by");
  if (*held && how == core::LeaseTake::kHandOver) {
    auto moved = lease::hand_over(etcd, **held, region, options_.ttl);
    if (!moved) return std::unexpected(to_core(moved.error()));
    return note(*moved, "handed over to");
  }
  // After expiry: nobody holds it, or the old holder's TTL must run out first (it may be cut off
  // and still writing until then).
  std::chrono::milliseconds waited{0};
  for (;;) {
    auto taken = lease::acquire(etcd, region, options_.ttl);
    if (taken) return note(*taken, waited.count() > 0 ? "expired, taken by" : "taken by");
    if (taken.error().kind != lease::ErrorKind::kRefused)
      return std::unexpected(to_core(taken.error()));
    if (waited >= options_.expiry_wait)
      return core::fail(core::ErrorKind::kTimeout,
                        "write lease: still renewed after " + std::to_string(waited.count()) +
                            " ms (" + taken.error().message + "); the next attempt waits again");
    options_.sleep(options_.poll);
    waited += options_.poll;
  }
}

}  // namespace dr::backends::lab
