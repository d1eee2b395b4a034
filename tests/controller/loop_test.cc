// The controller loop against a fake world and an in-memory state store with the DynamoDB
// store's lease rule: it leaves a runbook another process holds alone, resumes one whose holder
// died, survives a crash in the middle of a runbook, and logs a decision only when it changes.
#include "controller/loop.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace dr::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

int64_t unix_ms(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Evidence from a script, and ports that record what they are asked to do.
struct FakeWorld : core::World,
                   core::GlobalDatabase,
                   core::Fleet,
                   core::Traffic,
                   core::Probe,
                   core::Notifier,
                   core::WriteLease {
  core::Snapshot snapshot;
  std::vector<std::string> calls;
  std::map<std::string, int> desired_capacity;  // what set_capacity asked for, per region

  std::optional<std::string> observe_error;  // set: observe() fails with it
  std::expected<core::Snapshot, std::string> observe() override {
    if (observe_error) return std::unexpected(*observe_error);
    return snapshot;
  }
  core::Backends backends() override { return {*this, *this, *this, *this, *this, *this}; }
  // Unset: the lab and AWS worlds without a lease store (the runbook skips the step).
  std::optional<core::Result<std::string>> lease_take;
  core::Result<std::string> take(const std::string& r, core::LeaseTake how) override {
    if (!lease_take) return core::fail(core::ErrorKind::kNotSupported, "no write lease");
    calls.push_back("lease " + r +
                    (how == core::LeaseTake::kHandOver      ? " hand-over"
                     : how == core::LeaseTake::kAfterExpiry ? " after-expiry"
                                                            : " if-free"));
    return *lease_take;
  }
  // The loop reads the lease only through the snapshot (write_lease_free).
  core::Result<std::optional<std::string>> holder() override {
    return core::fail(core::ErrorKind::kNotSupported, "no write lease");
  }

  core::Result<> fence_writer(const core::DatabaseMove& m) override {
    calls.push_back("fence " + m.old_writer);
    return {};
  }
  core::Result<std::string> fail_over(const core::DatabaseMove& m, bool) override {
    calls.push_back("fail_over " + m.new_writer);
    return std::string();
  }
  core::Result<std::string> switch_over(const core::DatabaseMove& m) override {
    calls.push_back("switch_over " + m.new_writer);
    return std::string();
  }
  core::Result<> set_capacity(const std::string& r, int, int desired, int) override {
    calls.push_back("capacity " + r);
    desired_capacity[r] = desired;
    return {};
  }
  core::Result<> fence_apps(const std::string& r, const std::string&) override {
    calls.push_back("fence_apps " + r);
    return {};
  }
  core::Result<> unfence_apps(const std::string& r) override {
    calls.push_back("unfence_apps " + r);
    return {};
  }
  core::Result<> shift_to(const std::string& r) override {
    calls.push_back("traffic " + r);
    return {};
  }
  core::Result<> verify_write(const std::string& r) override {
    calls.push_back("verify " + r);
    return {};
  }
  void notify(const std::string&) override { calls.push_back("notify"); }
};

// A process death right after a save (what SIGKILL at that moment leaves behind).
struct Crash {};

// The DynamoDB store's rules in memory: a save is refused while another owner's lease on an
// unfinished runbook holds.
struct MemoryStore : core::StateStore {
  std::function<int64_t()> now_ms;
  std::optional<core::RunbookState> runbook;
  core::Guards guards;
  int crash_after_saves = -1;  // >= 0: the process dies after that many more saves

  core::Result<> save(const core::RunbookState& s) override {
    if (runbook && !runbook->done && runbook->owner != s.owner &&
        runbook->lease_until_ms >= now_ms())
      return core::fail(core::ErrorKind::kConflict, "runbook is held by " + runbook->owner);
    runbook = s;
    if (crash_after_saves == 0) throw Crash{};
    if (crash_after_saves > 0) --crash_after_saves;
    return {};
  }
  std::expected<std::optional<core::RunbookState>, std::string> load_runbook() override {
    auto now = runbook;
    if (on_load_runbook) on_load_runbook();
    return now;
  }
  std::function<void()> on_load_runbook;  // after the answer: what changes between two loads
  std::expected<core::Guards, std::string> load_guards() override { return guards; }
  std::expected<void, std::string> set_automatic_failover(bool on) override {
    guards.automatic_failover_enabled = on;
    return {};
  }
  std::expected<void, std::string> require_ack(const std::string& id) override {
    guards.unacknowledged_failover = id;
    return {};
  }
  std::expected<void, std::string> acknowledge(const std::string& id) override {
    if (guards.unacknowledged_failover != id) return std::unexpected("not waiting: " + id);
    guards.unacknowledged_failover.reset();
    return {};
  }
  std::expected<void, std::string> remember_primary_capacity(int desired) override {
    guards.primary_capacity = desired;
    ++capacity_writes;
    return {};
  }
  int capacity_writes = 0;
};

core::Observation seen(std::string name, core::Health writer, bool witness = false) {
  return {std::move(name), witness, writer, writer, core::Health::kHealthy, false};
}

class ControllerLoopTest : public ::testing::Test {
 protected:
  ControllerLoopTest() {
    store.now_ms = [this] { return unix_ms(now); };
    world.snapshot.topology = {"us-east-1", "us-west-2", "a1", "a2", "b1"};
    healthy();
  }
  void healthy() {
    world.snapshot.observations = {seen("checker-1", core::Health::kHealthy),
                                   seen("checker-2", core::Health::kHealthy),
                                   seen("witness", core::Health::kHealthy, true)};
    world.snapshot.replication = core::ReplicationView{true, 0.0};
    world.snapshot.secondary_db = core::Health::kHealthy;
  }
  // us-east-1's databases are down, and everyone agrees: a region failover.
  void region_down() {
    world.snapshot.observations = {seen("checker-1", core::Health::kUnhealthy),
                                   seen("checker-2", core::Health::kUnhealthy),
                                   seen("witness", core::Health::kUnhealthy, true)};
    world.snapshot.replication = core::ReplicationView{false, std::nullopt};
  }
  // One process: a loop with its own owner name.
  ControllerLoop loop(const std::string& owner, std::chrono::milliseconds heartbeat = 0ms) {
    LoopOptions o;
    o.owner = owner;
    o.lease = 15s;
    o.heartbeat = heartbeat;
    o.events = [this](const nlohmann::json& e) { events.push_back(e); };
    return ControllerLoop(
        world, store, o, [this] { return now; },
        [this](const std::string& line) { log.push_back(line); });
  }
  long decisions_logged() const {
    return std::count_if(log.begin(), log.end(),
                         [](const std::string& l) { return l.starts_with("decision "); });
  }
  // A runbook that `owner` started, saved after its first step, with a lease until `until`.
  core::RunbookState started_by(const std::string& owner, core::TimePoint until) {
    core::RunbookState s;
    s.plan.id = "fo-1";
    s.plan.scenario = core::Scenario::kRegionFailover;
    s.plan.from_region = "us-east-1";
    s.plan.to_region = "us-west-2";
    s.plan.old_writer = "a1";
    s.plan.new_writer = "b1";
    s.plan.regions = {"us-east-1", "us-west-2"};
    s.next_step = 1;
    s.audit = {{"fence_old_primary", 0, 1, "ok"}};
    s.owner = owner;
    s.lease_until_ms = unix_ms(until);
    return s;
  }

  FakeWorld world;
  MemoryStore store;
  core::TimePoint now{std::chrono::milliseconds(1'700'000'000'000)};
  std::vector<std::string> log;
  std::vector<nlohmann::json> events;
};

TEST_F(ControllerLoopTest, ARegionDownRunsTheRunbookOnceAndWaitsForAnAcknowledgement) {
  region_down();
  auto l = loop("controller-a");
  core::Decision d = l.tick();
  EXPECT_EQ(d.action, core::Action::kRegionFailover) << d.reason;
  EXPECT_THAT(world.calls, ElementsAre("fence_apps us-east-1", "fence a1", "fail_over b1",
                                       "unfence_apps us-west-2", "capacity us-west-2",
                                       "traffic us-west-2", "verify us-west-2", "notify"));
  ASSERT_TRUE(store.runbook);
  EXPECT_TRUE(store.runbook->done);
  EXPECT_EQ(store.guards.unacknowledged_failover, store.runbook->plan.id);
  world.calls.clear();
  EXPECT_EQ(l.tick().action, core::Action::kBlocked) << "no second failover before an ack";
  EXPECT_TRUE(world.calls.empty());
}

TEST_F(ControllerLoopTest, ARunbookAnotherProcessHoldsIsLeftAlone) {
  region_down();
  store.runbook = started_by("cli-42", now + 10s);
  auto l = loop("controller-a");
  core::Decision d = l.tick();
  EXPECT_EQ(d.action, core::Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("being run by cli-42"));
  EXPECT_TRUE(world.calls.empty()) << "neither resumed nor a second runbook started";
  EXPECT_EQ(store.runbook->owner, "cli-42");
  EXPECT_EQ(store.runbook->next_step, 1u);
  // An operator's action from this process is refused too, as a conflict.
  auto mine = l.run_plan(started_by("controller-a", now + 15s).plan);
  ASSERT_FALSE(mine);
  EXPECT_THAT(mine.error(), HasSubstr("conflict: runbook is held by cli-42"));
  EXPECT_TRUE(world.calls.empty());
}

TEST_F(ControllerLoopTest, ARunbookWhoseHolderDiedIsResumedWhereItStopped) {
  store.runbook = started_by("cli-42", now - 1s);  // its lease ran out: its runner died
  auto l = loop("controller-a");
  core::Decision d = l.tick();
  EXPECT_EQ(d.action, core::Action::kResumeRunbook) << d.reason;
  EXPECT_THAT(world.calls,
              ElementsAre("fail_over b1", "unfence_apps us-west-2", "capacity us-west-2",
                          "traffic us-west-2", "verify us-west-2", "notify"))
      << "the step it finished is not run again";
  EXPECT_TRUE(store.runbook->done);
  EXPECT_EQ(store.runbook->owner, "controller-a");
  EXPECT_EQ(store.runbook->audit.size(), 7u);
}

TEST_F(ControllerLoopTest, AControllerKilledMidRunbookIsResumedByTheNextOneAfterItsLease) {
  region_down();
  // The claim, fence_old_primary, take_write_lease, then promote saved: it dies.
  store.crash_after_saves = 3;
  {
    auto first = loop("controller-a");
    EXPECT_THROW(first.tick(), Crash);
  }
  ASSERT_TRUE(store.runbook);
  EXPECT_FALSE(store.runbook->done);
  EXPECT_EQ(store.runbook->next_step, 3u);
  store.crash_after_saves = -1;
  world.calls.clear();
  auto second = loop("controller-b");
  EXPECT_EQ(second.tick().action, core::Action::kWait) << "the dead one's lease still holds";
  EXPECT_TRUE(world.calls.empty());
  now += 16s;
  EXPECT_EQ(second.tick().action, core::Action::kResumeRunbook);
  EXPECT_THAT(world.calls, ElementsAre("unfence_apps us-west-2", "capacity us-west-2",
                                       "traffic us-west-2", "verify us-west-2", "notify"));
  EXPECT_TRUE(store.runbook->done);
  EXPECT_EQ(store.guards.unacknowledged_failover, store.runbook->plan.id);
}

TEST_F(ControllerLoopTest, ADecisionIsLoggedOnlyWhenItChanges) {
  auto l = loop("controller-a");
  for (int i = 0; i < 3; ++i) l.tick();
  EXPECT_EQ(decisions_logged(), 1);
  const auto decision_events = [&] {
    return std::count_if(events.begin(), events.end(),
                         [](const nlohmann::json& e) { return e["event"] == "decision"; });
  };
  EXPECT_EQ(decision_events(), 1);
  store.guards.automatic_failover_enabled = false;
  region_down();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(l.tick().action, core::Action::kBlocked);
  EXPECT_EQ(decisions_logged(), 2);
  healthy();
  l.tick();
  EXPECT_EQ(decisions_logged(), 3);
  EXPECT_EQ(decision_events(), 3);
  EXPECT_TRUE(world.calls.empty());
  // No heartbeat unless asked for: only changes are logged.
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const nlohmann::json& e) { return e["event"] == "tick"; }),
            0);
}

