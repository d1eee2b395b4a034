// The controller's database backend against a real trio (a1 writer, a2 semi-sync replica in the
// same region, b1 async replica in the other): fence, catch up, promote behind the lag gate, and
// re-point the survivor, as the runbook does.
#include "backends/lab/lab_database.h"
#include "backends/lab/lab_global_database.h"
#include "backends/lab/supervisor_client.h"

#include <gtest/gtest.h>

#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"

namespace dr::backends::lab {
namespace {

using dr::lab::MariaDbInstance;
using dr::lab::Site;
using dr::testing::exec_or_fail;
using dr::testing::query_value;
using dr::testing::wait_for_value;

class LabDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto [slot, name, site, index, id] : {std::tuple{&a1_, "a1", Site::kUsEast1, 0U, 1U},
                                               std::tuple{&a2_, "a2", Site::kUsEast1, 1U, 2U},
                                               std::tuple{&b1_, "b1", Site::kUsWest2, 0U, 3U}}) {
      auto db = dr::testing::create_mariadb(dir_.path(), name, site, index, id);
      ASSERT_TRUE(db) << db.error();
      slot->emplace(std::move(*db));
    }
    for (auto* db : {&a1_, &a2_, &b1_}) ASSERT_TRUE((*db)->launch());
    for (auto* db : {&a1_, &a2_, &b1_}) ASSERT_TRUE((*db)->wait_ready());
    ASSERT_TRUE(a1_->promote(true));
    ASSERT_TRUE(a2_->make_replica_of(*a1_, true));
    ASSERT_TRUE(b1_->make_replica_of(*a1_, false));
    exec_or_fail(*a1_, "CREATE DATABASE dr");
    exec_or_fail(*a1_, "CREATE TABLE dr.t (id INT PRIMARY KEY)");
    for (auto* r : {&a2_, &b1_}) ASSERT_TRUE(wait_for_value(**r, count(), "0"));

    std::map<std::string, ProbeTarget> servers;
    for (auto* db : {&a1_, &a2_, &b1_}) servers[(*db)->name()] = {(*db)->address(), (*db)->port()};
    const auto& creds = a1_->credentials();
    database_.emplace(servers, DbLogin{creds.admin.name, creds.admin.password},
                      DbLogin{creds.replication.name, creds.replication.password},
                      std::chrono::milliseconds(1000),
                      std::map<std::string, std::string>{
                          {"a1", "us-east-1"}, {"a2", "us-east-1"}, {"b1", "us-west-2"}});
  }

  static std::string count() { return "SELECT COUNT(*) FROM dr.t"; }

  dr::testing::TempDir dir_{"dr-labdb-test"};
  std::optional<MariaDbInstance> a1_, a2_, b1_;
  std::optional<LabDatabase> database_;
};

TEST_F(LabDatabaseTest, FencingMakesTheWriterReadOnly) {
  ASSERT_TRUE(database_->fence("a1"));
  EXPECT_EQ(query_value(*a1_, "SELECT @@global.read_only"), "1");
  ASSERT_TRUE(database_->fence("a1")) << "fencing is idempotent";
}

// The controller's SQL leaves from the controller's address, so that a partition cuts it as it
// cuts its probes (unbound, it would leave from 127.0.0.1 and cross every cut).
TEST_F(LabDatabaseTest, ConnectsFromItsSourceAddress) {
  exec_or_fail(*a1_, "SET GLOBAL userstat=1");  // per-client-address connection counts
  std::map<std::string, ProbeTarget> servers = {{"a1", {a1_->address(), a1_->port()}}};
  const auto& creds = a1_->credentials();
  LabDatabase from_controller(servers, DbLogin{creds.admin.name, creds.admin.password},
                              DbLogin{creds.replication.name, creds.replication.password},
                              std::chrono::milliseconds(1000), {}, "127.0.2.23");
  ASSERT_TRUE(from_controller.fence("a1"));
  EXPECT_EQ(query_value(*a1_,
                        "SELECT COUNT(*) FROM information_schema.CLIENT_STATISTICS WHERE "
                        "CLIENT = '127.0.2.23' AND TOTAL_CONNECTIONS > 0"),
            "1");
}

