// The lab's core::WriteLease (backends/lab/lab_write_lease.h) against a real 3-member etcd
// cluster: what the runbook's take_write_lease step gets. A lab without the cluster has no lease
// (not-supported: the step is skipped); a hand-over moves it at once; after expiry waits for the
// old holder's TTL, and times out (to be retried) while the old holder still renews.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "app/db_pool.h"
#include "app/mysql_order_store.h"
#include "backends/lab/lab_write_lease.h"
#include "backends/lab/write_guard.h"
#include "lab/etcd_cluster.h"
#include "lab/mariadb_helpers.h"
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

// What the controller reads every tick (Snapshot::write_lease_free): the region named, or nobody
// once etcd dropped a lease that ran out; and the region it gives a free lease back to gets it
// at once, with a newer epoch.
TEST_F(LabWriteLeaseTest, TheHolderIsReadAndAFreeLeaseIsTakenBackAtOnce) {
  LabWriteLease port(options());
  auto none = port.holder();
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(*none);
  auto east = lease::acquire(*etcd_, "us-east-1", 5s);
  ASSERT_TRUE(east) << east.error();
  auto held = port.holder();
  ASSERT_TRUE(held) << held.error();
  EXPECT_EQ(*held, std::optional<std::string>("us-east-1"));
  ASSERT_TRUE(etcd_->revoke(east->token));  // what running out unrenewed leaves
  auto free = port.holder();
  ASSERT_TRUE(free) << free.error();
  EXPECT_FALSE(*free);
  auto back = port.take("us-east-1", core::LeaseTake::kAfterExpiry);
  ASSERT_TRUE(back) << back.error();
  EXPECT_THAT(*back, HasSubstr("us-east-1 epoch 2"));
  EXPECT_EQ(LabWriteLease({}).holder().error().kind, core::ErrorKind::kNotSupported);
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

// Issue 12's fencing token at the database from the moment the lease moves: the guard row raised
// by the port (through the lab's admin login), not only by the new holder's first write.
class LabWriteGuardTest : public LabWriteLeaseTest {
 protected:
  void SetUp() override {
    LabWriteLeaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (auto [slot, name, site, id] : {std::tuple{&a1_, "a1", dr::lab::Site::kUsEast1, 1U},
                                        std::tuple{&b1_, "b1", dr::lab::Site::kUsWest2, 2U}}) {
      auto db = dr::testing::start_mariadb(tmp_.path(), name, site, 0, id);
      ASSERT_TRUE(db) << db.error();
      slot->emplace(std::move(*db));
    }
    ASSERT_TRUE(a1_->promote(true));
    ASSERT_TRUE(b1_->make_replica_of(*a1_, false));
    dr::testing::exec_or_fail(*a1_, "CREATE DATABASE IF NOT EXISTS dr");
    targets_.topology.writer = "a1";
    targets_.database_region = {{"a1", "us-east-1"}, {"b1", "us-west-2"}};
    // us-east-1 holds the lease, and its app has written with its epoch (the guard is at 1).
    auto east = lease::acquire(*etcd_, "us-east-1", 3s);
    ASSERT_TRUE(east) << east.error();
    ASSERT_EQ(east->epoch, 1);
    old_app_.emplace(*a1_);
    ASSERT_TRUE(old_app_->write("before", 1)) << "the holder's own write";
  }

  // What the controller reaches: a1 itself, or (cut off) nothing where a1 listens.
  LabDatabase controller_database(bool writer_reachable) {
    std::map<std::string, ProbeTarget> servers = {
        {"a1", {a1_->address(), writer_reachable ? a1_->port() : std::uint16_t{1}}},
        {"b1", {b1_->address(), b1_->port()}}};
    const auto& creds = a1_->credentials();
    return LabDatabase(servers, DbLogin{creds.admin.name, creds.admin.password},
                       DbLogin{creds.replication.name, creds.replication.password}, 1000ms,
                       targets_.database_region);
  }
  LabWriteLeaseOptions guarded(LabDatabase& db) {
    auto o = options();
    o.expiry_wait = 6000ms;  // us-east-1's 3 s, unrenewed
    o.raise_guard = [this, &db](const std::string& region, int64_t epoch) {
      return raise_write_guard(db, targets_, region, epoch);
    };
    return o;
  }

  // An app of a region, writing orders through the real store, with the epoch it believes.
  struct App {
    explicit App(const dr::lab::MariaDbInstance& db)
        : pool(db.app_options(), 2), store(pool, pool, "us-east-1") {}
    std::expected<app::OrderWrite, app::StoreError> write(const std::string& key, int64_t epoch) {
      return store.create({"alice", 100, key}, epoch);
    }
    app::DbPool pool;
    app::MysqlOrderStore store;
  };

  std::optional<dr::lab::MariaDbInstance> a1_, b1_;
  LabTargets targets_;
  std::optional<App> old_app_;
};

TEST_F(LabWriteGuardTest, AHandOverRaisesTheGuardOnTheWriterBeforeTheNewHolderWrites) {
  auto db = controller_database(true);
  LabWriteLease port(guarded(db));
  auto moved = port.take("us-west-2", core::LeaseTake::kHandOver);
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_THAT(*moved, HasSubstr("handed over to us-west-2 epoch 2; guard raised to epoch 2 on a1"));
  // A delayed write of the old holder, before any write with epoch 2: refused, nothing written.
  auto late = old_app_->write("late", 1);
  ASSERT_FALSE(late) << "a write with the old epoch 1 was accepted after the lease moved";
  EXPECT_EQ(late.error().failure, app::StoreFailure::kStaleEpoch) << late.error().message;
  EXPECT_EQ(dr::testing::query_value(*a1_, "SELECT COUNT(*) FROM dr.orders"), "1");
  // Binlogged: the replica a failover would promote has it too.
  EXPECT_TRUE(dr::testing::wait_for_value(*b1_, "SELECT epoch FROM dr.dr_write_guard", "2"));
  // The step again (a resumed runbook): held already, raised again, never lowered.
  auto again = port.take("us-west-2", core::LeaseTake::kHandOver);
  ASSERT_TRUE(again) << again.error();
  EXPECT_THAT(*again, HasSubstr("held already by us-west-2 epoch 2; guard raised"));
  EXPECT_EQ(dr::testing::query_value(*a1_, "SELECT epoch FROM dr.dr_write_guard"), "2");
}

TEST_F(LabWriteGuardTest, WithTheWriterCutOffTheRegionsReplicaIsRaisedLocallyBeforeItsPromotion) {
  auto db = controller_database(false);
  ASSERT_TRUE(dr::testing::wait_for_value(*b1_, "SELECT epoch FROM dr.dr_write_guard", "1"));
  const auto gtids = dr::testing::query_value(*b1_, "SELECT @@gtid_binlog_pos");
  LabWriteLease port(guarded(db));  // us-east-1's lease runs out unrenewed
  auto taken = port.take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_TRUE(taken) << taken.error();
  EXPECT_THAT(*taken, HasSubstr("us-west-2 epoch 2; guard raised to epoch 2 on b1 (locally"));
  EXPECT_EQ(dr::testing::query_value(*b1_, "SELECT @@gtid_binlog_pos"), gtids)
      << "no GTID of b1's own: it would be errant";
  ASSERT_TRUE(db.promote("b1"));
  // A delayed write of the old holder reaching the new writer before any write with epoch 2.
  App stale(*b1_);
  auto late = stale.write("late", 1);
  ASSERT_FALSE(late) << "the promoted b1 accepted a write with the old epoch 1";
  EXPECT_EQ(late.error().failure, app::StoreFailure::kStaleEpoch) << late.error().message;
  auto fresh = stale.write("new-holder", 2);
  EXPECT_TRUE(fresh) << fresh.error().message;
}

TEST_F(LabWriteGuardTest, AFencedOldWriterGetsNoGuardRowItsReplicasCouldNotReceive) {
  // A region failover whose fence held: a1 answers, read-only, and b1 lost its link to it (what
  // decided the failover). A raise on a1 would stay there, an errant GTID when it rejoins.
  ASSERT_TRUE(dr::testing::wait_for_value(*b1_, "SELECT epoch FROM dr.dr_write_guard", "1"));
  dr::testing::exec_or_fail(*b1_, "STOP SLAVE");
  dr::testing::exec_or_fail(*a1_, "SET GLOBAL read_only=ON");
  const auto a1_gtids = dr::testing::query_value(*a1_, "SELECT @@gtid_binlog_pos");
  auto db = controller_database(true);
  LabWriteLease port(guarded(db));
  auto moved = port.take("us-west-2", core::LeaseTake::kHandOver);
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_THAT(*moved, HasSubstr("guard raised to epoch 2 on b1 (locally; a1: "));
  EXPECT_THAT(*moved, HasSubstr("read-only (fenced)"));
  EXPECT_EQ(dr::testing::query_value(*a1_, "SELECT @@gtid_binlog_pos"), a1_gtids)
      << "the fenced a1 got a transaction of its own";
  EXPECT_EQ(dr::testing::query_value(*a1_, "SELECT epoch FROM dr.dr_write_guard"), "1");
  ASSERT_TRUE(db.promote("b1"));
  App stale(*b1_);
  auto late = stale.write("late", 1);
  ASSERT_FALSE(late) << "the promoted b1 accepted a write with the old epoch 1";
  EXPECT_EQ(late.error().failure, app::StoreFailure::kStaleEpoch) << late.error().message;
}

// Within the writer's own region the guard is raised on the writer or not at all: its other
// servers replicate from it, and a row raised on one of them alone would make the writer's later
// insert of it a duplicate there, stopping its replication. (b1 plays a1's in-region replica.)
TEST_F(LabWriteGuardTest, TheWritersOwnRegionIsNeverRaisedLocally) {
  targets_.database_region = {{"a1", "us-east-1"}, {"b1", "us-east-1"}};
  ASSERT_TRUE(dr::testing::wait_for_value(*b1_, "SELECT epoch FROM dr.dr_write_guard", "1"));
  const auto gtids = dr::testing::query_value(*b1_, "SELECT @@gtid_binlog_pos");
  ASSERT_TRUE(etcd_->revoke(lease::read_lease(*etcd_)->value().token));  // free: taken at once
  auto db = controller_database(false);                                  // the writer out of reach
  LabWriteLease port(guarded(db));
  auto taken = port.take("us-east-1", core::LeaseTake::kAfterExpiry);
  ASSERT_FALSE(taken) << *taken;
  EXPECT_THAT(taken.error().message, HasSubstr("write guard not raised to epoch 2: a1: "));
  EXPECT_EQ(dr::testing::query_value(*b1_, "SELECT epoch FROM dr.dr_write_guard"), "1");
  EXPECT_EQ(dr::testing::query_value(*b1_, "SELECT @@gtid_binlog_pos"), gtids);
}

}  // namespace
}  // namespace dr::backends::lab
