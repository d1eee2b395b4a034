#include "drill/rate_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace dr::drill {
namespace {

using namespace std::chrono_literals;

// Simulated time: sleeping moves the clock, so the pacing can be checked without waiting.
class FakeClock : public lab::Clock {
 public:
  TimePoint now() const override { return now_; }
  void sleep_for(Duration d) override { now_ += d; }
  void advance(Duration d) { now_ += d; }

 private:
  TimePoint now_{std::chrono::seconds(1000)};
};

double ms_between(lab::Clock::TimePoint a, lab::Clock::TimePoint b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

TEST(RateLimiter, HandsOutSlotsAtTheRateUntilTheDurationEnds) {
  FakeClock clock;
  const auto start = clock.now();
  RateLimiter limiter(10, 1000ms, clock);
  std::vector<double> at;
  while (auto slot = limiter.acquire()) {
    EXPECT_EQ(*slot, at.size());
    at.push_back(ms_between(start, clock.now()));
  }
  ASSERT_EQ(at.size(), 10u);
  for (std::size_t i = 0; i < at.size(); ++i)
    EXPECT_NEAR(at[i], 100.0 * static_cast<double>(i), 0.01);
  EXPECT_FALSE(limiter.acquire()) << "it stays stopped";
}

TEST(RateLimiter, StopsAtTheCountEvenIfTimeRemains) {
  FakeClock clock;
  RateLimiter limiter(4, 500ms, clock);
  EXPECT_EQ(limiter.max_slots(), 2u);
  int slots = 0;
  while (limiter.acquire()) ++slots;
  EXPECT_EQ(slots, 2);
}

TEST(RateLimiter, StopsWhenTheDurationIsOverEvenIfSlotsRemain) {
  FakeClock clock;
  RateLimiter limiter(100, 1000ms, clock);
  ASSERT_TRUE(limiter.acquire());
  clock.advance(1500ms);  // the clients were stuck in an outage past the end
  EXPECT_FALSE(limiter.acquire());
}

TEST(RateLimiter, DropsMissedSlotsInsteadOfBurstingAfterAStall) {
  FakeClock clock;
  RateLimiter limiter(10, 10'000ms, clock);
  ASSERT_TRUE(limiter.acquire());
  clock.advance(2000ms);  // 20 slots missed while every client was blocked
  const auto resumed = clock.now();
  ASSERT_TRUE(limiter.acquire());
  EXPECT_EQ(clock.now(), resumed) << "the first slot after the stall is now";
  ASSERT_TRUE(limiter.acquire());
  EXPECT_NEAR(ms_between(resumed, clock.now()), 100.0, 0.01) << "then the normal pace";
}

}  // namespace
}  // namespace dr::drill
