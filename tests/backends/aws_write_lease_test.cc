// The AWS world's write lease port (backends/aws/aws_write_lease.h) against DynamoDB Local: the
// lease table through the secondary region's client; kAfterExpiry takes a free lease at once and
// a renewed one never, within its deadline (kTimeout), an unrenewed one after the holder's TTL and
// margin; kHandOver moves it at once; no table is not-supported. The clock is the test's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backends/aws/aws_write_lease.h"
#include "lab/dynamodb_local_helpers.h"
#include "lease/write_lease.h"

namespace dr::backends::aws_world {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class AwsWriteLeaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ddb_local_.start("dr-aws-lease"); }
  static void TearDownTestSuite() { ddb_local_.stop(); }

  void SetUp() override {
    if (ddb_local_.server() == nullptr)
      GTEST_SKIP() << "SKIPPED: DynamoDB Local: " << ddb_local_.why_not();
    table_ = dr::testing::table_for_this_test("lease-");
    // DynamoDB Local keeps one database per region, where the MRSC table is one table with a
    // replica in each: the holder's side here speaks to the secondary's, as the port must.
    auto config = clients("us-west-2", dr::aws::DynamoDb::service());
    ASSERT_TRUE(config);
    asked_.clear();
    ddb_ = std::make_unique<dr::aws::DynamoDb>(*config);
    ASSERT_NO_FATAL_FAILURE(dr::testing::create_lease_table(*ddb_, table_));
    targets_.primary_region = "us-east-1";
    targets_.secondary_region = "us-west-2";
    targets_.lease_table = table_;
    targets_.lease_deadline = 5s;
    targets_.poll_interval = 1s;
  }

  // Every client reaches DynamoDB Local; the regions asked for are noted.
  dr::aws::Result<dr::aws::ClientConfig> clients(const std::string& region,
                                                 const dr::aws::ServiceInfo&) {
    asked_.push_back(region);
    return dr::testing::dynamodb_local_config(*ddb_local_.server(), region);
  }

  // The port on the test's clock; `on_sleep` runs at every poll (a holder renewing, or not).
  std::unique_ptr<AwsWriteLease> port(std::function<void()> on_sleep = nullptr) {
    Pacing pacing;
    pacing.now = [this] { return now_; };
    pacing.sleep = [this, on_sleep](std::chrono::milliseconds d) {
      now_ += d;
      if (on_sleep) on_sleep();
    };
    pacing.wall = [] { return std::chrono::system_clock::now(); };
    return std::make_unique<AwsWriteLease>(
        targets_,
        [this](const std::string& r, const dr::aws::ServiceInfo& s) { return clients(r, s); },
        pacing);
  }

  // The holder's side (dr-app's), on the same clock.
  std::unique_ptr<lease::DynamoDbLeaseStore> holder_store() {
    lease::DynamoDbLeaseOptions o;
    o.table = table_;
    o.now = [this] { return now_; };
    return std::make_unique<lease::DynamoDbLeaseStore>(*ddb_, o);
  }

  static inline dr::testing::SuiteDynamoDbLocal ddb_local_;
  std::unique_ptr<dr::aws::DynamoDb> ddb_;
  std::string table_;
  AwsTargets targets_;
  std::vector<std::string> asked_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
};

TEST_F(AwsWriteLeaseTest, WithoutATableTheStepIsNotSupported) {
  targets_.lease_table = "";
  auto taken = port()->take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, core::ErrorKind::kNotSupported);
  EXPECT_THAT(taken.error().message, HasSubstr("DR_LEASE_TABLE"));
  EXPECT_TRUE(asked_.empty()) << "no client is made for a lease that is not there";
}

TEST_F(AwsWriteLeaseTest, AFreeLeaseIsTakenAtOnceThroughTheSecondarysClientAndTakingAgainIsANoOp) {
  auto p = port();
  auto taken = p->take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_TRUE(taken) << taken.error();
  EXPECT_EQ(*taken, "taken by us-west-2 epoch 1");
  EXPECT_EQ(asked_, std::vector<std::string>{"us-west-2"});
  auto again = p->take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(*again, "held already by us-west-2 epoch 1");
}

TEST_F(AwsWriteLeaseTest, ARenewedLeaseTimesOutAndAnUnrenewedOneIsTakenAfterItsTtl) {
  auto east = holder_store();
  auto held = east->acquire("us-east-1", 2s);
  ASSERT_TRUE(held) << held.error();
  lease::LeaseRecord current = *held;
  bool renewing = true;
  auto p = port([&] {
    if (!renewing) return;
    auto r = east->renew(current);
    if (r && *r) current = (*r)->record;
  });
  auto refused = p->take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kTimeout) << refused.error();
  auto still = east->read();
  ASSERT_TRUE(still && *still);
  EXPECT_EQ((*still)->region, "us-east-1") << "a renewed lease is never taken";

  renewing = false;  // the holder is cut off: it stops renewing (and, by time, writing)
  auto taken = p->take("us-west-2", core::LeaseTake::kAfterExpiry);
  ASSERT_TRUE(taken) << taken.error();
  EXPECT_EQ(*taken, "expired, taken by us-west-2 epoch 2");
  auto renewed = east->renew(current);
  ASSERT_TRUE(renewed) << renewed.error();
  EXPECT_FALSE(*renewed) << "the old holder's renewal fails once the lease is taken";
}

TEST_F(AwsWriteLeaseTest, AHandOverMovesARenewedLeaseAtOnce) {
  auto east = holder_store();
  ASSERT_TRUE(east->acquire("us-east-1", 2s));
  auto moved = port()->take("us-west-2", core::LeaseTake::kHandOver);
  ASSERT_TRUE(moved) << moved.error();
  EXPECT_EQ(*moved, "handed over to us-west-2 epoch 2");
  EXPECT_EQ(now_, std::chrono::steady_clock::time_point(std::chrono::hours(1))) << "no wait";
}

}  // namespace
}  // namespace dr::backends::aws_world
