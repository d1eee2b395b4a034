// The lab's AWS endpoint without servers: the SigV4 check on requests signed by src/aws/sigv4,
// the error shapes (read back with the repo's own AWS client parsers), hostile bodies, and the
// rds / autoscaling behaviours over fake labs (a failover that runs while the test holds it).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <mutex>
#include <random>

#include "aws/autoscaling.h"
#include "aws/elbv2.h"
#include "aws/rds.h"
#include "aws/sns.h"
#include "lab_aws/autoscaling_handler.h"
#include "lab_aws/dispatcher.h"
#include "lab_aws/elbv2_handler.h"
#include "lab_aws/form.h"
#include "lab_aws/rds_handler.h"
#include "lab_aws/secrets_handler.h"
#include "lab_aws/signing.h"
#include "lab_aws/sigv4_verifier.h"
#include "lab_aws/sns_handler.h"

namespace dr::lab_aws {
namespace {

using test::fixed_now;
using test::lab_keys;
using test::signed_query;

aws::HttpRequest describe_globals(const aws::Credentials& keys = lab_keys(),
                                  aws::SystemTime when = fixed_now()) {
  return signed_query("rds", "us-east-1", "2014-10-31", "DescribeGlobalClusters",
                      aws::QueryParams(), keys, when);
}

// ---- SigV4 -------------------------------------------------------------------------------

TEST(Sigv4Verifier, AcceptsARequestSignedWithTheLabsKeysAndReadsTheScope) {
  auto r = signed_query("autoscaling", "us-west-2", "2011-01-01", "DescribeAutoScalingGroups",
                        aws::QueryParams());
  auto caller = verify_signature(r, lab_keys(), fixed_now() + std::chrono::minutes(14));
  ASSERT_TRUE(caller) << caller.error().code << ": " << caller.error().message;
  EXPECT_EQ(caller->service, "autoscaling");
  EXPECT_EQ(caller->region, "us-west-2");
  EXPECT_EQ(caller->access_key_id, lab_keys().access_key_id);
}

TEST(Sigv4Verifier, AWrongSecretIsSignatureDoesNotMatch) {
  auto keys = lab_keys();
  keys.secret_access_key[0] = keys.secret_access_key[0] == 'x' ? 'y' : 'x';
  auto caller = verify_signature(describe_globals(keys), lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().status, 403);
  EXPECT_EQ(caller.error().code, "SignatureDoesNotMatch");
}

TEST(Sigv4Verifier, AnUnknownAccessKeyIsInvalidClientTokenId) {
  auto keys = lab_keys();
  keys.access_key_id = "AKIASOMEBODYELSE0001";
  auto caller = verify_signature(describe_globals(keys), lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().status, 403);
  EXPECT_EQ(caller.error().code, "InvalidClientTokenId");
}

TEST(Sigv4Verifier, ATamperedBodyOrSignedHeaderIsSignatureDoesNotMatch) {
  auto body = describe_globals();
  body.body += "&GlobalClusterIdentifier=other";
  auto caller = verify_signature(body, lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().code, "SignatureDoesNotMatch");

  auto header = describe_globals();
  header.set_header("Content-Type", "text/plain");
  caller = verify_signature(header, lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().code, "SignatureDoesNotMatch");

  auto missing = describe_globals();
  missing.remove_header("Content-Type");  // signed, then dropped on the way
  caller = verify_signature(missing, lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().code, "SignatureDoesNotMatch");
  EXPECT_EQ(caller.error().status, 403);
}

TEST(Sigv4Verifier, MissingOrMalformedAuthorizationGetsAwsCodes) {
  auto none = describe_globals();
  none.remove_header("Authorization");
  auto caller = verify_signature(none, lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().status, 403);
  EXPECT_EQ(caller.error().code, "MissingAuthenticationToken");

  for (const std::string bad :
       {"AWS4-HMAC-SHA256 Credential=x", "Basic dXNlcjpwYXNz",
        "AWS4-HMAC-SHA256 Credential=AKIALABTESTKEY000001/20261202/us-east-1/rds, "
        "SignedHeaders=host;x-amz-date, Signature=00"}) {
    auto r = describe_globals();
    r.set_header("Authorization", bad);
    caller = verify_signature(r, lab_keys(), fixed_now());
    ASSERT_FALSE(caller) << bad;
    EXPECT_EQ(caller.error().code, "IncompleteSignature") << bad;
  }

  auto no_date = describe_globals();
  no_date.remove_header("X-Amz-Date");
  caller = verify_signature(no_date, lab_keys(), fixed_now());
  ASSERT_FALSE(caller);
  EXPECT_EQ(caller.error().code, "IncompleteSignature");
}

TEST(Sigv4Verifier, ASignatureMoreThanFifteenMinutesOffIsRequestExpired) {
  for (auto off : {std::chrono::minutes(16), std::chrono::minutes(-16)}) {
    auto caller = verify_signature(describe_globals(), lab_keys(), fixed_now() + off);
    ASSERT_FALSE(caller);
    EXPECT_EQ(caller.error().code, "RequestExpired");
  }
  EXPECT_TRUE(
      verify_signature(describe_globals(), lab_keys(), fixed_now() - std::chrono::minutes(14)));
}

// ---- Forms -------------------------------------------------------------------------------

TEST(FormParams, DecodesWhatBotocoreEncodesAndRefusesHostileInput) {
  auto ok = FormParams::parse("Action=X&Name.member.1=a+b%2Fc&Name.member.2=%C3%A9");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->list("Name"), (std::vector<std::string>{"a b/c", "\xC3\xA9"}));
  for (const std::string bad : {"Action=%G1", "Action=%4", "Action=X&Action=Y", "=x",
                                "Action=%FF%FE", "Action=%C0%AF", "Action=a%00b"}) {
    auto r = FormParams::parse(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().status, 400) << bad;
    EXPECT_EQ(r.error().code, "InvalidQueryParameter") << bad;
  }
  std::string many;
  for (int i = 0; i <= static_cast<int>(kMaxParameters); ++i)
    many += "p" + std::to_string(i) + "=1&";
  EXPECT_FALSE(FormParams::parse(many));
}

// ---- Fakes -------------------------------------------------------------------------------

// A lab whose writer moves only when the test lets it.
class FakeRds final : public RdsLab {
 public:
  std::expected<DbTopology, std::string> topology() override {
    std::lock_guard lock(mu_);
    DbTopology t;
    t.servers = {{"a1", "us-east-1", "us-east-1a", "127.0.1.11", 3306, true, writer_ != "a1", {}},
                 {"a2", "us-east-1", "us-east-1b", "127.0.1.12", 3306, true, true, {}},
                 {"b1", "us-west-2", "us-west-2a", "127.0.2.11", 3306, true, b1_replicating, {}}};
    t.writer = writer_;
    t.writer_endpoints = {{"us-east-1", {"127.0.1.21", 3306}}, {"us-west-2", {"127.0.2.21", 3306}}};
    t.reader_endpoints = {{"us-east-1", {"127.0.1.22", 3306}}, {"us-west-2", {"127.0.2.22", 3306}}};
    return t;
  }
  std::expected<std::string, std::string> move_writer(const std::string& to,
                                                      bool allow_data_loss) override {
    std::unique_lock lock(mu_);
    calls_.push_back(to + (allow_data_loss ? " data-loss" : " planned"));
    started_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    writer_ = to == "us-west-2" ? "b1" : "a1";
    return std::string();
  }
  std::expected<std::string, std::string> fail_over_in_region(
      const std::string& old_writer, const std::string& new_writer) override {
    std::unique_lock lock(mu_);
    calls_.push_back("in-region " + old_writer + " -> " + new_writer);
    if (moved_elsewhere_) writer_ = "b1";
    // RdsLab's contract (LabBackends: the topology the move is built from).
    if (writer_ != old_writer)
      return std::unexpected("the writer is " + writer_ + " now, not " + old_writer +
                             ": nothing was moved");
    started_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    writer_ = new_writer;
    return std::string();
  }
  bool b1_replicating = true;
  // A move that is not this endpoint's (the lab path's) takes the writer to b1 just before the
  // next in-region move reads the topology it is built from.
  void move_writer_elsewhere_before_the_next_move() {
    std::lock_guard lock(mu_);
    moved_elsewhere_ = true;
  }
  void wait_started() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return started_; });
  }
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string writer_ = "a1";
  bool started_ = false;
  bool released_ = false;
  bool moved_elsewhere_ = false;
  std::vector<std::string> calls_;
};

