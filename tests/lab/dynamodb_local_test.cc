// AWS's DynamoDB Local started by the lab, answering real DynamoDB requests.
#include "lab/dynamodb_local.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <iostream>

#include "lab/net.h"
#include "lab/process_probe.h"
#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

using dr::testing::TempDir;
using namespace std::chrono_literals;

// DynamoDB Local does not verify signatures, but wants a well-formed Authorization header; the
// key id and region in it pick the (separate) database.
constexpr const char* kListTablesHeaders =
    "Content-Type: application/x-amz-json-1.0\r\n"
    "X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
    "X-Amz-Date: 20260101T000000Z\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDLAB/20260101/us-east-1/dynamodb/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=00\r\n";

TEST(DynamoDbLocal, StartsAnswersListTablesAndStopsLeavingNothing) {
  TempDir dir("dr-dynamodb-test");
  DynamoDbLocalOptions options;
  options.die_with_parent = true;
  const auto start = std::chrono::steady_clock::now();
  auto ddb = DynamoDbLocal::start(dir.path(), options);
  ASSERT_TRUE(ddb) << ddb.error();
  std::cout
      << "[timing] DynamoDB Local ready: "
      << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
      << " ms\n";
  EXPECT_GT(ddb->port(), 0);
  EXPECT_EQ(ddb->endpoint_url(), "http://127.0.0.1:" + std::to_string(ddb->port()));
  EXPECT_TRUE(is_alive(ddb->pid()));

  auto status = http_status("127.0.0.1", ddb->port(), "POST", "/", kListTablesHeaders, "{}", 5s);
  ASSERT_TRUE(status) << status.error();
  EXPECT_EQ(*status, 200);

  const pid_t pid = ddb->pid();
  ASSERT_TRUE(ddb->stop());
  EXPECT_FALSE(is_alive(pid));
  EXPECT_TRUE(dr::testing::live_children().empty());
  EXPECT_TRUE(dr::testing::zombie_children().empty());
}

TEST(DynamoDbLocal, TheInstallDirCanBeOverriddenAndAMissingOneIsNamed) {
  ASSERT_EQ(::setenv("DR_DYNAMODB_LOCAL_DIR", "/nonexistent/dynamodb-local", 1), 0);
  auto found = find_dynamodb_local_dir();
  ::unsetenv("DR_DYNAMODB_LOCAL_DIR");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().kind, ErrorKind::kNotFound);
  EXPECT_NE(found.error().message.find("/nonexistent/dynamodb-local"), std::string::npos);

  auto default_dir = find_dynamodb_local_dir();
  ASSERT_TRUE(default_dir) << default_dir.error();
  EXPECT_TRUE(std::filesystem::exists(*default_dir / "DynamoDBLocal.jar"));
}

}  // namespace
}  // namespace dr::lab
