// The DR budget model shared with the controller: pure arithmetic over configured timings.
#include "infra/dr_budget.h"

#include <gtest/gtest.h>

namespace dr::infra {
namespace {

TEST(DrBudget, WorstCaseIsDetectionPlusDecisionPlusPromotionPlusTtlForAWarmStandby) {
  DrTimings t;  // 10 s x 3, 60 s controller, 120 s promotion, warm standby, 60 s TTL
  DrBudget b = dr_budget(t);
  EXPECT_EQ(b.worst_case_rto_s, 30 + 60 + 120 + 0 + 60);
  EXPECT_TRUE(b.meets_rto());
  ASSERT_EQ(b.steps.size(), 5u);
  EXPECT_EQ(b.steps[0].name, "detect");
  EXPECT_EQ(b.steps[0].seconds, 30);
}

TEST(DrBudget, APilotLightStandbyPaysForInstanceLaunchOnTheRtoPath) {
  DrTimings t;
  t.standby_capacity = 0;
  t.instance_ready_s = 300;
  EXPECT_EQ(dr_budget(t).worst_case_rto_s, 270 + 300);
}

TEST(DrBudget, FailsWhenTheConfigurationCannotMeetItsOwnTarget) {
  DrTimings t;
  t.health_check_interval_s = 30;
  t.health_check_failure_threshold = 10;
  t.dns_ttl_s = 600;
  t.rto_target_s = 900;
  DrBudget b = dr_budget(t);
  EXPECT_EQ(b.worst_case_rto_s, 300 + 60 + 120 + 0 + 600);
  EXPECT_FALSE(b.meets_rto());
  EXPECT_NE(b.summary().find("> target 900 s"), std::string::npos) << b.summary();
}

TEST(DrBudget, MeetsATargetExactlyEqualToTheWorstCase) {
  DrTimings t;
  t.rto_target_s = 270;
  EXPECT_TRUE(dr_budget(t).meets_rto());
  t.rto_target_s = 269;
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
