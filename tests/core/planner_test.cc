#include "core/planner.h"

#include <gtest/gtest.h>

namespace dr::core {
namespace {

Snapshot snapshot(Health standby) {
  Snapshot s;
  s.topology = {"us-east-1", "us-west-2", "a1", "a2", "b1"};
  for (int i = 0; i < 3; ++i)
    s.observations.push_back(
        {"c" + std::to_string(i), false, Health::kUnhealthy, standby, Health::kHealthy, false});
  return s;
}

TEST(Planner, ARegionFailoverCatchesUpFromALiveStandbyOnly) {
  auto live = plan_for({Action::kRegionFailover, ""}, snapshot(Health::kHealthy), {"fo-2", 2});
  ASSERT_TRUE(live);
  EXPECT_EQ(live->new_writer, "b1");
  EXPECT_EQ(live->catch_up_source, "a2");
  auto dead = plan_for({Action::kRegionFailover, ""}, snapshot(Health::kUnhealthy), {"fo-3", 2});
  ASSERT_TRUE(dead);
  EXPECT_TRUE(dead->allow_data_loss) << "an unplanned failover promotes what it has";
  EXPECT_EQ(dead->catch_up_source, "");
  EXPECT_TRUE(dead->followers.empty());
  EXPECT_EQ(dead->to_region, "us-west-2");
}

TEST(Planner, AnAppRegionFailoverLeavesTheWriterAlone) {
  auto p = plan_for({Action::kAppRegionFailover, ""}, snapshot(Health::kHealthy), {"fo-4", 3});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->new_writer, "a1");
  EXPECT_EQ(p->standby_capacity, 3);
  EXPECT_FALSE(plan_for({Action::kWait, ""}, snapshot(Health::kHealthy), {"x", 2}));
}

TEST(Planner, ASwitchoverCatchesUpFromTheFencedWriterAndKeepsItAsAFollower) {
  Topology t{"us-east-1", "us-west-2", "a1", "a2", "b1"};
  RunbookPlan p = switchover_plan(t, {"so-1", 2});
  EXPECT_EQ(p.catch_up_source, "a1");
  EXPECT_EQ(p.followers, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(steps_for(p.scenario).front(), Step::kFenceOldWriter);
  EXPECT_FALSE(p.allow_data_loss) << "a planned move stops rather than lose a write";
}

}  // namespace
}  // namespace dr::core
