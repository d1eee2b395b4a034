// The write lease in DynamoDB (lease/dynamodb_store.h), AWS's store, against DynamoDB Local, which
// runs the same conditional writes: the holder renews by bumping the version, a taker takes only a
// version it has seen unrenewed for ttl + margin on its own clock (a fake one here), a renewal
// after a take-over fails, and a hand-over moves it at once. The same LeaseHolder as the lab's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lab/dynamodb_local_helpers.h"
#include "lease/dynamodb_store.h"
#include "lease/write_lease.h"

namespace dr::lease {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class DynamoDbLeaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ddb_local_.start("dr-ddb-lease"); }
  static void TearDownTestSuite() { ddb_local_.stop(); }

  void SetUp() override {
    if (ddb_local_.server() == nullptr)
      GTEST_SKIP() << "SKIPPED: DynamoDB Local: " << ddb_local_.why_not();
    ddb_ =
        std::make_unique<aws::DynamoDb>(dr::testing::dynamodb_local_config(*ddb_local_.server()));
    table_ = dr::testing::table_for_this_test("lease-");
    ASSERT_NO_FATAL_FAILURE(dr::testing::create_lease_table(*ddb_, table_));
  }

  // A store as one process has it, on the test's clock.
  std::unique_ptr<DynamoDbLeaseStore> store() {
    DynamoDbLeaseOptions o;
    o.table = table_;
    o.taker_margin = 500ms;
    o.now = [this] { return now_; };
    return std::make_unique<DynamoDbLeaseStore>(*ddb_, o);
  }
  LeaseHolder holder(LeaseStore& s, const std::string& region) {
    return LeaseHolder(s, region, LeaseTimings{2s, 600ms}, [this] { return now_; });
  }

  static inline dr::testing::SuiteDynamoDbLocal ddb_local_;
  std::unique_ptr<aws::DynamoDb> ddb_;
  std::string table_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

TEST_F(DynamoDbLeaseTest, ARenewedLeaseIsNeverTakenAndAnUnrenewedOneOnlyAfterItsTtlAndMargin) {
  auto east_store = store();
  auto west_store = store();
  auto east = east_store->acquire("us-east-1", 2s);
  ASSERT_TRUE(east) << east.error();
  EXPECT_EQ(east->epoch, 1);
  auto apps = holder(*east_store, "us-east-1");
  ASSERT_TRUE(apps.renew());
  EXPECT_TRUE(apps.may_write()) << apps.why_not();

  // us-east-1 keeps renewing: however long us-west-2 watches, it never takes it.
  for (int i = 0; i < 10; ++i) {
    now_ += 1s;
    ASSERT_TRUE(apps.renew());
    auto refused = west_store->acquire("us-west-2", 2s);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, ErrorKind::kRefused);
  }
  EXPECT_TRUE(apps.may_write());

  // us-east-1 stops renewing (cut off): its apps stop at their last round + ttl - margin, and
  // us-west-2 takes it only at ttl + margin after it first saw that version.
  auto first_look = west_store->acquire("us-west-2", 2s);
  ASSERT_FALSE(first_look);
  EXPECT_THAT(first_look.error().message, HasSubstr("us-east-1 (epoch 1)"));
  now_ += 1400ms;
  EXPECT_FALSE(apps.may_write()) << "2 s - 600 ms after its last confirmed round";
  ASSERT_FALSE(west_store->acquire("us-west-2", 2s)) << "not before ttl + margin";
  now_ += 1200ms;  // 2.6 s since us-west-2 first saw the version: ttl 2 s + margin 0.5 s passed
  auto west = west_store->acquire("us-west-2", 2s);
  ASSERT_TRUE(west) << west.error();
  EXPECT_EQ(west->region, "us-west-2");
  EXPECT_EQ(west->epoch, 2);

  // us-east-1 comes back: its renewal fails (the lease moved), and it says whose it is now.
  ASSERT_TRUE(apps.renew());
  EXPECT_FALSE(apps.may_write());
  EXPECT_THAT(apps.why_not(), HasSubstr("us-west-2 (epoch 2)"));
  auto again = west_store->acquire("us-west-2", 2s);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(again->epoch, 2) << "taking what one holds changes nothing";
}

TEST_F(DynamoDbLeaseTest, AHandOverMovesItAtOnceAndAStaleOneIsRefused) {
  auto s = store();
  auto east = s->acquire("us-east-1", 2s);
  ASSERT_TRUE(east) << east.error();
  auto west = s->hand_over(*east, "us-west-2", 2s);
  ASSERT_TRUE(west) << west.error();
  EXPECT_EQ(west->epoch, 2);
  auto west_apps = holder(*s, "us-west-2");
  ASSERT_TRUE(west_apps.renew());
  EXPECT_TRUE(west_apps.may_write()) << west_apps.why_not();
  EXPECT_EQ(west_apps.epoch(), 2);
  auto stale = s->hand_over(*east, "us-east-1", 2s);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().kind, ErrorKind::kRefused);
}

TEST_F(DynamoDbLeaseTest, ACorruptItemIsNobodysLease) {
  auto put = ddb_->put_item({{"TableName", table_},
                             {"Item",
                              {{"id", {{"S", "write-lease"}}},
                               {"region", {{"S", "us-east-1"}}},
                               {"epoch", {{"N", "0"}}},
                               {"version", {{"N", "3"}}},
                               {"ttl_ms", {{"N", "2000"}}}}}});
  ASSERT_TRUE(put) << put.error();
  auto s = store();
  auto r = s->read();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kBadReply);
  auto apps = holder(*s, "us-east-1");
  EXPECT_FALSE(apps.renew());
  EXPECT_FALSE(apps.may_write());
}

}  // namespace
}  // namespace dr::lease
