// Byte-for-byte proof against AWS's own Python SDK. For every operation dr-app calls, our client
// builds and signs a request (captured by a transport that never sends it) and botocore builds
// and signs the same one (tests/aws/botocore/reference.py, run once with the newest botocore
// found: $DR_BOTOCORE_PYTHON, the python3 on PATH, then Debian's /usr/bin/python3 with
// python3-botocore as the fallback), both with the credentials AKIDEXAMPLE, the same region and the
// clock frozen at 2015-08-30T12:36:00Z. Method, path, query, body, every signed header and the
// Authorization header must be identical. Each gtest case is named after the operation it compares;
// the canned response each one gets back checks that our parser reads the output too.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/dynamodb.h"
#include "aws/elbv2.h"
#include "aws/encoding.h"
#include "aws/rds.h"
#include "aws/route53.h"
#include "aws/secrets_manager.h"
#include "aws/sns.h"
#include "support/capture_transport.h"

namespace dr::aws {
namespace {

namespace fs = std::filesystem;
using testing::CaptureTransport;

const fs::path kDir = fs::path(DR_TEST_DATA_DIR) / "aws/botocore";
constexpr const char* kDebianPython = "/usr/bin/python3";
constexpr int kNoBotocore = 3;  // reference.py's exit status when it cannot import botocore

// The interpreters to try, newest botocore first: an explicit choice, the python3 on PATH (pip's
// botocore on our machines), Debian's.
std::vector<std::string> pythons() {
  std::vector<std::string> out;
  if (const char* chosen = std::getenv("DR_BOTOCORE_PYTHON"); chosen && *chosen)
    out.push_back(chosen);
  const char* path = std::getenv("PATH");
  std::string rest = path ? path : "";
  while (!rest.empty()) {
    auto colon = rest.find(':');
    std::string dir = rest.substr(0, colon);
    rest = colon == std::string::npos ? "" : rest.substr(colon + 1);
    fs::path candidate = fs::path(dir) / "python3";
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) {
      out.push_back(candidate.string());
      break;
    }
  }
  out.push_back(kDebianPython);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SystemTime frozen_now() {
  using namespace std::chrono;
  return sys_days{year{2015} / 8 / 30} + hours{12} + minutes{36};
}

// The reference side: botocore's requests for every case, or why they could not be built.
struct Reference {
  nlohmann::json cases;
  nlohmann::ordered_json inputs;  // cases.json by name (ordered: the JSON inputs keep key order)
  std::string error;
};

// Runs reference.py once. ctest starts this binary once per test case, so its output is kept
// next to the binary under a name that hashes cases.json and reference.py: the script runs
// again only when either changes (each run costs about 1.5 s of botocore start-up).
std::string run_reference(std::string& error) {
  std::string inputs = slurp(kDir / "cases.json") + slurp(kDir / "reference.py");
  for (const auto& python : pythons()) inputs += "\n" + python;
  std::error_code ec;
  fs::path exe_dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
  fs::path cache = exe_dir / ("botocore_reference_" + sha256_hex(inputs).substr(0, 16) + ".json");
  if (!ec && fs::exists(cache)) {
    std::printf("[ botocore ] reusing %s\n", cache.c_str());
    return slurp(cache);
  }
  std::string out;
  std::vector<std::string> tried;
  for (const auto& python : pythons()) {
    if (!fs::exists(python)) {
      tried.push_back(python + ": missing");
      continue;
    }
    // stderr is not captured: botocore's warnings must not end up inside the JSON.
    std::string cmd =
        python + " " + (kDir / "reference.py").string() + " " + (kDir / "cases.json").string();
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) {
      tried.push_back(python + ": cannot run");
      continue;
    }
    out.clear();
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    int status = pclose(pipe);
    if (status == 0) break;
    if (WIFEXITED(status) && WEXITSTATUS(status) == kNoBotocore) {
      tried.push_back(python + ": no botocore");
      out.clear();
      continue;
    }
    // botocore is there and failed: that is a finding, not a reason to try an older one.
    error = "reference.py failed under " + python + " with status " + std::to_string(status) +
            " (see stderr above)";
    return {};
  }
  if (out.empty()) {
    error = "no interpreter with botocore (install Debian's python3-botocore: scripts/bootstrap);";
    for (const auto& t : tried) error += " " + t + ";";
    return {};
  }
  if (!ec) {
    // Written under a temporary name and renamed, so a parallel test never reads half a file.
    fs::path tmp = cache;
    tmp += ".tmp" + std::to_string(getpid());
    std::ofstream(tmp, std::ios::binary) << out;
    fs::rename(tmp, cache, ec);
  }
  return out;
}

const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    auto cases = nlohmann::ordered_json::parse(slurp(kDir / "cases.json"), nullptr, false);
    if (cases.is_discarded() || !cases.is_array()) {
      r.error = "cannot read " + (kDir / "cases.json").string();
      return r;
    }
    for (auto& c : cases) r.inputs[c["name"].get<std::string>()] = c;
    std::string out = run_reference(r.error);
    if (!r.error.empty()) return r;
    auto parsed = nlohmann::json::parse(out, nullptr, false);
    if (parsed.is_discarded() || !parsed.contains("cases")) {
      r.error = "reference.py printed something that is not its JSON:\n" + out.substr(0, 2000);
      return r;
    }
    std::printf("[ botocore ] reference requests from botocore %s\n",
                parsed["botocore_version"].get<std::string>().c_str());
    r.cases = parsed["cases"];
    return r;
  }();
  return ref;
}

