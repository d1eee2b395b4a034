// A primary, a semi-sync replica in the same region and an async replica in the other region,
// as in the lab's default topology (A1, A2, B1), on real MariaDB servers.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <tuple>

#include "lab/gtid.h"
#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

using dr::testing::exec_or_fail;
using dr::testing::ms_since;
using dr::testing::query_value;
using dr::testing::TempDir;
using dr::testing::wait_for_value;
using namespace std::chrono_literals;

class MariaDbTrio : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto start = std::chrono::steady_clock::now();
    for (auto [slot, name, site, index, id] : {std::tuple{&a1_, "a1", Site::kUsEast1, 0U, 1U},
                                               std::tuple{&a2_, "a2", Site::kUsEast1, 1U, 2U},
                                               std::tuple{&b1_, "b1", Site::kUsWest2, 0U, 3U}}) {
      auto db = dr::testing::create_mariadb(dir_.path(), name, site, index, id);
      ASSERT_TRUE(db) << db.error();
      slot->emplace(std::move(*db));
    }
    // The three boot at once, as `lab up` does.
    for (auto* db : {&a1_, &a2_, &b1_}) ASSERT_TRUE((*db)->launch());
    for (auto* db : {&a1_, &a2_, &b1_}) {
      auto ready = (*db)->wait_ready();
      ASSERT_TRUE(ready) << ready.error();
    }

    ASSERT_TRUE(a1_->promote(/*semi_sync=*/true));
    ASSERT_TRUE(a2_->make_replica_of(*a1_, /*semi_sync=*/true));
    ASSERT_TRUE(b1_->make_replica_of(*a1_, /*semi_sync=*/false));
    ASSERT_TRUE(wait_for_value(*a1_,
                               "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                               "WHERE VARIABLE_NAME='Rpl_semi_sync_master_clients'",
                               "1"));
    exec_or_fail(*a1_, "CREATE DATABASE dr");
    exec_or_fail(*a1_, "CREATE TABLE dr.orders (id INT PRIMARY KEY, note VARCHAR(64))");
    for (auto* replica : {&a2_, &b1_}) {
      ASSERT_TRUE(wait_for_value(**replica, count_sql(), "0"));  // the schema has arrived
    }
    std::cout << "[timing] trio up (datadirs + start + replication): " << ms_since(start)
              << " ms\n";
  }

  // Writes orders [first, first+count) through the app user, as dr-app would.
  void write_orders(const MariaDbInstance& primary, int first, int count) {
    auto c = db::Connection::connect(primary.app_options());
    ASSERT_TRUE(c) << c.error();
    for (int i = first; i < first + count; ++i) {
      auto r = c->exec("INSERT INTO orders VALUES (" + std::to_string(i) + ", 'order')");
      ASSERT_TRUE(r) << r.error();
    }
  }

  static std::string count_sql() { return "SELECT COUNT(*) FROM dr.orders"; }

  TempDir dir_{"dr-mariadb-trio"};  // declared before the servers: outlives them
  std::optional<MariaDbInstance> a1_, a2_, b1_;
};

TEST_F(MariaDbTrio, WritesOnThePrimaryAreReadOnBothReplicas) {
  write_orders(*a1_, 1, 20);
  ASSERT_TRUE(wait_for_value(*a2_, count_sql(), "20"));
  ASSERT_TRUE(wait_for_value(*b1_, count_sql(), "20"));

  for (auto* replica : {&*a2_, &*b1_}) {
    auto status = replica->replica_status();
    ASSERT_TRUE(status) << status.error();
    EXPECT_TRUE(status->healthy()) << replica->name() << ": " << status->last_error();
    EXPECT_EQ(status->master_host, a1_->address());
    EXPECT_EQ(status->master_port, a1_->port());
    ASSERT_TRUE(status->seconds_behind.has_value());
    EXPECT_EQ(*status->seconds_behind, 0);
  }
  EXPECT_EQ(query_value(*a2_, "SELECT @@rpl_semi_sync_slave_enabled"), "1");
  EXPECT_EQ(query_value(*b1_, "SELECT @@rpl_semi_sync_slave_enabled"), "0");
}

TEST_F(MariaDbTrio, ReplicasAreFencedAgainstTheApp) {
  auto c = db::Connection::connect(b1_->app_options());
  ASSERT_TRUE(c) << c.error();
  auto r = c->exec("INSERT INTO orders VALUES (1000, 'split brain')");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, db::ErrorKind::kReadOnly) << r.error();
  EXPECT_EQ(r.error().code, 1290U);
}

