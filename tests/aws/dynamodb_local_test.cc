// The DynamoDB and Streams operations against a real DynamoDB Local (AWS's emulator): a
// conditional put that fails, a transaction that rolls back as a whole, stream records read back.
#include <gtest/gtest.h>

#include "aws/dynamodb.h"
#include "aws/support/loopback_server.h"
#include "lab/dynamodb_local.h"
#include "lab/temp_dir.h"

namespace dr::aws {
namespace {

using nlohmann::json;
using Req = JsonRequest;

class DynamoDbLocalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new dr::testing::TempDir("dr-ddb-test");
    lab::DynamoDbLocalOptions options;
    options.die_with_parent = true;
    auto started = lab::DynamoDbLocal::start(tmp_->path(), options);
    ASSERT_TRUE(started) << started.error();
    server_ = new lab::DynamoDbLocal(std::move(*started));
  }
  static void TearDownTestSuite() {
    if (server_) (void)server_->stop();
    delete server_;
    delete tmp_;
    server_ = nullptr;
    tmp_ = nullptr;
  }

  ClientConfig config() const {
    ClientConfig c;
    c.region = "us-east-1";
    c.endpoint_url = server_->endpoint_url();
    c.credentials = std::make_shared<StaticCredentialsProvider>(
        Credentials{"lab", "lab-secret", "", {}, "test"});
    return c;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ddb_ = std::make_unique<DynamoDb>(config());
    streams_ = std::make_unique<DynamoDbStreams>(config());
    table_ = std::string("t-") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto created = ddb_->create_table(
        {{"TableName", table_},
         {"AttributeDefinitions", {{{"AttributeName", "pk"}, {"AttributeType", "S"}}}},
         {"KeySchema", {{{"AttributeName", "pk"}, {"KeyType", "HASH"}}}},
         {"BillingMode", "PAY_PER_REQUEST"},
         {"StreamSpecification",
          {{"StreamEnabled", true}, {"StreamViewType", "NEW_AND_OLD_IMAGES"}}}});
    ASSERT_TRUE(created) << created.error();
    EXPECT_EQ((*created)["TableDescription"]["TableName"], table_);
  }

  Result<json> put(const std::string& pk, const std::string& value,
                   const char* condition = nullptr) {
    Req in = {{"TableName", table_}, {"Item", {{"pk", {{"S", pk}}}, {"v", {{"S", value}}}}}};
    if (condition) in["ConditionExpression"] = condition;
    return ddb_->put_item(in);
  }

  std::optional<std::string> value_of(const std::string& pk) {
    auto got = ddb_->get_item(
        {{"TableName", table_}, {"Key", {{"pk", {{"S", pk}}}}}, {"ConsistentRead", true}});
    EXPECT_TRUE(got) << got.error();
    if (!got || !got->contains("Item")) return std::nullopt;
    return (*got)["Item"]["v"]["S"].get<std::string>();
  }

  static dr::testing::TempDir* tmp_;
  static lab::DynamoDbLocal* server_;
  std::unique_ptr<DynamoDb> ddb_;
  std::unique_ptr<DynamoDbStreams> streams_;
  std::string table_;
};

dr::testing::TempDir* DynamoDbLocalTest::tmp_ = nullptr;
lab::DynamoDbLocal* DynamoDbLocalTest::server_ = nullptr;