class BotocoreCompare : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(reference().error.empty()) << reference().error; }

  // A client config for case `name`: its region and session token, our fixed credentials, the
  // frozen clock and the capturing transport answering with `canned` (HTTP 200).
  ClientConfig config_for(const std::string& name, std::string canned) {
    const auto& input = case_input(name);
    transport_ = std::make_shared<CaptureTransport>(HttpResponse{200, {}, std::move(canned)});
    ClientConfig c;
    c.region = input["region"].get<std::string>();
    c.credentials = std::make_shared<StaticCredentialsProvider>(
        Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    input.value("session_token", std::string()), std::nullopt, "test"});
    c.transport = transport_;
    c.clock = frozen_now;
    c.retry.max_attempts = 1;
    return c;
  }

  static const nlohmann::ordered_json& case_input(const std::string& name) {
    static const nlohmann::ordered_json kNone;
    auto it = reference().inputs.find(name);
    return it == reference().inputs.end() ? kNone : *it;
  }
  static JsonRequest params(const std::string& name) { return case_input(name)["params"]; }

  // The one request our client sent, compared field by field with botocore's.
  void expect_same_as_botocore(const std::string& name) {
    ASSERT_TRUE(reference().cases.contains(name)) << "no botocore reference for " << name;
    const auto& ref = reference().cases[name];
    auto sent = transport_->requests();
    ASSERT_EQ(sent.size(), 1u) << name;
    const HttpRequest& ours = sent.front();
    EXPECT_EQ(ours.method, ref["method"].get<std::string>()) << name;
    EXPECT_EQ(ours.path, ref["path"].get<std::string>()) << name;
    std::string url = ours.url();
    auto qm = url.find('?');
    EXPECT_EQ(qm == std::string::npos ? "" : url.substr(qm + 1), ref["query"].get<std::string>())
        << name;
    EXPECT_EQ(ours.body, ref["body"].get<std::string>()) << name;
    for (const auto& [header, value] : ref["headers"].items()) {
      const std::string* mine = ours.header(header);
      ASSERT_NE(mine, nullptr) << name << ": botocore signs " << header << ", we did not send it";
      EXPECT_EQ(*mine, value.get<std::string>()) << name << ": header " << header;
    }
    const std::string* auth = ours.header("Authorization");
    ASSERT_NE(auth, nullptr) << name;
    EXPECT_EQ(*auth, ref["authorization"].get<std::string>()) << name;
  }

  // Says whether botocore's own model had the operation, or reference.py had to add it (1.29).
  static void note_model(const std::string& name) {
    bool extended = reference().cases[name]["model_extension"].get<bool>();
    ::testing::Test::RecordProperty("botocore_model", extended ? "extended" : "botocore's own");
    std::printf("[ botocore ] %s: %s\n", name.c_str(),
                extended ? "model extended from the API reference (this botocore lacks it)"
                         : "botocore's own model");
  }

  std::shared_ptr<CaptureTransport> transport_;
};

// ---- DynamoDB (json 1.0) ------------------------------------------------------------------

