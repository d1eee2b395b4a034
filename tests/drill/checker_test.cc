#include "drill/checker.h"

#include <gtest/gtest.h>

#include "drill/history_builder.h"

namespace dr::drill {
namespace {

using testing::failover_events;
using testing::HistoryBuilder;

TEST(Checker, CountsAcknowledgedFailedAndUnknownOperations) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk)
      .order("o2", 10, 15, Outcome::kFailed)
      .order("o3", 20, 2020, Outcome::kUnknown)
      .session("s1", 30, 35, Outcome::kOk);
  auto r = check(h.history(), h.stored({"o1"}), {});
  EXPECT_EQ(r.ops, 4u);
  EXPECT_EQ(r.acked, 2u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.unknown, 1u);
  EXPECT_TRUE(r.lost.empty());
}

TEST(Checker, AnAcknowledgedWriteMissingAfterRecoveryIsLost) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk).order("o2", 10, 15, Outcome::kOk);
  auto r = check(h.history(), h.stored({"o1"}), {});
  ASSERT_EQ(r.lost.size(), 1u);
  EXPECT_EQ(r.lost[0].key, "o2");
}

TEST(Checker, AnUnknownWriteIsNeverLostWhetherPresentOrNot) {
  HistoryBuilder h;
  h.order("u1", 0, 2000, Outcome::kUnknown).order("u2", 10, 2010, Outcome::kUnknown);
  auto r = check(h.history(), h.stored({"u1"}), {});
  EXPECT_TRUE(r.lost.empty());
  ASSERT_EQ(r.unknown_present.size(), 1u);
  EXPECT_EQ(r.unknown_present[0].key, "u1");
  EXPECT_EQ(r.unknown_absent, 1u);
}

TEST(Checker, AValueReadBackDifferentFromTheOneWrittenIsUnexpected) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk).order("o2", 10, 15, Outcome::kOk);
  auto stored = h.stored({"o1", "o2"});
  stored.orders["o2"].amount_cents += 1;
  auto r = check(h.history(), stored, {});
  ASSERT_EQ(r.unexpected.size(), 1u);
  EXPECT_EQ(r.unexpected[0].written.key, "o2");
  EXPECT_TRUE(r.lost.empty());
}

TEST(Checker, ARefusedWriteThatWasWrittenAnywayIsReported) {
  HistoryBuilder h;
  h.order("f1", 0, 5, Outcome::kFailed);
  auto r = check(h.history(), h.stored({"f1"}), {});
  ASSERT_EQ(r.failed_present.size(), 1u);
}

TEST(Checker, AWriteTheFencedServerAcknowledgedAfterThePromotionIsSplitBrain) {
  HistoryBuilder h;
  h.order("before", 900, 905, Outcome::kOk, "a1")
      .order("straddles", 995, 1003, Outcome::kOk, "a1")
      .order("after-old", 1100, 1105, Outcome::kOk, "a1")
      .order("after-new", 1200, 1205, Outcome::kOk, "b1");
  DrillEvents e;
  e.promotion_ms = 1000;
  e.fenced_server = "a1";
  auto r = check(h.history(), h.stored({"before", "straddles", "after-old", "after-new"}), e);
  ASSERT_EQ(r.split_brain.size(), 1u);
  EXPECT_EQ(r.split_brain[0].key, "after-old");
}

TEST(Checker, WithoutAPromotionNothingIsSplitBrain) {
  HistoryBuilder h;
  h.order("o1", 1100, 1105, Outcome::kOk, "a1");
  DrillEvents e;
  e.fenced_server = "a1";
  EXPECT_TRUE(check(h.history(), h.stored({"o1"}), e).split_brain.empty());
}

TEST(Checker, TheRpoWindowSpansTheStartTimesOfTheLostWrites) {
  HistoryBuilder h;
  h.order("kept", 100, 105, Outcome::kOk)
      .order("lost1", 400, 405, Outcome::kOk)
      .order("unknown", 500, 2500, Outcome::kUnknown)
      .order("lost2", 750, 756, Outcome::kOk);
  auto r = check(h.history(), h.stored({"kept"}), {});
  EXPECT_EQ(r.lost.size(), 2u);
  EXPECT_DOUBLE_EQ(r.rpo_window_ms, 350);
  EXPECT_EQ(r.first_lost_start_ms, 400);
  EXPECT_EQ(r.last_lost_start_ms, 750);
}

TEST(Checker, TheRpoWindowIsZeroWhenNothingIsLost) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  auto r = check(h.history(), h.stored({"o1"}), {});
  EXPECT_EQ(r.rpo_window_ms, 0);
  EXPECT_FALSE(r.first_lost_start_ms);
}

