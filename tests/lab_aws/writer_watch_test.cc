// Aurora's Multi-AZ failover decision (writer_watch.h) from probe histories, without a lab: a
// killed writer is failed over quickly, a frozen one only after far longer than a blip, a whole
// region down is left to the global failover, and a new writer starts a new history.
#include "lab_aws/writer_watch.h"

#include <gtest/gtest.h>

namespace dr::lab_aws {
namespace {

using namespace std::chrono_literals;
using Kind = WatchVerdict::Kind;

WriterSample sample(std::chrono::milliseconds at, bool alive, bool answers,
                    std::vector<std::string> standbys = {"a2"}, std::string writer = "a1") {
  return {at, std::move(writer), alive, answers, std::move(standbys)};
}

TEST(WriterWatch, AnAnsweringWriterIsHealthy) {
  WriterWatch w;
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(w.observe(sample(i * 250ms, true, true)).kind, Kind::kHealthy);
}

TEST(WriterWatch, AGoneProcessIsFailedOverAfterTwoProbesInARow) {
  WriterWatch w;
  EXPECT_EQ(w.observe(sample(0ms, true, true)).kind, Kind::kHealthy);
  auto first = w.observe(sample(250ms, false, false));
  EXPECT_EQ(first.kind, Kind::kWatching) << first.reason;
  auto second = w.observe(sample(500ms, false, false));
  ASSERT_EQ(second.kind, Kind::kFailOver) << second.reason;
  EXPECT_EQ(second.target, "a2");
  EXPECT_EQ(second.down_for, 250ms);
  EXPECT_NE(second.reason.find("a1's process is gone"), std::string::npos) << second.reason;
}

// The blip drill freezes the writer (SIGSTOP) for less than the controller's detection window
// (2.8 s with the drill's default 1 s probes and threshold 3): the process stays, it only stops
// answering, and that is ridden out for far longer than any such blip.
TEST(WriterWatch, AFrozenWriterIsRiddenOutUntilTheUnresponsiveLimit) {
  WriterWatch w;
  std::chrono::milliseconds t = 0ms;
  for (; t < 10'000ms; t += 250ms) {
    auto v = w.observe(sample(t, true, false));
    ASSERT_EQ(v.kind, Kind::kWatching) << "at " << t.count() << " ms: " << v.reason;
  }
  auto v = w.observe(sample(t, true, false));
  ASSERT_EQ(v.kind, Kind::kFailOver) << v.reason;
  EXPECT_NE(v.reason.find("has not answered for 10000 ms"), std::string::npos) << v.reason;
}

TEST(WriterWatch, AnAnswerInBetweenStartsTheClockAgain) {
  WriterWatch w;
  for (auto t = 0ms; t < 2'800ms; t += 250ms)
    EXPECT_EQ(w.observe(sample(t, true, false)).kind, Kind::kWatching);
  EXPECT_EQ(w.observe(sample(2'800ms, true, true)).kind, Kind::kHealthy);
  for (auto t = 3'000ms; t < 12'000ms; t += 250ms)
    EXPECT_EQ(w.observe(sample(t, true, false)).kind, Kind::kWatching) << t.count();
  // Gone once, then alive again (a restart): not two in a row.
  WriterWatch g;
  EXPECT_EQ(g.observe(sample(0ms, false, false)).kind, Kind::kWatching);
  EXPECT_EQ(g.observe(sample(250ms, true, false)).kind, Kind::kWatching);
  EXPECT_EQ(g.observe(sample(500ms, false, false)).kind, Kind::kWatching);
}

TEST(WriterWatch, AWholeRegionDownIsLeftToTheGlobalFailover) {
  WriterWatch w;
  w.observe(sample(0ms, false, false, {}));
  auto v = w.observe(sample(250ms, false, false, {}));
  EXPECT_EQ(v.kind, Kind::kLeftToGlobal) << v.reason;
  EXPECT_TRUE(v.target.empty());
  EXPECT_NE(v.reason.find("left to the global failover"), std::string::npos) << v.reason;
}

TEST(WriterWatch, ANewWriterStartsANewHistory) {
  WriterWatch w;
  w.observe(sample(0ms, false, false));
  // The writer moved (to b1, by a global failover) before a second probe saw a1 gone.
  auto v = w.observe(sample(250ms, false, false, {}, "b1"));
  EXPECT_EQ(v.kind, Kind::kWatching) << v.reason;
  EXPECT_EQ(w.observe(sample(500ms, true, true, {}, "b1")).kind, Kind::kHealthy);
  EXPECT_EQ(w.observe(sample(750ms, true, true, {}, "")).kind, Kind::kHealthy)
      << "no writer named: nothing to fail over";
}

TEST(WriterWatch, ThePolicyIsThePolicyGiven) {
  WriterWatch w({.gone_samples = 1, .unresponsive_for = 1000ms});
  EXPECT_EQ(w.observe(sample(0ms, false, false)).kind, Kind::kFailOver);
  WriterWatch f({.gone_samples = 1, .unresponsive_for = 1000ms});
  EXPECT_EQ(f.observe(sample(0ms, true, false)).kind, Kind::kWatching);
  EXPECT_EQ(f.observe(sample(1000ms, true, false)).kind, Kind::kFailOver);
}

}  // namespace
}  // namespace dr::lab_aws
