#include "backends/aws/aws_write_lease.h"

#include "backends/aws/client_for.h"

namespace dr::backends::aws_world {

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

AwsWriteLease::AwsWriteLease(const AwsTargets& targets, ClientConfigFor clients, Pacing pacing)
    : table_(targets.lease_table),
      secondary_region_(targets.secondary_region),
      ttl_(targets.lease_ttl),
      deadline_(targets.lease_deadline),
      poll_(targets.poll_interval),
      clients_(std::move(clients)),
      pacing_(std::move(pacing)) {}

core::Result<lease::DynamoDbLeaseStore*> AwsWriteLease::store() {
  if (store_) return store_.get();
  auto ddb = client_for<dr::aws::DynamoDb>(clients_, secondary_region_);
  if (!ddb) return std::unexpected(ddb.error());
  ddb_ = std::move(*ddb);
  lease::DynamoDbLeaseOptions options;
  options.table = table_;
  options.now = pacing_.now;
  store_ = std::make_unique<lease::DynamoDbLeaseStore>(*ddb_, std::move(options));
  return store_.get();
}

core::Result<std::string> AwsWriteLease::take(const std::string& region, core::LeaseTake how) {
  if (table_.empty())
    return core::fail(core::ErrorKind::kNotSupported,
                      "no write lease table (DR_LEASE_TABLE unset: infra/global not applied)");
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto held = (*s)->read();
  if (!held) return std::unexpected(to_core(held.error()));
  if (*held && (*held)->region == region) return note(**held, "held already by");
  if (*held && how == core::LeaseTake::kHandOver) {
    auto moved = (*s)->hand_over(**held, region, ttl_);
    if (!moved) return std::unexpected(to_core(moved.error()));
    return note(*moved, "handed over to");
  }
  // After expiry: the store takes a version only once it has seen it unrenewed for the holder's
  // TTL plus a margin on this clock (the old holder may be cut off and still writing until then).
  const auto start = pacing_.now();
  for (;;) {
    auto taken = (*s)->acquire(region, ttl_);
    const auto waited =
        std::chrono::duration_cast<std::chrono::milliseconds>(pacing_.now() - start);
    if (taken) return note(*taken, waited.count() > 0 ? "expired, taken by" : "taken by");
    if (taken.error().kind != lease::ErrorKind::kRefused)
      return std::unexpected(to_core(taken.error()));
    if (waited >= deadline_)
      return core::fail(core::ErrorKind::kTimeout,
                        "write lease: still renewed after " + std::to_string(waited.count()) +
                            " ms (" + taken.error().message + "); the next attempt waits on");
    pacing_.sleep(poll_);
  }
}

}  // namespace dr::backends::aws_world
