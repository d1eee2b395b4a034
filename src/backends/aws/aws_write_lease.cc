#include "backends/aws/aws_write_lease.h"

#include "backends/aws/client_for.h"
#include "backends/lease_port.h"

namespace dr::backends::aws_world {

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

core::Result<std::optional<std::string>> AwsWriteLease::holder() {
  if (table_.empty())
    return core::fail(core::ErrorKind::kNotSupported,
                      "no write lease table (DR_LEASE_TABLE unset)");
  auto s = store();
  if (!s) return std::unexpected(s.error());
  auto held = (*s)->read();
  if (!held) return std::unexpected(to_core(held.error()));
  if (!*held) return std::nullopt;
  return (*held)->region;
}

core::Result<std::string> AwsWriteLease::take(const std::string& region, core::LeaseTake how) {
  if (table_.empty())
    return core::fail(core::ErrorKind::kNotSupported,
                      "no write lease table (DR_LEASE_TABLE unset: infra/global not applied)");
  auto s = store();
  if (!s) return std::unexpected(s.error());
  lease::TakeOptions options;
  options.ttl = ttl_;
  options.deadline = deadline_;
  options.poll = poll_;
  options.now = pacing_.now;
  options.sleep = pacing_.sleep;
  auto taken = take_write_lease(**s, region, how, options);
  if (!taken) return std::unexpected(taken.error());
  return taken->note;
}

}  // namespace dr::backends::aws_world
