// The AWS world's write lease port (backends/aws/aws_write_lease.h) against DynamoDB Local: the
// lease table through the secondary region's client; kAfterExpiry takes a free lease at once and
// a renewed one never, within its deadline (kTimeout), an unrenewed one after the holder's TTL and
// margin; kHandOver moves it at once; no table is not-supported. The clock is the test's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "aws/credentials.h"
#include "backends/aws/aws_write_lease.h"
#include "lab/dynamodb_local.h"
#include "lab/temp_dir.h"
#include "lease/write_lease.h"

namespace dr::backends::aws_world {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class AwsWriteLeaseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new dr::testing::TempDir("dr-aws-lease");
    lab::DynamoDbLocalOptions options;
    options.die_with_parent = true;
    auto started = lab::DynamoDbLocal::start(tmp_->path(), options);
    if (!started) {
      why_ = started.error().describe();
      return;
    }
    server_ = new lab::DynamoDbLocal(std::move(*started));
  }
  static void TearDownTestSuite() {
    if (server_) (void)server_->stop();
    delete server_;
    delete tmp_;
    server_ = nullptr;
    tmp_ = nullptr;
  }

  void SetUp() override {
    if (server_ == nullptr) GTEST_SKIP() << "SKIPPED: DynamoDB Local: " << why_;
    table_ =
        std::string("lease-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    // DynamoDB Local keeps one database per region, where the MRSC table is one table with a
    // replica in each: the holder's side here speaks to the secondary's, as the port must.
    auto config = clients("us-west-2", dr::aws::DynamoDb::service());
    ASSERT_TRUE(config);
    asked_.clear();
    ddb_ = std::make_unique<dr::aws::DynamoDb>(*config);
    auto created = ddb_->create_table(
        {{"TableName", table_},
         {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
         {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
         {"BillingMode", "PAY_PER_REQUEST"}});
    ASSERT_TRUE(created) << created.error();
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
    dr::aws::ClientConfig c;
    c.region = region;
    c.endpoint_url = server_->endpoint_url();
    c.credentials = std::make_shared<dr::aws::StaticCredentialsProvider>(
        dr::aws::Credentials{"lab", "lab-secret", "", {}, "test"});
    return c;
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

  static inline dr::testing::TempDir* tmp_ = nullptr;
  static inline lab::DynamoDbLocal* server_ = nullptr;
  static inline std::string why_;
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
