// AwsGlobalDatabase against a loopback server that answers RDS and CloudWatch with the shapes of
// the AWS API reference (moto answers FailoverGlobalCluster and SwitchoverGlobalCluster with
// HTTP 500 "not implemented"). The fake global cluster moves its FailoverState through
// pending -> failing-over -> cleared, one step per DescribeGlobalClusters, as Aurora does
// over a minute or two. The ports wait on a fake clock: deadlines are real, waits are not.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "aws/encoding.h"
#include "aws/support/loopback_server.h"
#include "backends/aws/aws_global_database.h"
#include "backends/aws_test_support.h"

namespace dr::backends::aws_world {
namespace {

using core::ErrorKind;
using test::FakeTime;
using test::Gate;
using test::LoopbackServer;

const std::string kPrimary = "arn:aws:rds:us-east-1:123456789012:cluster:dr-app-use1";
const std::string kSecondary = "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-usw2";
const std::string kThird = "arn:aws:rds:eu-west-1:123456789012:cluster:dr-app-euw1";

std::map<std::string, std::string> form(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < body.size()) {
    size_t amp = body.find('&', start);
    if (amp == std::string::npos) amp = body.size();
    std::string pair = body.substr(start, amp - start);
    size_t eq = pair.find('=');
    std::string k = pair.substr(0, eq), v = eq == std::string::npos ? "" : pair.substr(eq + 1);
    for (auto& c : v)
      if (c == '+') c = ' ';
    out[dr::aws::uri_decode(k)] = dr::aws::uri_decode(v);
    start = amp + 1;
  }
  return out;
}

std::string wrap(const std::string& action, const std::string& result, const char* ns) {
  return "<" + action + "Response xmlns=\"" + ns + "\"><" + action + "Result>" + result + "</" +
         action + "Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></" +
         action + "Response>";
}

std::string error_body(const std::string& code, const std::string& message) {
  return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
         "</Message></Error><RequestId>r-err</RequestId></ErrorResponse>";
}

// Aurora's global cluster as the RDS API shows it, and the CloudWatch lag of the secondary.
class FakeAurora {
 public:
  enum class OnFailoverCall { kApply, kApplyThenStall, kFailWith500, kApplyButNeverFinish };

  FakeAurora() {
    server_.http().Post("/", [this](const httplib::Request& req, httplib::Response& res) {
      handle(form(req.body), res);
    });
    server_.start();
  }
  ~FakeAurora() {
    stall_.open();
    server_.stop();
  }

  std::string url() const { return server_.url(); }

  std::mutex mu;
  std::string writer = kPrimary;
  struct Move {
    std::string status, from, to;
    bool data_loss = true;
  };
  std::optional<Move> moving;
  bool stuck = false;  // the failover never finishes
  OnFailoverCall on_call = OnFailoverCall::kApply;
  std::optional<double> lag_ms;  // the secondary's AuroraGlobalDBReplicationLag, if reported
  std::optional<double> rpo_lag_ms;
  std::string target_status = "available";
  std::atomic<int> failover_calls{0}, switchover_calls{0}, describes{0};
  std::map<std::string, std::string> last_call;
  Gate stall_;

 private:
  std::string global_cluster_xml() {
    std::string members;
    for (const auto& arn : {kPrimary, kSecondary}) {
      bool w = !(moving && moving->status == "failing-over") && writer == arn;
      members += "<GlobalClusterMember><DBClusterArn>" + arn + "</DBClusterArn><IsWriter>" +
                 (w ? "true" : "false") + "</IsWriter><Readers/></GlobalClusterMember>";
    }
    std::string out =
        "<GlobalClusterIdentifier>dr-app-global</GlobalClusterIdentifier>"
        "<GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:dr-app-global"
        "</GlobalClusterArn><Status>" +
        std::string(moving ? "failing-over" : "available") +
        "</Status><Engine>aurora-mysql</Engine><GlobalClusterMembers>" + members +
        "</GlobalClusterMembers>";
    if (moving)
      out += "<FailoverState><Status>" + moving->status + "</Status><FromDbClusterArn>" +
             moving->from + "</FromDbClusterArn><ToDbClusterArn>" + moving->to +
             "</ToDbClusterArn><IsDataLossAllowed>" + (moving->data_loss ? "true" : "false") +
             "</IsDataLossAllowed></FailoverState>";
    return out;
  }

