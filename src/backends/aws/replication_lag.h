// What the secondary cluster last reported about its replication from the primary, read from
// CloudWatch in the secondary's region (AWS/RDS, dimension DBClusterIdentifier):
// AuroraGlobalDBReplicationLag (ms behind the primary) and AuroraGlobalDBRPOLag (ms of writes
// at risk). The switchover gate reads it; a data-loss failover records it for the
// reconciliation report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/cloudwatch.h"
#include "core/error.h"

namespace dr::backends::aws_world {

inline constexpr const char* kReplicationLagMetric = "AuroraGlobalDBReplicationLag";
inline constexpr const char* kRpoLagMetric = "AuroraGlobalDBRPOLag";

struct LagReading {
  std::string metric;
  double milliseconds = 0;  // the datapoint's Maximum
  dr::aws::SystemTime at;
};

struct SecondaryLag {
  std::string cluster_id;
  std::vector<LagReading> latest;  // the newest datapoint of each metric that has one

  // The larger of the latest readings, or nullopt when neither metric reported in the window.
  std::optional<LagReading> worst() const;
  // "dr-app-usw2: AuroraGlobalDBReplicationLag 412 ms at 2026-12-02T19:00:00Z, ..." or
  // "dr-app-usw2: no lag reported since ...".
  std::string describe() const;
};

// Both metrics' datapoints over [now - window, now], in `period`-second periods: one minute by
// default (Aurora publishes them every minute). A one-second period asks for a reading of now:
// AWS has none at that resolution for Aurora's metrics; the lab's endpoint, reading the servers
// when asked, does (Evidence's live link report). An error when CloudWatch cannot be read.
core::Result<SecondaryLag> read_secondary_lag(dr::aws::CloudWatch& cloudwatch,
                                              const std::string& cluster_id,
                                              dr::aws::SystemTime now, std::chrono::seconds window,
                                              int64_t period = 60);

}  // namespace dr::backends::aws_world
