#include "drill/timeline.h"

#include <algorithm>
#include <cmath>

namespace dr::drill {

std::vector<Bucket> bucket_history(const History& history, double bucket_ms) {
  std::vector<Bucket> buckets;
  if (history.ops.empty() || !(bucket_ms > 0)) return buckets;
  double last = 0;
  for (const auto& op : history.ops) last = std::max(last, op.start_ms);
  const auto count = static_cast<std::size_t>(std::floor(last / bucket_ms)) + 1;
  buckets.resize(count);
  std::vector<std::vector<double>> latencies(count);
  for (std::size_t i = 0; i < count; ++i) buckets[i].start_ms = static_cast<double>(i) * bucket_ms;
  for (const auto& op : history.ops) {
    const auto i = static_cast<std::size_t>(std::floor(std::max(0.0, op.start_ms) / bucket_ms));
    auto& b = buckets[std::min(i, count - 1)];
    switch (op.outcome) {
      case Outcome::kOk:
        ++b.ok;
        break;
      case Outcome::kFailed:
        ++b.failed;
        break;
      case Outcome::kUnknown:
        ++b.unknown;
        break;
    }
    latencies[std::min(i, count - 1)].push_back(op.latency_ms());
  }
  for (std::size_t i = 0; i < count; ++i) {
    auto& l = latencies[i];
    if (l.empty()) continue;
    std::ranges::sort(l);
    buckets[i].p50_latency_ms = l[(l.size() - 1) / 2];
    buckets[i].max_latency_ms = l.back();
  }
  return buckets;
}

}  // namespace dr::drill
