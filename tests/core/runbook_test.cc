// The runbook against recording backends: step order (fence before promote), audit, resume from
// every step after a crash, and which failures are fatal.
#include "core/runbook.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace dr::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Records every call in one log; a call named in `fail` fails.
struct World : backends::Database,
               backends::Endpoints,
               backends::Fleet,
               backends::Traffic,
               backends::Probe,
               backends::Notifier {
  std::vector<std::string> calls;
  std::set<std::string> fail;

  backends::Result<> call(const std::string& c) {
    calls.push_back(c);
    if (fail.contains(c)) return std::unexpected(c + " failed");
    return {};
  }
  backends::Result<> fence(const std::string& s) override { return call("fence " + s); }
  backends::Result<> catch_up(const std::string& t, const std::string& s,
                              std::chrono::milliseconds) override {
    return call("catch_up " + t + "<-" + s);
  }
  backends::Result<> promote(const std::string& s) override { return call("promote " + s); }
  backends::Result<> replicate_from(const std::string& r, const std::string& p) override {
    return call("replicate " + r + "<-" + p);
  }
  backends::Result<double> lag_seconds(const std::string&) override { return 0.0; }
  backends::Result<> repoint_writer(const std::string& r, const std::string& s) override {
    return call("writer " + r + "->" + s);
  }
  backends::Result<> repoint_reader(const std::string& r, const std::string& s) override {
    return call("reader " + r + "->" + s);
  }
  backends::Result<> set_capacity(const std::string& r, int, int d, int) override {
    return call("capacity " + r + "=" + std::to_string(d));
  }
  backends::Result<> fence_apps(const std::string& r, const std::string&) override {
    return call("fence_apps " + r);
  }
  backends::Result<> unfence_apps(const std::string& r) override {
    return call("unfence_apps " + r);
  }
  backends::Result<> shift_to(const std::string& r) override { return call("traffic->" + r); }
  backends::Result<> verify_write(const std::string& r) override { return call("verify " + r); }
  void notify(const std::string& e) override { calls.push_back("notify " + e.substr(0, 28)); }
};

