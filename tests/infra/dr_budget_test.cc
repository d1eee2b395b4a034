// The DR budget model shared with the controller: pure arithmetic over configured timings.
#include "infra/dr_budget.h"

#include <gtest/gtest.h>

namespace dr::infra {
namespace {

TEST(DrBudget, DefaultsFailOverWithinTwoMinutes) {
  // 10 s x 3; a 10 s tick inside invocations of up to 55 s started every minute (a 5 s gap);
  // 60 s promotion; warm standby; a 60 s TTL that drains while the controller decides and the
  // database promotes.
  DrTimings t;
  DrBudget b = dr_budget(t);
  EXPECT_EQ(b.worst_case_rto_s, 30 + 15 + 60 + 0 + 0);
  EXPECT_LE(b.worst_case_rto_s, 120);
  ASSERT_EQ(b.steps.size(), 5u);
  EXPECT_EQ(b.steps[0].name, "detect");
  EXPECT_EQ(b.steps[0].seconds, 30);
  EXPECT_EQ(b.steps[1].name, "decide");
  EXPECT_EQ(b.steps[1].seconds, 5 + 10);
  EXPECT_EQ(b.steps[4].name, "traffic");
  EXPECT_EQ(b.steps[4].seconds, 0);
}

TEST(DrBudget, OnlyTheTtlThatOutlastsDecideAndPromoteIsOnThePath) {
  // Route 53 switches the record at detection; caches drain meanwhile.
  DrTimings t;
  t.dns_ttl_s = 300;
  EXPECT_EQ(dr_budget(t).steps[4].seconds, 300 - (15 + 60));
  EXPECT_EQ(dr_budget(t).worst_case_rto_s, 30 + 15 + 60 + 0 + 225);
  t.dns_ttl_s = 75;  // exactly decide + promote
  EXPECT_EQ(dr_budget(t).steps[4].seconds, 0);
}

TEST(DrBudget, AScheduleLongerThanAnInvocationLeavesAGapWithNoController) {
  DrTimings t;
  t.controller_period_s = 300;  // every 5 minutes, each invocation runs up to 55 s
  DrBudget b = dr_budget(t);
  EXPECT_EQ(b.steps[1].seconds, 245 + 10);
  EXPECT_NE(b.steps[1].why.find("gap"), std::string::npos);
}

TEST(DrBudget, APilotLightStandbyPaysForInstanceLaunchOnTheRtoPath) {
  DrTimings t;
  t.standby_capacity = 0;
  t.instance_ready_s = 300;
  EXPECT_EQ(dr_budget(t).worst_case_rto_s, 105 + 300);
}

TEST(DrBudget, FailsWhenTheConfigurationCannotMeetItsOwnTarget) {
  DrTimings t;
  t.health_check_interval_s = 30;
  t.health_check_failure_threshold = 10;
  t.dns_ttl_s = 1000;
  t.rto_target_s = 900;
  DrBudget b = dr_budget(t);
  EXPECT_EQ(b.worst_case_rto_s, 300 + 15 + 60 + 0 + (1000 - 75));
  EXPECT_FALSE(b.meets_rto());
  EXPECT_NE(b.summary().find("> target 900 s"), std::string::npos) << b.summary();
}

TEST(DrBudget, MeetsATargetExactlyEqualToTheWorstCase) {
  DrTimings t;
  t.rto_target_s = 105;
  EXPECT_TRUE(dr_budget(t).meets_rto());
  t.rto_target_s = 104;
  EXPECT_FALSE(dr_budget(t).meets_rto());
}

TEST(DrBudget, AReplicationLagAlarmAboveTheRpoTargetFails) {
  DrTimings t;
  t.replication_lag_alarm_s = 301;
  t.rpo_target_s = 300;
  EXPECT_FALSE(dr_budget(t).meets_rpo());
  t.replication_lag_alarm_s = 300;
  EXPECT_TRUE(dr_budget(t).meets_rpo());
}

}  // namespace
}  // namespace dr::infra
