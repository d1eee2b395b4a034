// The lab's core::WriteLease (backends/lab/lab_write_lease.h) against a real 3-member etcd
// cluster: what the runbook's take_write_lease step gets. A lab without the cluster has no lease
// (not-supported: the step is skipped); a hand-over moves it at once; after expiry waits for the
// old holder's TTL, and times out (to be retried) while the old holder still renews.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "backends/lab/lab_write_lease.h"
#include "lab/etcd_cluster.h"
#include "lab/temp_dir.h"
#include "lease/etcd_store.h"

namespace dr::backends::lab {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

TEST(LabWriteLease, ALabWithoutTheClusterHasNoLeaseAndTheStepIsSkipped) {
  LabWriteLease lease({});
  auto r = lease.take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kNotSupported);
}

class LabWriteLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dr::lab::EtcdClusterOptions options;
    options.die_with_parent = true;
    auto c = dr::lab::EtcdCluster::start(tmp_.path(), options);
    if (!c && c.error().kind == dr::lab::ErrorKind::kNotFound)
      GTEST_SKIP() << "etcd is not installed (Debian: etcd-server): " << c.error().describe();
    ASSERT_TRUE(c) << c.error().describe();
    cluster_.emplace(std::move(*c));
    etcd_.emplace(lease::EtcdOptions{cluster_->endpoints(), 1000ms, ""});
  }
  LabWriteLeaseOptions options() {
    LabWriteLeaseOptions o;
    o.endpoints = cluster_->endpoints();
    o.ttl = 1s;
    o.expiry_wait = 3000ms;
    return o;
  }
  dr::testing::TempDir tmp_{"dr-lab-lease"};
  std::optional<dr::lab::EtcdCluster> cluster_;
  std::optional<lease::Etcd> etcd_;
};

TEST_F(LabWriteLeaseTest, AHandOverMovesItAtOnceAndTakingItTwiceChangesNothing) {
  ASSERT_TRUE(lease::acquire(*etcd_, "us-east-1", 5s));
  LabWriteLease port(options());
  auto moved = port.take("us-west-2", core::LeaseTake::kHandOver);
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_THAT(*moved, HasSubstr("handed over to us-west-2 epoch 2"));
  auto again = port.take("us-west-2", core::LeaseTake::kHandOver);
  ASSERT_TRUE(again) << again.error();
  EXPECT_THAT(*again, HasSubstr("held already by us-west-2 epoch 2"));
}

TEST_F(LabWriteLeaseTest, AfterExpiryWaitsForTheOldHoldersTtlAndTimesOutWhileItIsRenewed) {
  auto east = lease::acquire(*etcd_, "us-east-1", 1s);
  ASSERT_TRUE(east) << east.error();
  // us-east-1's apps keep renewing: the controller must not take it, whatever it waits.
  std::atomic<bool> stop{false};
  std::thread renewer([&] {
    while (!stop) {
      (void)etcd_->keep_alive(east->token);
      std::this_thread::sleep_for(100ms);
    }
  });
  LabWriteLease port(options());
  auto refused = port.take("us-west-2", core::LeaseTake::kAfterExpiry);
  stop = true;
  renewer.join();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kTimeout) << refused.error();
  auto held = lease::read_lease(*etcd_);
  ASSERT_TRUE(held && *held);
  EXPECT_EQ((*held)->region, "us-east-1") << "nothing changed";
  // Nobody renews now: the next attempt waits for the TTL and takes it.
  auto taken = port.take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_TRUE(taken) << taken.error();
  EXPECT_THAT(*taken, HasSubstr("us-west-2 epoch 2"));
}

}  // namespace
}  // namespace dr::backends::lab
