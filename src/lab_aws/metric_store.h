// The datapoints the lab's CloudWatch keeps from PutMetricData, per region (CloudWatch is
// regional), namespace, metric name and exact set of dimensions; and the statistics
// GetMetricStatistics / GetMetricData compute over them. Bounded, as anything a client can
// grow must be: the last kMaxDatapoints per metric, at most kMaxSeries metrics.
#pragma once

#include <chrono>
#include <deque>
#include <expected>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "aws/encoding.h"
#include "lab_aws/aws_error.h"

namespace dr::lab_aws {

inline constexpr std::size_t kMaxDatapoints = 1000;  // kept per metric
inline constexpr std::size_t kMaxSeries = 1000;      // metrics kept (a lab limit, not AWS's)

struct MetricPoint {
  aws::SystemTime at;
  double value = 0;
  std::string unit;
};

struct MetricDatum {
  std::string metric;
  std::string dims;  // "Name=Value;..." sorted: CloudWatch matches the exact set, in any order
  MetricPoint point;
};

class MetricStore {
 public:
  // Records all of `data` or nothing: 400 LimitExceeded when its new metrics would pass
  // kMaxSeries.
  std::expected<void, AwsError> put(const std::string& region, const std::string& ns,
                                    const std::vector<MetricDatum>& data);
  // The metric's points in [start, end).
  std::vector<MetricPoint> points(const std::string& region, const std::string& ns,
                                  const std::string& metric, const std::string& dims,
                                  aws::SystemTime start, aws::SystemTime end) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::deque<MetricPoint>> series_;
};

// Points by the start of their period of `seconds` (aligned to the epoch, as CloudWatch's).
std::map<aws::SystemTime, std::vector<MetricPoint>> by_period(
    const std::vector<MetricPoint>& points, long long seconds);
// SampleCount, Average, Sum, Minimum or Maximum of non-empty `points`.
bool is_basic_statistic(const std::string& name);
double statistic(const std::vector<MetricPoint>& points, const std::string& name);

}  // namespace dr::lab_aws