// A drill that the controller must ride out passes only if the controller kept ticking through
// it; between changes of decision, the heartbeat is its evidence (one `tick` event a heartbeat),
// also while it has no evidence to decide on.
TEST_F(ControllerLoopTest, AHeartbeatShowsTheLoopTickingBetweenChangesOfDecision) {
  auto l = loop("controller-a", 1s);
  const auto named = [&](const std::string& name) {
    std::vector<nlohmann::json> out;
    for (const auto& e : events)
      if (e["event"] == name) out.push_back(e);
    return out;
  };
  l.tick();  // the first decision: its event counts as a heartbeat
  ASSERT_EQ(named("decision").size(), 1u);
  EXPECT_TRUE(named("tick").empty());
  now += 400ms;
  l.tick();
  EXPECT_TRUE(named("tick").empty());
  now += 700ms;
  l.tick();
  ASSERT_EQ(named("tick").size(), 1u);
  EXPECT_EQ(named("tick")[0]["action"], "none");
  EXPECT_EQ(named("tick")[0]["time_ms"], unix_ms(now));
  now += 500ms;
  l.tick();
  EXPECT_EQ(named("tick").size(), 1u);
  world.observe_error = "the endpoint does not answer";
  now += 500ms;
  l.tick();
  ASSERT_EQ(named("tick").size(), 2u);
  EXPECT_EQ(named("tick")[1]["action"], "wait");
  EXPECT_NE(named("tick")[1]["reason"].get<std::string>().find("the endpoint does not answer"),
            std::string::npos);
  // A change of decision is logged as a decision, and restarts the heartbeat.
  world.observe_error.reset();
  now += 200ms;
  l.tick();
  EXPECT_EQ(named("decision").size(), 2u);
  now += 900ms;
  l.tick();
  EXPECT_EQ(named("tick").size(), 2u);
  now += 100ms;
  l.tick();
  EXPECT_EQ(named("tick").size(), 3u);
  EXPECT_TRUE(world.calls.empty());
}

