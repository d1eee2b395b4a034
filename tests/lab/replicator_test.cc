// The global-table replicator between two real DynamoDB Locals (one per region): sessions
// written in one region are readable in the other, both ways; concurrent writes to the same item
// converge to the same value everywhere; nothing echoes back.
#include "lab/replicator.h"

#include <gtest/gtest.h>

#include "app/session_store.h"
#include "aws/fence_record.h"
#include "lab/dynamodb_local.h"
#include "lab/dynamodb_local_helpers.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

struct Region {
  Region(DynamoDbLocal& server, const std::string& name, std::function<aws::SystemTime()> clock)
      : ddb(std::make_shared<aws::DynamoDb>(dr::testing::dynamodb_local_config(server, name))),
        streams(std::make_shared<aws::DynamoDbStreams>(
            dr::testing::dynamodb_local_config(server, name))),
        sessions(*ddb, "sessions", name, std::move(clock)) {}
  std::shared_ptr<aws::DynamoDb> ddb;
  std::shared_ptr<aws::DynamoDbStreams> streams;
  app::SessionStore sessions;
};

class ReplicatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* slot : {&east_server_, &west_server_}) {
      DynamoDbLocalOptions o;
      o.name = slot == &east_server_ ? "ddb-east" : "ddb-west";
      o.die_with_parent = true;
      auto s = DynamoDbLocal::start(tmp_.path(), o);
      ASSERT_TRUE(s) << s.error();
      slot->emplace(std::move(*s));
    }
    auto clock = [this] { return now_; };
    east_.emplace(*east_server_, "us-east-1", clock);
    west_.emplace(*west_server_, "us-west-2", clock);
    ASSERT_TRUE(east_->sessions.ensure_table());
    ASSERT_TRUE(west_->sessions.ensure_table());
    east_to_west_.emplace(ReplicationLink{"us-east-1", "us-west-2", "sessions"}, east_->streams,
                          west_->ddb, clock);
    west_to_east_.emplace(ReplicationLink{"us-west-2", "us-east-1", "sessions"}, west_->streams,
                          east_->ddb, clock);
  }

  void pump() {
    auto a = east_to_west_->poll_once();
    EXPECT_TRUE(a) << a.error();
    auto b = west_to_east_->poll_once();
    EXPECT_TRUE(b) << b.error();
  }

  // Pumps both directions until `condition` holds (stream records show up within milliseconds).
  Result<void> replicate_until(const std::string& what, const std::function<bool()>& condition) {
    return wait_until(what,
                      [&] {
                        pump();
                        return condition();
                      },
                      {.timeout = 10s});
  }

  std::optional<app::Session> session(Region& r, const std::string& id) {
    auto s = r.sessions.get(id);
    if (!s) return std::nullopt;
    return *s;
  }

  dr::testing::TempDir tmp_{"dr-replicator-test"};
  std::optional<DynamoDbLocal> east_server_, west_server_;
  std::optional<Region> east_, west_;
  std::optional<StreamReplicator> east_to_west_, west_to_east_;
  aws::SystemTime now_ = std::chrono::system_clock::now();
};

TEST_F(ReplicatorTest, ASessionWrittenInEitherRegionIsReadableInTheOther) {
  ASSERT_TRUE(east_->sessions.put("from-east", {{"cart", 1}}, 0));
  ASSERT_TRUE(west_->sessions.put("from-west", {{"cart", 2}}, 0));
  auto done = replicate_until("both sessions in both regions", [&] {
    return session(*west_, "from-east").has_value() && session(*east_, "from-west").has_value();
  });
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(session(*west_, "from-east")->data["cart"], 1);
  EXPECT_EQ(session(*west_, "from-east")->origin_region, "us-east-1");
  EXPECT_EQ(session(*east_, "from-west")->data["cart"], 2);
  // A replicated write shows up in the target's stream too; it must not be sent back.
  for (int i = 0; i < 3; ++i) pump();
  EXPECT_GE(east_to_west_->stats().skipped_echo + west_to_east_->stats().skipped_echo, 2u);
  EXPECT_EQ(east_to_west_->stats().applied, 1u);
  EXPECT_EQ(west_to_east_->stats().applied, 1u);
}

