// The runbook against recording ports: step order (fence before promote), audit, resume from
// every step after a crash, and which failures are fatal: decided by the error's kind and the
// step's rule, never by the message.
#include "core/runbook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

namespace dr::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records every call in one log; a call named in `fail` fails with its kind.
struct World : GlobalDatabase, Fleet, Traffic, Probe, Notifier, WriteLease {
  std::vector<std::string> calls;
  std::map<std::string, ErrorKind> fail;
  std::string fail_over_note;

  Result<> call(const std::string& c) {
    calls.push_back(c);
    if (auto it = fail.find(c); it != fail.end()) return core::fail(it->second, c + " failed");
    return {};
  }
  Result<> fence_writer(const DatabaseMove& m) override { return call("fence " + m.old_writer); }
  Result<std::string> fail_over(const DatabaseMove& m, bool allow_data_loss) override {
    auto r = call("fail_over " + m.to_region + " " + m.new_writer +
                  (allow_data_loss ? " (data loss allowed)" : ""));
    if (!r) return std::unexpected(r.error());
    return fail_over_note;
  }
  Result<std::string> switch_over(const DatabaseMove& m) override {
    auto r = call("switch_over " + m.to_region + " " + m.new_writer);
    if (!r) return std::unexpected(r.error());
    return std::string();
  }
  Result<> set_capacity(const std::string& r, int, int d, int) override {
    return call("capacity " + r + "=" + std::to_string(d));
  }
  Result<> fence_apps(const std::string& r, const std::string&) override {
    return call("fence_apps " + r);
  }
  Result<> unfence_apps(const std::string& r) override { return call("unfence_apps " + r); }
  Result<> shift_to(const std::string& r) override { return call("traffic->" + r); }
  Result<> verify_write(const std::string& r) override { return call("verify " + r); }
  void notify(const std::string& e) override { calls.push_back("notify " + e.substr(0, 28)); }
  Result<std::string> take(const std::string& r, LeaseTake how) override {
    auto c = call("lease " + r +
                  (how == LeaseTake::kHandOver      ? " hand-over"
                   : how == LeaseTake::kAfterExpiry ? " after-expiry"
                                                    : " if-free"));
    if (!c) return std::unexpected(c.error());
    return std::string("epoch 2");
  }
  Result<std::optional<std::string>> holder() override { return std::nullopt; }
};

struct MemoryStore : RunbookStore {
  std::vector<nlohmann::json> saved;
  Result<> save(const RunbookState& s) override {
    saved.push_back(to_json(s));
    return {};
  }
};

RunbookState region_failover() {
  RunbookState s;
  s.plan.id = "fo-1";
  s.plan.scenario = Scenario::kRegionFailover;
  s.plan.from_region = "us-east-1";
  s.plan.to_region = "us-west-2";
  s.plan.old_writer = "a1";
  s.plan.new_writer = "b1";
  s.plan.catch_up_source = "a2";
  s.plan.followers = {"a2"};
  s.plan.regions = {"us-east-1", "us-west-2"};
  s.plan.standby_capacity = 2;
  return s;
}

RunbookState switchover() {
  RunbookState s = region_failover();
  s.plan.scenario = Scenario::kSwitchover;
  s.plan.allow_data_loss = false;
  return s;
}

class RunbookTest : public ::testing::Test {
 protected:
  Runbook runbook() {
    return Runbook(Backends{world, world, world, world, world, world}, store, [this] {
      now += std::chrono::milliseconds(7);
      return now;
    });
  }
  long count(const std::string& call) const {
    return std::count(world.calls.begin(), world.calls.end(), call);
  }
  World world;
  MemoryStore store;
  TimePoint now{};
};

// A lease taken for a region whose apps were still fenced runs out before they renew it (they are
// unfenced only at scale_standby): a failed verification takes it again, if free, for the retry.
TEST_F(RunbookTest, AFailedVerificationTakesALapsedLeaseAgainForTheRetry) {
  world.fail["verify us-west-2"] = ErrorKind::kRefused;
  RunbookState stopped = runbook().run(region_failover());
  EXPECT_FALSE(stopped.done);
  EXPECT_THAT(stopped.last_error, HasSubstr("(write lease taken again: epoch 2)"));
  EXPECT_EQ(count("lease us-west-2 if-free"), 1);
  world.fail.clear();
  world.calls.clear();
  RunbookState done = runbook().run(stopped);
  EXPECT_TRUE(done.done) << done.last_error;
  EXPECT_THAT(world.calls,
              ElementsAre("verify us-west-2", "notify {\"event\":\"failover-complete\""));
}

