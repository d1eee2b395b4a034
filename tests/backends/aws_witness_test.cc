// The witness on AWS, one round at a time over fakes: who it probes (the global cluster's
// writer region), what it writes (an item the controller's Evidence reads back as the witness's
// vote), and that a round that cannot tell writes nothing.
#include "backends/aws/aws_witness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "backends/aws/aws_evidence.h"
#include "backends/global_cluster_fixture.h"

namespace dr::backends::aws_world {
namespace {

using namespace std::chrono_literals;
using core::Health;

dr::aws::DescribeGlobalClustersOutput described(bool east_writes, bool west_writes) {
  dr::aws::DescribeGlobalClustersOutput out;
  out.global_clusters = {test::two_member_global(east_writes, west_writes)};
  return out;
}

class WitnessRoundsTest : public ::testing::Test {
 protected:
  WitnessRounds rounds() {
    WitnessOptions o;
    o.global_cluster_id = "dr-app-global";
    o.alb_urls = {{"us-east-1", "https://east.example"}, {"us-west-2", "https://west.example"}};
    o.state_table = "dr-controller-state";
    WitnessIo io;
    io.describe = [this](const std::string& id)
        -> std::expected<dr::aws::DescribeGlobalClustersOutput, std::string> {
      described_ids.push_back(id);
      if (!describe_error.empty()) return std::unexpected(describe_error);
      return global;
    };
    io.get = [this](const std::string& base, const std::string& path) {
      std::lock_guard lock(mu);
      gets.push_back(base + path);
      return path == "/health" ? health_ok : deep_ok;
    };
    io.put = [this](const nlohmann::json& request) -> std::expected<void, std::string> {
      if (!put_error.empty()) return std::unexpected(put_error);
      puts.push_back(request);
      return {};
    };
    io.now = [this] { return now; };
    return WitnessRounds(std::move(o), std::move(io));
  }

  std::mutex mu;
  dr::aws::DescribeGlobalClustersOutput global = described(true, false);
  std::string describe_error, put_error;
  bool health_ok = true, deep_ok = true;
  core::TimePoint now = core::TimePoint(std::chrono::milliseconds(1'764'800'000'000));
  std::vector<std::string> described_ids, gets;
  std::vector<nlohmann::json> puts;
};

TEST(AwsWitnessItem, ReadsBackAsTheWitnesssVote) {
  core::Observation o;
  o.observer = "witness";
  o.witness = true;
  o.writer = Health::kUnhealthy;
  o.app = Health::kHealthy;
  o.pending = true;
  const core::TimePoint at(std::chrono::milliseconds(1'764'800'000'123));
  auto item = witness_item(o, at, "us-east-1", "dr-app-us-east-1");
  EXPECT_EQ(item["id"]["S"], kWitnessItemId);
  EXPECT_EQ(item["observed_at_ms"]["N"], "1764800000123");
  EXPECT_EQ(item["primary_region"]["S"], "us-east-1");
  auto back = witness_from_item(item, at + 10s, 60s);
  ASSERT_TRUE(back) << item.dump();
  EXPECT_TRUE(back->witness);
  EXPECT_EQ(back->observer, "witness");
  EXPECT_EQ(back->writer, Health::kUnhealthy);
  EXPECT_EQ(back->app, Health::kHealthy);
  EXPECT_EQ(back->az_standby, Health::kUnknown);
  EXPECT_TRUE(back->pending);
  EXPECT_FALSE(witness_from_item(item, at + 61s, 60s)) << "a stopped witness has no vote";
}

TEST_F(WitnessRoundsTest, ProbesThePrimarysAlbAndWritesItsVoteEachRound) {
  auto witness = rounds();
  health_ok = true;
  deep_ok = false;  // the app answers, its database does not
  for (int i = 1; i <= 3; ++i) {
    now += 10s;
    auto r = witness();
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(r->primary_region, "us-east-1");
    EXPECT_EQ(r->writer, "dr-app-us-east-1");
    EXPECT_TRUE(r->health_ok);
    EXPECT_FALSE(r->deep_ok);
    EXPECT_EQ(r->observed_at, now);
    ASSERT_EQ(puts.size(), static_cast<size_t>(i));
    const auto& put = puts.back();
    EXPECT_EQ(put["TableName"], "dr-controller-state");
    // What the controller reads back is this round's observation, stamped with its time.
    auto vote = witness_from_item(put["Item"], now, 60s);
    ASSERT_TRUE(vote) << put.dump();
    EXPECT_TRUE(vote->witness);
    EXPECT_EQ(vote->writer, r->observation.writer);
    EXPECT_EQ(vote->app, r->observation.app);
  }
  EXPECT_EQ(described_ids, std::vector<std::string>(3, "dr-app-global"));
  // Both paths each round, on the primary's ALB only.
  ASSERT_EQ(gets.size(), 6u);
  for (const auto& g : gets) EXPECT_TRUE(g.starts_with("https://east.example/health")) << g;
  // Route 53's thresholds, as the checkers: app healthy after 2, writer unhealthy after 3.
  auto vote = witness_from_item(puts.back()["Item"], now, 60s);
  ASSERT_TRUE(vote);
  EXPECT_EQ(vote->app, Health::kHealthy);
  EXPECT_EQ(vote->writer, Health::kUnhealthy);
}

TEST_F(WitnessRoundsTest, AnAlbThatDoesNotAnswerIsAVoteThatTheRegionIsDown) {
  auto witness = rounds();
  health_ok = deep_ok = false;
  std::expected<WitnessRound, std::string> r;
  for (int i = 0; i < 3; ++i) r = witness();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->observation.app, Health::kUnhealthy);
  EXPECT_EQ(r->observation.writer, Health::kUnhealthy)
      << "the witness does not read the replication link: the controller weighs it itself";
}

TEST_F(WitnessRoundsTest, FollowsTheWriterAndStartsAfreshOnTheNewOne) {
  auto witness = rounds();
  health_ok = deep_ok = false;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(witness());
  ASSERT_EQ(witness_from_item(puts.back()["Item"], now, 60s)->writer, Health::kUnhealthy);
  // The controller failed over: us-west-2 writes now, and its ALB answers.
  global = described(false, true);
  health_ok = deep_ok = true;
  gets.clear();
  auto r = witness();
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->primary_region, "us-west-2");
  EXPECT_EQ(r->writer, "dr-app-us-west-2");
  for (const auto& g : gets) EXPECT_TRUE(g.starts_with("https://west.example/")) << g;
  // One good probe of a new target is no verdict yet; the old target's failures do not count.
  EXPECT_EQ(r->observation.writer, Health::kUnknown);
  EXPECT_EQ(puts.back()["Item"]["primary_region"]["S"], "us-west-2");
  ASSERT_TRUE(witness());
  EXPECT_EQ(witness_from_item(puts.back()["Item"], now, 60s)->writer, Health::kHealthy);
}

