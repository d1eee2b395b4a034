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
  int interval_ms = 250;   // controller / witness probe interval (docs/partitions.md: why)
  int threshold = 3;       // failed probes before a target is down
  double async_window_ms = 1000;
  bool enforce_rto = false;
  // The blip scenario: how long the writer stays frozen; 0: 80% of detection_window_ms().
  double blip_ms = 0;
};

// The shortest outage of the writer that can make the controller fail over, from the probe
// settings: `threshold` probes in a row must fail, one every `interval_ms`, and the last one fails
// only once its timeout ran out. The controller acts only when the witness agrees, and the
// witness's probe timeout (80% of the interval, src/backends/lab/witness.cc) is the longer of the
// two (the controller's checkers wait min(500 ms, 80%): src/cli/controller_commands.cc), so
//   window = (threshold - 1) * interval + 0.8 * interval      (250 ms x 3: 700 ms)
// A freeze shorter than this cannot be seen as threshold failures by both.
int detection_window_ms(int interval_ms, int threshold);

// validate(), and the blip scenario's own: the blip ends before the workload does.
std::expected<void, std::string> validate_blip(const DrillParameters& p);

// The blip the drill runs: --blip-ms, or 80% of the detection window.
double blip_ms_of(const DrillParameters& p);

// The first bad parameter, as "--rate must be a number between 1 and 2000, not nan".
std::expected<void, std::string> validate(const DrillParameters& p);

nlohmann::json to_json(const DrillParameters& p);

}  // namespace dr::drill
