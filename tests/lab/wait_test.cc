#include "lab/wait.h"

#include <gtest/gtest.h>

namespace dr::lab {
namespace {

using namespace std::chrono_literals;

class FakeClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void sleep_for(Duration d) override {
    now_ += d;
    ++sleeps;
  }
  int sleeps = 0;

 private:
  TimePoint now_{};
};

TEST(WaitUntil, ReturnsAsSoonAsTheConditionHolds) {
  FakeClock clock;
  int calls = 0;
  auto result = wait_until("third call", [&] { return ++calls == 3; },
                           {.timeout = 1s, .poll = 10ms, .clock = &clock});
  EXPECT_TRUE(result);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(clock.sleeps, 2);
}

TEST(WaitUntil, GivesUpAtTheDeadlineAfterOneLastTry) {
  FakeClock clock;
  int calls = 0;
  auto result = wait_until("never", [&] { return ++calls < 0; },
                           {.timeout = 100ms, .poll = 30ms, .clock = &clock});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kTimeout);
  EXPECT_NE(result.error().message.find("never (gave up after 100 ms)"), std::string::npos)
      << result.error();
  EXPECT_EQ(calls, 5);  // t = 0, 30, 60, 90, 100
}

TEST(WaitUntil, AConditionThatFailsForGoodEndsTheWaitAtOnce) {
  FakeClock clock;
  auto result = wait_until_or_fail(
      "server up", [&]() -> Result<bool> { return fail(ErrorKind::kExited, "it died"); },
      {.timeout = 1s, .clock = &clock});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, ErrorKind::kExited);
  EXPECT_EQ(clock.sleeps, 0);
}

}  // namespace
}  // namespace dr::lab
