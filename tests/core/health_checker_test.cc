#include "core/health_checker.h"

#include <gtest/gtest.h>

namespace dr::core {
namespace {

TEST(HealthChecker, StartsUnknownAndBecomesHealthyAfterAFullStreak) {
  HealthChecker c(3, 2);
  EXPECT_EQ(c.state(), Health::kUnknown);
  EXPECT_EQ(c.record(true), HealthTransition::kChangePending);
  EXPECT_EQ(c.state(), Health::kUnknown);
  EXPECT_EQ(c.record(true), HealthTransition::kChanged);
  EXPECT_EQ(c.state(), Health::kHealthy);
}

TEST(HealthChecker, OneFailedProbeOnlyMakesAChangePending) {
  HealthChecker c(3, 1);
  c.record(true);
  EXPECT_EQ(c.record(false), HealthTransition::kChangePending);
  EXPECT_TRUE(c.pending());
  EXPECT_EQ(c.state(), Health::kHealthy);
  EXPECT_EQ(c.record(false), HealthTransition::kChangePending);
  EXPECT_EQ(c.record(false), HealthTransition::kChanged);
  EXPECT_EQ(c.state(), Health::kUnhealthy);
  EXPECT_FALSE(c.pending());
}

TEST(HealthChecker, ASuccessInTheMiddleResetsTheFailureStreak) {
  HealthChecker c(3, 1);
  c.record(true);
  c.record(false);
  c.record(false);
  EXPECT_EQ(c.record(true), HealthTransition::kUnchanged);
  EXPECT_FALSE(c.pending());
  c.record(false);
  c.record(false);
  EXPECT_EQ(c.state(), Health::kHealthy) << "two failures after the reset are not three";
}

TEST(HealthChecker, RecoveryNeedsTheSuccessThreshold) {
  HealthChecker c(1, 2);
  c.record(false);
  EXPECT_EQ(c.state(), Health::kUnhealthy);
  EXPECT_EQ(c.record(true), HealthTransition::kChangePending);
  EXPECT_EQ(c.record(false), HealthTransition::kUnchanged);
  EXPECT_EQ(c.record(true), HealthTransition::kChangePending);
  EXPECT_EQ(c.record(true), HealthTransition::kChanged);
  EXPECT_EQ(c.state(), Health::kHealthy);
}

}  // namespace
}  // namespace dr::core
