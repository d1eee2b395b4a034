// dr-app holding the write lease (src/lease, app/lease_keeper.h) against a real 3-member etcd
// cluster and a real MariaDB: it writes only while its region holds the lease, every write
// carries the lease's epoch to the database's guard row (so a write from an older holder is
// refused there, nothing written), and a lease moved to another region stops its writes.
#include "app/support/lease_app.h"
#include "lab/etcd_cluster.h"
#include "lease/etcd_store.h"

namespace dr::app {
namespace {

using namespace std::chrono_literals;

class AppWithWriteLease : public dr::testing::LeaseAppTest {
 protected:
  AppWithWriteLease() : LeaseAppTest("dr-app-lease") {}

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
    start_app({"--lease-endpoints", endpoints, "--lease-renew-ms", "100"});
  }

  std::optional<lab::EtcdCluster> cluster_;
  std::optional<lease::Etcd> etcd_;
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
  ASSERT_NO_FATAL_FAILURE(wait_until_it_writes("us-east-1"));
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
  auto last = wait_until_it_stops("us-west-2");
  EXPECT_NE(last.value("message", "").find("us-west-2 (epoch 2)"), std::string::npos) << last;
}

// A region failover whose database fence failed (the writer died) waits for the old holder's
// lease to run out; its apps, fenced, must stop renewing it, or it never would.
TEST_F(AppWithWriteLease, AFencedAppStopsRenewingSoTheLeaseRunsOutAndCanMove) {
  auto east = lease::acquire(*etcd_, "us-east-1", 2s);
  ASSERT_TRUE(east) << east.error();
  ASSERT_NO_FATAL_FAILURE(wait_until_it_writes("us-east-1"));
  ASSERT_EQ(admin("fence?reason=drill"), 200);
  auto ran_out = lab::wait_until("the fenced app's lease to run out unrenewed",
                                 [&] {
                                   auto held = lease::read_lease(*etcd_);
                                   return held && !*held;
                                 },
                                 {.timeout = 8s});
  ASSERT_TRUE(ran_out) << ran_out.error().describe();
  auto west = lease::acquire(*etcd_, "us-west-2", 2s);
  ASSERT_TRUE(west) << west.error();
  EXPECT_EQ(west->epoch, 2);
  // Unfenced, it renews again, but what it finds is us-west-2's: it writes nothing.
  ASSERT_EQ(admin("unfence"), 200);
  nlohmann::json last;
  auto sees_west = lab::wait_until(
      "the unfenced app to find the lease us-west-2's",
      [&] {
        auto [status, body] = post("unfenced-" + std::to_string(++posted_));
        EXPECT_NE(status, 201) << "the unfenced app wrote without the lease: " << body;
        last = body;
        return body.value("message", "").find("us-west-2 (epoch 2)") != std::string::npos;
      },
      {.timeout = 10s});
  EXPECT_TRUE(sees_west) << sees_west.error().describe() << " " << last;
}

TEST(DrAppCommandLine, LeaseTimingsThatCannotBeSafeAreRefused) {
  auto [code, text] = dr::testing::run_app_until_it_exits(
      {"--region", "us-east-1", "--db-writer", "127.0.0.1:1", "--no-sessions", "--lease-endpoints",
       "127.0.0.1:1", "--lease-ttl-s", "2", "--lease-margin-ms", "2000"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(text.find("--lease-margin-ms must be below the TTL"), std::string::npos) << text;
}

}  // namespace
}  // namespace dr::app
