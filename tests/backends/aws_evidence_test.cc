// The controller's evidence on AWS: the pure halves on the shapes AWS returns, and the whole
// observation against a loopback server that answers as RDS, DynamoDB and the primary's ALB do.
#include "backends/aws/aws_evidence.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "aws/credentials.h"
#include "aws/support/loopback_server.h"
#include "backends/global_cluster_fixture.h"

namespace dr::backends::aws_world {
namespace {

using namespace std::chrono_literals;
using core::Health;

constexpr const char* kEast = test::kEastClusterArn;
constexpr const char* kWest = test::kWestClusterArn;

dr::aws::GlobalCluster global(bool east_writes, bool west_writes) {
  return test::two_member_global(east_writes, west_writes);
}

TEST(AwsEvidence, ArnsNameTheRegionAndTheCluster) {
  EXPECT_EQ(region_of_arn(kEast), "us-east-1");
  EXPECT_EQ(cluster_of_arn(kEast), "dr-app-us-east-1");
  EXPECT_EQ(region_of_arn("arn:aws:rds:us-east-1:1:db:instance-1"), "") << "an instance";
  EXPECT_EQ(region_of_arn("dr-app-us-east-1"), "");
  EXPECT_EQ(cluster_of_arn("arn:aws:rds:::cluster:x"), "");
}

TEST(AwsEvidence, TheGlobalClustersWriterIsThePrimary) {
  auto t = topology_of(global(true, false));
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->primary_region, "us-east-1");
  EXPECT_EQ(t->writer, "dr-app-us-east-1");
  EXPECT_EQ(t->secondary_region, "us-west-2");
  EXPECT_EQ(t->secondary_db, "dr-app-us-west-2");
  EXPECT_EQ(t->az_standby, "") << "Aurora moves the writer inside a region itself";

  auto after = topology_of(global(false, true));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->primary_region, "us-west-2");

  auto moving = global(false, false);
  moving.failover_state = dr::aws::GlobalClusterFailoverState{.status = "failing-over"};
  auto none = topology_of(moving);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().find("failing-over"), std::string::npos) << none.error();

  auto three = global(true, false);
  three.members.push_back({.db_cluster_arn = kWest});
  EXPECT_FALSE(topology_of(three));
  auto same = global(true, false);
  same.members[1].db_cluster_arn = kEast;
  EXPECT_FALSE(topology_of(same));
}