TEST(Checker, RtoRunsFromTheFaultToTheFirstAcknowledgementOfAWriteStartedAfterIt) {
  HistoryBuilder h;
  h.order("before", 990, 1500, Outcome::kOk)  // started before the fault: does not count
      .order("down1", 1100, 1105, Outcome::kFailed)
      .order("down2", 2000, 4000, Outcome::kUnknown)
      .order("back", 4200, 4210, Outcome::kOk)
      .order("later", 4300, 4305, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto r = check(h.history(), h.stored({"before", "back", "later"}), e);
  ASSERT_TRUE(r.rto_ms);
  EXPECT_DOUBLE_EQ(*r.rto_ms, 3210);
  EXPECT_EQ(r.first_ack_after_fault_ms, 4210);
}

// A partition: the cut-off primary goes on acknowledging writes that recovery then discards.
// Those brought nothing back; RTO runs to the first acknowledged write that survived.
TEST(Checker, RtoCountsOnlyAcknowledgedWritesThatSurvived) {
  HistoryBuilder h;
  h.order("cut-off", 1100, 1105, Outcome::kOk, "a1")
      .order("stale", 3000, 3005, Outcome::kOk, "a1")
      .order("back", 9000, 9010, Outcome::kOk, "b1");
  DrillEvents e;
  e.fault_ms = 1000;
  auto r = check(h.history(), h.stored({"back"}), e);
  EXPECT_EQ(r.lost.size(), 2u);
  ASSERT_TRUE(r.rto_ms);
  EXPECT_DOUBLE_EQ(*r.rto_ms, 8010);
}

// A region outage: the dying primary acknowledged (and replicated) one write in the few ms its
// region took to go down. Once b1 was promoted, recovery is b1's first acknowledgement.
TEST(Checker, RtoDoesNotCountTheOldPrimarysAcknowledgementsOnceAnotherWasPromoted) {
  HistoryBuilder h;
  h.order("dying", 1001, 1005, Outcome::kOk, "a1").order("back", 2900, 2950, Outcome::kOk, "b1");
  DrillEvents e = failover_events(1000, 2800, "a1");
  auto r = check(h.history(), h.stored({"dying", "back"}), e);
  EXPECT_TRUE(r.lost.empty());
  ASSERT_TRUE(r.rto_ms);
  EXPECT_DOUBLE_EQ(*r.rto_ms, 1950);
  // In a planned switchover the old primary serves until it is fenced: that is service.
  e.decision_action = "switchover";
  r = check(h.history(), h.stored({"dying", "back"}), e);
  ASSERT_TRUE(r.rto_ms);
  EXPECT_DOUBLE_EQ(*r.rto_ms, 5);
  // Without a promotion (the writer stayed), its acknowledgements are the recovery.
  e.decision_action = "region-failover";
  e.promotion_ms.reset();
  r = check(h.history(), h.stored({"dying", "back"}), e);
  ASSERT_TRUE(r.rto_ms);
  EXPECT_DOUBLE_EQ(*r.rto_ms, 5);
}

TEST(Checker, RtoIsMeasuredOnOrdersNotOnSessions) {
  HistoryBuilder h;
  h.session("s1", 1100, 1105, Outcome::kOk).order("o1", 2000, 2005, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto r = check(h.history(), h.stored({"o1"}), e);
  EXPECT_EQ(r.rto_ms, 1005);
}

TEST(Checker, NoAcknowledgementAfterTheFaultLeavesRtoEmpty) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk).order("o2", 1100, 3100, Outcome::kUnknown);
  DrillEvents e;
  e.fault_ms = 1000;
  EXPECT_FALSE(check(h.history(), h.stored({"o1"}), e).rto_ms);
}

TEST(Checker, PhasesSplitRtoByTheControllersMilestones) {
  HistoryBuilder h;
  h.order("back", 6000, 6020, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  e.decision_ms = 4000;
  e.runbook_start_ms = 4100;
  e.runbook_end_ms = 5500;
  auto r = check(h.history(), h.stored({"back"}), e);
  EXPECT_EQ(r.phases.detect_ms, 3000);
  EXPECT_EQ(r.phases.decide_ms, 100);
  EXPECT_EQ(r.phases.execute_ms, 1400);
  EXPECT_EQ(r.phases.traffic_ms, 520);
  EXPECT_EQ(r.rto_ms, 5020);
  EXPECT_DOUBLE_EQ(
      *r.phases.detect_ms + *r.phases.decide_ms + *r.phases.execute_ms + *r.phases.traffic_ms,
      *r.rto_ms);
}

TEST(Checker, PhasesWithoutTheirMilestonesStayEmpty) {
  HistoryBuilder h;
  h.order("back", 6000, 6020, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  e.decision_ms = 4000;
  auto r = check(h.history(), h.stored({"back"}), e);
  EXPECT_EQ(r.phases.detect_ms, 3000);
  EXPECT_FALSE(r.phases.decide_ms);
  EXPECT_FALSE(r.phases.execute_ms);
  EXPECT_FALSE(r.phases.traffic_ms);
}

TEST(Checker, TrafficBackBeforeTheRunbookEndsIsAZeroTrafficPhase) {
  HistoryBuilder h;
  h.order("back", 5000, 5010, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  e.runbook_end_ms = 5500;
  EXPECT_EQ(check(h.history(), h.stored({"back"}), e).phases.traffic_ms, 0);
}

}  // namespace
}  // namespace dr::drill