TEST_F(DynamoDbLocalTest, DescribeTableSeesTheStream) {
  auto d = ddb_->describe_table({{"TableName", table_}});
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ((*d)["Table"]["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES");
  auto missing = ddb_->describe_table({{"TableName", "no-such-table"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kServiceError);
  EXPECT_EQ(missing.error().code, "ResourceNotFoundException");
}

TEST_F(DynamoDbLocalTest, AConditionalPutThatFailsChangesNothing) {
  ASSERT_TRUE(put("a", "first", "attribute_not_exists(pk)"));
  auto second = put("a", "second", "attribute_not_exists(pk)");
  ASSERT_FALSE(second);
  EXPECT_TRUE(is_conditional_check_failed(second.error())) << second.error();
  EXPECT_EQ(second.error().http_status, 400);
  EXPECT_EQ(value_of("a"), "first");
}

TEST_F(DynamoDbLocalTest, UpdateAndDeleteHonourTheirConditions) {
  ASSERT_TRUE(put("u", "1"));
  auto stale = ddb_->update_item(
      {{"TableName", table_},
       {"Key", {{"pk", {{"S", "u"}}}}},
       {"UpdateExpression", "SET v = :new"},
       {"ConditionExpression", "v = :old"},
       {"ExpressionAttributeValues", {{":new", {{"S", "3"}}}, {":old", {{"S", "2"}}}}}});
  ASSERT_FALSE(stale);
  EXPECT_TRUE(is_conditional_check_failed(stale.error()));
  auto ok = ddb_->update_item(
      {{"TableName", table_},
       {"Key", {{"pk", {{"S", "u"}}}}},
       {"UpdateExpression", "SET v = :new"},
       {"ConditionExpression", "v = :old"},
       {"ExpressionAttributeValues", {{":new", {{"S", "2"}}}, {":old", {{"S", "1"}}}}},
       {"ReturnValues", "ALL_NEW"}});
  ASSERT_TRUE(ok) << ok.error();
  EXPECT_EQ((*ok)["Attributes"]["v"]["S"], "2");
  auto refused = ddb_->delete_item({{"TableName", table_},
                                    {"Key", {{"pk", {{"S", "u"}}}}},
                                    {"ConditionExpression", "v = :x"},
                                    {"ExpressionAttributeValues", {{":x", {{"S", "9"}}}}}});
  ASSERT_FALSE(refused);
  EXPECT_EQ(value_of("u"), "2");
  ASSERT_TRUE(ddb_->delete_item({{"TableName", table_}, {"Key", {{"pk", {{"S", "u"}}}}}}));
  EXPECT_EQ(value_of("u"), std::nullopt);
}

TEST_F(DynamoDbLocalTest, ATransactionRollsBackAsAWhole) {
  ASSERT_TRUE(put("taken", "old"));
  auto tx =
      ddb_->transact_write_items({{"TransactItems",
                                   {{{"Put",
                                      {{"TableName", table_},
                                       {"Item", {{"pk", {{"S", "fresh"}}}, {"v", {{"S", "new"}}}}},
                                       {"ConditionExpression", "attribute_not_exists(pk)"}}}},
                                    {{"Put",
                                      {{"TableName", table_},
                                       {"Item", {{"pk", {{"S", "taken"}}}, {"v", {{"S", "new"}}}}},
                                       {"ConditionExpression", "attribute_not_exists(pk)"}}}}}}});
  ASSERT_FALSE(tx);
  EXPECT_EQ(tx.error().code, "TransactionCanceledException") << tx.error();
  auto reasons = transaction_cancellation_reasons(tx.error());
  ASSERT_TRUE(reasons);
  EXPECT_EQ(*reasons, (std::vector<std::string>{"None", "ConditionalCheckFailed"}));
  EXPECT_EQ(value_of("fresh"), std::nullopt) << "the first put must have been rolled back";
  EXPECT_EQ(value_of("taken"), "old");
}

TEST_F(DynamoDbLocalTest, QueryReturnsTheItemsOfAKey) {
  ASSERT_TRUE(put("q", "x"));
  auto q = ddb_->query({{"TableName", table_},
                        {"KeyConditionExpression", "pk = :k"},
                        {"ExpressionAttributeValues", {{":k", {{"S", "q"}}}}}});
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ((*q)["Count"], 1);
  EXPECT_EQ((*q)["Items"][0]["v"]["S"], "x");
}

TEST_F(DynamoDbLocalTest, StreamRecordsReadBackInOrderWithBothImages) {
  ASSERT_TRUE(put("s", "v1"));
  ASSERT_TRUE(put("s", "v2"));
  ASSERT_TRUE(ddb_->delete_item({{"TableName", table_}, {"Key", {{"pk", {{"S", "s"}}}}}}));

  auto listed = streams_->list_streams({{"TableName", table_}});
  ASSERT_TRUE(listed) << listed.error();
  ASSERT_EQ((*listed)["Streams"].size(), 1u);
  std::string arn = (*listed)["Streams"][0]["StreamArn"];
  auto described = streams_->describe_stream({{"StreamArn", arn}});
  ASSERT_TRUE(described) << described.error();
  const auto& shards = (*described)["StreamDescription"]["Shards"];
  ASSERT_FALSE(shards.empty());
  std::string shard = shards[0]["ShardId"];
  auto it = streams_->get_shard_iterator(
      {{"StreamArn", arn}, {"ShardId", shard}, {"ShardIteratorType", "TRIM_HORIZON"}});
  ASSERT_TRUE(it) << it.error();

  std::vector<json> records;
  std::string iterator = (*it)["ShardIterator"];
  // Stream records are visible within milliseconds; poll a bounded number of times.
  for (int i = 0; i < 50 && records.size() < 3; ++i) {
    auto got = streams_->get_records({{"ShardIterator", iterator}});
    ASSERT_TRUE(got) << got.error();
    for (const auto& r : (*got)["Records"]) records.push_back(r);
    if (!got->contains("NextShardIterator")) break;
    iterator = (*got)["NextShardIterator"];
  }
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["eventName"], "INSERT");
  EXPECT_EQ(records[1]["eventName"], "MODIFY");
  EXPECT_EQ(records[1]["dynamodb"]["OldImage"]["v"]["S"], "v1");
  EXPECT_EQ(records[1]["dynamodb"]["NewImage"]["v"]["S"], "v2");
  EXPECT_EQ(records[2]["eventName"], "REMOVE");
  EXPECT_EQ(records[2]["dynamodb"]["OldImage"]["v"]["S"], "v2");
}

TEST_F(DynamoDbLocalTest, AnUnreachableEndpointIsNotSent) {
  ClientConfig c = config();
  dr::test::ClosedPort closed;  // bound, never listening: a connect is refused
  c.endpoint_url = "http://127.0.0.1:" + std::to_string(closed.port());
  c.retry.max_attempts = 1;
  DynamoDb dead(c);
  auto r = dead.describe_table({{"TableName", table_}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kNotSent) << r.error();
}

}  // namespace
}  // namespace dr::aws
