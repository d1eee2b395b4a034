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

// A round every second against a silent ALB: with Route 53's 4 s timeout each round would take
// 4 s, and the witness would vote the writer down 12 s after the controller's checkers (3 x 1 s)
// did. Its probes fit its round, as the checkers' fit the controller's tick.
TEST(LambdaWitnessTick, ProbesFitTheRound) {
  WitnessConfig c;
  c.primary_region = "us-east-1";
  c.secondary_region = "us-west-2";
  c.state_table = "dr-controller";
  c.global_cluster_id = "dr-app-global";
  c.primary_app_url = "https://alb-1.example.com";
  c.secondary_app_url = "https://alb-2.example.com";
  c.tick_interval = std::chrono::seconds(1);
  auto o = witness_options(c);
  EXPECT_EQ(o.probe_timeout, std::chrono::seconds(1));
  EXPECT_EQ(o.alb_urls.at("us-east-1"), "https://alb-1.example.com");
  EXPECT_EQ(o.state_table, "dr-controller");
  c.tick_interval = std::chrono::seconds(10);
  EXPECT_EQ(witness_options(c).probe_timeout, std::chrono::seconds(4)) << "Route 53's, at most";
}

}  // namespace
}  // namespace dr::lambda
