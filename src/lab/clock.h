// Time for the lab, injected so that deadline logic can be tested without waiting.
#pragma once

#include <chrono>

namespace dr::lab {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual void sleep_for(Duration d) = 0;
};

// The real monotonic clock; a process-wide instance because it has no state.
Clock& steady_clock();

}  // namespace dr::lab
