#include "backends/lab/lab_write_lease.h"

#include "backends/lease_port.h"
#include "lease/etcd_store.h"

namespace dr::backends::lab {

LabWriteLease::LabWriteLease(LabWriteLeaseOptions options) : options_(std::move(options)) {}

core::Result<std::optional<std::string>> LabWriteLease::holder() {
  if (options_.endpoints.empty())
    return core::fail(core::ErrorKind::kNotSupported, "this lab runs without a write lease");
  lease::Etcd etcd({options_.endpoints, options_.read_timeout, options_.source_address});
  auto held = lease::read_lease(etcd);
  if (!held) return std::unexpected(to_core(held.error()));
  if (!*held) return std::nullopt;
  return (*held)->region;
}

core::Result<std::string> LabWriteLease::take(const std::string& region, core::LeaseTake how) {
  if (options_.endpoints.empty())
    return core::fail(core::ErrorKind::kNotSupported,
                      "this lab runs without a write lease (drctl lab up --write-lease)");
  lease::Etcd etcd({options_.endpoints, std::chrono::milliseconds(500), options_.source_address});
  lease::EtcdLeaseStore store(etcd);
  lease::TakeOptions take;
  take.ttl = options_.ttl;
  take.deadline = options_.expiry_wait;
  take.poll = options_.poll;
  take.sleep = options_.sleep;
  auto taken = take_write_lease(store, region, how, take);
  if (!taken) return std::unexpected(taken.error());
  if (!options_.raise_guard) return taken->note;
  auto raised = options_.raise_guard(region, taken->record.epoch);
  if (!raised) return std::unexpected(raised.error().in(taken->note + "; "));
  return taken->note + "; " + *raised;
}

}  // namespace dr::backends::lab
