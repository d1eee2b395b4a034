#include "drill/promises.h"

#include <gtest/gtest.h>

#include "drill/history_builder.h"

namespace dr::drill {
namespace {

using testing::acted;
using testing::failover_events;
using testing::HistoryBuilder;

const PromiseResult& find(const std::vector<PromiseResult>& results, const std::string& name) {
  for (const auto& r : results)
    if (r.name == name) return r;
  static const PromiseResult missing{"missing", false, true, "no such promise"};
  return missing;
}

std::string broken(const std::vector<PromiseResult>& results) {
  std::string out;
  for (const auto& r : results)
    if (!r.passed) out += r.name + ": " + r.sentence + "\n";
  return out;
}

std::vector<PromiseResult> judge_scenario(const std::string& scenario, const HistoryBuilder& h,
                                          const ReadBack& stored, const DrillEvents& e,
                                          PromiseOptions options = {}) {
  auto p = promises_for(scenario);
  EXPECT_TRUE(p) << p.error();
  const DrillEvents events = acted(scenario, e);
  return judge(*p, check(h.history(), stored, events), events, options);
}

TEST(Promises, EveryScenarioOfTheIssueHasARow) {
  for (auto name : {"az-outage", "db-outage", "app-region-outage", "region-outage", "switchover",
                    "controller-crash", "partition", "partition-controller", "blip"})
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
  EXPECT_TRUE(all_hold(results)) << broken(results);
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
                         ::testing::Values("az-outage", "switchover", "controller-crash", "blip",
                                           "partition-controller"));

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
  EXPECT_TRUE(all_hold(results)) << broken(results);
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
  DrillEvents e = failover_events(500, 1000, "a1");
  auto results = judge_scenario(GetParam(), h, h.stored({"o1", "o2"}), e);
  EXPECT_TRUE(find(results, "no_split_brain").passed);
}

TEST_P(AnyScenario, BreaksNoSplitBrainWhenTheFencedServerAcknowledgesAfterPromotion) {
  HistoryBuilder h;
  h.order("o1", 1100, 1105, Outcome::kOk, "a1");
  DrillEvents e = failover_events(500, 1000, "a1");
  auto results = judge_scenario(GetParam(), h, h.stored({"o1"}), e);
  EXPECT_FALSE(find(results, "no_split_brain").passed);
  EXPECT_FALSE(all_hold(results));
}

INSTANTIATE_TEST_SUITE_P(Drills, AnyScenario,
                         ::testing::Values("az-outage", "db-outage", "app-region-outage",
                                           "region-outage", "switchover", "controller-crash",
                                           "partition", "partition-controller", "blip"));

TEST(Promises, AMissedRtoTargetIsReportedButNotEnforcedByDefault) {
  HistoryBuilder h;
  h.order("back", 13000, 13010, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto results = judge_scenario("region-outage", h, h.stored({"back"}), e);
  const auto& rto = find(results, "rto_within_target");
  EXPECT_FALSE(rto.passed);
  EXPECT_FALSE(rto.enforced);
  EXPECT_TRUE(all_hold(results)) << broken(results);
}

TEST(Promises, AnEnforcedRtoTargetDecidesThePass) {
  HistoryBuilder h;
  h.order("back", 4000, 4010, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  PromiseOptions enforce{.enforce_rto_target = true};
  auto within = judge_scenario("az-outage", h, h.stored({"back"}), e, enforce);
  EXPECT_TRUE(find(within, "rto_within_target").passed);
  EXPECT_TRUE(all_hold(within)) << broken(within);

  HistoryBuilder slow;
  slow.order("back", 6500, 6510, Outcome::kOk);
  auto missed = judge_scenario("az-outage", slow, slow.stored({"back"}), e, enforce);
  EXPECT_FALSE(find(missed, "rto_within_target").passed);
  EXPECT_FALSE(all_hold(missed));
}

// The drill is judged on the events as they were, not as acted() completes them.
std::vector<PromiseResult> judge_raw(const std::string& scenario, const DrillEvents& e) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  auto p = promises_for(scenario);
  EXPECT_TRUE(p);
  return judge(*p, check(h.history(), h.stored({"o1"}), e), e, {});
}

TEST(Promises, ADrillWhoseFaultHitNothingFails) {
  DrillEvents e = acted("region-outage", {});
  e.fault_hit.clear();
  e.fault_missed = {"region us-east-1"};
  auto results = judge_raw("region-outage", e);
  const auto& p = find(results, "fault_hit_and_controller_acted");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("the fault missed: region us-east-1"), std::string::npos) << p.sentence;
  EXPECT_FALSE(all_hold(results));
}

// What a second drill on a failed-over lab used to report as PASSED: no decision, no runbook.
TEST(Promises, ADrillWhereTheControllerDidNotActFails) {
  DrillEvents e;
  e.fault_ms = 1000;
  e.fault_hit = {"a1"};
  auto results = judge_raw("region-outage", e);
  const auto& p = find(results, "fault_hit_and_controller_acted");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("the controller's action was none, not region-failover"),
            std::string::npos)
      << p.sentence;
  EXPECT_NE(p.sentence.find("no runbook finished"), std::string::npos) << p.sentence;
  EXPECT_FALSE(all_hold(results));
}