TEST_F(LabDatabaseTest, ARegionFailoverCatchesUpPromotesAndRepointsTheSurvivor) {
  auto connected = database_->replication_connected("b1");
  ASSERT_TRUE(connected) << connected.error();
  EXPECT_TRUE(*connected);
  exec_or_fail(*a1_, "INSERT INTO dr.t VALUES (1), (2), (3)");
  ASSERT_TRUE(wait_for_value(*a2_, count(), "3"));
  // b1 is stopped behind a2 so the catch-up has something to do.
  exec_or_fail(*b1_, "STOP SLAVE");
  exec_or_fail(*a1_, "INSERT INTO dr.t VALUES (4), (5)");
  ASSERT_TRUE(wait_for_value(*a2_, count(), "5"));
  ASSERT_TRUE(a1_->crash());

  EXPECT_EQ(database_->is_writer("b1"), false) << "a replica is not the writer";
  auto caught = database_->catch_up("b1", "a2", std::chrono::seconds(5));
  ASSERT_TRUE(caught) << caught.error();
  EXPECT_EQ(query_value(*b1_, count()), "5");
  auto promoted = database_->promote("b1");
  ASSERT_TRUE(promoted) << promoted.error();
  EXPECT_EQ(query_value(*b1_, "SELECT @@global.read_only"), "0");
  ASSERT_TRUE(database_->promote("b1")) << "promotion is idempotent";
  EXPECT_EQ(database_->is_writer("b1"), true) << "a resumed failover re-reads this";

  EXPECT_EQ(query_value(*b1_, "SELECT @@global.rpl_semi_sync_master_enabled"), "1");
  auto follow = database_->replicate_from("a2", "b1");
  ASSERT_TRUE(follow) << follow.error();
  EXPECT_EQ(query_value(*a2_, "SELECT @@global.rpl_semi_sync_slave_enabled"), "0")
      << "a cross-region replica never acknowledges commits";
  exec_or_fail(*b1_, "INSERT INTO dr.t VALUES (6)");
  ASSERT_TRUE(wait_for_value(*a2_, count(), "6"));
  auto lag = database_->lag_seconds("a2");
  ASSERT_TRUE(lag) << lag.error();
  EXPECT_GE(*lag, 0.0);
  EXPECT_FALSE(database_->lag_seconds("b1")) << "a primary has no lag to report";
}

TEST_F(LabDatabaseTest, AnAzFailoverReestablishesSemiSyncWithTheInRegionReplica) {
  ASSERT_TRUE(a1_->crash());
  ASSERT_TRUE(database_->promote("a2"));
  ASSERT_TRUE(database_->replicate_from("b1", "a2"));
  EXPECT_EQ(query_value(*b1_, "SELECT @@global.rpl_semi_sync_slave_enabled"), "0");
  ASSERT_TRUE(a1_->restart());
  ASSERT_TRUE(database_->replicate_from("a1", "a2"));
  EXPECT_EQ(query_value(*a1_, "SELECT @@global.rpl_semi_sync_slave_enabled"), "1");
  ASSERT_TRUE(wait_for_value(*a2_,
                             "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                             "WHERE VARIABLE_NAME='Rpl_semi_sync_master_clients'",
                             "1"))
      << "a1 rejoined in a2's region and acknowledges its commits";
}

// Unreachable is a kind, not a wording: the runbook skips a dead old writer in a failover from it.
TEST_F(LabDatabaseTest, AnUnreachableServerIsAnUnreachableErrorNamingIt) {
  ASSERT_TRUE(a1_->crash());
  auto r = database_->fence("a1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, core::ErrorKind::kUnreachable) << r.error();
  EXPECT_NE(r.error().message.find("a1"), std::string::npos) << r.error();
  auto unknown = database_->fence("zz");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::kRefused) << unknown.error();
}

core::DatabaseMove a1_to_b1() {
  core::DatabaseMove move;
  move.from_region = "us-east-1";
  move.to_region = "us-west-2";
  move.old_writer = "a1";
  move.new_writer = "b1";
  return move;  // no followers, no region to repoint
}

// The split brain a resumed runbook could make: the controller died after its fence step was
// skipped (a1 dead), `lab restore` then revived a1 as the writer, and the resumed failover
// promoted b1 beside it. The failover itself fences a writable old writer before it promotes.
TEST_F(LabDatabaseTest, AResumedFailoverFencesAnOldWriterThatIsWritableAgain) {
  ASSERT_EQ(database_->is_writer("a1"), true) << "a1 writes, as after a restore";
  // No region to repoint: the supervisor is never called (nothing listens on its port).
  SupervisorClient supervisor("127.0.0.1", 1, "token");
  LabGlobalDatabase global(*database_, supervisor);
  auto r = global.fail_over(a1_to_b1(), /*allow_data_loss=*/true);
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(query_value(*a1_, "SELECT @@global.read_only"), "1") << "one writer only";
  EXPECT_EQ(query_value(*b1_, "SELECT @@global.read_only"), "0");
  EXPECT_EQ(r.value(), "") << "nothing was skipped";
}

// A dead old writer (the failover's usual case) is noted, not a reason to stop.
TEST_F(LabDatabaseTest, AFailoverFromADeadWriterNotesTheFenceItCouldNotApply) {
  ASSERT_TRUE(a1_->crash());
  SupervisorClient supervisor("127.0.0.1", 1, "token");
  LabGlobalDatabase global(*database_, supervisor);
  auto r = global.fail_over(a1_to_b1(), /*allow_data_loss=*/true);
  ASSERT_TRUE(r) << r.error();
  EXPECT_NE(r->find("fence a1"), std::string::npos) << *r;
  EXPECT_EQ(query_value(*b1_, "SELECT @@global.read_only"), "0");
}

}  // namespace
}  // namespace dr::backends::lab
