// The write lease against a real 3-member etcd cluster on loopback, one member per lab site: a
// region takes it only when nobody holds it, a planned hand-over moves it at once with a new
// epoch, a lease nobody renews passes on after its TTL, and, the test that matters, a holder cut
// off from the quorum stops writing before another region can take the lease.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "lab/etcd_cluster.h"
#include "lab/partition.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"
#include "lease/etcd_store.h"
#include "lease/write_lease.h"

namespace dr::lease {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

auto steady_now() {
  return std::chrono::steady_clock::now();
}

class WriteLeaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lab::EtcdClusterOptions options;
    options.die_with_parent = true;
    auto c = lab::EtcdCluster::start(tmp_.path(), options);
    if (!c && c.error().kind == lab::ErrorKind::kNotFound)
      GTEST_SKIP() << "etcd is not installed (Debian: etcd-server): " << c.error().describe();
    ASSERT_TRUE(c) << c.error().describe();
    cluster_.emplace(std::move(*c));
  }

  // A client as one of the region's processes has it: its own site's member first, leaving from
  // `local_address`.
  std::unique_ptr<Etcd> client(lab::Site site, const std::string& local_address = "") {
    EtcdOptions o;
    for (const auto& m : cluster_->members())
      if (m.site == site)
        o.endpoints.insert(o.endpoints.begin(), m.endpoint());
      else
        o.endpoints.push_back(m.endpoint());
    o.local_address = local_address;
    return std::make_unique<Etcd>(o);
  }

  dr::testing::TempDir tmp_{"dr-lease"};
  std::optional<lab::EtcdCluster> cluster_;
};

TEST_F(WriteLeaseTest, ARegionTakesItOnlyWhenFreeAndAHandOverMovesItAtOnceWithANewEpoch) {
  auto etcd = client(lab::Site::kGlobal);
  auto east = acquire(*etcd, "us-east-1", 5s);
  ASSERT_TRUE(east) << east.error();
  EXPECT_EQ(east->epoch, 1);
  auto again = acquire(*etcd, "us-east-1", 5s);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, *east) << "taking what one holds changes nothing";
  auto west_first = acquire(*etcd, "us-west-2", 5s);
  ASSERT_FALSE(west_first);
  EXPECT_EQ(west_first.error().kind, ErrorKind::kRefused);
  EXPECT_THAT(west_first.error().message, HasSubstr("us-east-1 (epoch 1)"));

  EtcdLeaseStore store(*etcd);
  LeaseHolder east_apps(store, "us-east-1", {}, steady_now);
  LeaseHolder west_apps(store, "us-west-2", {}, steady_now);
  EXPECT_FALSE(east_apps.may_write()) << "not before a renewal confirmed it";
  ASSERT_TRUE(east_apps.renew());
  EXPECT_TRUE(east_apps.may_write()) << east_apps.why_not();
  EXPECT_EQ(east_apps.epoch(), 1);
  ASSERT_TRUE(west_apps.renew());
  EXPECT_FALSE(west_apps.may_write());
  EXPECT_THAT(west_apps.why_not(), HasSubstr("us-east-1 (epoch 1)"));

  auto west = hand_over(*etcd, *east, "us-west-2", 5s);
  ASSERT_TRUE(west) << west.error();
  EXPECT_EQ(west->region, "us-west-2");
  EXPECT_EQ(west->epoch, 2);
  ASSERT_TRUE(east_apps.renew());
  EXPECT_FALSE(east_apps.may_write()) << "the old region stops at its next renewal";
  EXPECT_THAT(east_apps.why_not(), HasSubstr("us-west-2 (epoch 2)"));
  ASSERT_TRUE(west_apps.renew());
  EXPECT_TRUE(west_apps.may_write()) << west_apps.why_not();
  EXPECT_EQ(west_apps.epoch(), 2);

  auto stale = hand_over(*etcd, *east, "us-east-1", 5s);
  ASSERT_FALSE(stale) << "a hand-over from a holder read before the last one";
  EXPECT_EQ(stale.error().kind, ErrorKind::kRefused);
  auto now = read_lease(*etcd);
  ASSERT_TRUE(now && *now);
  EXPECT_EQ(**now, *west);
}

TEST_F(WriteLeaseTest, ALeaseNobodyRenewsPassesOnOnlyOnceItsTtlHasRunOut) {
  auto etcd = client(lab::Site::kUsWest2);
  auto east = acquire(*etcd, "us-east-1", 1s);
  ASSERT_TRUE(east) << east.error();
  ASSERT_FALSE(acquire(*etcd, "us-west-2", 1s)) << "held, and its TTL has not run out";
  std::optional<LeaseRecord> west;
  auto taken = lab::wait_until("us-west-2 to take the lease us-east-1 stopped renewing",
                               [&] {
                                 auto r = acquire(*etcd, "us-west-2", 1s);
                                 if (r) west = *r;
                                 return r.has_value();
                               },
                               {.timeout = 15s, .poll = 100ms});
  ASSERT_TRUE(taken) << taken.error().describe();
  EXPECT_EQ(west->epoch, 2) << "the epoch only grows, across an expiry too";
}

