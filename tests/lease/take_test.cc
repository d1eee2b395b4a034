// lease::take (src/lease/take.h), the runbook's take_write_lease for either store, against an
// in-memory LeaseStore on a fake clock: the sleeps advance the clock, nothing sleeps for real.
#include "lease/take.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>

namespace dr::lease {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Time = std::chrono::steady_clock::time_point;

// The lease in memory: a holder's record lasts its TTL after the last renewal on `now`.
class MemoryStore final : public LeaseStore {
 public:
  explicit MemoryStore(const Time& now) : now_(now) {}

  void hold(const std::string& region, std::chrono::seconds ttl) {
    record_ = LeaseRecord{region, ++epoch_, ++token_};
    until_ = now_ + ttl;
  }
  void renew_until(Time until) { until_ = until; }

  Result<std::optional<LeaseRecord>> read() override {
    if (unavailable) return fail(ErrorKind::kUnavailable, "no quorum");
    if (record_ && now_ >= until_) record_.reset();
    return record_;
  }
  Result<std::optional<Renewed>> renew(const LeaseRecord&) override {
    return fail(ErrorKind::kBadReply, "the taker never renews");
  }
  Result<LeaseRecord> acquire(const std::string& region, std::chrono::seconds ttl) override {
    ++acquires;
    auto held = read();
    if (!held) return std::unexpected(held.error());
    if (*held && (*held)->region == region) return **held;
    if (*held) return fail(ErrorKind::kRefused, "held by " + describe(**held));
    hold(region, ttl);
    return *record_;
  }
  Result<LeaseRecord> hand_over(const LeaseRecord& from, const std::string& region,
                                std::chrono::seconds ttl) override {
    if (!record_ || *record_ != from) return fail(ErrorKind::kRefused, "it changed");
    hold(region, ttl);
    return *record_;
  }

  bool unavailable = false;
  int acquires = 0;

 private:
  const Time& now_;
  std::optional<LeaseRecord> record_;
  Time until_{};
  int64_t epoch_ = 0;
  int64_t token_ = 0;
};

class TakeTest : public ::testing::Test {
 protected:
  TakeOptions options() {
    TakeOptions o;
    o.ttl = 2s;
    o.deadline = 3000ms;
    o.poll = 100ms;
    o.now = [this] { return now_; };
    o.sleep = [this](std::chrono::milliseconds d) {
      slept_ += d;
      now_ += d;
      if (on_sleep_) on_sleep_();
    };
    return o;
  }
  Time now_{std::chrono::hours(1)};
  std::chrono::milliseconds slept_{0};
  std::function<void()> on_sleep_;
  MemoryStore store_{now_};
};

TEST_F(TakeTest, NobodyHoldsItTakenAtOnceWithoutWaiting) {
  auto t = take(store_, "us-west-2", TakeHow::kAfterExpiry, options());
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->record, (LeaseRecord{"us-west-2", 1, 1}));
  EXPECT_EQ(t->note, "taken by us-west-2 epoch 1");
  EXPECT_EQ(slept_, 0ms);
}

TEST_F(TakeTest, TheHolderKeepsItWhicheverWayItIsAskedForAndNothingChanges) {
  store_.hold("us-west-2", 2s);
  for (TakeHow how : {TakeHow::kHandOver, TakeHow::kAfterExpiry}) {
    auto t = take(store_, "us-west-2", how, options());
    ASSERT_TRUE(t) << t.error();
    EXPECT_EQ(t->note, "held already by us-west-2 epoch 1");
  }
  EXPECT_EQ(store_.acquires, 0);
}

TEST_F(TakeTest, AHandOverMovesItAtOnceWithTheNextEpoch) {
  store_.hold("us-east-1", 2s);
  auto t = take(store_, "us-west-2", TakeHow::kHandOver, options());
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->record.region, "us-west-2");
  EXPECT_EQ(t->record.epoch, 2);
  EXPECT_EQ(t->note, "handed over to us-west-2 epoch 2");
  EXPECT_EQ(slept_, 0ms);
}

TEST_F(TakeTest, AfterExpiryWaitsForTheOldHoldersTtlThenTakesIt) {
  store_.hold("us-east-1", 2s);
  auto t = take(store_, "us-west-2", TakeHow::kAfterExpiry, options());
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->note, "expired, taken by us-west-2 epoch 2");
  EXPECT_EQ(slept_, 2000ms) << "polled every 100 ms until the TTL ran out, not longer";
}

TEST_F(TakeTest, AfterExpiryTimesOutWhileTheOldHolderStillRenewsAndChangesNothing) {
  store_.hold("us-east-1", 2s);
  on_sleep_ = [this] { store_.renew_until(now_ + 2s); };  // us-east-1's apps keep renewing
  auto t = take(store_, "us-west-2", TakeHow::kAfterExpiry, options());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::kTimeout) << t.error();
  EXPECT_THAT(t.error().message, HasSubstr("still renewed after 3000 ms"));
  EXPECT_THAT(t.error().message, HasSubstr("held by us-east-1 (epoch 1)"));
  EXPECT_EQ(slept_, 3000ms) << "the deadline, on the injected clock";
  auto held = store_.read();
  ASSERT_TRUE(held && *held);
  EXPECT_EQ((*held)->region, "us-east-1");
}

// The controller's retake of a free lease: taken when free, never a wait for a holder's TTL (a
// runbook's taker may have got there first).
TEST_F(TakeTest, IfFreeTakesAFreeLeaseAndRefusesAtOnceWhileAnyoneHoldsIt) {
  auto t = take(store_, "us-east-1", TakeHow::kIfFree, options());
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->note, "taken by us-east-1 epoch 1");
  auto again = take(store_, "us-east-1", TakeHow::kIfFree, options());
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->note, "held already by us-east-1 epoch 1");
  auto other = take(store_, "us-west-2", TakeHow::kIfFree, options());
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, ErrorKind::kRefused) << other.error();
  EXPECT_EQ(slept_, 0ms);
}

TEST_F(TakeTest, AStoreThatDoesNotAnswerIsItsErrorNotAWait) {
  store_.unavailable = true;
  for (TakeHow how : {TakeHow::kHandOver, TakeHow::kAfterExpiry}) {
    auto t = take(store_, "us-west-2", how, options());
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().kind, ErrorKind::kUnavailable);
  }
  EXPECT_EQ(slept_, 0ms);
}

TEST_F(TakeTest, AHandOverThatLostARaceIsRefused) {
  // The record changes between take's read and its hand-over: the store refuses, nothing moves.
  class Racing final : public LeaseStore {
   public:
    Result<std::optional<LeaseRecord>> read() override { return LeaseRecord{"us-east-1", 4, 9}; }
    Result<std::optional<Renewed>> renew(const LeaseRecord&) override { return std::nullopt; }
    Result<LeaseRecord> acquire(const std::string&, std::chrono::seconds) override {
      return fail(ErrorKind::kRefused, "unused");
    }
    Result<LeaseRecord> hand_over(const LeaseRecord&, const std::string&,
                                  std::chrono::seconds) override {
      return fail(ErrorKind::kRefused, "the lease changed since it was read");
    }
  } racing;
  auto t = take(racing, "us-west-2", TakeHow::kHandOver, options());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, ErrorKind::kRefused);
}

}  // namespace
}  // namespace dr::lease
