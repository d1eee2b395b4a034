#include "lab_aws/metric_store.h"

#include <algorithm>
#include <set>

namespace dr::lab_aws {

namespace {

std::string key(const std::string& region, const std::string& ns, const std::string& metric,
                const std::string& dims) {
  return region + "\n" + ns + "\n" + metric + "\n" + dims;
}

}  // namespace

std::expected<void, AwsError> MetricStore::put(const std::string& region, const std::string& ns,
                                               const std::vector<MetricDatum>& data) {
  std::lock_guard lock(mu_);
  std::set<std::string> fresh;
  for (const auto& d : data)
    if (const auto k = key(region, ns, d.metric, d.dims); !series_.contains(k)) fresh.insert(k);
  if (series_.size() + fresh.size() > kMaxSeries)
    return std::unexpected(AwsError{400, "LimitExceeded",
                                    "The lab keeps at most " + std::to_string(kMaxSeries) +
                                        " metrics; this call would add " +
                                        std::to_string(fresh.size())});
  for (const auto& d : data) {
    auto& series = series_[key(region, ns, d.metric, d.dims)];
    series.push_back(d.point);
    if (series.size() > kMaxDatapoints) series.pop_front();
  }
  return {};
}

std::vector<MetricPoint> MetricStore::points(const std::string& region, const std::string& ns,
                                             const std::string& metric, const std::string& dims,
                                             aws::SystemTime start, aws::SystemTime end) const {
  std::lock_guard lock(mu_);
  std::vector<MetricPoint> out;
  if (auto it = series_.find(key(region, ns, metric, dims)); it != series_.end())
    for (const auto& p : it->second)
      if (p.at >= start && p.at < end) out.push_back(p);
  return out;
}

std::map<aws::SystemTime, std::vector<MetricPoint>> by_period(
    const std::vector<MetricPoint>& points, long long seconds) {
  std::map<aws::SystemTime, std::vector<MetricPoint>> out;
  for (const auto& p : points) {
    const auto s =
        std::chrono::duration_cast<std::chrono::seconds>(p.at.time_since_epoch()).count();
    out[aws::SystemTime(std::chrono::seconds(s - ((s % seconds) + seconds) % seconds))].push_back(
        p);
  }
  return out;
}

bool is_basic_statistic(const std::string& name) {
  return name == "SampleCount" || name == "Average" || name == "Sum" || name == "Minimum" ||
         name == "Maximum";
}

double statistic(const std::vector<MetricPoint>& points, const std::string& name) {
  double sum = 0, lo = points.front().value, hi = points.front().value;
  for (const auto& p : points) {
    sum += p.value;
    lo = std::min(lo, p.value);
    hi = std::max(hi, p.value);
  }
  const auto n = static_cast<double>(points.size());
  return name == "SampleCount" ? n
         : name == "Sum"       ? sum
         : name == "Average"   ? sum / n
         : name == "Minimum"   ? lo
                               : hi;
}

}  // namespace dr::lab_aws
