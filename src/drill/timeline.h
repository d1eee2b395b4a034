// The history in fixed time buckets (100 ms by default): what the HTML timeline draws.
#pragma once

#include <optional>
#include <vector>

#include "drill/history.h"

namespace dr::drill {

struct Bucket {
  double start_ms = 0;
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t unknown = 0;
  std::optional<double> p50_latency_ms;  // of the operations that started in the bucket
  std::optional<double> max_latency_ms;
  std::size_t total() const { return ok + failed + unknown; }
};

// One bucket per `bucket_ms` from 0 to the last operation's start; an operation falls in the
// bucket it started in (a write that hangs in an outage is drawn where the outage began).
std::vector<Bucket> bucket_history(const History& history, double bucket_ms = 100);

}  // namespace dr::drill
