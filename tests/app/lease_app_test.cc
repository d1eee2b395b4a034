// dr-app holding the write lease (src/lease, app/lease_keeper.h) against a real 3-member etcd
// cluster and a real MariaDB: it writes only while its region holds the lease, every write
// carries the lease's epoch to the database's guard row (so a write from an older holder is
// refused there, nothing written), and a lease moved to another region stops its writes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "app/app_process.h"
#include "lab/etcd_cluster.h"
#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"
#include "lease/etcd_store.h"

namespace dr::app {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class AppWithWriteLease : public ::testing::Test {
 protected:
  void SetUp() override {
    lab::EtcdClusterOptions options;
    options.die_with_parent = true;
    auto cluster = lab::EtcdCluster::start(tmp_.path(), options);
    if (!cluster && cluster.error().kind == lab::ErrorKind::kNotFound)
      GTEST_SKIP() << "etcd is not installed (Debian: etcd-server): " << cluster.error().describe();
    ASSERT_TRUE(cluster) << cluster.error().describe();
    cluster_.emplace(std::move(*cluster));
    std::string endpoints;
    for (const auto& e : cluster_->endpoints()) endpoints += (endpoints.empty() ? "" : ",") + e;
    etcd_.emplace(lease::EtcdOptions{cluster_->endpoints(), 1000ms, ""});

    auto db = dr::testing::start_mariadb(tmp_.path(), "a1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    db_.emplace(std::move(*db));
    std::string host_port;
    ASSERT_NO_FATAL_FAILURE(dr::testing::start_app_against(
        *db_, tmp_.path(), app_, host_port, nullptr,
        {"--lease-endpoints", endpoints, "--lease-renew-ms", "100"}));
    const auto colon = host_port.rfind(':');
    client_.emplace(host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1)));
    client_->set_connection_timeout(2s);
    client_->set_read_timeout(10s);
  }

  // POSTs a new order; the status and the body.
  std::pair<int, json> post(const std::string& key) {
    auto res = client_->Post(
        "/orders", R"({"customer":"acme","amount_cents":5,"idempotency_key":")" + key + "\"}",
        "application/json");
    if (!res) return {0, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

  std::string sql(const std::string& query) {
    return dr::testing::query_value(*db_, query).value_or("?");
  }

  dr::testing::TempDir tmp_{"dr-app-lease"};
  std::optional<lab::EtcdCluster> cluster_;
  std::optional<lease::Etcd> etcd_;
  std::optional<lab::MariaDbInstance> db_;
  std::optional<lab::Process> app_;
  std::optional<httplib::Client> client_;
};

TEST_F(AppWithWriteLease, WritesOnlyWhileItsRegionHoldsTheLeaseAndCarriesItsEpoch) {
  auto [status, body] = post("before");
  EXPECT_EQ(status, 503) << body;
  EXPECT_EQ(body.value("error", ""), "no_write_lease") << body;
  EXPECT_NE(body.value("message", "").find("no region holds the write lease"), std::string::npos)
      << body;
  auto deep = client_->Get("/health/deep");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 503) << "without the lease the region is no place to send writes";

  auto east = lease::acquire(*etcd_, "us-east-1", 2s);
  ASSERT_TRUE(east) << east.error();
  int n = 0;
  auto writes = lab::wait_until("dr-app to write once us-east-1 holds the lease",
                                [&] { return post("first-" + std::to_string(++n)).first == 201; },
                                {.timeout = 10s});
  ASSERT_TRUE(writes) << writes.error().describe();
  EXPECT_EQ(sql("SELECT epoch FROM dr.dr_write_guard WHERE id = 1"), "1")
      << "the first write of an epoch raises the guard to it";
  deep = client_->Get("/health/deep");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 200) << deep->body;

  // A newer holder has written here (as after a failover and back): this holder's epoch is stale,
  // and the database refuses its write in the same statement.
  const std::string before = sql("SELECT COUNT(*) FROM dr.orders");
  ASSERT_NO_FATAL_FAILURE(
      dr::testing::exec_or_fail(*db_, "UPDATE dr.dr_write_guard SET epoch = 5"));
  auto [stale, stale_body] = post("stale");
  EXPECT_EQ(stale, 503) << stale_body;
  EXPECT_EQ(stale_body.value("error", ""), "stale_epoch") << stale_body;
  EXPECT_EQ(sql("SELECT COUNT(*) FROM dr.orders"), before) << "nothing was written";
  ASSERT_NO_FATAL_FAILURE(
      dr::testing::exec_or_fail(*db_, "UPDATE dr.dr_write_guard SET epoch = 1"));

  auto west = lease::hand_over(*etcd_, *east, "us-west-2", 2s);
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

TEST(DrAppCommandLine, LeaseTimingsThatCannotBeSafeAreRefused) {
  dr::testing::TempDir tmp{"dr-app-lease-args"};
  lab::SpawnOptions spawn;
  spawn.argv = {DR_APP_BINARY,       "--region",
                "us-east-1",         "--db-writer",
                "127.0.0.1:1",       "--no-sessions",
                "--lease-endpoints", "127.0.0.1:1",
                "--lease-ttl-s",     "2",
                "--lease-margin-ms", "2000"};
  spawn.log_file = tmp.path() / "out.log";
  spawn.die_with_parent = true;
  auto p = lab::Process::spawn(spawn);
  ASSERT_TRUE(p) << p.error();
  auto code = p->wait(20s);
  ASSERT_TRUE(code) << code.error();
  EXPECT_EQ(*code, 2);
  std::ifstream in(spawn.log_file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("--lease-margin-ms must be below the TTL"), std::string::npos) << text;
}

}  // namespace
}  // namespace dr::app
