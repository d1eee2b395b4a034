// The proxy plan, table-driven: which database each endpoint serves and which regions the front
// door may use, from the recorded topology and the servers' replication (lab/proxy_plan.h).
#include "lab/proxy_plan.h"

#include <gtest/gtest.h>

namespace dr::lab {
namespace {

using Endpoints = std::map<std::string, std::map<std::string, std::string>>;

// The default topology at baseline: a1 writes, a2 (us-east-1) and b1 (us-west-2) follow it.
Endpoints baseline() {
  return {{"us-east-1", {{"writer", "a1"}, {"reader", "a2"}}},
          {"us-west-2", {{"writer", "a1"}, {"reader", "b1"}}}};
}

struct EndpointCase {
  std::string name;
  ProxyPlanInput input;
  std::vector<EndpointMove> want;
};

class EndpointPlan : public ::testing::TestWithParam<EndpointCase> {};

TEST_P(EndpointPlan, MovesOnlyWhatMustMove) {
  const auto& c = GetParam();
  EXPECT_EQ(plan_endpoints(c.input, default_topology()), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, EndpointPlan,
    ::testing::Values(
        EndpointCase{"AtBaselineNothingMoves", {"a1", baseline(), {"a2", "b1"}, {}}, {}},
        // A region outage's failover promoted b1: both writer endpoints follow it; us-east-1's
        // reader (a2, dead with its region) goes to the writer, as no follower is left there.
        EndpointCase{"WriterMovedToTheOtherRegion",
                     {"b1", baseline(), {}, {}},
                     {{"writer-us-east-1", "us-east-1", "writer", "a1", "b1", false},
                      {"reader-us-east-1", "us-east-1", "reader", "a2", "b1", false},
                      {"writer-us-west-2", "us-west-2", "writer", "a1", "b1", false}}},
        // In-region failover to a2: a1 came back as a2's replica, and us-east-1's reader, left
        // on the new writer, may stay there; b1 follows a2.
        EndpointCase{"WriterMovedInItsRegion",
                     {"a2", baseline(), {"a1", "b1"}, {}},
                     {{"writer-us-east-1", "us-east-1", "writer", "a1", "a2", false},
                      {"writer-us-west-2", "us-west-2", "writer", "a1", "a2", false}}},
        // us-east-1b is down, a2 with it: us-east-1's reader has no follower left in its region
        // and goes to the writer; b1 keeps its reader.
        EndpointCase{"AzOfAReaderKilled",
                     {"a1", baseline(), {"b1"}, {}},
                     {{"reader-us-east-1", "us-east-1", "reader", "a2", "a1", false}}},
        // us-east-1a is down (a1 with it) and a2 was promoted: the writers move, and b1, which
        // follows a2, keeps its reader.
        EndpointCase{"AzOfTheWriterKilled",
                     {"a2", baseline(), {"b1"}, {}},
                     {{"writer-us-east-1", "us-east-1", "writer", "a1", "a2", false},
                      {"writer-us-west-2", "us-west-2", "writer", "a1", "a2", false}}},
        // A reader on a replica that broke (or was fenced) serves a history that is not the
        // writer's: its region's follower if it has one...
        EndpointCase{"ReaderOnABrokenReplicaGoesToItsRegionsFollower",
                     {"a1",
                      {{"us-east-1", {{"writer", "a1"}, {"reader", "b1"}}},
                       {"us-west-2", {{"writer", "a1"}, {"reader", "b1"}}}},
                      {"a2"},
                      {}},
                     {{"reader-us-east-1", "us-east-1", "reader", "b1", "a2", false},
                      {"reader-us-west-2", "us-west-2", "reader", "b1", "a1", false}}},
        // A killed endpoint's move is recorded (its restart applies it), not made.
        EndpointCase{"KilledEndpointIsMovedByItsRestart",
                     {"b1", baseline(), {"a2"}, {"writer-us-east-1"}},
                     {{"writer-us-east-1", "us-east-1", "writer", "a1", "b1", true},
                      {"writer-us-west-2", "us-west-2", "writer", "a1", "b1", false}}},
        // A region missing from the record gets both endpoints (from nothing).
        EndpointCase{"MissingRecordIsFilledIn",
                     {"a1", {{"us-east-1", {{"writer", "a1"}, {"reader", "a2"}}}}, {"a2"}, {}},
                     {{"writer-us-west-2", "us-west-2", "writer", "", "a1", false},
                      {"reader-us-west-2", "us-west-2", "reader", "", "a1", false}}}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(FrontDoorPlan, WithoutAnOverrideEveryRegionIsReadyAndTheChecksDecide) {
  EXPECT_EQ(plan_front_door(std::nullopt, default_topology()),
            (std::vector<FrontDoorServer>{{"us-east-1", true}, {"us-west-2", true}}));
}

TEST(FrontDoorPlan, AnOverrideLeavesOnlyItsRegionReady) {
  EXPECT_EQ(plan_front_door("us-west-2", default_topology()),
            (std::vector<FrontDoorServer>{{"us-east-1", false}, {"us-west-2", true}}));
  EXPECT_EQ(plan_front_door("us-east-1", default_topology()),
            (std::vector<FrontDoorServer>{{"us-east-1", true}, {"us-west-2", false}}));
}

}  // namespace
}  // namespace dr::lab