// The AWS controller writes its fence record straight into a replica of the app's table, without
// dr-app's origin stamp: it replicates like any item (as a global table's would), its echo is not
// sent back, and the writes after it still flow (a refused record stopped the direction).
TEST_F(ReplicatorTest, AnItemWithoutAnOriginStampReplicatesAndDoesNotStopTheStream) {
  aws::FenceRecord fence{"us-east-1", true, "failover fo-1", 1000, "controller"};
  ASSERT_TRUE(east_->ddb->put_item(aws::fence_put_item("sessions", "id", fence)));
  ASSERT_TRUE(east_->sessions.put("after-the-fence", {{"cart", 3}}, 0));
  auto done = replicate_until("the fence record and the session after it in us-west-2", [&] {
    auto got = west_->ddb->get_item(aws::fence_get_item("sessions", "id", "us-east-1"));
    auto record = got ? aws::parse_fence_item(*got)
                      : std::expected<std::optional<aws::FenceRecord>, std::string>(
                            std::unexpected(got.error().describe()));
    return record && *record && (*record)->fenced && session(*west_, "after-the-fence").has_value();
  });
  ASSERT_TRUE(done) << done.error();
  for (int i = 0; i < 3; ++i) pump();
  EXPECT_EQ(east_to_west_->stats().applied, 2u);
  EXPECT_EQ(west_to_east_->stats().applied, 0u) << "nothing echoed back";
}

TEST_F(ReplicatorTest, ConcurrentWritesToTheSameItemConvergeToTheLastWriter) {
  // Both regions write the same session "at once"; west's write is 5 ms later, so it wins.
  ASSERT_TRUE(east_->sessions.put("shared", {{"who", "east"}}, 0));
  now_ += 5ms;
  ASSERT_TRUE(west_->sessions.put("shared", {{"who", "west"}}, 0));
  auto done = replicate_until("both regions agree", [&] {
    auto e = session(*east_, "shared");
    auto w = session(*west_, "shared");
    return e && w && e->data == w->data;
  });
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(session(*east_, "shared")->data["who"], "west");
  EXPECT_EQ(session(*west_, "shared")->data["who"], "west");
  EXPECT_GE(east_to_west_->stats().skipped_older, 1u) << "east's older write must lose in west";
}

TEST_F(ReplicatorTest, ATieIsBrokenByRegionTheSameWayEverywhere) {
  ASSERT_TRUE(east_->sessions.put("tie", {{"who", "east"}}, 0));
  ASSERT_TRUE(west_->sessions.put("tie", {{"who", "west"}}, 0));  // same clock reading
  auto done = replicate_until("both regions agree", [&] {
    auto e = session(*east_, "tie");
    auto w = session(*west_, "tie");
    return e && w && e->data == w->data;
  });
  ASSERT_TRUE(done) << done.error();
  // "us-west-2" > "us-east-1": the greater region wins a tie.
  EXPECT_EQ(session(*east_, "tie")->data["who"], "west");
}

TEST_F(ReplicatorTest, AStaleVersionIsRefusedLocallyAndUpdatesReplicate) {
  ASSERT_TRUE(east_->sessions.put("v", {{"n", 1}}, 0));
  auto stale = east_->sessions.put("v", {{"n", 2}}, 5);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().failure, app::SessionFailure::kVersionConflict);
  EXPECT_EQ(stale.error().current_version, 1);
  now_ += 1ms;
  ASSERT_TRUE(east_->sessions.put("v", {{"n", 2}}, 1));
  auto done = replicate_until("west has version 2", [&] {
    auto w = session(*west_, "v");
    return w && w->version == 2;
  });
  ASSERT_TRUE(done) << done.error();
  EXPECT_EQ(session(*west_, "v")->data["n"], 2);
  ASSERT_FALSE(east_to_west_->stats().lag_ms.empty());
}

}  // namespace
}  // namespace dr::lab
