#include "core/observer.h"

#include <gtest/gtest.h>

namespace dr::core {
namespace {

TEST(Observer, SummarisesEachTargetsCheckerAndFlagsPendingChanges) {
  Observer o("checker-1", false, {3, 1});
  o.record(Target::kWriter, true);
  o.record(Target::kAzStandby, true);
  o.record(Target::kApp, true);
  Observation healthy = o.observation();
  EXPECT_EQ(healthy.writer, Health::kHealthy);
  EXPECT_FALSE(healthy.pending);
  EXPECT_EQ(o.record(Target::kWriter, false), HealthTransition::kChangePending);
  Observation pending = o.observation();
  EXPECT_EQ(pending.writer, Health::kHealthy);
  EXPECT_TRUE(pending.pending);
  o.record(Target::kWriter, false);
  o.record(Target::kWriter, false);
  Observation down = o.observation();
  EXPECT_EQ(down.writer, Health::kUnhealthy);
  EXPECT_EQ(down.app, Health::kHealthy);
  EXPECT_FALSE(down.witness);
  EXPECT_EQ(down.observer, "checker-1");
}

}  // namespace
}  // namespace dr::core

namespace dr::core {
namespace {

TEST(ObservationJson, RoundTripsAndRejectsBadHealth) {
  Observation o{"witness", true, Health::kUnhealthy, Health::kHealthy, Health::kUnknown, true};
  auto back = observation_from_json(to_json(o));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->writer, Health::kUnhealthy);
  EXPECT_TRUE(back->witness);
  EXPECT_TRUE(back->pending);
  auto j = to_json(o);
  j["writer"] = "sideways";
  EXPECT_FALSE(observation_from_json(j));
  EXPECT_FALSE(observation_from_json(nlohmann::json::array()));
}

}  // namespace
}  // namespace dr::core
