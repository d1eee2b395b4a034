// The controller's durable state against a real DynamoDB Local: a saved runbook reads back for a
// restarted controller; guards survive; a wrong acknowledgement is refused.
#include "backends/controller_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "backends/jsonl_notifier.h"
#include "lab/dynamodb_local.h"
#include "lab/temp_dir.h"

namespace dr::backends {
namespace {

using ::testing::HasSubstr;

class ControllerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lab::DynamoDbLocalOptions o;
    o.die_with_parent = true;
    auto s = lab::DynamoDbLocal::start(tmp_.path(), o);
    ASSERT_TRUE(s) << s.error();
    server_.emplace(std::move(*s));
    aws::ClientConfig c;
    c.region = "us-west-2";
    c.endpoint_url = server_->endpoint_url();
    c.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"lab", "lab-secret", "", {}, "test"});
    ddb_.emplace(c);
    store_.emplace(*ddb_, "dr-controller");
    ASSERT_TRUE(store_->ensure_table());
    ASSERT_TRUE(store_->ensure_table()) << "ensure_table is idempotent";
  }

  dr::testing::TempDir tmp_{"dr-store-test"};
  std::optional<lab::DynamoDbLocal> server_;
  std::optional<aws::DynamoDb> ddb_;
  std::optional<ControllerStore> store_;
};

TEST_F(ControllerStoreTest, ARestartedControllerReadsTheLastSavedStep) {
  auto none = store_->load_runbook();
  ASSERT_TRUE(none) << none.error();
  EXPECT_FALSE(none->has_value());

  core::RunbookState s;
  s.plan.id = "fo-42";
  s.plan.scenario = core::Scenario::kRegionFailover;
  s.plan.from_region = "us-east-1";
  s.plan.to_region = "us-west-2";
  s.plan.old_writer = "a1";
  s.plan.new_writer = "b1";
  s.plan.regions = {"us-east-1", "us-west-2"};
  s.next_step = 2;
  s.audit.push_back({"fence_old_primary", 1, 5, "skipped: a1 unreachable"});
  s.owner = "controller-1";
  s.lease_until_ms = std::numeric_limits<int64_t>::max();
  auto first = store_->save(s);
  ASSERT_TRUE(first) << first.error();
  s.next_step = 3;
  auto second = store_->save(s);
  ASSERT_TRUE(second) << second.error();

  // While controller-1's lease holds, nobody else may save (start or take over) a runbook.
  core::RunbookState other = s;
  other.plan.id = "fo-43";
  other.owner = "cli-2";
  other.next_step = 0;
  auto refused = store_->save(other);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kConflict) << refused.error();
  EXPECT_NE(refused.error().message.find("held by controller-1"), std::string::npos)
      << refused.error();

  auto loaded = store_->load_runbook();
  ASSERT_TRUE(loaded) << loaded.error();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->plan.id, "fo-42");
  EXPECT_EQ((*loaded)->next_step, 3u);
  EXPECT_EQ((*loaded)->audit.at(0).outcome, "skipped: a1 unreachable");
  EXPECT_EQ((*loaded)->owner, "controller-1");

  // Once it is done, the next runbook may start.
  s.done = true;
  ASSERT_TRUE(store_->save(s));
  auto next = store_->save(other);
  EXPECT_TRUE(next) << next.error();
}

TEST_F(ControllerStoreTest, AnAbandonedRunbookCanBeTakenOverAfterItsLeaseRunsOut) {
  core::RunbookState s;
  s.plan.id = "fo-50";
  s.plan.regions = {"us-east-1"};
  s.owner = "controller-dead";
  s.lease_until_ms = 1;  // long expired
  ASSERT_TRUE(store_->save(s));
  s.owner = "controller-new";
  s.lease_until_ms = std::numeric_limits<int64_t>::max();
  auto taken = store_->save(s);
  EXPECT_TRUE(taken) << taken.error();
}

TEST_F(ControllerStoreTest, GuardsPersistAndOnlyTheWaitingFailoverCanBeAcknowledged) {
  auto g = store_->load_guards();
  ASSERT_TRUE(g);
  EXPECT_TRUE(g->automatic_failover_enabled);
  EXPECT_FALSE(g->unacknowledged_failover);

  ASSERT_TRUE(store_->set_automatic_failover(false));
  ASSERT_TRUE(store_->require_ack("fo-7"));
  g = store_->load_guards();
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->automatic_failover_enabled);
  EXPECT_EQ(g->unacknowledged_failover, "fo-7");

  auto wrong = store_->acknowledge("fo-8");
  ASSERT_FALSE(wrong);
  EXPECT_THAT(wrong.error(), HasSubstr("waiting: fo-7"));
  ASSERT_TRUE(store_->acknowledge("fo-7"));
  g = store_->load_guards();
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->unacknowledged_failover);

  // The primary's capacity is remembered beside the guards, and changing it touches nothing else.
  EXPECT_FALSE(g->primary_capacity);
  ASSERT_TRUE(store_->remember_primary_capacity(4));
  ASSERT_TRUE(store_->remember_primary_capacity(6));
  g = store_->load_guards();
  ASSERT_TRUE(g);
  EXPECT_EQ(g->primary_capacity, 6);
  EXPECT_FALSE(g->automatic_failover_enabled);
}

TEST(JsonlNotifier, AppendsOneTimestampedJsonObjectPerEvent) {
  dr::testing::TempDir tmp("dr-notify-test");
  JsonlNotifier n(tmp / "events.jsonl", [] { return core::TimePoint(std::chrono::seconds(5)); });
  n.notify(R"({"event":"failover-complete","id":"fo-1"})");
  n.notify("not json");
  std::ifstream in(tmp / "events.jsonl");
  std::string line1, line2;
  std::getline(in, line1);
  std::getline(in, line2);
  auto e1 = nlohmann::json::parse(line1);
  EXPECT_EQ(e1["event"], "failover-complete");
  EXPECT_EQ(e1["time_ms"], 5000);
  EXPECT_EQ(nlohmann::json::parse(line2)["message"], "not json");
}

}  // namespace
}  // namespace dr::backends