TEST_F(BotocoreCompare, DynamoDB_CreateTable) {
  DynamoDb ddb(config_for("DynamoDB_CreateTable",
                          R"({"TableDescription": {"TableName": "dr-app-sessions", )"
                          R"("TableStatus": "CREATING"}})"));
  auto out = ddb.create_table(params("DynamoDB_CreateTable"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["TableDescription"]["TableStatus"], "CREATING");
  expect_same_as_botocore("DynamoDB_CreateTable");
}

TEST_F(BotocoreCompare, DynamoDB_DescribeTable) {
  DynamoDb ddb(
      config_for("DynamoDB_DescribeTable",
                 R"({"Table": {"TableName": "dr-app-sessions", "TableStatus": "ACTIVE", )"
                 R"("LatestStreamArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x"}})"));
  auto out = ddb.describe_table(params("DynamoDB_DescribeTable"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["Table"]["TableStatus"], "ACTIVE");
  expect_same_as_botocore("DynamoDB_DescribeTable");
}

TEST_F(BotocoreCompare, DynamoDB_GetItem) {
  DynamoDb ddb(config_for("DynamoDB_GetItem", R"({"Item": {"pk": {"S": "session#42"}}})"));
  auto out = ddb.get_item(params("DynamoDB_GetItem"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["Item"]["pk"]["S"], "session#42");
  expect_same_as_botocore("DynamoDB_GetItem");
}

TEST_F(BotocoreCompare, DynamoDB_GetItem_WithSessionToken) {
  DynamoDb ddb(config_for("DynamoDB_GetItem_WithSessionToken", "{}"));
  auto out = ddb.get_item(params("DynamoDB_GetItem_WithSessionToken"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_FALSE(out->contains("Item"));
  expect_same_as_botocore("DynamoDB_GetItem_WithSessionToken");
}

TEST_F(BotocoreCompare, DynamoDB_PutItem) {
  DynamoDb ddb(config_for("DynamoDB_PutItem", "{}"));
  auto out = ddb.put_item(params("DynamoDB_PutItem"));
  ASSERT_TRUE(out) << out.error();
  expect_same_as_botocore("DynamoDB_PutItem");
}

TEST_F(BotocoreCompare, DynamoDB_UpdateItem) {
  DynamoDb ddb(config_for("DynamoDB_UpdateItem", R"({"Attributes": {"version": {"N": "8"}}})"));
  auto out = ddb.update_item(params("DynamoDB_UpdateItem"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["Attributes"]["version"]["N"], "8");
  expect_same_as_botocore("DynamoDB_UpdateItem");
}

TEST_F(BotocoreCompare, DynamoDB_DeleteItem) {
  DynamoDb ddb(config_for("DynamoDB_DeleteItem", "{}"));
  auto out = ddb.delete_item(params("DynamoDB_DeleteItem"));
  ASSERT_TRUE(out) << out.error();
  expect_same_as_botocore("DynamoDB_DeleteItem");
}

TEST_F(BotocoreCompare, DynamoDB_Query) {
  DynamoDb ddb(config_for("DynamoDB_Query", R"({"Items": [], "Count": 0, "ScannedCount": 0})"));
  auto out = ddb.query(params("DynamoDB_Query"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["Count"], 0);
  expect_same_as_botocore("DynamoDB_Query");
}

TEST_F(BotocoreCompare, DynamoDB_TransactWriteItems) {
  DynamoDb ddb(config_for("DynamoDB_TransactWriteItems", "{}"));
  auto out = ddb.transact_write_items(params("DynamoDB_TransactWriteItems"));
  ASSERT_TRUE(out) << out.error();
  expect_same_as_botocore("DynamoDB_TransactWriteItems");
}

// ---- DynamoDB Streams (json 1.0) ----------------------------------------------------------

TEST_F(BotocoreCompare, Streams_ListStreams) {
  DynamoDbStreams streams(config_for("Streams_ListStreams",
                                     R"({"Streams": [{"StreamArn": "arn:x", "TableName": "t"}]})"));
  auto out = streams.list_streams(params("Streams_ListStreams"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["Streams"][0]["StreamArn"], "arn:x");
  expect_same_as_botocore("Streams_ListStreams");
}

TEST_F(BotocoreCompare, Streams_DescribeStream) {
  DynamoDbStreams streams(config_for(
      "Streams_DescribeStream",
      R"({"StreamDescription": {"StreamStatus": "ENABLED", "Shards": [{"ShardId": "s1"}]}})"));
  auto out = streams.describe_stream(params("Streams_DescribeStream"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["StreamDescription"]["Shards"][0]["ShardId"], "s1");
  expect_same_as_botocore("Streams_DescribeStream");
}

TEST_F(BotocoreCompare, Streams_GetShardIterator) {
  DynamoDbStreams streams(config_for("Streams_GetShardIterator", R"({"ShardIterator": "it-1"})"));
  auto out = streams.get_shard_iterator(params("Streams_GetShardIterator"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["ShardIterator"], "it-1");
  expect_same_as_botocore("Streams_GetShardIterator");
}

TEST_F(BotocoreCompare, Streams_GetRecords) {
  DynamoDbStreams streams(
      config_for("Streams_GetRecords",
                 R"({"Records": [{"eventName": "INSERT"}], "NextShardIterator": "it-2"})"));
  auto out = streams.get_records(params("Streams_GetRecords"));
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ((*out)["Records"][0]["eventName"], "INSERT");
  expect_same_as_botocore("Streams_GetRecords");
}

// ---- Secrets Manager (json 1.1) -----------------------------------------------------------

TEST_F(BotocoreCompare, SecretsManager_GetSecretValue) {
  SecretsManager sm(config_for("SecretsManager_GetSecretValue",
                               R"({"ARN": "arn:secret", "Name": "dr-app/aurora/master", )"
                               R"("VersionId": "v1", "SecretString": "{\"password\": \"p\"}"})"));
  const auto& p = params("SecretsManager_GetSecretValue");
  auto out = sm.get_secret_value(p["SecretId"], p["VersionStage"]);
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->secret_string, R"({"password": "p"})");
  expect_same_as_botocore("SecretsManager_GetSecretValue");
}

// ---- RDS (query) --------------------------------------------------------------------------

constexpr const char* kGlobalClusterXml = R"(
    <GlobalClusterIdentifier>dr-app-global</GlobalClusterIdentifier>
    <GlobalClusterResourceId>cluster-abc</GlobalClusterResourceId>
    <GlobalClusterArn>arn:aws:rds::123456789012:global-cluster:dr-app-global</GlobalClusterArn>
    <Status>available</Status>
    <Engine>aurora-mysql</Engine>
    <EngineVersion>8.0.mysql_aurora.3.04.0</EngineVersion>
    <StorageEncrypted>true</StorageEncrypted>
    <DeletionProtection>true</DeletionProtection>
    <GlobalClusterMembers>
      <GlobalClusterMember>
        <DBClusterArn>arn:aws:rds:us-east-1:123456789012:cluster:dr-app-us-east-1</DBClusterArn>
        <Readers><member>arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2</member></Readers>
        <IsWriter>true</IsWriter>
        <GlobalWriteForwardingStatus>disabled</GlobalWriteForwardingStatus>
      </GlobalClusterMember>
      <GlobalClusterMember>
        <DBClusterArn>arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2</DBClusterArn>
        <Readers/>
        <IsWriter>false</IsWriter>
        <SynchronizationStatus>connected</SynchronizationStatus>
      </GlobalClusterMember>
    </GlobalClusterMembers>)";

std::string rds_response(const std::string& action, const std::string& result) {
  return "<" + action + "Response xmlns=\"http://rds.amazonaws.com/doc/2014-10-31/\"><" + action +
         "Result>" + result + "</" + action +
         "Result><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></" + action +
         "Response>";
}

TEST_F(BotocoreCompare, RDS_DescribeGlobalClusters) {
  Rds rds(config_for(
      "RDS_DescribeGlobalClusters",
      rds_response("DescribeGlobalClusters", std::string("<GlobalClusters><GlobalClusterMember>") +
                                                 kGlobalClusterXml +
                                                 "</GlobalClusterMember></GlobalClusters>")));
  auto out = rds.describe_global_clusters({"dr-app-global", 20, std::nullopt});
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->global_clusters.size(), 1u);
  const auto& g = out->global_clusters[0];
  EXPECT_EQ(g.status, "available");
  ASSERT_EQ(g.members.size(), 2u);
  ASSERT_NE(g.writer(), nullptr);
  EXPECT_EQ(g.writer()->db_cluster_arn,
            "arn:aws:rds:us-east-1:123456789012:cluster:dr-app-us-east-1");
  EXPECT_EQ(g.writer()->readers.size(), 1u);
  EXPECT_EQ(g.members[1].synchronization_status, "connected");
  EXPECT_FALSE(g.failover_state);
  EXPECT_EQ(out->raw.request_id, "req-1");
  expect_same_as_botocore("RDS_DescribeGlobalClusters");
}

TEST_F(BotocoreCompare, RDS_DescribeGlobalClusters_WithSessionToken) {
  Rds rds(config_for("RDS_DescribeGlobalClusters_WithSessionToken",
                     rds_response("DescribeGlobalClusters", "<GlobalClusters/>")));
  auto out = rds.describe_global_clusters({.global_cluster_identifier = "dr-app-global"});
  ASSERT_TRUE(out) << out.error();
  EXPECT_TRUE(out->global_clusters.empty());
  expect_same_as_botocore("RDS_DescribeGlobalClusters_WithSessionToken");
}

TEST_F(BotocoreCompare, RDS_DescribeDBClusters) {
  Rds rds(config_for("RDS_DescribeDBClusters", rds_response("DescribeDBClusters", R"(
      <DBClusters><DBCluster>
        <DBClusterIdentifier>dr-app-us-west-2</DBClusterIdentifier>
        <DBClusterArn>arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2</DBClusterArn>
        <Status>available</Status><Engine>aurora-mysql</Engine>
        <Endpoint>dr-app-us-west-2.cluster-x.us-west-2.rds.amazonaws.com</Endpoint>
        <ReaderEndpoint>dr-app-us-west-2.cluster-ro-x.us-west-2.rds.amazonaws.com</ReaderEndpoint>
        <Port>3306</Port><MultiAZ>true</MultiAZ>
        <DBClusterMembers>
          <DBClusterMember><DBInstanceIdentifier>b1</DBInstanceIdentifier><IsClusterWriter>true</IsClusterWriter><PromotionTier>1</PromotionTier></DBClusterMember>
          <DBClusterMember><DBInstanceIdentifier>b2</DBInstanceIdentifier><IsClusterWriter>false</IsClusterWriter></DBClusterMember>
        </DBClusterMembers>
      </DBCluster></DBClusters><Marker>next</Marker>)")));
  DescribeDbClustersInput in;
  in.db_cluster_identifier = "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2";
  in.filters = {{"engine", {"aurora-mysql", "aurora-postgresql"}},
                {"db-cluster-id", {"dr-app-us-west-2"}}};
  in.max_records = 100;
  in.marker = "page 2/3";
  auto out = rds.describe_db_clusters(in);
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->db_clusters.size(), 1u);
  EXPECT_EQ(out->db_clusters[0].port, 3306);
  ASSERT_EQ(out->db_clusters[0].members.size(), 2u);
  EXPECT_TRUE(out->db_clusters[0].members[0].is_cluster_writer);
  EXPECT_EQ(out->marker, "next");
  expect_same_as_botocore("RDS_DescribeDBClusters");
}

// botocore 1.29 predates the AllowDataLoss and Switchover members; reference.py adds them to its
// model exactly as the AWS API reference defines them, and botocore serializes and signs.
TEST_F(BotocoreCompare, RDS_FailoverGlobalCluster_AllowDataLoss) {
  Rds rds(
      config_for("RDS_FailoverGlobalCluster_AllowDataLoss",
                 rds_response("FailoverGlobalCluster",
                              std::string("<GlobalCluster>") + kGlobalClusterXml +
                                  "<FailoverState><Status>pending</Status>"
                                  "<FromDbClusterArn>arn:a</FromDbClusterArn><ToDbClusterArn>arn:b"
                                  "</ToDbClusterArn><IsDataLossAllowed>true</IsDataLossAllowed>"
                                  "</FailoverState></GlobalCluster>")));
  auto out = rds.failover_global_cluster(
      {.global_cluster_identifier = "dr-app-global",
       .target_db_cluster_identifier =
           "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2",
       .allow_data_loss = true});
  ASSERT_TRUE(out) << out.error();
  ASSERT_TRUE(out->global_cluster.failover_state);
  EXPECT_EQ(out->global_cluster.failover_state->status, "pending");
  EXPECT_EQ(out->global_cluster.failover_state->is_data_loss_allowed, true);
  note_model("RDS_FailoverGlobalCluster_AllowDataLoss");
  expect_same_as_botocore("RDS_FailoverGlobalCluster_AllowDataLoss");
}

TEST_F(BotocoreCompare, RDS_FailoverGlobalCluster_Switchover) {
  Rds rds(config_for(
      "RDS_FailoverGlobalCluster_Switchover",
      rds_response("FailoverGlobalCluster",
                   std::string("<GlobalCluster>") + kGlobalClusterXml + "</GlobalCluster>")));
  auto out = rds.failover_global_cluster(
      {.global_cluster_identifier = "dr-app-global",
       .target_db_cluster_identifier =
           "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2",
       .switchover = true});
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->global_cluster.identifier, "dr-app-global");
  expect_same_as_botocore("RDS_FailoverGlobalCluster_Switchover");
}

// Debian's botocore 1.29 has no SwitchoverGlobalCluster at all, so the first proof is the AWS API
// reference (API_SwitchoverGlobalCluster, RDS API 2014-10-31): Action, Version and the two
// required members, form-encoded. The body below is written from that page by hand. Then
// botocore's own serializer and signer must agree with us: pip's newer botocore models the
// operation itself; with 1.29, reference.py adds it to the model from the same page.
TEST_F(BotocoreCompare, RDS_SwitchoverGlobalCluster) {
  Rds rds(config_for(
      "RDS_SwitchoverGlobalCluster",
      rds_response("SwitchoverGlobalCluster",
                   std::string("<GlobalCluster>") + kGlobalClusterXml + "</GlobalCluster>")));
  auto out = rds.switchover_global_cluster(
      {"dr-app-global", "arn:aws:rds:us-west-2:123456789012:cluster:dr-app-us-west-2"});
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->global_cluster.members.size(), 2u);
  ASSERT_EQ(transport_->requests().size(), 1u);
  EXPECT_EQ(transport_->last().body,
            "Action=SwitchoverGlobalCluster&Version=2014-10-31"
            "&GlobalClusterIdentifier=dr-app-global"
            "&TargetDbClusterIdentifier=arn%3Aaws%3Ards%3Aus-west-2%3A123456789012%3Acluster%3Adr-"
            "app-us-west-2");
  EXPECT_EQ(*transport_->last().header("Content-Type"),
            "application/x-www-form-urlencoded; charset=utf-8");
  note_model("RDS_SwitchoverGlobalCluster");
  expect_same_as_botocore("RDS_SwitchoverGlobalCluster");
}

// ---- Auto Scaling (query) -----------------------------------------------------------------

std::string query_response(const std::string& action, const std::string& ns,
                           const std::string& result) {
  std::string out = "<" + action + "Response xmlns=\"" + ns + "\">";
  if (!result.empty()) out += "<" + action + "Result>" + result + "</" + action + "Result>";
  return out + "<ResponseMetadata><RequestId>req-2</RequestId></ResponseMetadata></" + action +
         "Response>";
}

TEST_F(BotocoreCompare, AutoScaling_DescribeAutoScalingGroups) {
  AutoScaling asg(config_for("AutoScaling_DescribeAutoScalingGroups",
                             query_response("DescribeAutoScalingGroups",
                                            "http://autoscaling.amazonaws.com/doc/2011-01-01/", R"(
      <AutoScalingGroups><member>
        <AutoScalingGroupName>dr-app-us-west-2</AutoScalingGroupName>
        <AutoScalingGroupARN>arn:aws:autoscaling:us-west-2:123456789012:autoScalingGroup:x</AutoScalingGroupARN>
        <MinSize>0</MinSize><MaxSize>10</MaxSize><DesiredCapacity>2</DesiredCapacity>
        <DefaultCooldown>300</DefaultCooldown>
        <AvailabilityZones><member>us-west-2a</member><member>us-west-2b</member></AvailabilityZones>
        <HealthCheckType>ELB</HealthCheckType><HealthCheckGracePeriod>120</HealthCheckGracePeriod>
        <Instances>
          <member><InstanceId>i-1</InstanceId><AvailabilityZone>us-west-2a</AvailabilityZone>
            <LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus>
            <ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>
          <member><InstanceId>i-2</InstanceId><AvailabilityZone>us-west-2b</AvailabilityZone>
            <LifecycleState>Pending</LifecycleState><HealthStatus>Healthy</HealthStatus>
            <ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>
        </Instances>
        <CreatedTime>2015-08-30T12:00:00.123Z</CreatedTime>
      </member></AutoScalingGroups>)")));
  DescribeAutoScalingGroupsInput in;
  in.auto_scaling_group_names = {"dr-app-us-west-2", "dr-app-us-west-2-canary"};
  in.max_records = 50;
  in.filters = {{"tag:Role", {"app", "standby"}}};
  auto out = asg.describe_auto_scaling_groups(in);
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->auto_scaling_groups.size(), 1u);
  const auto& g = out->auto_scaling_groups[0];
  EXPECT_EQ(g.desired_capacity, 2);
  EXPECT_EQ(g.availability_zones.size(), 2u);
  EXPECT_EQ(g.instances.size(), 2u);
  EXPECT_EQ(g.in_service_healthy(), 1);
  EXPECT_TRUE(g.created_time);
  expect_same_as_botocore("AutoScaling_DescribeAutoScalingGroups");
}

TEST_F(BotocoreCompare, AutoScaling_UpdateAutoScalingGroup) {
  AutoScaling asg(
      config_for("AutoScaling_UpdateAutoScalingGroup",
                 query_response("UpdateAutoScalingGroup",
                                "http://autoscaling.amazonaws.com/doc/2011-01-01/", "")));
  auto out = asg.update_auto_scaling_group({.auto_scaling_group_name = "dr-app-us-west-2",
                                            .min_size = 2,
                                            .max_size = 10,
                                            .desired_capacity = 6,
                                            .health_check_type = "ELB",
                                            .health_check_grace_period = 120});
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->raw.request_id, "req-2");
  expect_same_as_botocore("AutoScaling_UpdateAutoScalingGroup");
}

// ---- Route 53 (rest-xml, global endpoint signed for us-east-1) ----------------------------

TEST_F(BotocoreCompare, Route53_GetHealthCheckStatus) {
  Route53 r53(config_for("Route53_GetHealthCheckStatus", R"(<?xml version="1.0"?>
    <GetHealthCheckStatusResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
      <HealthCheckObservations>
        <HealthCheckObservation><Region>us-east-1</Region><IPAddress>15.177.2.1</IPAddress>
          <StatusReport><Status>Success: HTTP Status Code 200, OK</Status>
            <CheckedTime>2015-08-30T12:35:58.123Z</CheckedTime></StatusReport>
        </HealthCheckObservation>
        <HealthCheckObservation><Region>eu-west-1</Region><IPAddress>15.177.62.1</IPAddress>
          <StatusReport><Status>Failure: Connection timed out.</Status>
            <CheckedTime>2015-08-30T12:35:57Z</CheckedTime></StatusReport>
        </HealthCheckObservation>
      </HealthCheckObservations>
    </GetHealthCheckStatusResponse>)"));
  auto out = r53.get_health_check_status("d0f3a4e1-7a2b-4c1d-9e8f-0123456789ab");
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->observations.size(), 2u);
  EXPECT_EQ(out->healthy_count(), 1);
  EXPECT_EQ(out->observations[1].region, "eu-west-1");
  expect_same_as_botocore("Route53_GetHealthCheckStatus");
}

TEST_F(BotocoreCompare, Route53_ChangeResourceRecordSets) {
  Route53 r53(config_for("Route53_ChangeResourceRecordSets", R"(<?xml version="1.0"?>
    <ChangeResourceRecordSetsResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
      <ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>PENDING</Status>
        <SubmittedAt>2015-08-30T12:36:00.000Z</SubmittedAt></ChangeInfo>
    </ChangeResourceRecordSetsResponse>)"));
  ChangeResourceRecordSetsInput in;
  in.hosted_zone_id = "/hostedzone/Z1D633PJN98FT9";
  in.comment = "DR failover \u2192 us-west-2 (drill #7) & <verify>";
  in.changes.push_back(
      {"UPSERT",
       {.name = "app.example.com.",
        .type = "A",
        .set_identifier = "primary-us-east-1",
        .failover = "PRIMARY",
        .alias_target =
            AliasTarget{"Z35SXDOTRQ7X7K", "dr-app-use1-123.us-east-1.elb.amazonaws.com.", true},
        .health_check_id = "d0f3a4e1-7a2b-4c1d-9e8f-0123456789ab"}});
  in.changes.push_back(
      {"UPSERT",
       {.name = "db.example.com.",
        .type = "CNAME",
        .set_identifier = "secondary",
        .weight = 100,
        .ttl = 60,
        .resource_records = {"dr-app-us-west-2.cluster-x.us-west-2.rds.amazonaws.com"}}});
  auto out = r53.change_resource_record_sets(in);
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->change_info.id, "/change/C2682N5HXP0BZ4");
  EXPECT_EQ(out->change_info.status, "PENDING");
  expect_same_as_botocore("Route53_ChangeResourceRecordSets");
}

TEST_F(BotocoreCompare, Route53_GetChange) {
  Route53 r53(config_for("Route53_GetChange", R"(<?xml version="1.0"?>
    <GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">
      <ChangeInfo><Id>/change/C2682N5HXP0BZ4</Id><Status>INSYNC</Status>
        <SubmittedAt>2015-08-30T12:36:00.000Z</SubmittedAt><Comment>drill</Comment></ChangeInfo>
    </GetChangeResponse>)"));
  auto out = r53.get_change("/change/C2682N5HXP0BZ4");
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->change_info.status, "INSYNC");
  EXPECT_EQ(out->change_info.comment, "drill");
  expect_same_as_botocore("Route53_GetChange");
}

// ---- SNS (query) --------------------------------------------------------------------------

TEST_F(BotocoreCompare, SNS_Publish) {
  Sns sns(
      config_for("SNS_Publish",
                 query_response("Publish", "http://sns.amazonaws.com/doc/2010-03-31/",
                                "<MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>")));
  PublishInput in;
  in.topic_arn = "arn:aws:sns:us-west-2:123456789012:dr-app-events";
  in.message =
      "Failover to us-west-2 complete: \u00e9critures reprises, RTO 41 s \u2713 (lost=0)\nnext: "
      "failback";
  in.subject = "DR: failover r\u00e9ussi";
  in.message_attributes = {{"severity", {"String", "critical"}}, {"rto_seconds", {"Number", "41"}}};
  auto out = sns.publish(in);
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->message_id, "94f20ce6-13c5-43a0-9a9e-ca52d816e90b");
  expect_same_as_botocore("SNS_Publish");
}

// ---- CloudWatch (query, endpoint prefix "monitoring") -------------------------------------

TEST_F(BotocoreCompare, AutoScaling_SetDesiredCapacity) {
  AutoScaling asg(
      config_for("AutoScaling_SetDesiredCapacity",
                 query_response("SetDesiredCapacity",
                                "http://autoscaling.amazonaws.com/doc/2011-01-01/", "")));
  auto out = asg.set_desired_capacity({.auto_scaling_group_name = "dr-app-us-west-2",
                                       .desired_capacity = 6,
                                       .honor_cooldown = false});
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->raw.request_id, "req-2");
  expect_same_as_botocore("AutoScaling_SetDesiredCapacity");
}

// The response is the API reference's example (two targets, one failing its checks).
TEST_F(BotocoreCompare, ELBv2_DescribeTargetHealth) {
  ElasticLoadBalancingV2 elb(
      config_for("ELBv2_DescribeTargetHealth",
                 query_response("DescribeTargetHealth",
                                "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/", R"(
      <TargetHealthDescriptions>
        <member>
          <HealthCheckPort>8080</HealthCheckPort>
          <TargetHealth><State>healthy</State></TargetHealth>
          <Target><Port>8080</Port><Id>i-0f76fade435676abd</Id></Target>
        </member>
        <member>
          <HealthCheckPort>8080</HealthCheckPort>
          <TargetHealth>
            <State>unhealthy</State><Reason>Target.Timeout</Reason>
            <Description>Request timed out</Description>
          </TargetHealth>
          <Target><Id>10.0.1.7</Id><Port>8080</Port><AvailabilityZone>all</AvailabilityZone></Target>
        </member>
      </TargetHealthDescriptions>)")));
  auto out = elb.describe_target_health(
      {.target_group_arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/"
                           "dr-app-usw2/73e2d6bc24d8a067",
       .targets = {{.id = "i-0f76fade435676abd", .port = 8080},
                   {.id = "10.0.1.7", .availability_zone = "all"}}});
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->target_health_descriptions.size(), 2u);
  EXPECT_EQ(out->healthy(), 1);
  const auto& bad = out->target_health_descriptions[1];
  EXPECT_EQ(bad.target.id, "10.0.1.7");
  EXPECT_EQ(bad.target.port, 8080);
  EXPECT_EQ(bad.target.availability_zone, "all");
  EXPECT_EQ(bad.state, "unhealthy");
  EXPECT_EQ(bad.reason, "Target.Timeout");
  EXPECT_EQ(bad.description, "Request timed out");
  expect_same_as_botocore("ELBv2_DescribeTargetHealth");
}

TEST_F(BotocoreCompare, ELBv2_DescribeTargetHealth_AllTargets) {
  ElasticLoadBalancingV2 elb(
      config_for("ELBv2_DescribeTargetHealth_AllTargets",
                 query_response("DescribeTargetHealth",
                                "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
                                "<TargetHealthDescriptions/>")));
  auto out = elb.describe_target_health(
      {.target_group_arn = "arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/"
                           "dr-app-usw2/73e2d6bc24d8a067"});
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->healthy(), 0);
  expect_same_as_botocore("ELBv2_DescribeTargetHealth_AllTargets");
}

TEST_F(BotocoreCompare, CloudWatch_PutMetricData) {
  CloudWatch cw(config_for(
      "CloudWatch_PutMetricData",
      query_response("PutMetricData", "http://monitoring.amazonaws.com/doc/2010-08-01/", "")));
  using namespace std::chrono;
  PutMetricDataInput in{.namespace_ = "DrApp/Controller"};
  in.metric_data.push_back({.metric_name = "ReplicationLagSeconds",
                            .dimensions = {{"Region", "us-west-2"}, {"Cluster", "dr-app"}},
                            .timestamp = frozen_now() - milliseconds(750),
                            .value = 0.25,
                            .unit = "Seconds",
                            .storage_resolution = 1});
  in.metric_data.push_back({.metric_name = "FailoverDecisions", .value = 1.0, .unit = "Count"});
  in.metric_data.push_back({.metric_name = "Tiny", .value = 1e-05});
  in.metric_data.push_back(
      {.metric_name = "Huge", .timestamp = frozen_now() - minutes(36), .value = 1.5e16});
  auto out = cw.put_metric_data(in);
  ASSERT_TRUE(out) << out.error();
  expect_same_as_botocore("CloudWatch_PutMetricData");
}

TEST_F(BotocoreCompare, CloudWatch_DescribeAlarms) {
  CloudWatch cw(config_for(
      "CloudWatch_DescribeAlarms",
      query_response("DescribeAlarms", "http://monitoring.amazonaws.com/doc/2010-08-01/", R"(
      <MetricAlarms><member>
        <AlarmName>dr-app-primary-5xx</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-east-1:123456789012:alarm:dr-app-primary-5xx</AlarmArn>
        <StateValue>ALARM</StateValue><StateReason>Threshold Crossed</StateReason>
        <StateUpdatedTimestamp>2015-08-30T12:35:00.000Z</StateUpdatedTimestamp>
        <MetricName>HTTPCode_Target_5XX_Count</MetricName><Namespace>AWS/ApplicationELB</Namespace>
        <Statistic>Sum</Statistic>
        <Dimensions><member><Name>LoadBalancer</Name><Value>app/dr/1</Value></member></Dimensions>
        <Period>60</Period><EvaluationPeriods>3</EvaluationPeriods><Threshold>50.0</Threshold>
        <ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
        <ActionsEnabled>true</ActionsEnabled>
        <AlarmActions><member>arn:aws:sns:us-east-1:123456789012:dr</member></AlarmActions>
      </member></MetricAlarms>
      <CompositeAlarms><member><AlarmName>dr-app-primary-down</AlarmName>
        <AlarmRule>ALARM(dr-app-primary-5xx)</AlarmRule><StateValue>OK</StateValue>
      </member></CompositeAlarms>)")));
  auto out = cw.describe_alarms({.alarm_names = {"dr-app-primary-5xx", "dr-app-primary-latency"},
                                 .alarm_types = {"MetricAlarm", "CompositeAlarm"},
                                 .state_value = "ALARM",
                                 .max_records = 100});
  ASSERT_TRUE(out) << out.error();
  ASSERT_EQ(out->metric_alarms.size(), 1u);
  EXPECT_EQ(out->metric_alarms[0].threshold, 50.0);
  EXPECT_EQ(out->metric_alarms[0].dimensions.size(), 1u);
  ASSERT_EQ(out->composite_alarms.size(), 1u);
  EXPECT_EQ(out->composite_alarms[0].alarm_rule, "ALARM(dr-app-primary-5xx)");
  expect_same_as_botocore("CloudWatch_DescribeAlarms");
}

// The response is the API reference's example shape (Datapoints of members, then Label).
TEST_F(BotocoreCompare, CloudWatch_GetMetricStatistics) {
  CloudWatch cw(config_for(
      "CloudWatch_GetMetricStatistics",
      query_response("GetMetricStatistics", "http://monitoring.amazonaws.com/doc/2010-08-01/", R"(
      <Datapoints>
        <member><Timestamp>2015-08-30T12:34:00Z</Timestamp><SampleCount>60.0</SampleCount>
          <Maximum>412.0</Maximum><Unit>Milliseconds</Unit></member>
        <member><Timestamp>2015-08-30T12:33:00Z</Timestamp><SampleCount>60.0</SampleCount>
          <Maximum>97.5</Maximum><Unit>Milliseconds</Unit></member>
      </Datapoints>
      <Label>AuroraGlobalDBReplicationLag</Label>)")));
  using namespace std::chrono;
  auto out = cw.get_metric_statistics({.namespace_ = "AWS/RDS",
                                       .metric_name = "AuroraGlobalDBReplicationLag",
                                       .dimensions = {{"DBClusterIdentifier", "dr-app-us-west-2"}},
                                       .start_time = frozen_now() - minutes(5),
                                       .end_time = frozen_now() + milliseconds(500),
                                       .period = 60,
                                       .statistics = {"Maximum", "SampleCount"},
                                       .unit = "Milliseconds"});
  ASSERT_TRUE(out) << out.error();
  EXPECT_EQ(out->label, "AuroraGlobalDBReplicationLag");
  ASSERT_EQ(out->datapoints.size(), 2u);
  EXPECT_EQ(out->datapoints[0].maximum, 412.0);
  EXPECT_EQ(out->datapoints[0].timestamp, frozen_now() - minutes(2));
  EXPECT_EQ(out->datapoints[1].unit, "Milliseconds");
  EXPECT_FALSE(out->datapoints[1].average);
  expect_same_as_botocore("CloudWatch_GetMetricStatistics");
}

}  // namespace
}  // namespace dr::aws
