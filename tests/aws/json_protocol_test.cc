#include "aws/json_protocol.h"

#include <gtest/gtest.h>

#include "aws/dynamodb.h"

namespace dr::aws {
namespace {

TEST(DumpLikeBotocore, UsesPythonSeparatorsAndKeepsKeyOrder) {
  JsonRequest in = {{"TableName", "orders"}, {"Limit", 5}, {"ConsistentRead", true}};
  in["Key"] = {{"pk", {{"S", "a"}}}};
  in["Tags"] = JsonRequest::array({"x", "y"});
  EXPECT_EQ(
      dump_like_botocore(in),
      R"({"TableName": "orders", "Limit": 5, "ConsistentRead": true, "Key": {"pk": {"S": "a"}}, "Tags": ["x", "y"]})");
}

TEST(DumpLikeBotocore, EscapesLikePythonEnsureAscii) {
  JsonRequest in = {{"s", "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ \n\t\x01"}};
  EXPECT_EQ(dump_like_botocore(in), R"({"s": "caf\u00e9 \ud83d\ude00 \"q\" \\ \n\t\u0001"})");
}

TEST(JsonRequest, CarriesTargetAndContentType) {
  auto r = json_request(DynamoDb::protocol(), "PutItem", {{"TableName", "t"}});
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  ASSERT_NE(r.header("X-Amz-Target"), nullptr);
  EXPECT_EQ(*r.header("X-Amz-Target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(*r.header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(r.body, R"({"TableName": "t"})");
}

TEST(ParseJsonError, TakesTheCodeAfterTheHashAndTheMessage) {
  HttpResponse resp{
      400,
      {},
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})"};
  Error e = parse_json_error(resp);
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  EXPECT_EQ(e.message, "The conditional request failed");
  EXPECT_EQ(e.http_status, 400);
  e.kind = ErrorKind::kServiceError;
  EXPECT_TRUE(is_conditional_check_failed(e));
}

TEST(ParseJsonError, PrefersTheErrorTypeHeaderAndSurvivesGarbage) {
  HttpResponse resp{
      500, {{"x-amzn-ErrorType", "InternalServerError:http://internal.amazon.com/"}}, "<html>oops"};
  Error e = parse_json_error(resp);
  EXPECT_EQ(e.code, "InternalServerError");
  EXPECT_NE(e.message.find("non-JSON"), std::string::npos);
}

TEST(TransactionCancellationReasons, ReadsTheReasonsInRequestOrder) {
  Error e = Error::service(400, "TransactionCanceledException", "Transaction cancelled");
  e.raw_body =
      R"({"__type":"x#TransactionCanceledException","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"m"}]})";
  auto reasons = transaction_cancellation_reasons(e);
  ASSERT_TRUE(reasons);
  EXPECT_EQ(*reasons, (std::vector<std::string>{"None", "ConditionalCheckFailed"}));
}

TEST(TransactionCancellationReasons, FallsBackToTheMessageList) {
  Error e = Error::service(400, "TransactionCanceledException",
                           "Transaction cancelled, please refer cancellation reasons for specific "
                           "reasons [None, ConditionalCheckFailed]");
  auto reasons = transaction_cancellation_reasons(e);
  ASSERT_TRUE(reasons);
  EXPECT_EQ(*reasons, (std::vector<std::string>{"None", "ConditionalCheckFailed"}));
  EXPECT_FALSE(transaction_cancellation_reasons(Error::service(400, "ValidationException", "")));
}

TEST(ParseJsonBody, RejectsNonObjectsAndTruncatedInput) {
  EXPECT_FALSE(parse_json_body("{\"a\":"));
  EXPECT_FALSE(parse_json_body("[1,2]"));
  EXPECT_EQ(parse_json_body("{\"a\":1").error().kind, ErrorKind::kParseError);
  EXPECT_TRUE(parse_json_body(""));
}

}  // namespace
}  // namespace dr::aws
