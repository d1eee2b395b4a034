// Every decision of the controller, with the reason it gives, from hand-built snapshots.
#include "core/decision.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace dr::core {
namespace {

using ::testing::HasSubstr;

Observation healthy(std::string name, bool witness = false) {
  return {std::move(name), witness, Health::kHealthy, Health::kHealthy, Health::kHealthy, false};
}

class Decide : public ::testing::Test {
 protected:
  Decide() {
    s.topology = {"us-east-1", "us-west-2", "a1", "a2", "b1"};
    s.observations = {healthy("checker-1"), healthy("checker-2"), healthy("checker-3"),
                      healthy("witness", true)};
    s.replication = ReplicationView{true, 0.0};
    s.secondary_db = Health::kHealthy;
  }
  Observation& checker(int i) { return s.observations[static_cast<size_t>(i)]; }
  Observation& witness() { return s.observations.back(); }
  void all(Health Observation::*target, Health h) {
    for (auto& o : s.observations) o.*target = h;
  }
  Snapshot s;
};

TEST_F(Decide, DoesNothingWhenThePrimaryIsHealthy) {
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kNone);
  EXPECT_EQ(d.reason, "primary region us-east-1 is healthy");
}

// A lease that ran out with nothing failing over (the store's quorum gone longer than the TTL)
// would leave the healthy primary refusing every write: the controller gives it back.
TEST_F(Decide, AHealthyPrimaryWithoutTheWriteLeaseTakesItBack) {
  s.write_lease_free = true;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kRetakeLease);
  EXPECT_EQ(d.reason,
            "primary region us-east-1 is healthy, but nobody holds the write lease (it ran out "
            "unrenewed): giving it back to us-east-1");
}

TEST_F(Decide, AFreeLeaseIsNotTakenBackWhileAutomaticFailoverIsDisabled) {
  s.write_lease_free = true;
  s.guards.automatic_failover_enabled = false;
  EXPECT_EQ(tick(s).action, Action::kNone) << "the operator has the controls";
}

// Only a healthy primary gets it back: one failing (the lease ran out because the region is cut
// off) is the runbook's, which takes it for the region it moves to; a pending change waits.
TEST_F(Decide, AFreeLeaseIsNotGivenBackWhileThePrimaryFailsOrARunbookRuns) {
  s.write_lease_free = true;
  checker(0).pending = true;
  checker(1).pending = true;
  EXPECT_EQ(tick(s).action, Action::kWait);
  checker(0).pending = checker(1).pending = false;
  all(&Observation::writer, Health::kUnhealthy);
  all(&Observation::az_standby, Health::kUnhealthy);
  s.replication->connected_to_writer = false;
  EXPECT_EQ(tick(s).action, Action::kRegionFailover);
  s.runbook = RunbookInProgress{"fo-1", "region-failover", "take_write_lease", ""};
  EXPECT_EQ(tick(s).action, Action::kResumeRunbook);
}

TEST_F(Decide, WaitsWhileAChangeIsOnlyPending) {
  checker(0).pending = true;
  checker(1).pending = true;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("2 of 3 checkers have a change pending"));
}

TEST_F(Decide, OneObserverAloneNeverPromotes) {
  checker(0).writer = Health::kUnhealthy;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("no majority"));
}

// Aurora moves the writer inside its region itself: the controller only observes, and does not
// throw that move away with a global failover.
TEST_F(Decide, LeavesTheInRegionFailoverToAuroraWhenOnlyTheWriterDied) {
  all(&Observation::writer, Health::kUnhealthy);
  s.replication->connected_to_writer = false;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("a2 in us-east-1 is up: Aurora's in-region failover moves the "
                                  "writer there; observing"));
}

TEST_F(Decide, FailsTheRegionOverWhenBothPrimaryDatabasesAreDown) {
  all(&Observation::writer, Health::kUnhealthy);
  all(&Observation::az_standby, Health::kUnhealthy);
  s.replication->connected_to_writer = false;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kRegionFailover);
  EXPECT_THAT(d.reason, HasSubstr("failing over to us-west-2"));
}

TEST_F(Decide, WithoutTheSecondarysReplicationStatusItDoesNotFailOver) {
  all(&Observation::writer, Health::kUnhealthy);
  all(&Observation::az_standby, Health::kUnhealthy);
  s.replication.reset();
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("cannot say whether it still replicates"));
}

