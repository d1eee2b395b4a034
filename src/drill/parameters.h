// A drill's parameters, checked before anything starts: a bad value (a negative probe interval,
// a threshold of 0, a NaN rate) is refused with a clear error, and nothing is touched.
#pragma once

#include <nlohmann/json.hpp>

#include <expected>
#include <string>

namespace dr::drill {

struct DrillParameters {
  double rate = 40;        // writes per second
  double duration_s = 12;  // workload duration
  double fault_at_s = 4;   // when the fault is injected
  int interval_ms = 1000;  // controller / witness probe interval
  int threshold = 3;       // failed probes before a target is down
  double async_window_ms = 1000;
  bool enforce_rto = false;
};

// The first bad parameter, as "--rate must be a number between 1 and 2000, not nan".
std::expected<void, std::string> validate(const DrillParameters& p);

nlohmann::json to_json(const DrillParameters& p);

}  // namespace dr::drill
