// The operator's failover and switchover: what they refuse (and why, in words an operator can act
// on), what --force overrides, and the catch-up from an in-region standby that still answers.
#include "controller/operator_actions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace dr::controller {
namespace {

using ::testing::HasSubstr;

class OperatorActionsTest : public ::testing::Test {
 protected:
  OperatorActionsTest() { s.topology = {"us-east-1", "us-west-2", "a1", "a2", "b1"}; }
  Answers answering() {
    return [this](const std::string& server) {
      asked.insert(server);
      return alive.contains(server);
    };
  }
  core::Snapshot s;
  std::set<std::string> alive;
  std::set<std::string> asked;
};

TEST_F(OperatorActionsTest, AFailoverToWhereTheWriterIsOrToNowhereIsRefused) {
  auto home = failover_plan(s, "us-east-1", true, answering(), {"fo-1", 2});
  ASSERT_FALSE(home);
  EXPECT_THAT(home.error(), HasSubstr("already in us-east-1"));
  auto mars = failover_plan(s, "mars-1", true, answering(), {"fo-1", 2});
  ASSERT_FALSE(mars);
  EXPECT_THAT(mars.error(), HasSubstr("unknown region mars-1"));
}

TEST_F(OperatorActionsTest, AFailoverWaitsForTheLastOnesAcknowledgementUnlessForced) {
  s.guards.unacknowledged_failover = "fo-0";
  auto refused = failover_plan(s, "us-west-2", false, answering(), {"fo-1", 2});
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error(), HasSubstr("drctl ack fo-0"));
  EXPECT_TRUE(failover_plan(s, "us-west-2", true, answering(), {"fo-1", 2}));
  // On AWS the operator runs `drctl aws ...`: the refusal names that command, not the lab's.
  auto on_aws = failover_plan(s, "us-west-2", false, answering(), {"fo-1", 2}, "drctl aws");
  ASSERT_FALSE(on_aws);
  EXPECT_THAT(on_aws.error(), HasSubstr("`drctl aws ack fo-0`"));
}

TEST_F(OperatorActionsTest, AFailoverFromAWriterThatAnswersIsRefusedUnlessForced) {
  alive = {"a1"};
  auto refused = failover_plan(s, "us-west-2", false, answering(), {"fo-1", 2});
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error(), HasSubstr("drctl switchover --to us-west-2"));
  auto on_aws = failover_plan(s, "us-west-2", false, answering(), {"fo-1", 2}, "drctl aws");
  ASSERT_FALSE(on_aws);
  EXPECT_THAT(on_aws.error(), HasSubstr("`drctl aws switchover --to us-west-2`"));
  asked.clear();
  auto forced = failover_plan(s, "us-west-2", true, answering(), {"fo-1", 2});
  ASSERT_TRUE(forced) << forced.error();
  EXPECT_EQ(forced->new_writer, "b1");
  EXPECT_TRUE(forced->allow_data_loss);
  EXPECT_FALSE(asked.contains("a1")) << "--force does not ask the writer";
}

TEST_F(OperatorActionsTest, AFailoverCatchesUpFromTheStandbyOnlyWhenItAnswers) {
  auto dead = failover_plan(s, "us-west-2", false, answering(), {"fo-1", 2});
  ASSERT_TRUE(dead) << dead.error();
  EXPECT_EQ(dead->catch_up_source, "");
  EXPECT_TRUE(dead->followers.empty());
  alive = {"a2"};
  auto live = failover_plan(s, "us-west-2", false, answering(), {"fo-2", 3});
  ASSERT_TRUE(live) << live.error();
  EXPECT_EQ(live->catch_up_source, "a2");
  EXPECT_EQ(live->followers, std::vector<std::string>{"a2"});
  EXPECT_EQ(live->id, "fo-2");
  EXPECT_EQ(live->standby_capacity, 3);
}

TEST_F(OperatorActionsTest, ASwitchoverGoesOnlyToTheSecondaryAndLosesNothing) {
  auto wrong = switchover_plan(s, "us-east-1", {"so-1", 2});
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error(), HasSubstr("secondary region us-west-2"));
  auto plan = switchover_plan(s, "us-west-2", {"so-1", 2});
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_FALSE(plan->allow_data_loss);
  EXPECT_EQ(plan->new_writer, "b1");
  EXPECT_EQ(plan->catch_up_source, "a1");
}

}  // namespace
}  // namespace dr::controller
