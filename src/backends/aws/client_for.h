// A client of one AWS service in one region, built from the ports' ClientConfigFor. A bad
// endpoint (from the environment, or the client's constructor throwing) is a refused core::Error.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "backends/aws/aws_targets.h"
#include "core/error.h"

namespace dr::backends::aws_world {

// max_attempts 1: a request that is not idempotent (FailoverGlobalCluster) is never resent by
// the retry loop; its caller re-reads instead.
template <class Client>
core::Result<std::unique_ptr<Client>> client_for(const ClientConfigFor& config_for,
                                                 const std::string& region, int max_attempts = 0) {
  auto resolved = config_for(region, Client::service());
  if (!resolved)
    return core::fail(core::ErrorKind::kRefused, Client::service().endpoint_prefix +
                                                     " client for " + region + ": " +
                                                     resolved.error().describe());
  dr::aws::ClientConfig config = std::move(*resolved);
  config.region = region;
  if (max_attempts > 0) config.retry.max_attempts = max_attempts;
  try {
    return std::make_unique<Client>(std::move(config));
  } catch (const std::exception& e) {
    return core::fail(core::ErrorKind::kRefused, "client for " + region + ": " + e.what());
  }
}

}  // namespace dr::backends::aws_world
