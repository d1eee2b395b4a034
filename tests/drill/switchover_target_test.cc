// The switchover drill's target: the writer's region's other region, from the lab's status (it
// used to be us-west-2 whatever the lab said).
#include "drill/switchover_target.h"

#include <gtest/gtest.h>

namespace dr::drill {
namespace {

using nlohmann::json;

json status_with_regions(const std::vector<std::string>& regions) {
  json s = {{"front_door", {{"active_region", "us-east-1"}}}, {"components", json::array()}};
  s["regions"] = json::object();
  for (const auto& r : regions)
    s["regions"][r] = {{"killed", false}, {"writer_endpoint", {{"database", "a1"}}}};
  return s;
}

TEST(SwitchoverTarget, IsTheOtherRegionOfTheWritersWhicheverItIs) {
  const json s = status_with_regions({"us-east-1", "us-west-2"});
  EXPECT_EQ(switchover_target(s, "us-east-1"), "us-west-2");
  // A lab whose writer already lives in us-west-2 (after a failover) switches back east.
  EXPECT_EQ(switchover_target(s, "us-west-2"), "us-east-1");
  // Not tied to the lab's two names.
  EXPECT_EQ(switchover_target(status_with_regions({"eu-west-1", "eu-central-1"}), "eu-west-1"),
            "eu-central-1");
}

TEST(SwitchoverTarget, NoneWhenThereIsNoOtherRegion) {
  EXPECT_EQ(switchover_target(status_with_regions({"us-east-1"}), "us-east-1"), std::nullopt);
  EXPECT_EQ(switchover_target(status_with_regions({}), "us-east-1"), std::nullopt);
}

TEST(SwitchoverTarget, NoneWhenTheWritersRegionIsNotInTheStatus) {
  EXPECT_EQ(switchover_target(status_with_regions({"us-east-1", "us-west-2"}), "eu-west-1"),
            std::nullopt);
  EXPECT_EQ(switchover_target(status_with_regions({"us-east-1", "us-west-2"}), ""), std::nullopt);
}

TEST(SwitchoverTarget, NoGuessAmongSeveralOtherRegions) {
  EXPECT_EQ(
      switchover_target(status_with_regions({"us-east-1", "us-west-2", "eu-west-1"}), "us-east-1"),
      std::nullopt);
}

TEST(SwitchoverTarget, NoneForGarbage) {
  for (const json& garbage :
       {json(), json("us-west-2"), json::array({"us-east-1", "us-west-2"}), json(42),
        json::object(), json{{"regions", nullptr}}, json{{"regions", "us-west-2"}},
        json{{"regions", json::array({"us-east-1", "us-west-2"})}},
        json{{"regions", {{"us-east-1", {{"killed", false}}}, {"us-west-2", 7}}}},
        json{{"regions", {{"us-east-1", json::object()}, {"", json::object()}}}}})
    EXPECT_EQ(switchover_target(garbage, "us-east-1"), std::nullopt) << garbage.dump();
}

}  // namespace
}  // namespace dr::drill
