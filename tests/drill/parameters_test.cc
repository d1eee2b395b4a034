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

// 250 ms probes x 3 (the default): three probes in a row must fail, the last after its 200 ms
// timeout (the witness's, the longer one): 2 x 250 + 200.
TEST(DrillParameters, TheDetectionWindowComesFromTheProbeSettings) {
  EXPECT_EQ(detection_window_ms(250, 3), 700);
  EXPECT_EQ(detection_window_ms(1000, 3), 2800);
  EXPECT_EQ(detection_window_ms(200, 3), 560);
  EXPECT_EQ(detection_window_ms(500, 1), 400);
  DrillParameters p;
  EXPECT_DOUBLE_EQ(blip_ms_of(p), 560);  // 80% of the window by default
  p.blip_ms = 650;
  EXPECT_DOUBLE_EQ(blip_ms_of(p), 650);
}

// A blip the controller could see is an outage: it is refused, naming the window.
TEST(DrillParameters, ABlipAsLongAsTheDetectionWindowIsRefused) {
  DrillParameters p;
  p.blip_ms = 700;
  auto v = validate(p);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("--blip-ms"), std::string::npos) << v.error();
  EXPECT_NE(v.error().find("700 ms"), std::string::npos) << v.error();
  p.blip_ms = -3;
  EXPECT_FALSE(validate(p));
  p.blip_ms = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(validate(p));
  p.blip_ms = 699;
  EXPECT_TRUE(validate(p));
}

TEST(DrillParameters, ABlipMustEndBeforeTheWorkload) {
  DrillParameters p;
  p.duration_s = 3.5;
  p.fault_at_s = 3;          // + 560 ms of blip: 3.56 s
  EXPECT_TRUE(validate(p));  // only the blip scenario has a blip
  auto v = validate_blip(p);
  ASSERT_FALSE(v);
  EXPECT_NE(v.error().find("--duration-s"), std::string::npos) << v.error();
  p.fault_at_s = 2;
  EXPECT_TRUE(validate_blip(p));
}

}  // namespace
}  // namespace dr::drill