  // Each look at the cluster moves a failover one step on, as time does on AWS.
  void advance() {
    if (!moving || stuck) return;
    if (moving->status == "pending") {
      moving->status = "failing-over";
    } else if (moving->status == "failing-over") {
      writer = moving->to;
      moving.reset();
    }
  }

  void handle(const std::map<std::string, std::string>& p, httplib::Response& res) {
    const std::string action = p.count("Action") ? p.at("Action") : "";
    const char* rds = "http://rds.amazonaws.com/doc/2014-10-31/";
    std::unique_lock lock(mu);
    if (action == "DescribeGlobalClusters") {
      ++describes;
      std::string xml = global_cluster_xml();
      advance();
      res.set_content(wrap(action,
                           "<GlobalClusters><GlobalClusterMember>" + xml +
                               "</GlobalClusterMember></GlobalClusters>",
                           rds),
                      "text/xml");
    } else if (action == "DescribeDBClusters") {
      std::string id = p.count("DBClusterIdentifier") ? p.at("DBClusterIdentifier") : "";
      res.set_content(wrap(action,
                           "<DBClusters><DBCluster><DBClusterIdentifier>" + id +
                               "</DBClusterIdentifier><Status>" + target_status +
                               "</Status></DBCluster></DBClusters>",
                           rds),
                      "text/xml");
    } else if (action == "FailoverGlobalCluster" || action == "SwitchoverGlobalCluster") {
      (action == "FailoverGlobalCluster" ? failover_calls : switchover_calls)++;
      last_call = p;
      if (moving) {
        res.status = 400;
        res.set_content(error_body("InvalidGlobalClusterStateFault", "a failover is in progress"),
                        "text/xml");
        return;
      }
      if (on_call == OnFailoverCall::kFailWith500) {
        res.status = 500;
        res.set_content(error_body("InternalFailure", "try again"), "text/xml");
        return;
      }
      moving = Move{"pending", writer, p.at("TargetDbClusterIdentifier"),
                    action == "FailoverGlobalCluster"};
      if (on_call == OnFailoverCall::kApplyButNeverFinish) stuck = true;
      std::string xml = global_cluster_xml();
      if (on_call == OnFailoverCall::kApplyThenStall) {
        lock.unlock();
        stall_.wait();  // past the client's timeout: the answer is lost
        lock.lock();
      }
      res.set_content(wrap(action, "<GlobalCluster>" + xml + "</GlobalCluster>", rds), "text/xml");
    } else if (action == "GetMetricStatistics") {
      std::optional<double> v =
          p.at("MetricName") == "AuroraGlobalDBReplicationLag" ? lag_ms : rpo_lag_ms;
      std::string points;
      if (v)
        points = "<member><Timestamp>2026-12-02T18:59:00Z</Timestamp><Maximum>" +
                 std::to_string(*v) + "</Maximum><Unit>Milliseconds</Unit></member>";
      res.set_content(
          wrap(action,
               "<Datapoints>" + points + "</Datapoints><Label>" + p.at("MetricName") + "</Label>",
               "http://monitoring.amazonaws.com/doc/2010-08-01/"),
          "text/xml");
    } else {
      res.status = 400;
      res.set_content(error_body("InvalidAction", action), "text/xml");
    }
  }