TEST(Promises, TheWrongFailoverIsNotTheScenarios) {
  DrillEvents e = acted("region-outage", {});
  e.decision_action = "app-region-failover";
  EXPECT_FALSE(find(judge_raw("region-outage", e), "fault_hit_and_controller_acted").passed);
  EXPECT_TRUE(
      find(judge_raw("region-outage", acted("region-outage", {})), "fault_hit_and_controller_acted")
          .passed);
}

// az-outage is Aurora's in-region failover: it holds only if the writer moved while the
// controller decided nothing and ran no runbook.
TEST(Promises, AnAzOutageHoldsOnlyWhenAuroraMovedTheWriterAndTheControllerOnlyObserved) {
  const auto ok = acted("az-outage", {});
  // The results are kept: find() returns a reference into them (a temporary freed it: ASan).
  const auto ok_results = judge_raw("az-outage", ok);
  const auto& held = find(ok_results, "fault_hit_and_aurora_failed_over");
  EXPECT_TRUE(held.passed) << held.sentence;
  EXPECT_NE(held.sentence.find("from a1 to a2"), std::string::npos) << held.sentence;

  DrillEvents stayed = ok;
  stayed.writer_after = "a1";
  const auto stayed_results = judge_raw("az-outage", stayed);
  const auto& no_move = find(stayed_results, "fault_hit_and_aurora_failed_over");
  EXPECT_FALSE(no_move.passed);
  EXPECT_NE(no_move.sentence.find("no in-region failover ran"), std::string::npos)
      << no_move.sentence;

  DrillEvents controller = ok;
  controller.decision_action = "region-failover";
  controller.runbook_start_ms = 10;
  const auto results = judge_raw("az-outage", controller);
  const auto& acted_too = find(results, "fault_hit_and_aurora_failed_over");
  EXPECT_FALSE(acted_too.passed);
  EXPECT_NE(acted_too.sentence.find("the controller decided region-failover"), std::string::npos)
      << acted_too.sentence;
  EXPECT_FALSE(all_hold(results));

  DrillEvents missed = ok;
  missed.fault_hit.clear();
  EXPECT_FALSE(find(judge_raw("az-outage", missed), "fault_hit_and_aurora_failed_over").passed);
}

TEST(Promises, ASwitchoverInjectsNoFaultButMustRunItsRunbook) {
  DrillEvents e = acted("switchover", {});
  EXPECT_TRUE(e.fault_hit.empty());
  EXPECT_TRUE(find(judge_raw("switchover", e), "fault_hit_and_controller_acted").passed);
  e.runbook_end_ms.reset();
  EXPECT_FALSE(find(judge_raw("switchover", e), "fault_hit_and_controller_acted").passed);
}

ReadBack with_servers(std::vector<ServerMode> servers) {
  ReadBack r;
  r.servers = std::move(servers);
  return r;
}

TEST(Promises, TwoWritableServersAtReadBackBreakSingleWriter) {
  HistoryBuilder h;
  auto p = promises_for("az-outage");
  const auto e = acted("az-outage", {});
  auto two = with_servers({{"a1", "x", false, ""}, {"b1", "y", false, ""}, {"a2", "z", true, ""}});
  auto results = judge(*p, check(h.history(), two, e), e, {});
  const auto& sw = find(results, "single_writer");
  EXPECT_FALSE(sw.passed);
  EXPECT_NE(sw.sentence.find("a1, b1"), std::string::npos) << sw.sentence;
  EXPECT_FALSE(all_hold(results));
}

