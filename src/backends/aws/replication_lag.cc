#include "backends/aws/replication_lag.h"

#include <cmath>

#include "aws/encoding.h"
#include "backends/aws/error_map.h"

namespace dr::backends::aws_world {

std::optional<LagReading> SecondaryLag::worst() const {
  std::optional<LagReading> out;
  for (const auto& r : latest)
    if (!out || r.milliseconds > out->milliseconds) out = r;
  return out;
}

std::string SecondaryLag::describe() const {
  if (latest.empty()) return cluster_id + ": no replication lag reported";
  std::string out = cluster_id + ":";
  for (size_t i = 0; i < latest.size(); ++i)
    out += std::string(i ? "," : "") + " " + latest[i].metric + " " +
           std::to_string(std::llround(latest[i].milliseconds)) + " ms at " +
           dr::aws::iso8601(latest[i].at);
  return out;
}

core::Result<SecondaryLag> read_secondary_lag(dr::aws::CloudWatch& cloudwatch,
                                              const std::string& cluster_id,
                                              dr::aws::SystemTime now, std::chrono::seconds window,
                                              int64_t period) {
  SecondaryLag lag{cluster_id, {}};
  for (const char* metric : {kReplicationLagMetric, kRpoLagMetric}) {
    auto out =
        cloudwatch.get_metric_statistics({.namespace_ = "AWS/RDS",
                                          .metric_name = metric,
                                          .dimensions = {{"DBClusterIdentifier", cluster_id}},
                                          .start_time = now - window,
                                          .end_time = now,
                                          .period = period,
                                          .statistics = {"Maximum"}});
    if (!out)
      return std::unexpected(to_core(
          out.error(), std::string("read ") + metric + " of " + cluster_id + " from CloudWatch"));
    std::optional<LagReading> newest;
    for (const auto& d : out->datapoints) {
      if (!d.timestamp || !d.maximum) continue;
      if (!newest || *d.timestamp > newest->at)
        newest = LagReading{metric, *d.maximum, *d.timestamp};
    }
    if (newest) lag.latest.push_back(*newest);
  }
  return lag;
}

}  // namespace dr::backends::aws_world
