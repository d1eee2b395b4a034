// dr-app holding the write lease in DynamoDB (--lease-table: AWS's store, lease/dynamodb_store.h)
// against DynamoDB Local and a real MariaDB: no lease item, no writes; once its region takes the
// lease it writes with the lease's epoch; once the lease is handed to another region it stops.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "app/app_process.h"
#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "lab/dynamodb_local.h"
#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"
#include "lease/dynamodb_store.h"

namespace dr::app {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AppWithDynamoDbLease : public ::testing::Test {
 protected:
  void SetUp() override {
    lab::DynamoDbLocalOptions options;
    options.die_with_parent = true;
    auto started = lab::DynamoDbLocal::start(tmp_.path(), options);
    if (!started) GTEST_SKIP() << "SKIPPED: DynamoDB Local: " << started.error().describe();
    ddb_local_.emplace(std::move(*started));
    aws::ClientConfig c;
    c.region = "us-east-1";
    c.endpoint_url = ddb_local_->endpoint_url();
    c.credentials = std::make_shared<aws::StaticCredentialsProvider>(
        aws::Credentials{"lab", "lab-secret", "", {}, "test"});
    ddb_.emplace(c);
    auto created = ddb_->create_table(
        {{"TableName", "dr-write-lease"},
         {"AttributeDefinitions", {{{"AttributeName", "id"}, {"AttributeType", "S"}}}},
         {"KeySchema", {{{"AttributeName", "id"}, {"KeyType", "HASH"}}}},
         {"BillingMode", "PAY_PER_REQUEST"}});
    ASSERT_TRUE(created) << created.error();
    store_.emplace(*ddb_, lease::DynamoDbLeaseOptions{.table = "dr-write-lease"});

    auto db = dr::testing::start_mariadb(tmp_.path(), "a1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    db_.emplace(std::move(*db));
    std::string host_port;
    ASSERT_NO_FATAL_FAILURE(dr::testing::start_app_against(
        *db_, tmp_.path(), app_, host_port, nullptr,
        {"--dynamodb-endpoint", ddb_local_->endpoint_url(), "--lease-table", "dr-write-lease",
         "--lease-renew-ms", "100"},
        /*with_sessions=*/true));
    const auto colon = host_port.rfind(':');
    client_.emplace(host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1)));
    client_->set_connection_timeout(2s);
    client_->set_read_timeout(10s);
  }

  std::pair<int, json> post(const std::string& key) {
    auto res = client_->Post(
        "/orders", R"({"customer":"acme","amount_cents":5,"idempotency_key":")" + key + "\"}",
        "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  dr::testing::TempDir tmp_{"dr-app-ddb-lease"};
  std::optional<lab::DynamoDbLocal> ddb_local_;
  std::optional<aws::DynamoDb> ddb_;
  std::optional<lease::DynamoDbLeaseStore> store_;
  std::optional<lab::MariaDbInstance> db_;
  std::optional<lab::Process> app_;
  std::optional<httplib::Client> client_;
};

TEST_F(AppWithDynamoDbLease, WritesOnlyWhileItsRegionHoldsTheLeaseInTheTable) {
  auto [status, body] = post("before");
  EXPECT_EQ(status, 503) << body;
  EXPECT_EQ(body.value("error", ""), "no_write_lease") << body;

  auto east = store_->acquire("us-east-1", 2s);
  ASSERT_TRUE(east) << east.error();
  int n = 0;
  auto writes = lab::wait_until("dr-app to write once us-east-1 holds the lease",
                                [&] { return post("first-" + std::to_string(++n)).first == 201; },
                                {.timeout = 10s});
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(dr::testing::query_value(*db_, "SELECT epoch FROM dr.dr_write_guard WHERE id = 1"),
            "1");

  // The holder renews by bumping the version: read the record as it is now to hand it over.
  auto now = store_->read();
  ASSERT_TRUE(now && *now) << "the lease item is there";
  auto west = store_->hand_over(**now, "us-west-2", 2s);
  ASSERT_TRUE(west) << west.error();
  json last;
  auto stopped = lab::wait_until("dr-app to stop writing once the lease is us-west-2's",
                                 [&] {
                                   auto [s, b] = post("after-" + std::to_string(++n));
                                   last = b;
                                   return s == 503 && b.value("error", "") == "no_write_lease";
                                 },
                                 {.timeout = 10s});
  ASSERT_TRUE(stopped) << stopped.error().describe() << " " << last;
  EXPECT_NE(last.value("message", "").find("us-west-2 (epoch 2)"), std::string::npos) << last;
}

TEST(DrAppCommandLine, BothLeaseStoresAtOnceAreAUsageError) {
  dr::testing::TempDir tmp{"dr-app-lease-both"};
  lab::SpawnOptions spawn;
  spawn.argv = {DR_APP_BINARY,       "--region",      "us-east-1",     "--db-writer",
                "127.0.0.1:1",       "--no-sessions", "--lease-table", "dr-write-lease",
                "--lease-endpoints", "127.0.0.1:1"};
  spawn.log_file = tmp.path() / "out.log";
  spawn.die_with_parent = true;
  auto p = lab::Process::spawn(spawn);
  ASSERT_TRUE(p) << p.error();
  auto code = p->wait(20s);
  ASSERT_TRUE(code) << code.error();
  EXPECT_NE(*code, 0);
  std::ifstream in(spawn.log_file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("--lease-endpoints excludes --lease-table"), std::string::npos) << text;
}

}  // namespace
}  // namespace dr::app