TEST(AwsEvidence, ReplicationIsConnectedOnlyWithARecentBoundedLagAndNoResync) {
  const core::TimePoint now{std::chrono::hours(1000)};
  dr::aws::GlobalClusterMember secondary{.db_cluster_arn = kWest,
                                         .synchronization_status = "connected"};
  auto fresh = replication_of(secondary, LagSample{800, now - 30s}, now);
  EXPECT_TRUE(fresh.connected_to_writer);
  ASSERT_TRUE(fresh.lag_seconds);
  EXPECT_DOUBLE_EQ(*fresh.lag_seconds, 0.8);
  EXPECT_FALSE(replication_of(secondary, std::nullopt, now).connected_to_writer)
      << "no datapoint: nothing proves data still flows";
  EXPECT_FALSE(replication_of(secondary, LagSample{800, now - 10min}, now).connected_to_writer)
      << "data transfer stopped";
  EXPECT_FALSE(replication_of(secondary, LagSample{900'000, now - 30s}, now).connected_to_writer)
      << "lag grown past the bound";
  secondary.synchronization_status = "pending-resync";
  EXPECT_FALSE(replication_of(secondary, LagSample{800, now - 30s}, now).connected_to_writer);
  secondary.synchronization_status = "";  // older API versions do not say: the lag decides
  EXPECT_TRUE(replication_of(secondary, LagSample{800, now - 30s}, now).connected_to_writer);
}

core::Observation after(int probes, bool health, bool deep, bool replicating, bool answered = true,
                        bool live = true) {
  core::Observer o("checker-1", false, {.failure = 3, .success = 2});
  for (int i = 0; i < probes; ++i)
    record_probe(o, {.health_ok = health, .deep_ok = deep, .answered = answered},
                 {.connected = replicating, .live = replicating && live});
  return o.observation();
}

TEST(AwsEvidence, TheWriterIsJudgedByTheDeepCheckAndWithoutTheAlbByReplication) {
  auto healthy = after(3, true, true, true);
  EXPECT_EQ(healthy.writer, Health::kHealthy);
  EXPECT_EQ(healthy.app, Health::kHealthy);
  auto db_down = after(3, true, false, false);
  EXPECT_EQ(db_down.writer, Health::kUnhealthy) << "the app answers but cannot write";
  EXPECT_EQ(db_down.app, Health::kHealthy);
  auto app_tier_down = after(3, false, false, true);
  EXPECT_EQ(app_tier_down.app, Health::kUnhealthy);
  EXPECT_EQ(app_tier_down.writer, Health::kHealthy)
      << "the ALB is down but the secondary still replicates: the database is alive";
  auto region_down = after(3, false, false, false);
  EXPECT_EQ(region_down.app, Health::kUnhealthy);
  EXPECT_EQ(region_down.writer, Health::kUnhealthy);
}

// A region that is gone answers nothing, while CloudWatch's last lag datapoint (up to minutes old
// on AWS) still says the secondary replicates: that must not vouch for the writer, or a region
// outage is decided as an app-tier one (traffic moved, the database left in the dead region).
// A live report (the lab's, read from the servers when asked) still does: an ALB killed alone.
TEST(AwsEvidence, AnAlbThatDoesNotAnswerIsVouchedForOnlyByALiveLinkReport) {
  auto gone = after(3, false, false, /*replicating=*/true, /*answered=*/false, /*live=*/false);
  EXPECT_EQ(gone.app, Health::kUnhealthy);
  EXPECT_EQ(gone.writer, Health::kUnhealthy);
  auto alb_killed = after(3, false, false, true, /*answered=*/false, /*live=*/true);
  EXPECT_EQ(alb_killed.writer, Health::kHealthy);
  auto app_tier_down = after(3, false, false, true, /*answered=*/true, /*live=*/false);
  EXPECT_EQ(app_tier_down.writer, Health::kHealthy) << "an ALB's 503: the region is there";
}

// What each answer of the ALB's two paths makes of a probe.
TEST(AwsEvidence, AProbeSaysWhetherTheAlbAnsweredAtAll) {
  auto probe = [](std::optional<bool> health, std::optional<bool> deep) {
    return probe_alb([&](const std::string&,
                         const std::string& path) { return path == "/health" ? health : deep; },
                     "https://alb");
  };
  auto ok = probe(true, true);
  EXPECT_TRUE(ok.health_ok && ok.deep_ok && ok.answered);
  auto no_targets = probe(false, false);
  EXPECT_FALSE(no_targets.health_ok);
  EXPECT_TRUE(no_targets.answered);
  auto silent = probe(std::nullopt, std::nullopt);
  EXPECT_FALSE(silent.health_ok || silent.deep_ok || silent.answered);
  EXPECT_TRUE(probe(std::nullopt, false).answered) << "one answer is an ALB that is there";
}

nlohmann::json witness_item(const std::string& observation, int64_t at_ms) {
  return {{"id", {{"S", "witness"}}},
          {"observation", {{"S", observation}}},
          {"observed_at_ms", {{"N", std::to_string(at_ms)}}}};
}

TEST(AwsEvidence, AWitnessVoteCountsWhileItIsFresh) {
  const core::TimePoint now{std::chrono::hours(1000)};
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  core::Observation seen;
  seen.observer = "witness";
  seen.writer = Health::kUnhealthy;
  seen.app = Health::kUnhealthy;
  auto o = witness_from_item(witness_item(core::to_json(seen).dump(), now_ms - 5000), now, 60s);
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->witness);
  EXPECT_EQ(o->writer, Health::kUnhealthy);
  EXPECT_FALSE(
      witness_from_item(witness_item(core::to_json(seen).dump(), now_ms - 120'000), now, 60s))
      << "a stopped witness has no vote";
  EXPECT_FALSE(witness_from_item(witness_item("{not json", now_ms), now, 60s));
  EXPECT_FALSE(witness_from_item(nlohmann::json({{"observation", {{"N", "1"}}}}), now, 60s))
      << "the wrong types";
  auto bad_time = witness_item(core::to_json(seen).dump(), now_ms);
  bad_time["observed_at_ms"]["N"] = "soon";
  EXPECT_FALSE(witness_from_item(bad_time, now, 60s));
}

// The witness's side (what the lab's witness writes through the lab's AWS endpoint) is what the
// controller's side reads: the same observation back, as the witness's vote, while fresh.
TEST(AwsEvidence, TheWitnessItemReadsBackAsItsVote) {
  const core::TimePoint now{std::chrono::hours(1000)};
  core::Observation seen;
  seen.observer = "witness";
  seen.writer = Health::kUnhealthy;
  seen.app = Health::kHealthy;
  const nlohmann::json item = aws_world::witness_item(seen, now - 2s, "us-east-1");
  EXPECT_EQ(item["id"]["S"], kWitnessItemId);
  auto o = witness_from_item(item, now, 60s, "us-east-1");
  ASSERT_TRUE(o);
  EXPECT_TRUE(o->witness);
  EXPECT_EQ(o->writer, Health::kUnhealthy);
  EXPECT_EQ(o->app, Health::kHealthy);
  EXPECT_FALSE(witness_from_item(aws_world::witness_item(seen, now - 61s, "us-east-1"), now, 60s))
      << "its age is the time it was observed";
}

// A vote is about the primary region the witness probed. After a switchover moved the primary
// to us-west-2, a fresh "writer down" about us-east-1 (the old primary, fenced on purpose) must
// not count, or it could fail the new primary back over with data loss.
TEST(AwsEvidence, AWitnessVoteAboutAnotherPrimaryRegionDoesNotCount) {
  const core::TimePoint now{std::chrono::hours(1000)};
  core::Observation seen;
  seen.observer = "witness";
  seen.writer = Health::kUnhealthy;
  seen.app = Health::kUnhealthy;
  const auto item = aws_world::witness_item(seen, now - 1s, "us-east-1");
  EXPECT_FALSE(witness_from_item(item, now, 60s, "us-west-2"));
  EXPECT_TRUE(witness_from_item(item, now, 60s, "us-east-1"));
  auto unnamed = item;
  unnamed.erase("primary_region");
  EXPECT_TRUE(witness_from_item(unnamed, now, 60s, "us-west-2")) << "an older witness still votes";
}

// RDS, DynamoDB and the ALB on one loopback server, as the controller's clients reach them.
class EvidenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.http().Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.has_header("X-Amz-Target")) {  // DynamoDB GetItem
        nlohmann::json out = nlohmann::json::object();
        if (!witness_.is_null()) out["Item"] = witness_;
        res.set_content(out.dump(), "application/x-amz-json-1.0");
        return;
      }
      const bool global = req.body.find("Action=DescribeGlobalClusters") != std::string::npos;
      const std::string action = global ? "DescribeGlobalClusters" : "DescribeDBClusters";
      std::string result =
          global ? "<GlobalClusters><GlobalClusterMember>"
                   "<GlobalClusterIdentifier>dr-app-global</GlobalClusterIdentifier>"
                   "<GlobalClusterMembers>"
                   "<GlobalClusterMember><DBClusterArn>" +
                       std::string(kEast) +
                       "</DBClusterArn><IsWriter>true</IsWriter></GlobalClusterMember>"
                       "<GlobalClusterMember><DBClusterArn>" +
                       kWest +
                       "</DBClusterArn><IsWriter>false</IsWriter>"
                       "<SynchronizationStatus>connected</SynchronizationStatus>"
                       "</GlobalClusterMember></GlobalClusterMembers>"
                       "</GlobalClusterMember></GlobalClusters>"
                 : "<DBClusters><DBCluster><DBClusterIdentifier>dr-app-us-west-2"
                   "</DBClusterIdentifier><Status>" +
                       secondary_status_ + "</Status></DBCluster></DBClusters>";
      res.set_content("<" + action + "Response><" + action + "Result>" + result + "</" + action +
                          "Result><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></" +
                          action + "Response>",
                      "text/xml");
    });
    server_.http().Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      if (frozen_) return freeze(res);
      res.status = alb_up_ ? 200 : 503;
    });
    server_.http().Get("/health/deep", [this](const httplib::Request&, httplib::Response& res) {
      if (frozen_) return freeze(res);
      res.status = alb_up_ && db_up_ ? 200 : 503;
    });
    // Enough workers for a frozen round (six probes) besides the AWS clients' kept-alive
    // connections, each of which holds one of httplib's (by default 8).
    server_.http().new_task_queue = [] { return new httplib::ThreadPool(16); };
    server_.start();
    dr::aws::ClientConfig config;
    config.region = "us-west-2";
    config.endpoint_url = server_.url();
    config.credentials = std::make_shared<dr::aws::StaticCredentialsProvider>(
        dr::aws::Credentials{.access_key_id = "AKID",
                             .secret_access_key = "s",
                             .session_token = "",
                             .expiration = std::nullopt,
                             .source = "test"});
    config.retry.max_attempts = 1;
    rds_.emplace(config);
    dynamodb_.emplace(config);
  }

  Evidence evidence(std::optional<LagSample> lag, int checkers = 3,
                    Evidence::LiveLinkReader live = {}, std::string alb = "") {
    EvidenceOptions options;
    options.checkers = checkers;
    options.global_cluster_id = "dr-app-global";
    options.alb_urls = {{"us-east-1", alb.empty() ? server_.url() : alb}};
    options.state_table = "dr-app-controller";
    options.thresholds = {.failure = 2, .success = 1};
    return Evidence(
        options, *rds_, *dynamodb_,
        dr::aws::make_curl_transport({.request_timeout = std::chrono::milliseconds(10'000)}),
        [lag](const std::string&) { return lag; }, [this] { return now_; }, {}, std::move(live));
  }

  // A frozen ALB: a probe gets no answer until every probe of the round (each checker's /health
  // and /health/deep) is in flight at once, or the deadline passes; then a 503.
  void freeze(httplib::Response& res) {
    std::unique_lock lock(frozen_mutex_);
    ++frozen_in_flight_;
    frozen_cv_.notify_all();
    // The client waits longer (evidence(): 10 s), so a probe held here is still in flight.
    if (!frozen_cv_.wait_for(lock, 5s, [this] { return frozen_in_flight_ >= kFrozenRound; }))
      a_probe_waited_alone_ = true;
    res.status = 503;
  }
  static constexpr int kFrozenRound = 2;  // one checker (evidence(..., 1)), two paths
  std::atomic<bool> frozen_{false}, a_probe_waited_alone_{false};
  std::mutex frozen_mutex_;
  std::condition_variable frozen_cv_;
  int frozen_in_flight_ = 0;

  dr::test::LoopbackServer server_;
  std::optional<dr::aws::Rds> rds_;
  std::optional<dr::aws::DynamoDb> dynamodb_;
  core::TimePoint now_ = core::Clock::now();
  std::atomic<bool> alb_up_{true}, db_up_{true};
  std::string secondary_status_ = "available";
  nlohmann::json witness_;
};

TEST_F(EvidenceTest, AHealthyDeploymentIsSeenHealthyByEveryChecker) {
  auto e = evidence(LagSample{500, now_ - 20s});
  std::expected<core::Snapshot, std::string> s;
  for (int i = 0; i < 2; ++i) s = e.observe();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->topology.primary_region, "us-east-1");
  EXPECT_EQ(s->topology.secondary_db, "dr-app-us-west-2");
  EXPECT_EQ(s->secondary_db, Health::kHealthy);
  ASSERT_TRUE(s->replication);
  EXPECT_TRUE(s->replication->connected_to_writer);
  ASSERT_EQ(s->observations.size(), 3u) << "three checkers, no witness item yet";
  for (const auto& o : s->observations) {
    EXPECT_EQ(o.writer, Health::kHealthy) << o.observer;
    EXPECT_EQ(o.app, Health::kHealthy) << o.observer;
  }
}

// A frozen ALB must cost one probe timeout per tick, not one per path: /health and
// /health/deep go out together (the Lambda caps that timeout at its tick, lambda/world_factory).
TEST_F(EvidenceTest, AFrozenAlbHoldsEveryProbeOfTheRoundAtOnce) {
  frozen_ = true;
  auto e = evidence(std::nullopt, 1);
  auto s = e.observe();
  ASSERT_TRUE(s) << s.error();
  EXPECT_FALSE(a_probe_waited_alone_) << "the probes of one round went out one after another";
}

// An ALB that does not answer at all (nothing listens where it was): only a live report of the
// link vouches for the writer, not CloudWatch's minute-old datapoint, which on AWS outlives a
// dead region for minutes and would have it decided an app-tier outage. An ALB that answers 503
// is a region that is there: the link vouches as before, and no live report is asked for.
TEST_F(EvidenceTest, ASilentAlbsWriterIsVouchedForOnlyByALiveLinkReport) {
  const std::string nowhere = "http://127.0.0.1:1";
  int asked = 0;
  bool live = false;
  auto e = evidence(
      LagSample{500, now_ - 40s}, 3,
      [&](const std::string& cluster) {
        ++asked;
        EXPECT_EQ(cluster, "dr-app-us-west-2");
        return live;
      },
      nowhere);
  std::expected<core::Snapshot, std::string> s;
  for (int i = 0; i < 2; ++i) s = e.observe();
  ASSERT_TRUE(s) << s.error();
  ASSERT_TRUE(s->replication);
  EXPECT_TRUE(s->replication->connected_to_writer) << "the minute-old datapoint is within max_age";
  for (const auto& o : s->observations) {
    EXPECT_EQ(o.app, Health::kUnhealthy) << o.observer;
    EXPECT_EQ(o.writer, Health::kUnhealthy) << o.observer << ": vouched for by an old report";
  }
  EXPECT_EQ(asked, 2) << "once a tick, for all checkers";

  live = true;  // the lab's endpoint: a reading of now
  auto vouched = evidence(
      LagSample{500, now_ - 1s}, 3, [&](const std::string&) { return live; }, nowhere);
  for (int i = 0; i < 2; ++i) s = vouched.observe();
  ASSERT_TRUE(s) << s.error();
  for (const auto& o : s->observations) EXPECT_EQ(o.writer, Health::kHealthy) << o.observer;

  alb_up_ = false;  // answers 503: the app tier is down, the region is there
  asked = 0;
  live = false;
  auto answered = evidence(LagSample{500, now_ - 40s}, 3, [&](const std::string&) {
    ++asked;
    return live;
  });
  for (int i = 0; i < 2; ++i) s = answered.observe();
  ASSERT_TRUE(s) << s.error();
  for (const auto& o : s->observations) {
    EXPECT_EQ(o.app, Health::kUnhealthy) << o.observer;
    EXPECT_EQ(o.writer, Health::kHealthy) << o.observer;
  }
  EXPECT_EQ(asked, 0) << "no live report is asked for when every ALB answered";
}

TEST_F(EvidenceTest, ARegionThatIsGoneIsSeenDownByCheckersAndWitnessWithItsLinkLost) {
  alb_up_ = false;
  db_up_ = false;
  secondary_status_ = "available";
  core::Observation seen;
  seen.observer = "witness-us-east-2";
  seen.writer = Health::kUnhealthy;
  seen.app = Health::kUnhealthy;
  witness_ = witness_item(
      core::to_json(seen).dump(),
      std::chrono::duration_cast<std::chrono::milliseconds>(now_.time_since_epoch()).count() -
          1000);
  auto e = evidence(std::nullopt);  // CloudWatch has no recent lag: data transfer stopped
  std::expected<core::Snapshot, std::string> s;
  for (int i = 0; i < 2; ++i) s = e.observe();
  ASSERT_TRUE(s) << s.error();
  ASSERT_EQ(s->observations.size(), 4u);
  int witnesses = 0;
  for (const auto& o : s->observations) {
    EXPECT_EQ(o.writer, Health::kUnhealthy) << o.observer;
    witnesses += o.witness;
  }
  EXPECT_EQ(witnesses, 1);
  EXPECT_FALSE(s->replication->connected_to_writer);
}

TEST_F(EvidenceTest, ANonAvailableSecondaryIsUnhealthyAndAnUnknownAlbIsAnError) {
  secondary_status_ = "modifying";
  auto e = evidence(LagSample{500, now_});
  auto s = e.observe();
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->secondary_db, Health::kUnhealthy);

  EvidenceOptions options;
  options.global_cluster_id = "dr-app-global";
  options.alb_urls = {{"us-west-2", server_.url()}};
  Evidence wrong(options, *rds_, *dynamodb_, dr::aws::make_curl_transport({}), nullptr,
                 [this] { return now_; });
  auto r = wrong.observe();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("us-east-1"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace dr::backends::aws_world