TEST_F(MariaDbTrio, PromotesTheMostAdvancedReplicaAfterCatchingUpTheOther) {
  // B1 stops receiving, so it is 50 transactions behind when the primary dies.
  write_orders(*a1_, 1, 10);
  ASSERT_TRUE(wait_for_value(*b1_, count_sql(), "10"));
  exec_or_fail(*b1_, "STOP SLAVE");
  write_orders(*a1_, 11, 50);
  ASSERT_TRUE(wait_for_value(*a2_, count_sql(), "60"));

  const auto killed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(a1_->crash());

  // Which replica is most advanced is read from GTIDs, not assumed.
  std::vector<MariaDbInstance*> replicas = {&*a2_, &*b1_};
  std::vector<GtidList> positions;
  for (auto* r : replicas) {
    ASSERT_TRUE(r->wait_for_relay_log_applied(5s));
    auto pos = r->gtid_positions();
    ASSERT_TRUE(pos) << pos.error();
    positions.push_back(parse_gtid_list(pos->current).value());
  }
  const auto best = most_advanced(positions);
  ASSERT_TRUE(best.has_value());
  MariaDbInstance& winner = *replicas[*best];
  MariaDbInstance& sibling = *replicas[1 - *best];
  EXPECT_EQ(winner.name(), "a2");

  // The sibling follows the winner and catches up before the winner takes writes: nothing the
  // winner had is lost, and the sibling replicates on from the new primary's binlog.
  ASSERT_TRUE(sibling.make_replica_of(winner, /*semi_sync=*/false));
  ASSERT_TRUE(sibling.wait_for_gtid(to_string(positions[*best]), 5s));
  ASSERT_TRUE(winner.promote(/*semi_sync=*/false));
  const double promoted_ms = ms_since(killed_at);

  write_orders(winner, 100, 1);
  const double first_write_ms = ms_since(killed_at);
  ASSERT_TRUE(wait_for_value(sibling, count_sql(), "61"));
  std::cout << "[timing] primary killed -> replica promoted: " << promoted_ms
            << " ms; -> first write acknowledged: " << first_write_ms
            << " ms; -> sibling has it: " << ms_since(killed_at) << " ms\n";

  auto status = sibling.replica_status();
  ASSERT_TRUE(status) << status.error();
  EXPECT_TRUE(status->healthy()) << status->last_error();
  EXPECT_EQ(status->master_host, winner.address());
  EXPECT_EQ(winner.read_only(), false);
  EXPECT_EQ(winner.replica_status()->configured, false);
}

TEST_F(MariaDbTrio, AnOldPrimaryWithoutErrantTransactionsRejoinsAsAReplica) {
  write_orders(*a1_, 1, 5);
  ASSERT_TRUE(wait_for_value(*a2_, count_sql(), "5"));
  ASSERT_TRUE(wait_for_value(*b1_, count_sql(), "5"));
  ASSERT_TRUE(a1_->crash());
  ASSERT_TRUE(a2_->wait_for_relay_log_applied(5s));
  ASSERT_TRUE(b1_->make_replica_of(*a2_, false));
  ASSERT_TRUE(a2_->promote(false));
  write_orders(*a2_, 6, 5);

  ASSERT_TRUE(a1_->restart());
  EXPECT_EQ(a1_->read_only(), true) << "a restarted old primary must come back fenced";
  auto errant = a1_->errant_gtids_against(*a2_);
  ASSERT_TRUE(errant) << errant.error();
  EXPECT_TRUE(errant->empty()) << to_string(*errant);
  ASSERT_TRUE(a1_->rejoin_as_replica_of(*a2_, /*semi_sync=*/true));
  ASSERT_TRUE(wait_for_value(*a1_, count_sql(), "10"));
  ASSERT_TRUE(wait_for_value(*b1_, count_sql(), "10"));
}

TEST_F(MariaDbTrio, AnOldPrimaryWithErrantTransactionsIsRefused) {
  write_orders(*a1_, 1, 5);
  ASSERT_TRUE(wait_for_value(*a2_, count_sql(), "5"));
  // A2 and B1 stop receiving; A1 commits one more that nobody else has, then dies.
  exec_or_fail(*a2_, "STOP SLAVE");
  exec_or_fail(*b1_, "STOP SLAVE");
  exec_or_fail(*a1_, "SET GLOBAL rpl_semi_sync_master_enabled=OFF");  // no 1 s ACK timeout
  write_orders(*a1_, 6, 1);
  ASSERT_TRUE(a1_->crash());
  ASSERT_TRUE(b1_->make_replica_of(*a2_, false));
  ASSERT_TRUE(a2_->promote(false));

  ASSERT_TRUE(a1_->restart());
  auto errant = a1_->errant_gtids_against(*a2_);
  ASSERT_TRUE(errant) << errant.error();
  ASSERT_EQ(errant->size(), 1U);
  EXPECT_EQ((*errant)[0].server_id, 1U);
  auto rejoined = a1_->rejoin_as_replica_of(*a2_, true);
  ASSERT_FALSE(rejoined);
  EXPECT_EQ(rejoined.error().kind, ErrorKind::kRefused);
  EXPECT_NE(rejoined.error().message.find(to_string(*errant)), std::string::npos)
      << rejoined.error();
  EXPECT_EQ(a1_->replica_status()->configured, false) << "refused means untouched";

  // The other way round nothing is errant: the new primary's history is a prefix of the old's.
  auto reverse = a2_->errant_gtids_against(*a1_);
  ASSERT_TRUE(reverse) << reverse.error();
  EXPECT_TRUE(reverse->empty()) << to_string(*reverse);
}

}  // namespace
}  // namespace dr::lab
