// Paces the workload: slots at a fixed interval from one shared schedule, so `rate` is the total
// over all client threads. Bounded in count and in time: it stops handing out slots by itself.
// A slot missed by more than one interval is dropped rather than made up for, so clients blocked
// by an outage do not return with a burst that would distort the recovery they measure.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "lab/clock.h"

namespace dr::drill {

class RateLimiter {
 public:
  // `rate` slots per second for `duration` from construction; rate must be > 0.
  RateLimiter(double rate, std::chrono::milliseconds duration, lab::Clock& clock);

  // Waits for the next slot and returns its number (0, 1, ...); nullopt once the duration or the
  // count (rate x duration) is spent.
  std::optional<std::uint64_t> acquire();

  std::uint64_t max_slots() const { return max_slots_; }

 private:
  lab::Clock& clock_;
  const lab::Clock::Duration interval_;
  const lab::Clock::TimePoint end_;
  const std::uint64_t max_slots_;
  std::mutex mu_;
  lab::Clock::TimePoint next_;
  std::uint64_t issued_ = 0;
};

}  // namespace dr::drill
