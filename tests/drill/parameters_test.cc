#include "drill/parameters.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace dr::drill {
namespace {

TEST(DrillParameters, TheDefaultsAreValid) {
  EXPECT_TRUE(validate({}));
}

TEST(DrillParameters, ANegativeProbeIntervalIsRefusedByName) {
  DrillParameters p;
  p.interval_ms = -1;
  auto v = validate(p);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), "--interval-ms must be a number between 100 and 60000, not -1");
}

TEST(DrillParameters, AZeroThresholdIsRefused) {
  DrillParameters p;
  p.threshold = 0;
  auto v = validate(p);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("--threshold"), std::string::npos) << v.error();
}

// NaN compares false with both bounds, so a "not below, not above" check lets it through.
TEST(DrillParameters, ANanRateIsRefused) {
  DrillParameters p;
  p.rate = std::numeric_limits<double>::quiet_NaN();
  auto v = validate(p);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("--rate"), std::string::npos) << v.error();
  p.rate = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(validate(p));
}

TEST(DrillParameters, TheFaultMustComeBeforeTheEnd) {
  DrillParameters p;
  p.duration_s = 5;
  p.fault_at_s = 5;
  EXPECT_FALSE(validate(p));
}

TEST(DrillParameters, ANegativeAsyncWindowIsRefused) {
  DrillParameters p;
  p.async_window_ms = -5;
  EXPECT_FALSE(validate(p));
}

}  // namespace
}  // namespace dr::drill
