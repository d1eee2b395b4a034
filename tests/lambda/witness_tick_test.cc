// The witness's round as the handler's tick: the reason names whom it probed, what answered and
// the vote (the handler logs a line when it changes); a failed round is a failed tick.
#include "lambda/witness_tick.h"

#include <gtest/gtest.h>

namespace dr::lambda {
namespace {

backends::aws_world::WitnessRound round_of(bool health, bool deep, core::Health writer) {
  backends::aws_world::WitnessRound r;
  r.primary_region = "us-east-1";
  r.writer = "dr-app-us-east-1";
  r.health_ok = health;
  r.deep_ok = deep;
  r.observation.witness = true;
  r.observation.writer = writer;
  r.observation.app = core::Health::kHealthy;
  r.observation.pending = writer == core::Health::kHealthy && !deep;
  return r;
}

TEST(LambdaWitnessTick, TheReasonSaysWhomItProbedWhatAnsweredAndTheVote) {
  auto tick = witness_tick([] { return round_of(true, false, core::Health::kHealthy); });
  auto out = tick();
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->action, "vote");
  EXPECT_EQ(out->reason,
            "us-east-1 (writer dr-app-us-east-1): /health ok, /health/deep failed; writer "
            "healthy, app healthy (a change pending)");
  ASSERT_EQ(out->metrics.size(), 2u);
  EXPECT_EQ(out->metrics[0].name, "WitnessHealthProbe");
  EXPECT_EQ(out->metrics[0].values, std::vector<double>{1.0});
  EXPECT_EQ(out->metrics[1].name, "WitnessDeepProbe");
  EXPECT_EQ(out->metrics[1].values, std::vector<double>{0.0});
}

TEST(LambdaWitnessTick, AFailedRoundIsAFailedTick) {
  auto tick = witness_tick([]() -> std::expected<backends::aws_world::WitnessRound, std::string> {
    return std::unexpected("global cluster dr-app-global not found");
  });
  auto out = tick();
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error(), "global cluster dr-app-global not found");
}

}  // namespace
}  // namespace dr::lambda
