#include "lambda/controller_tick.h"

#include <gtest/gtest.h>

#include "lambda/world_factory.h"

namespace dr::lambda {
namespace {

struct FakeWorld : core::World,
                   core::GlobalDatabase,
                   core::Fleet,
                   core::Traffic,
                   core::Probe,
                   core::Notifier,
                   core::WriteLease {
  core::Snapshot snapshot;
  std::expected<core::Snapshot, std::string> observe() override {
    snapshot.now = core::Clock::now();
    return snapshot;
  }
  core::Backends backends() override { return {*this, *this, *this, *this, *this, *this}; }
  // The lab and AWS worlds without a lease store: the runbook skips the step.
  core::Result<std::string> take(const std::string&, core::LeaseTake) override {
    return core::fail(core::ErrorKind::kNotSupported, "no write lease");
  }
  core::Result<std::optional<std::string>> holder() override {
    return core::fail(core::ErrorKind::kNotSupported, "no write lease");
  }
  core::Result<> fence_writer(const core::DatabaseMove&) override { return {}; }
  core::Result<std::string> fail_over(const core::DatabaseMove&, bool) override {
    return std::string();
  }
  core::Result<std::string> switch_over(const core::DatabaseMove&) override {
    return std::string();
  }
  core::Result<> set_capacity(const std::string&, int, int, int) override { return {}; }
  core::Result<> fence_apps(const std::string&, const std::string&) override { return {}; }
  core::Result<> unfence_apps(const std::string&) override { return {}; }
  core::Result<> shift_to(const std::string&) override { return {}; }
  core::Result<> verify_write(const std::string&) override { return {}; }
  void notify(const std::string&) override {}
};

struct MemoryStore : core::StateStore {
  std::optional<core::RunbookState> runbook;
  core::Guards guards;
  int loads = 0;
  core::Result<> save(const core::RunbookState& s) override {
    runbook = s;
    return {};
  }
  std::expected<std::optional<core::RunbookState>, std::string> load_runbook() override {
    ++loads;
    return runbook;
  }
  std::expected<core::Guards, std::string> load_guards() override { return guards; }
  std::expected<void, std::string> set_automatic_failover(bool on) override {
    guards.automatic_failover_enabled = on;
    return {};
  }
  std::expected<void, std::string> require_ack(const std::string& id) override {
    guards.unacknowledged_failover = id;
    return {};
  }
  std::expected<void, std::string> acknowledge(const std::string&) override { return {}; }
  std::expected<void, std::string> remember_primary_capacity(int desired) override {
    guards.primary_capacity = desired;
    return {};
  }
};

core::Observation seen(std::string name, core::Health h, bool witness = false) {
  return {std::move(name), witness, h, h, core::Health::kHealthy, false};
}

const Metric* find(const TickOutcome& o, const std::string& name) {
  for (const auto& m : o.metrics)
    if (m.name == name) return &m;
  return nullptr;
}

TEST(LambdaControllerTick, HealthyWorldGivesProbeMetrics) {
  FakeWorld world;
  MemoryStore store;
  world.snapshot.topology = {"us-east-1", "us-west-2", "a1", "a2", "b1"};
  world.snapshot.observations = {seen("checker-1", core::Health::kHealthy),
                                 seen("checker-2", core::Health::kUnknown),
                                 seen("witness", core::Health::kHealthy, true)};
  world.snapshot.replication = core::ReplicationView{true, 0.4};
  world.snapshot.secondary_db = core::Health::kHealthy;
  ControllerTick tick(world, store, {}, [](const std::string&) {});
  auto out = tick();
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->action, "none");
  ASSERT_TRUE(find(*out, "PrimaryWriterHealthy"));
  EXPECT_EQ(find(*out, "PrimaryWriterHealthy")->values,
            (std::vector<double>{1, 1}));  // unknown: no sample
  EXPECT_EQ(find(*out, "PrimaryAppHealthy")->values, (std::vector<double>{1, 1, 1}));
  ASSERT_TRUE(find(*out, "ReplicationLag"));
  EXPECT_EQ(find(*out, "ReplicationLag")->values, (std::vector<double>{0.4}));
  EXPECT_FALSE(find(*out, "StepDuration"));
}

TEST(LambdaControllerTick, RunbookStepsBecomeStepDurations) {
  FakeWorld world;
  MemoryStore store;
  world.snapshot.topology = {"us-east-1", "us-west-2", "a1", "a2", "b1"};
  world.snapshot.observations = {seen("checker-1", core::Health::kUnhealthy),
                                 seen("checker-2", core::Health::kUnhealthy),
                                 seen("witness", core::Health::kUnhealthy, true)};
  world.snapshot.replication = core::ReplicationView{false, std::nullopt};
  world.snapshot.secondary_db = core::Health::kHealthy;
  std::vector<std::string> events;
  controller::LoopOptions options;
  options.events = [&](const nlohmann::json& e) { events.push_back(e.value("event", "")); };
  ControllerTick tick(world, store, options, [](const std::string&) {});
  auto out = tick();
  ASSERT_TRUE(out) << out.error();
  EXPECT_NE(out->action, "none");
  ASSERT_TRUE(store.runbook && store.runbook->done) << out->reason;
  const Metric* steps = find(*out, "StepDuration");
  ASSERT_TRUE(steps);
  EXPECT_EQ(steps->values.size(), store.runbook->audit.size());
  EXPECT_EQ(steps->unit, "Milliseconds");
  // The caller's own event sink still gets every event.
  EXPECT_NE(std::find(events.begin(), events.end(), "runbook-done"), events.end());
  // The next tick starts afresh: no step durations carried over.
  auto again = tick();
  ASSERT_TRUE(again);
  EXPECT_FALSE(find(*again, "StepDuration"));
}

TEST(LambdaControllerTick, UnwiredWorldWaitsAndActsOnNothing) {
  UnwiredWorld world;
  MemoryStore store;
  ControllerTick tick(world, store, {}, [](const std::string&) {});
  auto out = tick();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->action, "wait");
  EXPECT_TRUE(out->reason.starts_with("no evidence: this runtime was started without an AWS world"))
      << out->reason;
  EXPECT_TRUE(out->metrics.empty());
  EXPECT_FALSE(store.runbook);
  // Should anything reach its ports, they refuse.
  auto b = world.backends();
  auto r = b.fleet.set_capacity("us-west-2", 0, 2, 4);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kNotSupported);
  EXPECT_FALSE(b.traffic.shift_to("us-west-2"));
  EXPECT_FALSE(b.database.fail_over({}, true));
}

}  // namespace
}  // namespace dr::lambda
