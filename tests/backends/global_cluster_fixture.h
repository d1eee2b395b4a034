// Shared by the AWS evidence and witness tests: the global cluster AWS describes, with two
// members (us-east-1, us-west-2), either, both or neither of them the writer.
#pragma once

#include "aws/rds.h"

namespace dr::test {

constexpr const char* kEastClusterArn =
    "arn:aws:rds:us-east-1:123456789012:cluster:dr-app-us-east-1";
constexpr const char* kWestClusterArn =
    "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2";

inline aws::GlobalCluster two_member_global(bool east_writes, bool west_writes) {
  aws::GlobalCluster g;
  g.identifier = "dr-app-global";
  g.members = {{.db_cluster_arn = kEastClusterArn, .is_writer = east_writes},
               {.db_cluster_arn = kWestClusterArn, .is_writer = west_writes}};
  return g;
}

}  // namespace dr::test
