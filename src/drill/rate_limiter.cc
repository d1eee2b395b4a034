#include "drill/rate_limiter.h"

#include <cmath>

namespace dr::drill {

namespace {

lab::Clock::Duration interval_for(double rate) {
  return std::chrono::duration_cast<lab::Clock::Duration>(
      std::chrono::duration<double>(1.0 / rate));
}

}  // namespace

RateLimiter::RateLimiter(double rate, std::chrono::milliseconds duration, lab::Clock& clock)
    : clock_(clock),
      interval_(interval_for(rate)),
      end_(clock.now() + duration),
      max_slots_(static_cast<std::uint64_t>(
          std::ceil(rate * std::chrono::duration<double>(duration).count()))),
      next_(clock.now()) {}

std::optional<std::uint64_t> RateLimiter::acquire() {
  lab::Clock::TimePoint slot;
  lab::Clock::TimePoint now;
  std::uint64_t number = 0;
  {
    std::lock_guard lock(mu_);
    now = clock_.now();
    if (next_ < now - interval_) next_ = now;  // drop the backlog of missed slots
    if (issued_ >= max_slots_ || next_ >= end_) return std::nullopt;
    slot = next_;
    next_ += interval_;
    number = issued_++;
  }
  if (slot > now) clock_.sleep_for(slot - now);
  return number;
}

}  // namespace dr::drill