// ARC Region switch's semantics: the standby scales to the primary's capacity, which the dead
// region cannot report any more, so the loop remembers it while the primary answers. A fleet
// seen at 0 (a fault or a fence) is not a capacity to copy, and the configured size is a floor.
TEST_F(ControllerLoopTest, AFailoverScalesTheStandbyToThePrimarysLastKnownCapacity) {
  auto l = loop("controller-a");
  world.snapshot.primary_fleet_desired = 5;
  EXPECT_EQ(l.tick().action, core::Action::kNone);
  EXPECT_EQ(store.guards.primary_capacity, 5);
  EXPECT_EQ(l.tick().action, core::Action::kNone);
  EXPECT_EQ(store.capacity_writes, 1) << "written on a change only, not every tick";
  world.snapshot.primary_fleet_desired = 0;
  l.tick();
  EXPECT_EQ(store.guards.primary_capacity, 5) << "a fleet at 0 is not remembered";
  region_down();
  world.snapshot.primary_fleet_desired.reset();  // the region no longer answers
  EXPECT_EQ(l.tick().action, core::Action::kRegionFailover);
  EXPECT_EQ(world.desired_capacity["us-west-2"], 5) << "not the configured 2";
}

TEST_F(ControllerLoopTest, TheConfiguredStandbyCapacityIsAFloor) {
  auto l = loop("controller-a");
  world.snapshot.primary_fleet_desired = 1;
  l.tick();
  region_down();
  world.snapshot.primary_fleet_desired.reset();
  EXPECT_EQ(l.tick().action, core::Action::kRegionFailover);
  EXPECT_EQ(world.desired_capacity["us-west-2"], 2);
}