// The lab keeps the leader on the third site (etcd_cluster.h: a leader lost with the primary
// region restarts every lease's TTL). Leadership moves where asked and stays readable; a site
// whose member is down cannot lead, and says so.
TEST_F(WriteLeaseTest, LeadershipMovesToTheSiteAskedAndNotToADeadMember) {
  ASSERT_TRUE(cluster_->move_leader_to(lab::Site::kUsEast1));
  EXPECT_EQ(cluster_->leader(), "etcd-us-east-1");
  ASSERT_TRUE(cluster_->move_leader_to(lab::Site::kGlobal));
  EXPECT_EQ(cluster_->leader(), "etcd-global");
  ASSERT_TRUE(cluster_->move_leader_to(lab::Site::kGlobal)) << "already there: a no-op";
  ASSERT_TRUE(cluster_->kill_member("etcd-us-west-2"));
  auto refused = cluster_->move_leader_to(lab::Site::kUsWest2);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, lab::ErrorKind::kNotFound) << refused.error().describe();
  EXPECT_EQ(cluster_->leader(), "etcd-global") << "the two left still agree on the leader";
}

// GitHub 2018: the old primary's region kept taking writes through a partition. Here the holder
// region is cut off from the other two sites; its apps keep trying to renew (from their own
// site's address, as the lab's apps would), and the other region tries to take the lease all the
// while. The moment it succeeds, the cut region must already have stopped writing.
TEST_F(WriteLeaseTest, ACutHolderStopsWritingBeforeAnotherRegionCanTakeTheLease) {
  if (auto can = lab::check_can_partition(); !can)
    GTEST_SKIP() << "cannot cut the network here: " << can.error().describe();
  auto east_address = lab::lab_address(lab::Site::kUsEast1, lab::Component::kApp, 90);
  auto west_address = lab::lab_address(lab::Site::kUsWest2, lab::Component::kController);
  ASSERT_TRUE(east_address && west_address);
  auto east_etcd = client(lab::Site::kUsEast1, *east_address);
  auto west_etcd = client(lab::Site::kUsWest2, *west_address);
  ASSERT_TRUE(acquire(*west_etcd, "us-east-1", 2s));
  EtcdLeaseStore east_store(*east_etcd);
  LeaseHolder east_apps(east_store, "us-east-1", LeaseTimings{2s, 600ms}, steady_now);
  ASSERT_TRUE(east_apps.renew());
  ASSERT_TRUE(east_apps.may_write()) << east_apps.why_not();

  std::atomic<bool> stop{false};
  std::thread renewer([&] {
    while (!stop) {
      (void)east_apps.renew();
      std::this_thread::sleep_for(250ms);  // the apps' renewal period: ttl / 8
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      t.join();
    }
  } join{stop, renewer};

  lab::ScopedPartition partition("dr_lab_lease_" + std::to_string(::getpid()));
  auto cut = partition.cut(lab::Site::kUsEast1);
  ASSERT_TRUE(cut) << cut.error().describe();
  if (!cut->servers_cut) GTEST_SKIP() << "the cut cannot reach etcd's peer traffic: " << cut->note;

  bool both = false;
  std::optional<LeaseRecord> west;
  auto taken = lab::wait_until("us-west-2 to take the lease from the cut us-east-1",
                               [&] {
                                 auto r = acquire(*west_etcd, "us-west-2", 2s);
                                 if (!r) return false;
                                 west = *r;
                                 both = east_apps.may_write();
                                 return true;
                               },
                               {.timeout = 30s, .poll = 100ms});
  ASSERT_TRUE(taken) << taken.error().describe();
  EXPECT_FALSE(both) << "us-west-2 took the lease while the cut us-east-1 could still write";
  EXPECT_EQ(west->epoch, 2);
  EXPECT_THAT(east_apps.why_not(), HasSubstr("us-east-1"));

  ASSERT_TRUE(lab::heal("dr_lab_lease_" + std::to_string(::getpid())));
  auto told = lab::wait_until(
      "the healed us-east-1 to read that the lease is us-west-2's",
      [&] { return east_apps.why_not().find("us-west-2 (epoch 2)") != std::string::npos; },
      {.timeout = 15s, .poll = 100ms});
  EXPECT_TRUE(told) << east_apps.why_not();
  EXPECT_FALSE(east_apps.may_write());
}

}  // namespace
}  // namespace dr::lease