TEST_F(RunbookTest, ARegionFailoverFencesBeforeItPromotesAndMovesTrafficLast) {
  RunbookState done = runbook().run(region_failover());
  EXPECT_TRUE(done.done);
  EXPECT_TRUE(done.last_error.empty());
  EXPECT_THAT(world.calls,
              ElementsAre("fence_apps us-east-1", "fence a1", "lease us-west-2 hand-over",
                          "fail_over us-west-2 b1 (data loss allowed)", "unfence_apps us-west-2",
                          "capacity us-west-2=2", "traffic->us-west-2", "verify us-west-2",
                          "notify {\"event\":\"failover-complete\""));
  ASSERT_EQ(done.audit.size(), 7u);
  EXPECT_EQ(done.audit[0].name, "fence_old_primary");
  EXPECT_EQ(done.audit[1].name, "take_write_lease");
  EXPECT_EQ(done.audit[1].outcome, "ok: epoch 2");
  EXPECT_EQ(done.audit[2].name, "promote");
  EXPECT_EQ(done.audit[0].duration_ms, 7);
  EXPECT_EQ(store.saved.size(), 7u) << "progress is saved after every step";
}

TEST_F(RunbookTest, AnUnreachableOldPrimaryIsSkippedInAFailover) {
  world.fail = {{"fence a1", ErrorKind::kUnreachable},
                {"fence_apps us-east-1", ErrorKind::kTimeout}};
  world.fail_over_note = "catch up from a2 (unreachable: gone)";
  RunbookState done = runbook().run(region_failover());
  EXPECT_TRUE(done.done) << done.last_error;
  EXPECT_THAT(done.audit[0].outcome, HasSubstr("skipped: a1 unreachable (unreachable: fence a1"));
  EXPECT_THAT(done.audit[0].outcome, HasSubstr("apps of us-east-1 unreachable (timeout:"));
  EXPECT_EQ(done.audit[2].outcome, "skipped: catch up from a2 (unreachable: gone)")
      << "what the database left out is audited";
  EXPECT_EQ(count("lease us-west-2 after-expiry"), 1)
      << "an old region the fence did not reach may still write: its lease must run out first";
}

// The write lease protects exactly when its store or the old holder is out of reach, so being
// out of reach never skips it, not even when data loss is allowed: nothing is promoted. Only a
// target without a lease (not-supported) skips it.
TEST_F(RunbookTest, TheWriteLeaseIsNeverSkippedForBeingOutOfReach) {
  for (ErrorKind kind : {ErrorKind::kUnreachable, ErrorKind::kTimeout, ErrorKind::kRefused}) {
    world.calls.clear();
    world.fail = {{"lease us-west-2 hand-over", kind}};
    RunbookState stopped = runbook().run(region_failover());
    EXPECT_FALSE(stopped.done) << kind;
    EXPECT_EQ(steps_for(Scenario::kRegionFailover)[stopped.next_step], Step::kTakeWriteLease);
    EXPECT_EQ(count("fail_over us-west-2 b1 (data loss allowed)"), 0) << kind;
  }
  world.calls.clear();
  world.fail = {{"lease us-west-2 hand-over", ErrorKind::kNotSupported}};
  RunbookState done = runbook().run(region_failover());
  EXPECT_TRUE(done.done) << done.last_error;
  EXPECT_THAT(done.audit[1].outcome, HasSubstr("skipped: not-supported"));
}

// A planned move hands the lease over after traffic has moved: until then the old region's apps
// keep writing (through their repointed endpoints), and the verifying write needs the lease.
TEST_F(RunbookTest, ASwitchoverHandsTheLeaseOverAfterTheTrafficAndBeforeTheVerifyingWrite) {
  RunbookState done = runbook().run(switchover());
  EXPECT_TRUE(done.done);
  auto at = [&](const std::string& c) {
    return std::find(world.calls.begin(), world.calls.end(), c) - world.calls.begin();
  };
  EXPECT_LT(at("traffic->us-west-2"), at("lease us-west-2 hand-over"));
  EXPECT_LT(at("lease us-west-2 hand-over"), at("verify us-west-2"));
  EXPECT_EQ(count("lease us-west-2 after-expiry"), 0);
}