struct MemoryStore : RunbookStore {
  std::vector<nlohmann::json> saved;
  std::expected<void, std::string> save(const RunbookState& s) override {
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

class RunbookTest : public ::testing::Test {
 protected:
  Runbook runbook() {
    return Runbook(Backends{world, world, world, world, world, world}, store, [this] {
      now += std::chrono::milliseconds(7);
      return now;
    });
  }
  World world;
  MemoryStore store;
  TimePoint now{};
};

TEST_F(RunbookTest, ARegionFailoverFencesBeforeItPromotesAndMovesTrafficLast) {
  RunbookState done = runbook().run(region_failover());
  EXPECT_TRUE(done.done);
  EXPECT_TRUE(done.last_error.empty());
  EXPECT_THAT(world.calls,
              ElementsAre("fence_apps us-east-1", "fence a1", "catch_up b1<-a2", "promote b1",
                          "replicate a2<-b1", "writer us-east-1->b1", "writer us-west-2->b1",
                          "unfence_apps us-west-2", "capacity us-west-2=2", "traffic->us-west-2",
                          "verify us-west-2", "notify {\"event\":\"failover-complete\""));
  ASSERT_EQ(done.audit.size(), 9u);
  EXPECT_EQ(done.audit[0].name, "fence_old_primary");
  EXPECT_EQ(done.audit[0].duration_ms, 7);
  EXPECT_EQ(store.saved.size(), 9u) << "progress is saved after every step";
}

TEST_F(RunbookTest, AnUnreachableOldPrimaryIsSkippedNotFatal) {
  world.fail = {"fence a1", "fence_apps us-east-1", "catch_up b1<-a2", "replicate a2<-b1",
                "writer us-east-1->b1"};
  RunbookState done = runbook().run(region_failover());
  EXPECT_TRUE(done.done) << done.last_error;
  EXPECT_THAT(done.audit[0].outcome, HasSubstr("skipped: a1 unreachable"));
  EXPECT_THAT(done.audit[1].outcome, HasSubstr("skipped: catch_up b1<-a2 failed"));
  EXPECT_THAT(done.audit[3].outcome, HasSubstr("skipped: a2"));
  EXPECT_THAT(done.audit[4].outcome, HasSubstr("skipped: us-east-1"));
}

TEST_F(RunbookTest, AFailedPromotionStopsTheRunbookAtThatStep) {
  world.fail = {"promote b1"};
  RunbookState stopped = runbook().run(region_failover());
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(steps_for(Scenario::kRegionFailover)[stopped.next_step], "promote");
  EXPECT_EQ(stopped.last_error, "promote: promote b1 failed");
  EXPECT_EQ(std::count(world.calls.begin(), world.calls.end(), "traffic->us-west-2"), 0)
      << "traffic must not move to a region whose database was not promoted";
  world.fail.clear();
  world.calls.clear();
  RunbookState resumed = runbook().run(stopped);
  EXPECT_TRUE(resumed.done);
  EXPECT_EQ(world.calls.front(), "promote b1");
}

TEST_F(RunbookTest, AStaleSurvivingWriterEndpointIsFatalForAnAzFailover) {
  RunbookState s = region_failover();
  s.plan.scenario = Scenario::kAzFailover;
  s.plan.new_writer = "a2";
  world.fail = {"writer us-east-1->a2"};
  RunbookState stopped = runbook().run(s);
  EXPECT_FALSE(stopped.done);
  EXPECT_THAT(stopped.last_error, HasSubstr("repoint us-east-1"));
}

TEST_F(RunbookTest, ASwitchoverFencesTheDatabaseButNotTheApps) {
  RunbookState s = region_failover();
  s.plan.scenario = Scenario::kSwitchover;
  RunbookState done = runbook().run(s);
  EXPECT_TRUE(done.done);
  EXPECT_EQ(world.calls.front(), "fence a1");
  EXPECT_EQ(std::count(world.calls.begin(), world.calls.end(), "fence_apps us-east-1"), 0);
}

TEST_F(RunbookTest, TrafficReturnsOnlyToARegionWhoseAppsAreUnfenced) {
  // A failback is a switchover back to the region a failover fenced.
  RunbookState s = region_failover();
  s.plan.scenario = Scenario::kSwitchover;
  RunbookState done = runbook().run(s);
  EXPECT_TRUE(done.done);
  auto at = [&](const std::string& c) {
    return std::find(world.calls.begin(), world.calls.end(), c) - world.calls.begin();
  };
  EXPECT_LT(at("unfence_apps us-west-2"), at("traffic->us-west-2"));

  world.calls.clear();
  world.fail = {"unfence_apps us-west-2"};
  RunbookState stopped = runbook().run(region_failover());
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(steps_for(Scenario::kRegionFailover)[stopped.next_step], "scale_standby");
  EXPECT_EQ(std::count(world.calls.begin(), world.calls.end(), "traffic->us-west-2"), 0);
}

TEST_F(RunbookTest, ASwitchoverStopsWhenItCannotFenceTheWriter) {
  RunbookState s = region_failover();
  s.plan.scenario = Scenario::kSwitchover;
  world.fail = {"fence a1"};
  RunbookState stopped = runbook().run(s);
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(stopped.last_error, "fence_old_primary: fence a1 failed");
  EXPECT_EQ(std::count(world.calls.begin(), world.calls.end(), "promote b1"), 0);
}

TEST_F(RunbookTest, ASwitchoverStopsWhenItCannotCatchUp) {
  RunbookState s = region_failover();
  s.plan.scenario = Scenario::kSwitchover;
  world.fail = {"catch_up b1<-a2"};
  RunbookState stopped = runbook().run(s);
  EXPECT_FALSE(stopped.done);
  EXPECT_EQ(stopped.last_error, "catch_up: catch_up b1<-a2 failed");
  EXPECT_EQ(std::count(world.calls.begin(), world.calls.end(), "promote b1"), 0);
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
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(resumed.audit[i].name, steps[i]);
}

INSTANTIATE_TEST_SUITE_P(Runbook, ResumeFromEveryStep, ::testing::Range<size_t>(0, 8));

TEST(RunbookState, RoundTripsThroughJsonAndRejectsGarbage) {
  RunbookState s = region_failover();
  s.next_step = 3;
  s.audit.push_back({"fence_old_primary", 1, 2, "ok"});
  auto back = runbook_from_json(to_json(s));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(to_json(*back), to_json(s));
  EXPECT_FALSE(runbook_from_json(nlohmann::json::parse(R"({"plan":{}})")));
  auto j = to_json(s);
  j["plan"]["scenario"] = "reboot";
  EXPECT_THAT(runbook_from_json(j).error(), HasSubstr("unknown scenario"));
  j = to_json(s);
  j["next_step"] = 99;
  EXPECT_THAT(runbook_from_json(j).error(), HasSubstr("past the end"));
}

}  // namespace
}  // namespace dr::core