TEST_F(Decide, DoesNotFailOverWhenTheWitnessStillReachesTheWriter) {
  all(&Observation::writer, Health::kUnhealthy);
  witness().writer = Health::kHealthy;
  s.replication->connected_to_writer = false;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("the witness reaches it"));
}

TEST_F(Decide, WaitsForTheWitnessVerdict) {
  all(&Observation::writer, Health::kUnhealthy);
  witness().writer = Health::kUnknown;
  EXPECT_THAT(tick(s).reason, HasSubstr("witness has no verdict"));
}

TEST_F(Decide, DoesNotFailOverWhileTheSecondaryStillReplicatesFromTheWriter) {
  all(&Observation::writer, Health::kUnhealthy);
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("b1 still replicates from it"));
}

TEST_F(Decide, MovesOnlyTrafficWhenTheAppTierFailsAndTheDatabasesAreHealthy) {
  all(&Observation::app, Health::kUnhealthy);
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kAppRegionFailover);
  EXPECT_THAT(d.reason, HasSubstr("the database stays"));
}

// A region dying process by process: its apps first, its writer a moment later. With the app
// tier's verdict in and the writer's still on its way, moving only the traffic would strand the
// database in the dead region (and its acknowledgement would block the region failover).
TEST_F(Decide, MovesNoTrafficWhileTheWritersVerdictIsStillPending) {
  all(&Observation::app, Health::kUnhealthy);
  checker(0).pending = true;
  checker(1).pending = true;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_THAT(d.reason, HasSubstr("2 of them have a change pending: waiting for the databases'"));
  checker(0).pending = checker(1).pending = false;  // the writer stayed healthy: app tier only
  EXPECT_EQ(tick(s).action, Action::kAppRegionFailover);
}

TEST_F(Decide, AppFailureNeedsTheWitnessToo) {
  for (int i = 0; i < 3; ++i) checker(i).app = Health::kUnhealthy;
  EXPECT_EQ(tick(s).action, Action::kWait);
}

TEST_F(Decide, RefusesASecondAutomaticFailoverUntilAcknowledged) {
  all(&Observation::writer, Health::kUnhealthy);
  all(&Observation::az_standby, Health::kUnhealthy);
  s.replication->connected_to_writer = false;
  s.guards.unacknowledged_failover = "fo-20261125-1";
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_THAT(d.reason, HasSubstr("run `drctl ack fo-20261125-1`"));
}

TEST_F(Decide, TheDisableSwitchBlocksAutomaticFailoverAndNamesTheManualCommand) {
  all(&Observation::app, Health::kUnhealthy);
  s.guards.automatic_failover_enabled = false;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_THAT(d.reason, HasSubstr("drctl failover --to us-west-2 --force"));
}

TEST_F(Decide, RefusesToPromoteAnUnhealthySecondary) {
  all(&Observation::writer, Health::kUnhealthy);
  all(&Observation::az_standby, Health::kUnhealthy);
  s.replication.reset();
  s.secondary_db = Health::kUnhealthy;
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kBlocked);
  EXPECT_THAT(d.reason, HasSubstr("nothing to promote"));
}

TEST_F(Decide, ARunbookAnotherProcessIsRunningIsLeftAloneAndNothingElseStarts) {
  all(&Observation::writer, Health::kUnhealthy);
  all(&Observation::az_standby, Health::kUnhealthy);
  s.replication.reset();
  s.runbook = RunbookInProgress{"fo-9", "region-failover", "promote", "cli-4242"};
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kWait);
  EXPECT_EQ(d.reason,
            "runbook fo-9 (region-failover) is being run by cli-4242, now at promote: "
            "waiting for it");
}

TEST_F(Decide, AnInterruptedRunbookIsResumedFirst) {
  s.runbook = RunbookInProgress{"fo-1", "region-failover", "promote", ""};
  Decision d = tick(s);
  EXPECT_EQ(d.action, Action::kResumeRunbook);
  EXPECT_EQ(d.reason, "runbook fo-1 (region-failover) was interrupted: resuming at promote");
}

}  // namespace
}  // namespace dr::core
