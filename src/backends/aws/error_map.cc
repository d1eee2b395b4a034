#include "backends/aws/error_map.h"

#include "aws/retry.h"

namespace dr::backends::aws_world {

core::ErrorKind core_kind(const dr::aws::Error& e) {
  using dr::aws::ErrorKind;
  switch (e.kind) {
    case ErrorKind::kNotSent:
      return core::ErrorKind::kUnreachable;
    case ErrorKind::kOutcomeUnknown:
      return core::ErrorKind::kOutcomeUnknown;
    case ErrorKind::kParseError:
      // It answered 2xx with a body we cannot read: the call may well have been applied.
      return core::ErrorKind::kOutcomeUnknown;
    case ErrorKind::kServiceError:
      if (dr::aws::is_throttling(e)) return core::ErrorKind::kUnreachable;
      // A 5xx is the service failing while handling it: a non-idempotent call such as
      // FailoverGlobalCluster may have started. Re-read before calling again.
      if (e.http_status >= 500) return core::ErrorKind::kOutcomeUnknown;
      return core::ErrorKind::kRefused;
    case ErrorKind::kCredentials:
    case ErrorKind::kInvalidArgument:
      return core::ErrorKind::kRefused;
  }
  return core::ErrorKind::kRefused;  // not reached: every kind is listed (-Wswitch)
}

core::Error to_core(const dr::aws::Error& error, const std::string& what) {
  return {core_kind(error), what + ": " + error.describe()};
}

}  // namespace dr::backends::aws_world