class FakeFleets final : public FleetLab {
 public:
  std::expected<std::map<std::string, FleetView>, std::string> fleets() override { return views; }
  std::expected<void, std::string> set_capacity(const std::string& region, int min, int desired,
                                                int max) override {
    sets.push_back(region + " " + std::to_string(min) + "/" + std::to_string(desired) + "/" +
                   std::to_string(max));
    views[region].min = min;
    views[region].desired = desired;
    views[region].max = max;
    return {};
  }
  std::map<std::string, FleetView> views = {
      {"us-east-1",
       {1,
        2,
        4,
        {{"app-us-east-1-1", "us-east-1a", true, 8001, false},
         {"app-us-east-1-2", "us-east-1b", false, 8002, true}}}},
      {"us-west-2", {0, 0, 4, {}}}};
  std::vector<std::string> sets;
};

class Endpoint : public ::testing::Test {
 protected:
  Endpoint() {
    dispatcher_.add_query_service("rds", rds_.service());
    dispatcher_.add_query_service("autoscaling", autoscaling_.service());
    dispatcher_.add_query_service("elasticloadbalancing", elbv2_.service());
    dispatcher_.add_query_service("sns", sns_.service());
    dispatcher_.add_json_service("secretsmanager", secrets_.service());
  }
  ~Endpoint() override { fake_rds_.release(); }