TEST(Promises, AServerThatDoesNotAnswerIsReportedNotCountedWritable) {
  HistoryBuilder h;
  auto p = promises_for("az-outage");
  const auto e = acted("az-outage", {});
  auto one =
      with_servers({{"a1", "x", std::nullopt, "connection refused"}, {"b1", "y", false, ""}});
  const auto results = judge(*p, check(h.history(), one, e), e, {});
  const auto& sw = find(results, "single_writer");
  EXPECT_TRUE(sw.passed) << sw.sentence;
  EXPECT_NE(sw.sentence.find("Only b1 is writable"), std::string::npos) << sw.sentence;
  EXPECT_NE(sw.sentence.find("a1: connection refused"), std::string::npos) << sw.sentence;
}

TEST(Promises, ALostSessionBreaksANoLossScenario) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk).session("s1", 10, 15, Outcome::kOk);
  auto results = judge_scenario("az-outage", h, h.stored({"o1"}), {});
  const auto& p = find(results, "no_lost_sessions");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("s1"), std::string::npos) << p.sentence;
  EXPECT_FALSE(all_hold(results));
  EXPECT_TRUE(
      find(judge_scenario("az-outage", h, h.stored({"o1", "s1"}), {}), "no_lost_sessions").passed);
}

TEST(Promises, ARegionOutageMayLoseSessionsOnlyInsideTheAsyncWindow) {
  HistoryBuilder h;
  h.session("late", 950, 955, Outcome::kOk).session("early", 100, 105, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  auto in = judge_scenario("region-outage", h, h.stored({"early"}), e, {.async_window_ms = 500});
  EXPECT_TRUE(find(in, "sessions_lost_only_in_async_window").passed);
  auto out = judge_scenario("region-outage", h, h.stored({"late"}), e, {.async_window_ms = 500});
  EXPECT_FALSE(find(out, "sessions_lost_only_in_async_window").passed);
}

TEST(Promises, SessionsNotReadBackAreNotJudged) {
  HistoryBuilder h;
  h.session("s1", 10, 15, Outcome::kOk);
  ReadBack old_file;  // saved before sessions were read back
  auto p = promises_for("az-outage");
  const auto e = acted("az-outage", {});
  auto results = judge(*p, check(h.history(), old_file, e), e, {});
  EXPECT_EQ(find(results, "no_lost_sessions").name, "missing");
}

TEST(Promises, NoSplitBrainNamesTheFencedServerOnlyWhenTheFenceRan) {
  HistoryBuilder h;
  h.order("o1", 1100, 1105, Outcome::kOk, "b1");
  DrillEvents e = failover_events(500, 1000, "a1");
  e.runbook = {{"fence_old_primary", 600, 700, "ok"}};
  EXPECT_NE(find(judge_scenario("region-outage", h, h.stored({"o1"}), e), "no_split_brain")
                .sentence.find("the fenced old primary a1"),
            std::string::npos);
  e.runbook = {{"fence_old_primary", 600, 700, "skipped: a1 unreachable"}};
  const std::string skipped =
      find(judge_scenario("region-outage", h, h.stored({"o1"}), e), "no_split_brain").sentence;
  EXPECT_EQ(skipped.find("fenced"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("the old primary a1 (fence skipped: a1 unreachable)"), std::string::npos)
      << skipped;
}

// blip and partition-controller: the controller must ride the fault out.
class RideOutScenario : public ::testing::TestWithParam<std::string> {
 protected:
  static DrillEvents rode_out() {
    DrillEvents e;
    e.fault_ms = 1000;
    e.fault_hit = {"a1 (SIGSTOP)"};
    e.writer_before = "a1";
    e.writer_after = "a1";
    e.held_back = "the witness reaches it";
    return e;
  }
  std::vector<PromiseResult> judge_it(const DrillEvents& e) {
    HistoryBuilder h;
    h.order("o1", 0, 5, Outcome::kOk).order("o2", 3300, 3305, Outcome::kOk);
    auto p = promises_for(GetParam());
    EXPECT_TRUE(p);
    return judge(*p, check(h.history(), h.stored({"o1", "o2"}), e), e, {});
  }
};

TEST_P(RideOutScenario, HoldsWhenNothingFailedOverAndTheWriterStayed) {
  auto results = judge_it(rode_out());
  const auto& p = find(results, "no_failover");
  EXPECT_TRUE(p.passed) << p.sentence;
  EXPECT_NE(p.sentence.find("still a1"), std::string::npos) << p.sentence;
  EXPECT_NE(p.sentence.find("the witness reaches it"), std::string::npos) << p.sentence;
  EXPECT_EQ(find(results, "fault_hit_and_controller_acted").name, "missing");
  EXPECT_TRUE(all_hold(results)) << broken(results);
}

TEST_P(RideOutScenario, BreaksWhenTheControllerFailedOver) {
  DrillEvents e = rode_out();
  e.decision_action = "region-failover";
  e.decision_ms = 2000;
  e.runbook_start_ms = 2001;
  e.failover_id = "fo-7";
  e.writer_after = "b1";
  auto results = judge_it(e);
  const auto& p = find(results, "no_failover");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("decided region-failover"), std::string::npos) << p.sentence;
  EXPECT_NE(p.sentence.find("fo-7"), std::string::npos) << p.sentence;
  EXPECT_NE(p.sentence.find("from a1 to b1"), std::string::npos) << p.sentence;
  EXPECT_FALSE(all_hold(results));
}

TEST_P(RideOutScenario, BreaksWhenTheWriterMovedWithoutADecision) {
  DrillEvents e = rode_out();
  e.writer_after = "a2";
  EXPECT_FALSE(find(judge_it(e), "no_failover").passed);
  e.writer_after = "";
  EXPECT_FALSE(find(judge_it(e), "no_failover").passed);
}

TEST_P(RideOutScenario, BreaksWhenTheFaultHitNothing) {
  DrillEvents e = rode_out();
  e.fault_hit.clear();
  e.fault_missed = {"the cut: cgroup v2 is not mounted"};
  const auto results = judge_it(e);
  const auto& p = find(results, "no_failover");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("cgroup v2"), std::string::npos) << p.sentence;
}

