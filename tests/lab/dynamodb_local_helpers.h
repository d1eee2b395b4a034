// Shared by the tests that speak to DynamoDB Local: one server for a whole test suite (started
// in SetUpTestSuite, stopped by PID in TearDownTestSuite; the tests skip, saying why, when it
// cannot start), a client config for it with fixed credentials, and the lease table's schema.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "lab/dynamodb_local.h"
#include "lab/temp_dir.h"

namespace dr::testing {

class SuiteDynamoDbLocal {
 public:
  void start(const std::string& prefix) {
    tmp_.emplace(prefix);
    lab::DynamoDbLocalOptions options;
    options.die_with_parent = true;
    auto started = lab::DynamoDbLocal::start(tmp_->path(), options);
    if (!started) {
      why_not_ = started.error().describe();
      return;
    }
    server_.emplace(std::move(*started));
  }
  void stop() {
    if (server_) (void)server_->stop();
    server_.reset();
    tmp_.reset();
  }
  // Null when it did not start (skip with why_not()).
  lab::DynamoDbLocal* server() { return server_ ? &*server_ : nullptr; }
  const std::string& why_not() const { return why_not_; }

 private:
  std::optional<TempDir> tmp_;
  std::optional<lab::DynamoDbLocal> server_;
  std::string why_not_;
};

inline aws::ClientConfig dynamodb_local_config(const lab::DynamoDbLocal& server,
                                               const std::string& region = "us-east-1") {
  aws::ClientConfig c;
  c.region = region;
  c.endpoint_url = server.endpoint_url();
  c.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"lab", "lab-secret", "", {}, "test"});
  return c;
}

// The write lease's table as infra/global makes it: a string hash key "id", on demand.
inline void create_lease_table(aws::DynamoDb& ddb, const std::string& table) {
  auto created = ddb.create_table(
      {{"TableName", table},
       {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
       {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
       {"BillingMode", "PAY_PER_REQUEST"}});
  ASSERT_TRUE(created) << created.error();
}

// "lease-<the running test's name>": a table of its own for every test of a suite's server.
inline std::string table_for_this_test(const std::string& prefix) {
  return prefix + ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

}  // namespace dr::testing
