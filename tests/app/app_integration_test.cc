// dr-app as a real process against a real MariaDB on loopback: orders are written, read back,
// idempotent; bad input changes nothing; a fenced (read-only) or dead database gives a fast 503.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "app/app_process.h"
#include "lab/mariadb_helpers.h"
#include "lab/process.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::app {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AppAgainstMariaDb : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = dr::testing::start_mariadb(tmp_.path(), "a1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    db_.emplace(std::move(*db));
    std::string host_port;
    ASSERT_NO_FATAL_FAILURE(dr::testing::start_app_against(*db_, tmp_.path(), app_, host_port));
    auto colon = host_port.rfind(':');
    client_.emplace(host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1)));
    client_->set_connection_timeout(2s);
    client_->set_read_timeout(10s);
  }

  json post_order(const std::string& body, int expected_status) {
    auto res = client_->Post("/orders", body, "application/json");
    EXPECT_TRUE(res) << "no response";
    if (!res) return {};
    EXPECT_EQ(res->status, expected_status) << body << " -> " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  std::string order_count() {
    return dr::testing::query_value(*db_, "SELECT COUNT(*) FROM dr.orders").value_or("?");
  }

  dr::testing::TempDir tmp_{"dr-app-test"};
  std::optional<lab::MariaDbInstance> db_;
  std::optional<lab::Process> app_;
  std::optional<httplib::Client> client_;
};

TEST_F(AppAgainstMariaDb, WritesAnOrderAndNamesTheServerThatCommittedIt) {
  json created =
      post_order(R"({"customer":"acme","amount_cents":1250,"idempotency_key":"k-1"})", 201);
  ASSERT_TRUE(created.contains("id"));
  EXPECT_EQ(created["customer"], "acme");
  EXPECT_EQ(created["region"], "us-east-1");
  EXPECT_EQ(created["committed_by"], db_->config().address);

  auto read =
      client_->Get("/orders/" + std::to_string(created["id"].get<int64_t>()) + "?consistent=true");
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  EXPECT_EQ(json::parse(read->body)["amount_cents"], 1250);
}

TEST_F(AppAgainstMariaDb, TheSameIdempotencyKeyReturnsTheSameOrder) {
  json first = post_order(R"({"customer":"acme","amount_cents":10,"idempotency_key":"same"})", 201);
  json again = post_order(R"({"customer":"acme","amount_cents":10,"idempotency_key":"same"})", 200);
  EXPECT_EQ(first["id"], again["id"]);
  json reused =
      post_order(R"({"customer":"other","amount_cents":99,"idempotency_key":"same"})", 409);
  EXPECT_EQ(reused["error"], "idempotency_key_reused");
  EXPECT_EQ(order_count(), "1");
}

TEST_F(AppAgainstMariaDb, BadRequestsGetA4xxAndChangeNothing) {
  post_order(R"({"customer":"acme","amount_cents":1,"idempotency_key":"ok"})", 201);
  post_order("{not json", 400);
  post_order(R"({"customer":"acme","amount_cents":"1","idempotency_key":"x"})", 400);
  post_order(R"({"customer":"acme","amount_cents":-3,"idempotency_key":"y"})", 422);
  post_order(R"({"customer":"acme","idempotency_key":"z"})", 400);
  post_order(std::string(200 * 1024, '{'), 413);
  auto bad_id = client_->Get("/orders/abc");
  ASSERT_TRUE(bad_id);
  EXPECT_EQ(bad_id->status, 400);
  auto missing = client_->Get("/orders/999999?consistent=true");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto unknown = client_->Get("/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(order_count(), "1");
}

TEST_F(AppAgainstMariaDb, AFencedDatabaseFailsDeepHealthAndRefusesWrites) {
  auto deep = client_->Get("/health/deep");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 200) << deep->body;
  ASSERT_TRUE(db_->set_read_only(true));
  deep = client_->Get("/health/deep");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 503) << deep->body;
  json refused = post_order(R"({"customer":"acme","amount_cents":5,"idempotency_key":"ro"})", 503);
  EXPECT_EQ(refused["error"], "read_only");
  auto shallow = client_->Get("/health");
  ASSERT_TRUE(shallow);
  EXPECT_EQ(shallow->status, 200) << "a database problem must not fail the ALB's target check";
}

TEST_F(AppAgainstMariaDb, TheAdminFenceRefusesWritesUntilLifted) {
  httplib::Headers auth = {{"Authorization", "Bearer test-token"}};
  auto denied = client_->Post("/admin/fence", "", "text/plain");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  auto fenced = client_->Post("/admin/fence?reason=drill", auth, "", "text/plain");
  ASSERT_TRUE(fenced);
  EXPECT_EQ(fenced->status, 200);
  json refused = post_order(R"({"customer":"acme","amount_cents":5,"idempotency_key":"f"})", 503);
  EXPECT_EQ(refused["error"], "fenced");
  auto lifted = client_->Post("/admin/unfence", auth, "", "text/plain");
  ASSERT_TRUE(lifted);
  post_order(R"({"customer":"acme","amount_cents":5,"idempotency_key":"f"})", 201);
}

TEST_F(AppAgainstMariaDb, ADeadDatabaseGivesA503NotAHang) {
  post_order(R"({"customer":"acme","amount_cents":1,"idempotency_key":"before"})", 201);
  ASSERT_TRUE(db_->crash());
  // The client's read timeout (10 s) is the hang detector; the app answers within its own
  // connect timeout (1 s).
  json failed =
      post_order(R"({"customer":"acme","amount_cents":1,"idempotency_key":"after"})", 503);
  EXPECT_EQ(failed["error"], "database_unavailable");
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("dr_app_dependency_errors_total{dependency=\"mysql\""),
            std::string::npos);
}

TEST_F(AppAgainstMariaDb, SigtermDrainsAndExitsCleanly) {
  ASSERT_TRUE(app_->stop(5s));
  ASSERT_TRUE(app_->exit_code().has_value());
  EXPECT_EQ(*app_->exit_code(), 0);
}

}  // namespace
}  // namespace dr::app