// Nothing failed over because nobody was watching: the controller died (or the Lambda's
// environment was replaced) during the run. Riding the fault out is not shown.
TEST_P(RideOutScenario, BreaksWhenTheControllerDidNotWatchTheWholeRun) {
  DrillEvents e = rode_out();
  ASSERT_TRUE(find(judge_it(e), "no_failover").passed);
  e.unwatched = "the controller (pid 42) exited before the drill ended";
  const auto results = judge_it(e);
  const auto& p = find(results, "no_failover");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("pid 42) exited"), std::string::npos) << p.sentence;
  EXPECT_FALSE(all_hold(results));
  // Saved and recomputed (`drctl drill report --run`): the reason survives the round trip.
  auto again = events_from_json(to_json(e));
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->unwatched, e.unwatched);
}

INSTANTIATE_TEST_SUITE_P(Drills, RideOutScenario,
                         ::testing::Values("blip", "partition-controller"));

// partition: what the cut-off primary acknowledged until the promotion is lost with it (errant
// GTIDs); nothing after the promotion may be lost or acknowledged by it.
TEST(Promises, APartitionLosesOnlyWhatTheCutOffPrimaryAcknowledgedBeforeThePromotion) {
  HistoryBuilder h;
  h.order("before", 100, 105, Outcome::kOk, "a1")
      .order("cut", 3000, 3005, Outcome::kOk, "a1")
      .order("stale", 9000, 9005, Outcome::kOk, "a1")
      .via("stale:us-east-1")
      .order("new", 12000, 12005, Outcome::kOk, "b1");
  DrillEvents e = failover_events(1000, 10000, "a1");
  auto results = judge_scenario("partition", h, h.stored({"before", "new"}), e);
  const auto& p = find(results, "lost_only_until_promotion");
  EXPECT_TRUE(p.passed) << p.sentence;
  EXPECT_NE(p.sentence.find("2 acknowledged"), std::string::npos) << p.sentence;
  EXPECT_TRUE(all_hold(results)) << broken(results);
}

TEST(Promises, APartitionBreaksWhenAWriteStartedAfterThePromotionIsLost) {
  HistoryBuilder h;
  h.order("late", 11000, 11005, Outcome::kOk, "b1");
  DrillEvents e = failover_events(1000, 10000, "a1");
  const auto results = judge_scenario("partition", h, h.stored({}), e);
  const auto& p = find(results, "lost_only_until_promotion");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("late"), std::string::npos) << p.sentence;
}