// The kind decides, not the scenario: a fence that was refused (the server answered no) leaves
// a writer that may still take writes, so even a failover stops there.
TEST_F(RunbookTest, ARefusedFenceStopsEvenAFailover) {
  for (ErrorKind kind : {ErrorKind::kRefused, ErrorKind::kConflict, ErrorKind::kOutcomeUnknown}) {
    world.calls.clear();
    world.fail = {{"fence a1", kind}};
    RunbookState stopped = runbook().run(region_failover());
    EXPECT_FALSE(stopped.done) << kind;
    EXPECT_EQ(stopped.next_step, 0u) << kind;
    EXPECT_EQ(stopped.last_error,
              "fence_old_primary: " + to_string(kind) + ": a1: fence a1 failed");
    EXPECT_EQ(count("fail_over us-west-2 b1 (data loss allowed)"), 0) << kind;
  }
}

TEST_F(RunbookTest, AnAppsFenceThatWasRefusedStopsAFailover) {
  world.fail = {{"fence_apps us-east-1", ErrorKind::kRefused}};
  RunbookState stopped = runbook().run(region_failover());
  EXPECT_FALSE(stopped.done);
  EXPECT_THAT(stopped.last_error, HasSubstr("apps of us-east-1: fence_apps us-east-1 failed"));
}

TEST_F(RunbookTest, AFailedPromotionStopsTheRunbookAtThatStepAndResumesThere) {
  world.fail = {{"fail_over us-west-2 b1 (data loss allowed)", ErrorKind::kOutcomeUnknown}};
  RunbookState stopped = runbook().run(region_failover());
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(steps_for(Scenario::kRegionFailover)[stopped.next_step], Step::kPromote);
  EXPECT_EQ(stopped.last_error,
            "promote: outcome-unknown: fail_over us-west-2 b1 (data loss allowed) failed");
  EXPECT_EQ(count("traffic->us-west-2"), 0)
      << "traffic must not move to a region whose database was not promoted";
  world.fail.clear();
  world.calls.clear();
  RunbookState resumed = runbook().run(stopped);
  EXPECT_TRUE(resumed.done);
  EXPECT_EQ(world.calls.front(), "fail_over us-west-2 b1 (data loss allowed)");
}

TEST_F(RunbookTest, ASwitchoverSwitchesOverAndFencesTheDatabaseButNotTheApps) {
  RunbookState done = runbook().run(switchover());
  EXPECT_TRUE(done.done);
  EXPECT_EQ(world.calls.front(), "fence a1");
  EXPECT_EQ(count("switch_over us-west-2 b1"), 1);
  EXPECT_EQ(count("fail_over us-west-2 b1 (data loss allowed)"), 0);
  EXPECT_EQ(count("fence_apps us-east-1"), 0);
}

TEST_F(RunbookTest, TrafficReturnsOnlyToARegionWhoseAppsAreUnfenced) {
  // A failback is a switchover back to the region a failover fenced.
  RunbookState done = runbook().run(switchover());
  EXPECT_TRUE(done.done);
  auto at = [&](const std::string& c) {
    return std::find(world.calls.begin(), world.calls.end(), c) - world.calls.begin();
  };
  EXPECT_LT(at("unfence_apps us-west-2"), at("traffic->us-west-2"));

  world.calls.clear();
  world.fail = {{"unfence_apps us-west-2", ErrorKind::kUnreachable}};
  RunbookState stopped = runbook().run(region_failover());
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(steps_for(Scenario::kRegionFailover)[stopped.next_step], Step::kScaleStandby);
  EXPECT_EQ(count("traffic->us-west-2"), 0);
}

// A planned move promises no data loss: an unreachable writer cannot be known to be fenced.
TEST_F(RunbookTest, ASwitchoverStopsWhenItCannotFenceTheWriter) {
  world.fail = {{"fence a1", ErrorKind::kUnreachable}};
  RunbookState stopped = runbook().run(switchover());
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(stopped.last_error, "fence_old_writer: unreachable: fence a1 failed");
  EXPECT_EQ(count("switch_over us-west-2 b1"), 0);
}

// Where the target fences its writer itself (Aurora), the step has nothing to do.
TEST_F(RunbookTest, ANotSupportedFenceIsSkippedEvenInASwitchover) {
  world.fail = {{"fence a1", ErrorKind::kNotSupported}};
  RunbookState done = runbook().run(switchover());
  EXPECT_TRUE(done.done) << done.last_error;
  EXPECT_EQ(done.audit[0].outcome, "skipped: not-supported: fence a1 failed");
}

TEST(RunbookSteps, EachStepHasOneRowAndItsNameRoundTrips) {
  std::set<std::string> names;
  for (const auto& row : Runbook::table()) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_EQ(&Runbook::spec(row.step), &row);
    EXPECT_EQ(step_from_string(row.name), row.step);
    EXPECT_NE(row.run, nullptr);
  }
  EXPECT_EQ(names.size(), 8u);
  EXPECT_FALSE(step_from_string("catch_up"));
  for (Scenario s :
       {Scenario::kAppRegionFailover, Scenario::kRegionFailover, Scenario::kSwitchover})
    EXPECT_EQ(steps_for(s).back(), Step::kNotify);
}

