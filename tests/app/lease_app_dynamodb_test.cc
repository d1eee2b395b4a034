// dr-app holding the write lease in DynamoDB (--lease-table: AWS's store, lease/dynamodb_store.h)
// against DynamoDB Local and a real MariaDB: no lease item, no writes; once its region takes the
// lease it writes with the lease's epoch; once the lease is handed to another region it stops.
#include "app/support/lease_app.h"
#include "lab/dynamodb_local_helpers.h"
#include "lease/dynamodb_store.h"

namespace dr::app {
namespace {

using namespace std::chrono_literals;

class AppWithDynamoDbLease : public dr::testing::LeaseAppTest {
 protected:
  AppWithDynamoDbLease() : LeaseAppTest("dr-app-ddb-lease") {}

  void SetUp() override {
    ddb_local_.start("dr-app-ddb-local");
    if (ddb_local_.server() == nullptr)
      GTEST_SKIP() << "SKIPPED: DynamoDB Local: " << ddb_local_.why_not();
    ddb_.emplace(dr::testing::dynamodb_local_config(*ddb_local_.server()));
    ASSERT_NO_FATAL_FAILURE(dr::testing::create_lease_table(*ddb_, "dr-write-lease"));
    store_.emplace(*ddb_, lease::DynamoDbLeaseOptions{.table = "dr-write-lease"});
    start_app({"--dynamodb-endpoint", ddb_local_.server()->endpoint_url(), "--lease-table",
               "dr-write-lease", "--lease-renew-ms", "100"},
              /*with_sessions=*/true);
  }
  void TearDown() override { ddb_local_.stop(); }

  dr::testing::SuiteDynamoDbLocal ddb_local_;
  std::optional<aws::DynamoDb> ddb_;
  std::optional<lease::DynamoDbLeaseStore> store_;
};

TEST_F(AppWithDynamoDbLease, WritesOnlyWhileItsRegionHoldsTheLeaseInTheTable) {
  auto [status, body] = post("before");
  EXPECT_EQ(status, 503) << body;
  EXPECT_EQ(body.value("error", ""), "no_write_lease") << body;

  auto east = store_->acquire("us-east-1", 2s);
  ASSERT_TRUE(east) << east.error();
  ASSERT_NO_FATAL_FAILURE(wait_until_it_writes("us-east-1"));
  EXPECT_EQ(sql("SELECT epoch FROM dr.dr_write_guard WHERE id = 1"), "1");

  // The holder renews by bumping the version: read the record as it is now to hand it over.
  auto now = store_->read();
  ASSERT_TRUE(now && *now) << "the lease item is there";
  auto west = store_->hand_over(**now, "us-west-2", 2s);
  ASSERT_TRUE(west) << west.error();
  auto last = wait_until_it_stops("us-west-2");
  EXPECT_NE(last.value("message", "").find("us-west-2 (epoch 2)"), std::string::npos) << last;
}

TEST(DrAppCommandLine, BothLeaseStoresAtOnceAreAUsageError) {
  auto [code, text] = dr::testing::run_app_until_it_exits(
      {"--region", "us-east-1", "--db-writer", "127.0.0.1:1", "--no-sessions", "--lease-table",
       "dr-write-lease", "--lease-endpoints", "127.0.0.1:1"});
  EXPECT_EQ(code, 2) << "a usage error, as --help documents";
  EXPECT_NE(text.find("--lease-endpoints excludes --lease-table"), std::string::npos) << text;
}

}  // namespace
}  // namespace dr::app
