#include "backends/lease_port.h"

namespace dr::backends {

core::Error to_core(const lease::Error& e) {
  const std::string message = "write lease: " + e.message;
  switch (e.kind) {
    case lease::ErrorKind::kUnavailable:
      return {core::ErrorKind::kUnreachable, message};
    case lease::ErrorKind::kRefused:
      return {core::ErrorKind::kConflict, message};
    case lease::ErrorKind::kBadReply:
      return {core::ErrorKind::kRefused, message};
    case lease::ErrorKind::kTimeout:
      return {core::ErrorKind::kTimeout, message};
  }
  return {core::ErrorKind::kRefused, message};
}

core::Result<lease::Taken> take_write_lease(lease::LeaseStore& store, const std::string& region,
                                            core::LeaseTake how,
                                            const lease::TakeOptions& options) {
  lease::TakeHow to = lease::TakeHow::kAfterExpiry;
  switch (how) {
    case core::LeaseTake::kHandOver:
      to = lease::TakeHow::kHandOver;
      break;
    case core::LeaseTake::kAfterExpiry:
      to = lease::TakeHow::kAfterExpiry;
      break;
    case core::LeaseTake::kIfFree:
      to = lease::TakeHow::kIfFree;
      break;
  }
  auto taken = lease::take(store, region, to, options);
  if (!taken) return std::unexpected(to_core(taken.error()));
  return *taken;
}

}  // namespace dr::backends