  LoopbackServer server_;
};

core::DatabaseMove to_secondary() {
  core::DatabaseMove m;
  m.from_region = "us-east-1";
  m.to_region = "us-west-2";
  return m;
}

class AwsGlobalDatabaseTest : public ::testing::Test {
 protected:
  AwsGlobalDatabase db(std::shared_ptr<dr::aws::HttpTransport> transport = nullptr) {
    return AwsGlobalDatabase(test::two_region_targets(),
                             test::loopback_clients(aurora_.url(), transport), time_.pacing());
  }
  FakeAurora aurora_;
  FakeTime time_;
};

TEST_F(AwsGlobalDatabaseTest, AFailoverMovesTheWriterAndRecordsTheSecondarysLastLag) {
  aurora_.lag_ms = 412;
  aurora_.rpo_lag_ms = 350;
  auto note = db().fail_over(to_secondary(), /*allow_data_loss=*/true);
  ASSERT_TRUE(note) << note.error();
  EXPECT_EQ(aurora_.failover_calls, 1);
  EXPECT_EQ(aurora_.last_call["AllowDataLoss"], "true");
  EXPECT_EQ(aurora_.last_call["GlobalClusterIdentifier"], "dr-app-global");
  EXPECT_EQ(aurora_.last_call["TargetDbClusterIdentifier"], kSecondary);
  EXPECT_EQ(aurora_.last_call.count("Switchover"), 0u);
  EXPECT_EQ(aurora_.writer, kSecondary);
  EXPECT_FALSE(aurora_.moving);
  // What the secondary last reported, for the reconciliation report.
  EXPECT_NE(note->find("AuroraGlobalDBReplicationLag 412 ms at 2026-12-02T18:59:00Z"),
            std::string::npos)
      << *note;
  EXPECT_NE(note->find("AuroraGlobalDBRPOLag 350 ms"), std::string::npos) << *note;
  EXPECT_GE(time_.sleeps, 1);  // it polled until FailoverState cleared
}

TEST_F(AwsGlobalDatabaseTest, NothingIsCalledWhenTheTargetAlreadyWrites) {
  aurora_.writer = kSecondary;
  auto note = db().fail_over(to_secondary(), true);
  ASSERT_TRUE(note) << note.error();
  EXPECT_EQ(*note, "");
  EXPECT_EQ(aurora_.failover_calls, 0);
  auto again = db().switch_over(to_secondary());
  ASSERT_TRUE(again) << again.error();
  EXPECT_EQ(aurora_.switchover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, AFailoverInProgressToTheTargetIsOnlyPolled) {
  aurora_.moving = FakeAurora::Move{"pending", kPrimary, kSecondary, true};
  auto note = db().fail_over(to_secondary(), true);
  ASSERT_TRUE(note) << note.error();
  EXPECT_EQ(aurora_.failover_calls, 0);
  EXPECT_EQ(aurora_.writer, kSecondary);
}

TEST_F(AwsGlobalDatabaseTest, AFailoverToAnotherClusterIsNotFoughtOver) {
  aurora_.moving = FakeAurora::Move{"failing-over", kPrimary, kThird, true};
  aurora_.stuck = true;
  auto r = db().fail_over(to_secondary(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kRefused) << r.error();
  EXPECT_NE(r.error().message.find(kThird), std::string::npos) << r.error();
  EXPECT_EQ(aurora_.failover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, ALostAnswerIsReReadAndTheCallIsNeverMadeTwice) {
  aurora_.on_call = FakeAurora::OnFailoverCall::kApplyThenStall;
  // The answer is held past the transport's timeout: sent, applied, outcome unknown.
  auto transport =
      dr::aws::make_curl_transport({.connect_timeout = std::chrono::milliseconds(500),
                                    .request_timeout = std::chrono::milliseconds(300)});
  auto note = db(transport).fail_over(to_secondary(), true);
  aurora_.stall_.open();
  ASSERT_TRUE(note) << note.error();
  EXPECT_EQ(aurora_.failover_calls, 1);
  EXPECT_EQ(aurora_.writer, kSecondary);
}

TEST_F(AwsGlobalDatabaseTest, ALostAnswerThatDidNotTakeIsOutcomeUnknownAfterOneCall) {
  aurora_.on_call = FakeAurora::OnFailoverCall::kFailWith500;
  auto r = db().fail_over(to_secondary(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kOutcomeUnknown) << r.error();
  EXPECT_NE(r.error().message.find("re-read"), std::string::npos) << r.error();
  EXPECT_EQ(aurora_.failover_calls, 1);  // one attempt: never resent by the retry loop
  EXPECT_EQ(aurora_.writer, kPrimary);
}

TEST_F(AwsGlobalDatabaseTest, TheDeadlineEndsTheWaitAndTheNextAttemptOnlyPolls) {
  aurora_.on_call = FakeAurora::OnFailoverCall::kApplyButNeverFinish;
  auto r = db().fail_over(to_secondary(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.error();
  EXPECT_NE(r.error().message.find("failing-over"), std::string::npos) << r.error();
  EXPECT_GE(time_.slept, std::chrono::seconds(30));
  EXPECT_LE(time_.slept, std::chrono::seconds(32));  // stopped at the deadline, not later
  EXPECT_EQ(aurora_.failover_calls, 1);

  // The next tick: the failover is still running; it is polled, not called again.
  {
    std::lock_guard lock(aurora_.mu);
    aurora_.stuck = false;
  }
  auto resumed = db().fail_over(to_secondary(), true);
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(aurora_.failover_calls, 1);
  EXPECT_EQ(aurora_.writer, kSecondary);
}

TEST_F(AwsGlobalDatabaseTest, TheLagGateRefusesASwitchoverAndNamesTheLag) {
  aurora_.lag_ms = 4200;
  auto r = db().switch_over(to_secondary());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kRefused) << r.error();
  EXPECT_NE(r.error().message.find("AuroraGlobalDBReplicationLag 4200 ms"), std::string::npos)
      << r.error();
  EXPECT_NE(r.error().message.find("2000 ms"), std::string::npos) << r.error();
  EXPECT_EQ(aurora_.switchover_calls, 0);

  // The RPO lag counts too.
  aurora_.lag_ms = 100;
  aurora_.rpo_lag_ms = 2500;
  auto rpo = db().switch_over(to_secondary());
  ASSERT_FALSE(rpo);
  EXPECT_NE(rpo.error().message.find("AuroraGlobalDBRPOLag 2500 ms"), std::string::npos)
      << rpo.error();
  EXPECT_EQ(aurora_.switchover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, TheLagGateRefusesWhenNoLagWasReported) {
  auto r = db().switch_over(to_secondary());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kRefused) << r.error();
  EXPECT_NE(r.error().message.find("no replication lag reported"), std::string::npos) << r.error();
  EXPECT_EQ(aurora_.switchover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, ASwitchoverUnderTheGateMovesTheWriter) {
  aurora_.lag_ms = 300;
  auto r = db().switch_over(to_secondary());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(*r, "");
  EXPECT_EQ(aurora_.switchover_calls, 1);
  EXPECT_EQ(aurora_.failover_calls, 0);
  EXPECT_EQ(aurora_.last_call["TargetDbClusterIdentifier"], kSecondary);
  EXPECT_EQ(aurora_.writer, kSecondary);
  // Without data loss, fail_over is the same planned move.
  aurora_.writer = kPrimary;
  auto planned = db().fail_over(to_secondary(), /*allow_data_loss=*/false);
  ASSERT_TRUE(planned) << planned.error();
  EXPECT_EQ(aurora_.switchover_calls, 2);
  EXPECT_EQ(aurora_.failover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, ATargetClusterThatIsNotAvailableIsRefusedBeforeAnyCall) {
  aurora_.target_status = "modifying";
  auto r = db().fail_over(to_secondary(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kRefused) << r.error();
  EXPECT_NE(r.error().message.find("modifying"), std::string::npos) << r.error();
  EXPECT_EQ(aurora_.failover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, AuroraFencesItsOwnWriterAndMovesItInsideARegion) {
  auto fence = db().fence_writer(to_secondary());
  ASSERT_FALSE(fence);
  EXPECT_EQ(fence.error().kind, ErrorKind::kNotSupported);
  core::DatabaseMove az = to_secondary();
  az.from_region = az.to_region;
  auto r = db().fail_over(az, true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kNotSupported);
  EXPECT_EQ(aurora_.failover_calls, 0);
}

TEST_F(AwsGlobalDatabaseTest, AnUnreachableRegionIsUnreachable) {
  test::ClosedPort closed;
  AwsGlobalDatabase gone(test::two_region_targets(), test::loopback_clients(closed.url()),
                         time_.pacing());
  auto r = gone.fail_over(to_secondary(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kUnreachable) << r.error();
}

}  // namespace
}  // namespace dr::backends::aws_world