TEST_F(WitnessRoundsTest, ARoundThatCannotTellWritesNothing) {
  auto witness = rounds();
  describe_error = "AccessDenied: no";
  auto r = witness();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("AccessDenied"), std::string::npos) << r.error();
  describe_error.clear();

  // A failover runs: no member writes.
  global = described(false, false);
  global.global_clusters[0].failover_state =
      dr::aws::GlobalClusterFailoverState{.status = "failing-over"};
  r = witness();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("failing-over"), std::string::npos) << r.error();

  // An answer about another cluster (moto's, for an unknown id) is not ours.
  global = described(true, false);
  global.global_clusters[0].identifier = "someone-else";
  r = witness();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("not found"), std::string::npos) << r.error();

  // A primary whose ALB the witness was not told.
  global = described(true, false);
  global.global_clusters[0].members[0].db_cluster_arn =
      "arn:aws:rds:eu-west-1:123456789012:cluster:dr-app-eu";
  r = witness();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("no ALB URL configured for eu-west-1"), std::string::npos) << r.error();
  EXPECT_TRUE(gets.empty()) << "nothing probed";
  EXPECT_TRUE(puts.empty()) << "nothing written";

  global = described(true, false);
  put_error = "ResourceNotFoundException: no table";
  r = witness();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("dr-controller-state"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("no table"), std::string::npos) << r.error();
}

// /health and /health/deep go out together: each probe here answers only once the other has
// started, so probes made one after the other would both fail.
TEST_F(WitnessRoundsTest, ProbesInParallel) {
  WitnessOptions o;
  o.global_cluster_id = "dr-app-global";
  o.alb_urls = {{"us-east-1", "https://east.example"}};
  o.state_table = "t";
  std::mutex m;
  std::condition_variable cv;
  int started = 0;
  WitnessIo io;
  io.describe = [this](const std::string&)
      -> std::expected<dr::aws::DescribeGlobalClustersOutput, std::string> { return global; };
  io.get = [&](const std::string&, const std::string&) {
    std::unique_lock lock(m);
    ++started;
    cv.notify_all();
    return cv.wait_for(lock, 5s, [&] { return started >= 2; });
  };
  io.put = [](const nlohmann::json&) -> std::expected<void, std::string> { return {}; };
  io.now = [this] { return now; };
  WitnessRounds witness(std::move(o), std::move(io));
  auto r = witness();
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->health_ok);
  EXPECT_TRUE(r->deep_ok);
}

}  // namespace
}  // namespace dr::backends::aws_world