TEST(RunbookSteps, OnlyAGoneTargetIsSkippedAndOnlyWhereDataLossIsAllowed) {
  RunbookPlan loss;
  RunbookPlan no_loss;
  no_loss.allow_data_loss = false;
  const auto skip = OnFailure::kSkipIfGoneAndDataLossAllowed;
  for (ErrorKind k : {ErrorKind::kUnreachable, ErrorKind::kTimeout}) {
    EXPECT_TRUE(skips(skip, {k, ""}, loss)) << k;
    EXPECT_FALSE(skips(skip, {k, ""}, no_loss)) << k;
  }
  EXPECT_TRUE(skips(skip, {ErrorKind::kNotSupported, ""}, no_loss));
  for (ErrorKind k : {ErrorKind::kRefused, ErrorKind::kConflict, ErrorKind::kOutcomeUnknown})
    EXPECT_FALSE(skips(skip, {k, ""}, loss)) << k;
  for (ErrorKind k : {ErrorKind::kUnreachable, ErrorKind::kNotSupported})
    EXPECT_FALSE(skips(OnFailure::kStop, {k, ""}, loss)) << k;
}

TEST(CoreError, NamesItsKind) {
  Error e{ErrorKind::kOutcomeUnknown, "b1: connection lost"};
  EXPECT_EQ(to_string(e), "outcome-unknown: b1: connection lost");
  std::ostringstream os;
  os << e << " | " << ErrorKind::kNotSupported << " " << ErrorKind::kConflict;
  EXPECT_EQ(os.str(), "outcome-unknown: b1: connection lost | not-supported conflict");
  EXPECT_EQ(e.in("promote: ").message, "promote: b1: connection lost");
  EXPECT_EQ(e.in("promote: ").kind, ErrorKind::kOutcomeUnknown);
}

// A controller killed after any step resumes from the saved state and finishes with exactly the
// remaining steps.
class ResumeFromEveryStep : public RunbookTest, public ::testing::WithParamInterface<size_t> {};

TEST_P(ResumeFromEveryStep, FinishesWithTheRemainingSteps) {
  const size_t crashed_after = GetParam();
  RunbookState full = runbook().run(region_failover());
  ASSERT_GT(store.saved.size(), crashed_after);
  auto saved = runbook_from_json(store.saved[crashed_after]);  // what a restart would load
  ASSERT_TRUE(saved) << saved.error();
  EXPECT_EQ(saved->next_step, crashed_after + 1);
  world.calls.clear();
  RunbookState resumed = runbook().run(*saved);
  EXPECT_TRUE(resumed.done);
  EXPECT_EQ(resumed.audit.size(), full.audit.size());
  const auto& steps = steps_for(Scenario::kRegionFailover);
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(resumed.audit[i].name, to_string(steps[i]));
}

INSTANTIATE_TEST_SUITE_P(Runbook, ResumeFromEveryStep, ::testing::Range<size_t>(0, 5));

TEST(RunbookState, RoundTripsThroughJsonAndRejectsGarbage) {
  RunbookState s = switchover();
  s.next_step = 3;
  s.audit.push_back({"fence_old_writer", 1, 2, "ok"});
  auto back = runbook_from_json(to_json(s));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(to_json(*back), to_json(s));
  EXPECT_FALSE(back->plan.allow_data_loss);
  EXPECT_FALSE(runbook_from_json(nlohmann::json::parse(R"({"plan":{}})")));
  auto j = to_json(s);
  j["plan"]["scenario"] = "reboot";
  EXPECT_THAT(runbook_from_json(j).error(), HasSubstr("unknown scenario"));
  j = to_json(s);
  j["next_step"] = 99;
  EXPECT_THAT(runbook_from_json(j).error(), HasSubstr("past the end"));
}

// A runbook saved before allow_data_loss existed: only a switchover promised no data loss.
TEST(RunbookState, AnOlderStateWithoutAllowDataLossReadsItFromItsScenario) {
  for (auto [s, loss] : {std::pair{region_failover(), true}, std::pair{switchover(), false}}) {
    auto j = to_json(s);
    j["plan"].erase("allow_data_loss");
    auto back = runbook_from_json(j);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(back->plan.allow_data_loss, loss);
  }
}

}  // namespace
}  // namespace dr::core