TEST(Promises, APartitionWithoutAPromotionAllowsOnlyTheAsyncWindow) {
  HistoryBuilder h;
  h.order("cut", 3000, 3005, Outcome::kOk, "a1");
  DrillEvents e;
  e.fault_ms = 1000;
  EXPECT_FALSE(
      find(judge_scenario("partition", h, h.stored({}), e), "lost_only_until_promotion").passed);
}

// The lab's supervisor fences a cut-off region's apps across the cut; the report says so without
// failing the drill on it, and says the opposite when the cut stopped the fence.
TEST(Promises, APartitionReportsWhetherTheFenceCrossedTheCut) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  e.runbook = {{"fence_old_primary", 2000, 2100, "skipped: a1 unreachable (connect-failed)"}};
  auto results = judge_scenario("partition", h, h.stored({"o1"}), e);
  const auto& crossed = find(results, "fence_stayed_behind_the_cut");
  EXPECT_FALSE(crossed.passed);
  EXPECT_FALSE(crossed.enforced);
  EXPECT_NE(crossed.sentence.find("write lease"), std::string::npos) << crossed.sentence;
  EXPECT_TRUE(all_hold(results)) << broken(results);

  e.runbook = {{"fence_old_primary", 2000, 2100,
                "skipped: a1 unreachable (x) apps of us-east-1 unreachable (y)"}};
  const auto held = judge_scenario("partition", h, h.stored({"o1"}), e);
  EXPECT_TRUE(find(held, "fence_stayed_behind_the_cut").passed);
  EXPECT_EQ(
      find(judge_scenario("region-outage", h, h.stored({"o1"}), e), "fence_stayed_behind_the_cut")
          .name,
      "missing");
}

TEST(Promises, SplitBrainWritesNameThePathTheyTook) {
  HistoryBuilder h;
  h.order("door", 10100, 10105, Outcome::kOk, "a1")
      .order("stale1", 10200, 10205, Outcome::kOk, "a1")
      .via("stale:us-east-1")
      .order("stale2", 10300, 10305, Outcome::kOk, "a1")
      .via("stale:us-east-1");
  DrillEvents e = failover_events(1000, 10000, "a1");
  const auto results = judge_scenario("partition", h, h.stored({"door", "stale1", "stale2"}), e);
  const auto& p = find(results, "no_split_brain");
  EXPECT_FALSE(p.passed);
  EXPECT_NE(p.sentence.find("3 write(s)"), std::string::npos) << p.sentence;
  EXPECT_NE(p.sentence.find("1 through the front door, 2 via stale:us-east-1"), std::string::npos)
      << p.sentence;
  EXPECT_NE(p.sentence.find("the first being door"), std::string::npos) << p.sentence;
}

TEST(Promises, ScenariosWithoutATargetHaveNoRtoPromise) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  auto results = judge_scenario("switchover", h, h.stored({"o1"}), {});
  EXPECT_EQ(find(results, "rto_within_target").name, "missing");
}

// The evidence that the controller watched to the end: a tick (its heartbeat) or a change of
// decision stamped at or after the moment asked about; anything else, or older, is not.
TEST(ControllerEvents, ATickOrADecisionAtOrAfterTheMomentIsTheOnlyEvidenceOfTicking) {
  using nlohmann::json;
  const std::vector<json> events = {
      {{"event", "decision"}, {"action", "none"}, {"time_ms", 1000}},
      {{"event", "tick"}, {"action", "none"}, {"time_ms", 2000}},
      {{"event", "runbook-step"}, {"time_ms", 5000}},
      {{"event", "tick"}, {"time_ms", "6000"}},  // not a number: not evidence
      {{"event", "tick"}},                       // no time: not evidence
      "not an object",
  };
  EXPECT_TRUE(ticked_since(events, 1000));
  EXPECT_TRUE(ticked_since(events, 2000));
  EXPECT_FALSE(ticked_since(events, 2001));
  EXPECT_TRUE(ticked_since({{{"event", "decision"}, {"time_ms", 7000}}}, 6999));
  EXPECT_FALSE(ticked_since({}, 0));
}

}  // namespace
}  // namespace dr::drill
