#include "drill/parameters.h"

#include <cmath>
#include <sstream>

namespace dr::drill {

namespace {

std::string show(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// NaN compares false with everything, so the range is checked as "inside", never "not outside".
bool within(double v, double lo, double hi) {
  return std::isfinite(v) && v >= lo && v <= hi;
}

std::string range_error(const char* flag, double lo, double hi, double v) {
  return std::string(flag) + " must be a number between " + show(lo) + " and " + show(hi) +
         ", not " + show(v);
}

}  // namespace

std::expected<void, std::string> validate(const DrillParameters& p) {
  if (!within(p.rate, 1, 2000)) return std::unexpected(range_error("--rate", 1, 2000, p.rate));
  if (!within(p.duration_s, 2, 600))
    return std::unexpected(range_error("--duration-s", 2, 600, p.duration_s));
  if (!within(p.fault_at_s, 0.5, 600))
    return std::unexpected(range_error("--fault-at-s", 0.5, 600, p.fault_at_s));
  if (p.fault_at_s >= p.duration_s)
    return std::unexpected("--fault-at-s (" + show(p.fault_at_s) +
                           ") must come before the end of --duration-s (" + show(p.duration_s) +
                           ")");
  if (p.interval_ms < 100 || p.interval_ms > 60000)
    return std::unexpected(range_error("--interval-ms", 100, 60000, p.interval_ms));
  if (p.threshold < 1 || p.threshold > 20)
    return std::unexpected(range_error("--threshold", 1, 20, p.threshold));
  if (!within(p.async_window_ms, 0, 3'600'000))
    return std::unexpected(range_error("--async-window-ms", 0, 3'600'000, p.async_window_ms));
  if (p.blip_ms != 0) {
    // A blip the controller could see is an outage, not a blip: its promise (no failover) would
    // not hold for the right reason.
    const int window = detection_window_ms(p.interval_ms, p.threshold);
    if (!within(p.blip_ms, 1, window - 1))
      return std::unexpected(range_error("--blip-ms", 1, window - 1, p.blip_ms) +
                             " (it must stay under the detection window of " +
                             std::to_string(window) +
                             " ms: (threshold - 1) x interval + 80% of "
                             "the interval)");
  }
  return {};
}

std::expected<void, std::string> validate_blip(const DrillParameters& p) {
  if (auto v = validate(p); !v) return v;
  if (p.fault_at_s * 1000 + blip_ms_of(p) >= p.duration_s * 1000)
    return std::unexpected("the blip (" + show(blip_ms_of(p)) + " ms from --fault-at-s " +
                           show(p.fault_at_s) + ") must end before --duration-s (" +
                           show(p.duration_s) + ")");
  return {};
}

int detection_window_ms(int interval_ms, int threshold) {
  return (threshold - 1) * interval_ms + interval_ms * 8 / 10;
}

double blip_ms_of(const DrillParameters& p) {
  if (p.blip_ms != 0) return p.blip_ms;
  return 0.8 * detection_window_ms(p.interval_ms, p.threshold);
}

nlohmann::json to_json(const DrillParameters& p) {
  nlohmann::json j = {{"rate", p.rate},
                      {"duration_s", p.duration_s},
                      {"fault_at_s", p.fault_at_s},
                      {"interval_ms", p.interval_ms},
                      {"threshold", p.threshold},
                      {"async_window_ms", p.async_window_ms},
                      {"enforce_rto", p.enforce_rto}};
  if (p.blip_ms != 0) j["blip_ms"] = p.blip_ms;
  return j;
}

}  // namespace dr::drill
