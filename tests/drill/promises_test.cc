#include "drill/promises.h"

#include <gtest/gtest.h>

#include "drill/history_builder.h"

namespace dr::drill {
namespace {

using testing::HistoryBuilder;

const PromiseResult& find(const std::vector<PromiseResult>& results, const std::string& name) {
  for (const auto& r : results)
    if (r.name == name) return r;
  static const PromiseResult missing{"missing", false, true, "no such promise"};
  return missing;
}

std::vector<PromiseResult> judge_scenario(const std::string& scenario, const HistoryBuilder& h,
                                          const ReadBack& stored, const DrillEvents& e,
                                          PromiseOptions options = {}) {
  auto p = promises_for(scenario);
  EXPECT_TRUE(p) << p.error();
  return judge(*p, check(h.history(), stored, e), e, options);
}

TEST(Promises, EveryScenarioOfTheIssueHasARow) {
  for (auto name : {"az-outage", "db-outage", "app-region-outage", "region-outage", "switchover",
                    "controller-crash", "partition"})
    EXPECT_TRUE(promises_for(name)) << name;
}

TEST(Promises, AnUnknownScenarioIsRefusedWithTheValidNames) {
  auto p = promises_for("meteor");
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().find("region-outage"), std::string::npos) << p.error();
}

class NoLossScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(NoLossScenario, HoldsWhenEveryAcknowledgedWriteIsBack) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk).order("u1", 10, 2010, Outcome::kUnknown);
  auto results = judge_scenario(GetParam(), h, h.stored({"o1"}), {});
  EXPECT_TRUE(find(results, "no_lost_acked_writes").passed);
  EXPECT_TRUE(all_hold(results));
}

TEST_P(NoLossScenario, BreaksWhenOneAcknowledgedWriteIsMissing) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk).order("o2", 10, 15, Outcome::kOk);
  auto results = judge_scenario(GetParam(), h, h.stored({"o1"}), {});
  const auto& p = find(results, "no_lost_acked_writes");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("o2"), std::string::npos) << p.sentence;
  EXPECT_FALSE(all_hold(results));
}

INSTANTIATE_TEST_SUITE_P(Drills, NoLossScenario,
                         ::testing::Values("az-outage", "switchover", "controller-crash"));

class AsyncWindowScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(AsyncWindowScenario, HoldsWhenTheLostWritesStartedJustBeforeTheFault) {
  HistoryBuilder h;
  h.order("old", 100, 105, Outcome::kOk)
      .order("late1", 600, 605, Outcome::kOk)
      .order("late2", 990, 995, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto results = judge_scenario(GetParam(), h, h.stored({"old"}), e, {.async_window_ms = 500});
  const auto& p = find(results, "lost_only_in_async_window");
  EXPECT_TRUE(p.passed) << p.sentence;
  EXPECT_NE(p.sentence.find("2 acknowledged"), std::string::npos) << p.sentence;
  EXPECT_TRUE(all_hold(results));
}

TEST_P(AsyncWindowScenario, BreaksWhenALostWriteStartedBeforeTheWindow) {
  HistoryBuilder h;
  h.order("old", 100, 105, Outcome::kOk).order("late", 990, 995, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto results = judge_scenario(GetParam(), h, h.stored({}), e, {.async_window_ms = 500});
  EXPECT_FALSE(find(results, "lost_only_in_async_window").passed);
  EXPECT_FALSE(all_hold(results));
}

TEST_P(AsyncWindowScenario, BreaksWhenALostWriteStartedAfterTheFault) {
  HistoryBuilder h;
  h.order("after", 3000, 3005, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto results = judge_scenario(GetParam(), h, h.stored({}), e);
  EXPECT_FALSE(find(results, "lost_only_in_async_window").passed);
}

TEST_P(AsyncWindowScenario, BreaksWhenWritesAreLostAndTheFaultTimeIsUnknown) {
  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk);
  auto results = judge_scenario(GetParam(), h, h.stored({}), {});
  EXPECT_FALSE(find(results, "lost_only_in_async_window").passed);
}

INSTANTIATE_TEST_SUITE_P(Drills, AsyncWindowScenario,
                         ::testing::Values("region-outage", "db-outage"));

class AnyScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(AnyScenario, HoldsNoSplitBrainWhenTheFencedServerTookNoWriteAfterPromotion) {
  HistoryBuilder h;
  h.order("o1", 900, 905, Outcome::kOk, "a1").order("o2", 1100, 1105, Outcome::kOk, "b1");
  DrillEvents e;
  e.fault_ms = 500;
  e.promotion_ms = 1000;
  e.fenced_server = "a1";
  auto results = judge_scenario(GetParam(), h, h.stored({"o1", "o2"}), e);
  EXPECT_TRUE(find(results, "no_split_brain").passed);
}

TEST_P(AnyScenario, BreaksNoSplitBrainWhenTheFencedServerAcknowledgesAfterPromotion) {
  HistoryBuilder h;
  h.order("o1", 1100, 1105, Outcome::kOk, "a1");
  DrillEvents e;
  e.fault_ms = 500;
  e.promotion_ms = 1000;
  e.fenced_server = "a1";
  auto results = judge_scenario(GetParam(), h, h.stored({"o1"}), e);
  EXPECT_FALSE(find(results, "no_split_brain").passed);
  EXPECT_FALSE(all_hold(results));
}

INSTANTIATE_TEST_SUITE_P(Drills, AnyScenario,
                         ::testing::Values("az-outage", "db-outage", "app-region-outage",
                                           "region-outage", "switchover", "controller-crash",
                                           "partition"));

TEST(Promises, AMissedRtoTargetIsReportedButNotEnforcedByDefault) {
  HistoryBuilder h;
  h.order("back", 13000, 13010, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto results = judge_scenario("region-outage", h, h.stored({"back"}), e);
  const auto& rto = find(results, "rto_within_target");
  EXPECT_FALSE(rto.passed);
  EXPECT_FALSE(rto.enforced);
  EXPECT_TRUE(all_hold(results));
}

TEST(Promises, AnEnforcedRtoTargetDecidesThePass) {
  HistoryBuilder h;
  h.order("back", 4000, 4010, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  PromiseOptions enforce{.enforce_rto_target = true};
  auto within = judge_scenario("az-outage", h, h.stored({"back"}), e, enforce);
  EXPECT_TRUE(find(within, "rto_within_target").passed);
  EXPECT_TRUE(all_hold(within));

  HistoryBuilder slow;
  slow.order("back", 6500, 6510, Outcome::kOk);
  auto missed = judge_scenario("az-outage", slow, slow.stored({"back"}), e, enforce);
  EXPECT_FALSE(find(missed, "rto_within_target").passed);
  EXPECT_FALSE(all_hold(missed));
}

TEST(Promises, ScenariosWithoutATargetHaveNoRtoPromise) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  auto results = judge_scenario("switchover", h, h.stored({"o1"}), {});
  EXPECT_EQ(find(results, "rto_within_target").name, "missing");
}

}  // namespace
}  // namespace dr::drill