  aws::HttpResponse call(const aws::HttpRequest& r) {
    const WireResponse w = dispatcher_.handle(r);
    return {w.status, {{"Content-Type", w.content_type}}, w.body};
  }
  aws::HttpResponse rds(const std::string& action, const aws::QueryParams& p,
                        const std::string& region = "us-east-1") {
    return call(signed_query("rds", region, "2014-10-31", action, p));
  }
  aws::HttpResponse asg(const std::string& action, const aws::QueryParams& p,
                        const std::string& region = "us-east-1") {
    return call(signed_query("autoscaling", region, "2011-01-01", action, p));
  }
  aws::GlobalCluster global() {
    auto r = rds("DescribeGlobalClusters", aws::QueryParams());
    EXPECT_EQ(r.status, 200) << r.body;
    auto parsed = aws::Rds::parse_describe_global_clusters(r.body);
    EXPECT_TRUE(parsed) << r.body;
    EXPECT_EQ(parsed ? parsed->global_clusters.size() : 0u, 1u);
    return parsed && !parsed->global_clusters.empty() ? parsed->global_clusters[0]
                                                      : aws::GlobalCluster{};
  }

  FakeRds fake_rds_;
  FakeFleets fleets_;
  RdsHandler rds_{fake_rds_};
  AutoScalingHandler autoscaling_{fleets_};
  Elbv2Handler elbv2_{fleets_};
  SecretsHandler secrets_{[]() -> std::expected<DbSecret, std::string> {
    return DbSecret{"app", "s3cret"};
  }};
  std::vector<nlohmann::json> published_;
  SnsHandler sns_{[this](const nlohmann::json& e) {
    published_.push_back(e);
    return true;
  }};
  Dispatcher dispatcher_{lab_keys(), [] { return fixed_now(); }};
};

const std::string kEast = "arn:aws:rds:us-east-1:000000000000:cluster:dr-lab-us-east-1";
const std::string kWest = "arn:aws:rds:us-west-2:000000000000:cluster:dr-lab-us-west-2";

TEST_F(Endpoint, ErrorsHaveTheQueryProtocolShapeTheAwsClientReads) {
  auto keys = lab_keys();
  keys.secret_access_key = "wrong";
  auto r = call(describe_globals(keys));
  EXPECT_EQ(r.status, 403);
  auto e = aws::parse_xml_error(r);
  EXPECT_EQ(e.code, "SignatureDoesNotMatch") << r.body;
  EXPECT_FALSE(e.request_id.empty()) << r.body;
  EXPECT_NE(r.body.find("<Type>Sender</Type>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\""), std::string::npos)
      << r.body;
}