TEST_F(ControllerLoopTest, AFreeLeaseIsGivenBackToTheHealthyPrimaryAndAFailedTakeIsRetried) {
  world.snapshot.write_lease_free = true;
  world.lease_take = core::fail(core::ErrorKind::kUnreachable, "write lease: no quorum");
  auto l = loop("controller-a");
  EXPECT_EQ(l.tick().action, core::Action::kRetakeLease);
  EXPECT_THAT(world.calls, ElementsAre("lease us-east-1 if-free"));
  EXPECT_THAT(log.back(), HasSubstr("could not give the write lease back to us-east-1: "));
  EXPECT_THAT(log.back(), HasSubstr("no quorum"));

  world.calls.clear();
  world.lease_take = std::string("taken by us-east-1 epoch 4; guard raised to epoch 4 on a1");
  EXPECT_EQ(l.tick().action, core::Action::kRetakeLease);
  EXPECT_THAT(world.calls, ElementsAre("lease us-east-1 if-free"))
      << "nothing else: no runbook, no failover to acknowledge";
  EXPECT_EQ(log.back(),
            "write lease given back to us-east-1: taken by us-east-1 epoch 4; guard raised to "
            "epoch 4 on a1");
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().value("event", ""), "lease-retake");
  EXPECT_EQ(events.back().value("region", ""), "us-east-1");
  EXPECT_FALSE(store.runbook);
  EXPECT_FALSE(store.guards.unacknowledged_failover);
}

// An operator's runbook that started after the tick's snapshot (which saw none) takes the lease
// for where it moves: the controller leaves it alone.
TEST_F(ControllerLoopTest, ARunbookStartedSinceTheSnapshotKeepsTheLeaseFromBeingTakenBack) {
  world.snapshot.write_lease_free = true;
  world.lease_take = std::string("taken by us-east-1 epoch 4");
  int loads = 0;
  store.on_load_runbook = [&] {
    if (++loads == 1) store.runbook = started_by("drctl-operator", now + 15s);
  };
  auto l = loop("controller-a");
  EXPECT_EQ(l.tick().action, core::Action::kRetakeLease);
  EXPECT_TRUE(world.calls.empty()) << "the lease was taken under the runbook";
}

}  // namespace
}  // namespace dr::controller