TEST_F(Endpoint, AJsonProtocolClientGetsTheJsonErrorShape) {
  auto r = describe_globals();
  r.set_header("Content-Type", "application/x-amz-json-1.1");
  r.remove_header("Authorization");
  auto out = call(r);
  EXPECT_EQ(out.status, 403);
  auto body = nlohmann::json::parse(out.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << out.body;
  EXPECT_EQ(body["__type"], "MissingAuthenticationToken") << out.body;
  EXPECT_TRUE(body["message"].is_string()) << out.body;
  EXPECT_EQ(body.size(), 2u) << out.body;
}

TEST_F(Endpoint, AnUnknownActionOrServiceIsInvalidAction) {
  auto r = rds("DeleteGlobalCluster", aws::QueryParams().add("GlobalClusterIdentifier", "dr-lab"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(aws::parse_xml_error(r).code, "InvalidAction") << r.body;
  auto s = call(signed_query("sqs", "us-east-1", "2012-11-05", "ListQueues", aws::QueryParams()));
  EXPECT_EQ(s.status, 400);
  EXPECT_EQ(aws::parse_xml_error(s).code, "InvalidAction") << s.body;
  auto none = call(signed_query("rds", "us-east-1", "2014-10-31", "", aws::QueryParams()));
  EXPECT_EQ(aws::parse_xml_error(none).code, "MissingAction") << none.body;
}

TEST_F(Endpoint, AHostileBodyIsAClear400) {
  auto r = describe_globals();
  r.body = "Action=DescribeGlobalClusters&Version=2014-10-31&X=%ZZ";
  // Re-signed: the body is what the client meant to send.
  r.remove_header("Authorization");
  aws::sign_request(r, lab_keys(), {.region = "us-east-1", .service = "rds", .time = fixed_now()});
  auto out = call(r);
  EXPECT_EQ(out.status, 400);
  EXPECT_EQ(aws::parse_xml_error(out).code, "InvalidQueryParameter") << out.body;
}

TEST_F(Endpoint, DescribeShowsTheLabAsAGlobalClusterTheAwsClientParses) {
  auto g = global();
  EXPECT_EQ(g.identifier, "dr-lab");
  EXPECT_EQ(g.arn, "arn:aws:rds::000000000000:global-cluster:dr-lab");
  ASSERT_NE(g.writer(), nullptr);
  EXPECT_EQ(g.writer()->db_cluster_arn, kEast);
  EXPECT_EQ(g.writer()->readers, std::vector<std::string>{kWest});
  EXPECT_FALSE(g.failover_state);

  auto c =
      rds("DescribeDBClusters", aws::QueryParams().add("DBClusterIdentifier", kWest), "us-west-2");
  auto clusters = aws::Rds::parse_describe_db_clusters(c.body);
  ASSERT_TRUE(clusters) << c.body;
  ASSERT_EQ(clusters->db_clusters.size(), 1u);
  EXPECT_EQ(clusters->db_clusters[0].status, "available");
  EXPECT_EQ(clusters->db_clusters[0].replication_source_identifier, kEast);
  ASSERT_EQ(clusters->db_clusters[0].members.size(), 1u);
  EXPECT_FALSE(clusters->db_clusters[0].members[0].is_cluster_writer);
  // What AWS answers on every cluster and instance, as moto does (tests/lab_aws/moto_vs_lab.py).
  for (const std::string field :
       {"<DbClusterResourceId>cluster-dr-lab-us-west-2</DbClusterResourceId>",
        "<EngineMode>provisioned</EngineMode>", "<StorageEncrypted>false</StorageEncrypted>",
        "<DeletionProtection>false</DeletionProtection>"})
    EXPECT_NE(c.body.find(field), std::string::npos) << field << " in " << c.body;
  auto b1 = rds("DescribeDBInstances", aws::QueryParams(), "us-west-2");
  for (const std::string field :
       {"<DbiResourceId>db-b1</DbiResourceId>", "<StorageEncrypted>false</StorageEncrypted>"})
    EXPECT_NE(b1.body.find(field), std::string::npos) << field << " in " << b1.body;

  // Regional: us-east-1's cluster is not found through us-west-2.
  auto other =
      rds("DescribeDBClusters", aws::QueryParams().add("DBClusterIdentifier", kEast), "us-west-2");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(aws::parse_xml_error(other).code, "DBClusterNotFoundFault");
  auto missing =
      rds("DescribeGlobalClusters", aws::QueryParams().add("GlobalClusterIdentifier", "nope"));
  EXPECT_EQ(aws::parse_xml_error(missing).code, "GlobalClusterNotFoundFault");
}

TEST_F(Endpoint, FailoverRunsAsynchronouslyAndASecondOneIsRefused) {
  auto r = rds("FailoverGlobalCluster", aws::QueryParams()
                                            .add("GlobalClusterIdentifier", "dr-lab")
                                            .add("TargetDbClusterIdentifier", kWest)
                                            .add("AllowDataLoss", "true"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto out = aws::Rds::parse_global_cluster_result(r.body, "FailoverGlobalCluster");
  ASSERT_TRUE(out) << r.body;
  ASSERT_TRUE(out->global_cluster.failover_state);
  EXPECT_EQ(out->global_cluster.failover_state->status, "pending");
  EXPECT_EQ(out->global_cluster.failover_state->from_db_cluster_arn, kEast);
  EXPECT_EQ(out->global_cluster.failover_state->to_db_cluster_arn, kWest);
  EXPECT_EQ(out->global_cluster.failover_state->is_data_loss_allowed, true);

  fake_rds_.wait_started();
  auto moving = global();
  ASSERT_TRUE(moving.failover_state);
  EXPECT_EQ(moving.failover_state->status, "failing-over");

  auto again = rds("SwitchoverGlobalCluster", aws::QueryParams()
                                                  .add("GlobalClusterIdentifier", "dr-lab")
                                                  .add("TargetDbClusterIdentifier", kWest));
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(aws::parse_xml_error(again).code, "InvalidGlobalClusterStateFault") << again.body;

  fake_rds_.release();
  rds_.wait_idle();
  auto done = global();
  EXPECT_FALSE(done.failover_state);
  ASSERT_NE(done.writer(), nullptr);
  EXPECT_EQ(done.writer()->db_cluster_arn, kWest);
  EXPECT_EQ(fake_rds_.calls(), std::vector<std::string>{"us-west-2 data-loss"});
}

TEST_F(Endpoint, FailoverInputsAreCheckedAsAwsDoes) {
  auto both = rds("FailoverGlobalCluster", aws::QueryParams()
                                               .add("GlobalClusterIdentifier", "dr-lab")
                                               .add("TargetDbClusterIdentifier", kWest)
                                               .add("AllowDataLoss", "true")
                                               .add("Switchover", "true"));
  EXPECT_EQ(aws::parse_xml_error(both).code, "InvalidParameterCombination") << both.body;
  auto primary = rds("SwitchoverGlobalCluster", aws::QueryParams()
                                                    .add("GlobalClusterIdentifier", "dr-lab")
                                                    .add("TargetDbClusterIdentifier", kEast));
  EXPECT_EQ(aws::parse_xml_error(primary).code, "InvalidDBClusterStateFault") << primary.body;
  auto unknown = rds("SwitchoverGlobalCluster", aws::QueryParams()
                                                    .add("GlobalClusterIdentifier", "dr-lab")
                                                    .add("TargetDbClusterIdentifier", "x"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(aws::parse_xml_error(unknown).code, "DBClusterNotFoundFault") << unknown.body;
  auto no_target =
      rds("SwitchoverGlobalCluster", aws::QueryParams().add("GlobalClusterIdentifier", "dr-lab"));
  EXPECT_EQ(aws::parse_xml_error(no_target).code, "MissingParameter") << no_target.body;
  EXPECT_TRUE(fake_rds_.calls().empty());
}

// Aurora's in-region failover: RebootDBInstance ForceFailover on the writer returns the instance
// rebooting at once, the cluster is failing-over and a1 rebooting while the lab moves the writer
// to a2, then both are available and a2 is the cluster's writer; no global FailoverState.
TEST_F(Endpoint, RebootWithForceFailoverMovesTheWriterInRegionAsynchronously) {
  auto r = rds("RebootDBInstance",
               aws::QueryParams().add("DBInstanceIdentifier", "a1").add("ForceFailover", "true"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<RebootDBInstanceResult><DBInstance><DBInstanceIdentifier>a1<"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("<DBInstanceStatus>rebooting</DBInstanceStatus>"), std::string::npos)
      << r.body;

  fake_rds_.wait_started();
  auto instances = rds("DescribeDBInstances", aws::QueryParams().add("DBInstanceIdentifier", "a1"));
  EXPECT_NE(instances.body.find("<DBInstanceStatus>rebooting</DBInstanceStatus>"),
            std::string::npos)
      << instances.body;
  auto clusters =
      aws::Rds::parse_describe_db_clusters(rds("DescribeDBClusters", aws::QueryParams()).body);
  ASSERT_TRUE(clusters);
  ASSERT_EQ(clusters->db_clusters.size(), 1u);
  EXPECT_EQ(clusters->db_clusters[0].status, "failing-over");
  EXPECT_FALSE(global().failover_state);
  auto again =
      rds("FailoverDBCluster", aws::QueryParams().add("DBClusterIdentifier", "dr-lab-us-east-1"));
  EXPECT_EQ(aws::parse_xml_error(again).code, "InvalidDBClusterStateFault") << again.body;

  fake_rds_.release();
  rds_.wait_idle();
  auto after =
      aws::Rds::parse_describe_db_clusters(rds("DescribeDBClusters", aws::QueryParams()).body);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->db_clusters.size(), 1u);
  EXPECT_EQ(after->db_clusters[0].status, "available");
  for (const auto& m : after->db_clusters[0].members)
    EXPECT_EQ(m.is_cluster_writer, m.db_instance_identifier == "a2") << m.db_instance_identifier;
  auto a1 = rds("DescribeDBInstances", aws::QueryParams().add("DBInstanceIdentifier", "a1"));
  EXPECT_NE(a1.body.find("<DBInstanceStatus>available</DBInstanceStatus>"), std::string::npos)
      << a1.body;
  EXPECT_EQ(fake_rds_.calls(), std::vector<std::string>{"in-region a1 -> a2"});
}

// The watcher (or an operator) plans an in-region move on the topology it read; a global
// failover that ran before the move (the lab path's, which no lock orders with the endpoint's)
// took the writer to b1. The move carries the writer it was planned on, so that the lab refuses
// it (LabBackends checks it on the topology it builds the move from) and the refusal reaches the
// caller: "moving it back" to a2 would be a failback nobody asked for.
TEST_F(Endpoint, AnInRegionMoveCarriesTheWriterItWasPlannedOnAndItsRefusal) {
  fake_rds_.release();  // a move that runs anyway ends at once
  fake_rds_.move_writer_elsewhere_before_the_next_move();
  auto r = rds_.fail_over_in_region_for("us-east-1", "a2", "a1 is gone");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("the writer is b1 now, not a1: nothing was moved"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(fake_rds_.calls(), std::vector<std::string>{"in-region a1 -> a2"});
  auto after = fake_rds_.topology();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->writer, "b1");
  // The cluster is available again: the refused move holds no slot.
  auto clusters = aws::Rds::parse_describe_db_clusters(
      rds("DescribeDBClusters", aws::QueryParams(), "us-west-2").body);
  ASSERT_TRUE(clusters);
  for (const auto& c : clusters->db_clusters) EXPECT_EQ(c.status, "available");
}

TEST_F(Endpoint, FailoverDbClusterTakesAnOptionalTargetAndRunsInRegion) {
  auto r = rds("FailoverDBCluster", aws::QueryParams()
                                        .add("DBClusterIdentifier", "dr-lab-us-east-1")
                                        .add("TargetDBInstanceIdentifier", "a2"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<FailoverDBClusterResult><DBCluster>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Status>failing-over</Status>"), std::string::npos) << r.body;
  fake_rds_.release();
  rds_.wait_idle();
  EXPECT_EQ(fake_rds_.calls(), std::vector<std::string>{"in-region a1 -> a2"});
}

TEST_F(Endpoint, InRegionFailoverInputsAreCheckedAndChangeNothing) {
  auto code = [](const aws::HttpResponse& r) { return aws::parse_xml_error(r).code; };
  // A secondary cluster has no writer to move; b1 is alone in it.
  EXPECT_EQ(
      code(rds("FailoverDBCluster",
               aws::QueryParams().add("DBClusterIdentifier", "dr-lab-us-west-2"), "us-west-2")),
      "InvalidDBClusterStateFault");
  EXPECT_EQ(code(rds("FailoverDBCluster",
                     aws::QueryParams().add("DBClusterIdentifier", "dr-lab-us-west-2"))),
            "DBClusterNotFoundFault");
  EXPECT_EQ(code(rds("FailoverDBCluster", aws::QueryParams())), "MissingParameter");
  EXPECT_EQ(code(rds("FailoverDBCluster", aws::QueryParams()
                                              .add("DBClusterIdentifier", "dr-lab-us-east-1")
                                              .add("TargetDBInstanceIdentifier", "a1"))),
            "InvalidDBInstanceStateFault");
  EXPECT_EQ(code(rds("FailoverDBCluster", aws::QueryParams()
                                              .add("DBClusterIdentifier", "dr-lab-us-east-1")
                                              .add("TargetDBInstanceIdentifier", "b1"))),
            "DBInstanceNotFound");
  EXPECT_EQ(
      code(rds("RebootDBInstance",
               aws::QueryParams().add("DBInstanceIdentifier", "a2").add("ForceFailover", "true"))),
      "InvalidDBInstanceStateFault");
  EXPECT_EQ(code(rds("RebootDBInstance", aws::QueryParams().add("DBInstanceIdentifier", "a1"))),
            "InvalidParameterCombination");
  EXPECT_EQ(
      code(rds("RebootDBInstance",
               aws::QueryParams().add("DBInstanceIdentifier", "a1").add("ForceFailover", "maybe"))),
      "InvalidParameterValue");
  EXPECT_EQ(
      code(rds("RebootDBInstance",
               aws::QueryParams().add("DBInstanceIdentifier", "zz").add("ForceFailover", "true"))),
      "DBInstanceNotFound");
  EXPECT_TRUE(fake_rds_.calls().empty());
}

TEST_F(Endpoint, DesiredCapacityOutsideMinMaxIsValidationErrorAndChangesNothing) {
  for (const auto& [desired, words] :
       {std::pair{5, "above max value 4"}, std::pair{0, "below min value 1"}}) {
    auto r = asg("SetDesiredCapacity", aws::QueryParams()
                                           .add("AutoScalingGroupName", "dr-lab-us-east-1")
                                           .add_int("DesiredCapacity", desired));
    EXPECT_EQ(r.status, 400);
    auto e = aws::parse_xml_error(r);
    EXPECT_EQ(e.code, "ValidationError") << r.body;
    EXPECT_NE(e.message.find(words), std::string::npos) << e.message;
  }
  auto update = asg("UpdateAutoScalingGroup", aws::QueryParams()
                                                  .add("AutoScalingGroupName", "dr-lab-us-east-1")
                                                  .add_int("MaxSize", 1)
                                                  .add_int("DesiredCapacity", 2));
  EXPECT_EQ(aws::parse_xml_error(update).code, "ValidationError") << update.body;
  EXPECT_TRUE(fleets_.sets.empty());

  auto ok = asg("SetDesiredCapacity", aws::QueryParams()
                                          .add("AutoScalingGroupName", "dr-lab-us-east-1")
                                          .add_int("DesiredCapacity", 3));
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(fleets_.sets, std::vector<std::string>{"us-east-1 1/3/4"});
  // Bounds only: the desired capacity follows them, as on AWS.
  auto bounds =
      asg("UpdateAutoScalingGroup",
          aws::QueryParams().add("AutoScalingGroupName", "dr-lab-us-east-1").add_int("MaxSize", 2));
  EXPECT_EQ(bounds.status, 200) << bounds.body;
  EXPECT_EQ(fleets_.sets.back(), "us-east-1 1/2/2");
}

TEST_F(Endpoint, DescribeAutoScalingGroupsIsRegionalAndParses) {
  auto r = asg("DescribeAutoScalingGroups", aws::QueryParams());
  auto out = aws::AutoScaling::parse_describe_auto_scaling_groups(r.body);
  ASSERT_TRUE(out) << r.body;
  ASSERT_EQ(out->auto_scaling_groups.size(), 1u);
  const auto& g = out->auto_scaling_groups[0];
  EXPECT_EQ(g.name, "dr-lab-us-east-1");
  EXPECT_EQ(g.min_size, 1);
  EXPECT_EQ(g.desired_capacity, 2);
  EXPECT_EQ(g.max_size, 4);
  EXPECT_EQ(g.in_service_healthy(), 1);
  // The region's target group, where a client goes on to DescribeTargetHealth.
  EXPECT_NE(r.body.find("<TargetGroupARNs><member>arn:aws:elasticloadbalancing:us-east-1:"
                        "000000000000:targetgroup/dr-lab-us-east-1/0000000000000000</member>"
                        "</TargetGroupARNs>"),
            std::string::npos)
      << r.body;
  auto west =
      asg("DescribeAutoScalingGroups",
          aws::QueryParams().add_list("AutoScalingGroupNames", {"dr-lab-us-east-1"}), "us-west-2");
  auto none = aws::AutoScaling::parse_describe_auto_scaling_groups(west.body);
  ASSERT_TRUE(none) << west.body;
  EXPECT_TRUE(none->auto_scaling_groups.empty());
}

TEST_F(Endpoint, DescribeTargetHealthReportsTheFleetAsTheAwsClientParsesIt) {
  const std::string tg =
      "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/dr-lab-us-east-1/"
      "0000000000000000";
  auto elb = [&](const aws::QueryParams& p, const std::string& region = "us-east-1") {
    return call(
        signed_query("elasticloadbalancing", region, "2015-12-01", "DescribeTargetHealth", p));
  };
  auto all = elb(aws::QueryParams().add("TargetGroupArn", tg));
  auto out = aws::ElasticLoadBalancingV2::parse_describe_target_health(all.body);
  ASSERT_TRUE(out) << all.body;
  ASSERT_EQ(out->target_health_descriptions.size(), 2u) << all.body;
  EXPECT_EQ(out->target_health_descriptions[0].target.id, "app-us-east-1-1");
  EXPECT_EQ(out->target_health_descriptions[0].target.port, 8001);
  EXPECT_EQ(out->target_health_descriptions[0].state, "healthy");
  EXPECT_EQ(out->target_health_descriptions[1].state, "initial");
  EXPECT_EQ(out->target_health_descriptions[1].reason, "Elb.InitialHealthChecking");
  // Each target is checked on its traffic port.
  EXPECT_NE(all.body.find("</Target><HealthCheckPort>8001</HealthCheckPort>"), std::string::npos)
      << all.body;

  auto one = elb(
      aws::QueryParams().add("TargetGroupArn", tg).add("Targets.member.1.Id", "app-us-east-1-9"));
  auto unused = aws::ElasticLoadBalancingV2::parse_describe_target_health(one.body);
  ASSERT_TRUE(unused) << one.body;
  ASSERT_EQ(unused->target_health_descriptions.size(), 1u);
  EXPECT_EQ(unused->target_health_descriptions[0].state, "unused");
  EXPECT_EQ(unused->target_health_descriptions[0].reason, "Target.NotRegistered");

  auto elsewhere = elb(aws::QueryParams().add("TargetGroupArn", tg), "us-west-2");
  EXPECT_EQ(elsewhere.status, 400);
  EXPECT_EQ(aws::parse_xml_error(elsewhere).code, "TargetGroupNotFound") << elsewhere.body;
}

TEST_F(Endpoint, PublishWritesOneEventToTheSinkAndRefusesOtherTopics) {
  auto sns = [&](const aws::QueryParams& p, const std::string& region = "us-west-2") {
    return call(signed_query("sns", region, "2010-03-31", "Publish", p));
  };
  const std::string topic = "arn:aws:sns:us-west-2:000000000000:dr-lab-notifications";
  auto r = sns(aws::QueryParams()
                   .add("TopicArn", topic)
                   .add("Message", R"({"event":"failover","id":"fo-1"})")
                   .add("Subject", "dr"));
  auto out = aws::Sns::parse_publish(r.body);
  ASSERT_TRUE(out) << r.body;
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]["event"], "failover");
  EXPECT_EQ(published_[0]["id"], "fo-1");
  EXPECT_EQ(published_[0]["sns"]["topic_arn"], topic);
  EXPECT_EQ(published_[0]["sns"]["subject"], "dr");
  EXPECT_EQ(published_[0]["sns"]["message_id"], out->message_id);
  EXPECT_TRUE(published_[0]["time_ms"].is_number());

  auto text = sns(aws::QueryParams().add("TopicArn", topic).add("Message", "plain words"));
  EXPECT_EQ(text.status, 200) << text.body;
  ASSERT_EQ(published_.size(), 2u);
  EXPECT_EQ(published_[1]["message"], "plain words");

  auto other = sns(aws::QueryParams().add("TopicArn", topic).add("Message", "x"), "us-east-1");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(aws::parse_xml_error(other).code, "NotFound") << other.body;
  auto empty = sns(aws::QueryParams().add("TopicArn", topic));
  EXPECT_EQ(aws::parse_xml_error(empty).code, "InvalidParameter") << empty.body;
  auto huge = sns(aws::QueryParams()
                      .add("TopicArn", topic)
                      .add("Message", std::string(kMaxSnsMessageBytes + 1, 'x')));
  EXPECT_EQ(aws::parse_xml_error(huge).code, "InvalidParameter") << huge.body;
  EXPECT_EQ(published_.size(), 2u);
}

// The JSON protocol end to end: a request as src/aws's json client builds it, signed.
aws::HttpRequest secrets_request(const std::string& target, const std::string& body,
                                 const std::string& region = "us-west-2") {
  auto r = test::lab_post(
      "/", {{"Content-Type", "application/x-amz-json-1.1"}, {"X-Amz-Target", target}}, body);
  test::sign_for_lab(r, "secretsmanager", region);
  return r;
}

TEST_F(Endpoint, GetSecretValueAnswersInTheJsonProtocol) {
  auto r =
      call(secrets_request("secretsmanager.GetSecretValue", R"({"SecretId":"dr-lab/app-db"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto out = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(out.is_object()) << r.body;
  auto secret = nlohmann::json::parse(out.value("SecretString", ""), nullptr, false);
  EXPECT_EQ(secret["username"], "app");
  EXPECT_EQ(secret["password"], "s3cret");
  const std::string arn = out.value("ARN", "");
  EXPECT_EQ(arn, "arn:aws:secretsmanager:us-west-2:000000000000:secret:dr-lab/app-db-000000");

  auto by_arn = call(
      secrets_request("secretsmanager.GetSecretValue", nlohmann::json{{"SecretId", arn}}.dump()));
  EXPECT_EQ(by_arn.status, 200) << by_arn.body;

  auto code = [&](const aws::HttpResponse& resp) {
    return nlohmann::json::parse(resp.body, nullptr, false).value("__type", std::string("?"));
  };
  auto other = call(secrets_request("secretsmanager.GetSecretValue",
                                    nlohmann::json{{"SecretId", arn}}.dump(), "us-east-1"));
  EXPECT_EQ(code(other), "ResourceNotFoundException") << other.body;
  auto unknown = call(secrets_request("secretsmanager.DeleteSecret", "{}"));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(code(unknown), "UnknownOperationException") << unknown.body;
  auto garbage = call(secrets_request("secretsmanager.GetSecretValue", "[1,"));
  EXPECT_EQ(code(garbage), "SerializationException") << garbage.body;
  auto missing = call(secrets_request("secretsmanager.GetSecretValue", "{}"));
  EXPECT_EQ(code(missing), "InvalidParameterException") << missing.body;
}

// Hostile input, signed properly (so it gets past the signature to the parsers and handlers):
// random bodies and parameter values always get an AWS error shape or an answer, never a crash
// or a 5xx.
TEST_F(Endpoint, RandomSignedInputGetsAnAwsShapedAnswer) {
  std::mt19937 rng(20261202);  // fixed: a failure reproduces
  const std::vector<std::string> actions = {"DescribeGlobalClusters",  "DescribeDBClusters",
                                            "DescribeDBInstances",     "FailoverGlobalCluster",
                                            "SwitchoverGlobalCluster", "SetDesiredCapacity",
                                            "UpdateAutoScalingGroup",  "DescribeAutoScalingGroups"};
  const std::vector<std::string> names = {
      "GlobalClusterIdentifier", "TargetDbClusterIdentifier",     "AllowDataLoss", "Switchover",
      "DesiredCapacity",         "AutoScalingGroupName",          "MinSize",       "MaxSize",
      "DBClusterIdentifier",     "AutoScalingGroupNames.member.1"};
  auto junk = [&](std::size_t max) {
    std::string out(rng() % max, '\0');
    for (char& c : out) c = static_cast<char>(rng() % 256);
    return out;
  };
  for (int round = 0; round < 3000; ++round) {
    const std::string& action = actions[rng() % actions.size()];
    const bool asg_action =
        action.find("AutoScaling") != std::string::npos || action == "SetDesiredCapacity";
    aws::HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.host = "127.0.3.27:4566";
    r.headers = {{"Host", r.host}, {"Content-Type", "application/x-www-form-urlencoded"}};
    if (round % 3 == 0) {
      r.body = junk(200);  // raw bytes: bad escapes, no '=', NULs, invalid UTF-8
    } else {
      aws::QueryParams p;
      p.add("Action", action).add("Version", asg_action ? "2011-01-01" : "2014-10-31");
      for (int k = rng() % 4; k > 0; --k) p.add(names[rng() % names.size()], junk(12));
      r.body = aws::form_encode(p.items());
    }
    aws::sign_request(r, lab_keys(),
                      {.region = round % 2 ? "us-east-1" : "us-west-2",
                       .service = asg_action ? "autoscaling" : "rds",
                       .time = fixed_now()});
    const WireResponse w = dispatcher_.handle(r);
    ASSERT_TRUE(w.status == 200 || (w.status >= 400 && w.status < 500))
        << w.status << " " << w.body;
    if (w.status != 200) {
      auto e = aws::parse_xml_error({w.status, {}, w.body});
      ASSERT_NE(e.code, "UnknownError") << w.body;
    }
  }
  fake_rds_.release();  // a random failover may have started: let it finish
  rds_.wait_idle();
}

}  // namespace
}  // namespace dr::lab_aws
