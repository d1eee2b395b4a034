// HAProxy as the lab runs it: an ALB-like http proxy with health checks and a backup server, and
// a database writer endpoint (mode tcp) repointed through the runtime API.
#include <gtest/gtest.h>
#include <httplib.h>

#include <iostream>
#include <memory>

#include "lab/fake_app.h"
#include "lab/haproxy_instance.h"
#include "lab/mariadb_helpers.h"
#include "lab/process_probe.h"
#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

using dr::testing::FakeApp;
using dr::testing::ms_since;
using dr::testing::TempDir;
using namespace std::chrono_literals;

std::string address_of(Site site, Component component, unsigned index = 0) {
  return lab_address(site, component, index).value();
}

Result<HaproxyInstance> start_haproxy(const std::string& name, const std::filesystem::path& root,
                                      const ProxyListener& listener) {
  HaproxyOptions options;
  options.name = name;
  options.root_dir = root;
  options.die_with_parent = true;
  HaproxyConfig config;
  config.listeners = {listener};
  return HaproxyInstance::start(options, config);
}

ProxyServer server(const std::string& name, const std::string& address, std::uint16_t port,
                   bool backup = false) {
  ProxyServer s;
  s.name = name;
  s.address = address;
  s.port = port;
  s.backup = backup;
  return s;
}

HealthCheck health(const std::string& http_path, std::chrono::milliseconds interval, int fall,
                   int rise, bool observe_layer4) {
  HealthCheck h;
  h.http_path = http_path;
  h.interval = interval;
  h.fall = fall;
  h.rise = rise;
  h.observe_layer4 = observe_layer4;
  return h;
}

class HaproxyAlb : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(wait_until("fake apps serve", [&] { return app1_.running() && app2_.running(); }));
    ProxyListener alb;
    alb.name = "alb";
    alb.bind_address = address_of(Site::kUsEast1, Component::kAlb);
    alb.mode = ProxyMode::kHttp;
    alb.health = health("/health", 100ms, 2, 1, /*observe_layer4=*/true);
    alb.servers = {server("app1", app1_address_, app1_.port()),
                   server("app2", app2_address_, app2_.port(), /*backup=*/true)};
    auto haproxy = start_haproxy("alb", dir_.path(), alb);
    ASSERT_TRUE(haproxy) << haproxy.error();
    haproxy_ = std::make_unique<HaproxyInstance>(std::move(*haproxy));
    ASSERT_TRUE(wait_for_status("app1", "UP"));
  }

  // The name of the instance that served `GET /` through the proxy, or "HTTP <status>".
  std::string who_serves() {
    httplib::Client client(haproxy_->config().listeners[0].bind_address, haproxy_->port_of("alb"));
    client.set_connection_timeout(2);
    client.set_read_timeout(2);
    auto res = client.Get("/");
    if (!res) return "no response";
    if (res->status != 200) return "HTTP " + std::to_string(res->status);
    return res->body;
  }

  Result<void> wait_for_status(const std::string& server, const std::string& prefix,
                               std::chrono::milliseconds timeout = 5s) {
    return wait_until("alb/" + server + " is " + prefix,
                      [&] {
                        auto s = haproxy_->runtime().server("alb", server);
                        return s && s->status.starts_with(prefix);
                      },
                      {.timeout = timeout, .poll = 5ms});
  }

  TempDir dir_{"dr-haproxy-test"};
  std::string app1_address_ = address_of(Site::kUsEast1, Component::kApp, 0);
  std::string app2_address_ = address_of(Site::kUsWest2, Component::kApp, 0);
  FakeApp app1_{"app1", app1_address_};
  FakeApp app2_{"app2", app2_address_};
  std::unique_ptr<HaproxyInstance> haproxy_;
};

TEST_F(HaproxyAlb, ServesFromTheActiveServerWhileItIsHealthy) {
  EXPECT_EQ(who_serves(), "app1");
  auto servers = haproxy_->runtime().servers();
  ASSERT_TRUE(servers) << servers.error();
  ASSERT_EQ(servers->size(), 2U);
  EXPECT_EQ((*servers)[1].server, "app2");
  EXPECT_TRUE((*servers)[1].backup);
  EXPECT_EQ((*servers)[0].address, app1_address_ + ":" + std::to_string(app1_.port()));
}

TEST_F(HaproxyAlb, AFailingHealthCheckMarksTheServerDownAndTheBackupTakesOver) {
  app1_.set_healthy(false);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_for_status("app1", "DOWN"));
  std::cout << "[timing] /health failing -> server DOWN: " << ms_since(start)
            << " ms (inter 100 ms, fall 2)\n";
  EXPECT_EQ(who_serves(), "app2");

  app1_.set_healthy(true);
  ASSERT_TRUE(wait_for_status("app1", "UP"));
  EXPECT_EQ(who_serves(), "app1");
}

TEST_F(HaproxyAlb, ADeadServerIsRoutedAroundWithoutAFailedRequest) {
  app1_.shutdown();  // connections to it are refused from now on
  for (int i = 0; i < 20; ++i) EXPECT_EQ(who_serves(), "app2") << "request " << i;
  EXPECT_TRUE(wait_for_status("app1", "DOWN"));
}

TEST_F(HaproxyAlb, AdminStatesTakeTheServerOutOfRotationAndBack) {
  const HaproxyRuntime runtime = haproxy_->runtime();
  ASSERT_TRUE(runtime.set_server_state("alb", "app1", ServerAdminState::kMaint));
  ASSERT_TRUE(wait_for_status("app1", "MAINT"));
  EXPECT_EQ(who_serves(), "app2");

  ASSERT_TRUE(runtime.set_server_state("alb", "app1", ServerAdminState::kReady));
  ASSERT_TRUE(wait_for_status("app1", "UP"));
  EXPECT_EQ(who_serves(), "app1");

  // FACTS: with the only active server draining, new traffic goes to the backup.
  ASSERT_TRUE(runtime.set_server_state("alb", "app1", ServerAdminState::kDrain));
  ASSERT_TRUE(wait_for_status("app1", "DRAIN"));
  EXPECT_EQ(who_serves(), "app2");
  ASSERT_TRUE(runtime.set_server_state("alb", "app1", ServerAdminState::kReady));
}

TEST_F(HaproxyAlb, TheRuntimeApiRefusesAnUnknownServer) {
  auto r = haproxy_->runtime().set_server_state("alb", "nope", ServerAdminState::kMaint);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
  EXPECT_EQ(haproxy_->runtime().server("alb", "nope").error().kind, ErrorKind::kNotFound);
}

TEST(Haproxy, RefusesAnInvalidConfigBeforeStartingAndLeavesNothingRunning) {
  TempDir dir("dr-haproxy-bad");
  ProxyListener bad;
  bad.name = "bad";
  bad.bind_address = "127.0.1.41";
  bad.extra_lines = {"bogus-directive 1"};
  auto haproxy = start_haproxy("bad", dir.path(), bad);
  ASSERT_FALSE(haproxy);
  EXPECT_EQ(haproxy.error().kind, ErrorKind::kConfig);
  EXPECT_NE(haproxy.error().message.find("bogus-directive"), std::string::npos) << haproxy.error();
  EXPECT_TRUE(dr::testing::live_children().empty());
}

TEST(Haproxy, RefusesANonLoopbackBindAddress) {
  TempDir dir("dr-haproxy-bad");
  ProxyListener wide;
  wide.name = "wide";
  wide.bind_address = "0.0.0.0";
  wide.bind_port = 1;
  auto haproxy = start_haproxy("wide", dir.path(), wide);
  ASSERT_FALSE(haproxy);
  EXPECT_EQ(haproxy.error().kind, ErrorKind::kConfig);
}

// The writer endpoint: a tcp proxy in front of the current primary, repointed at failover.
TEST(HaproxyWriterEndpoint, RepointingMovesNewConnectionsToTheOtherServerAndCutsOldOnes) {
  TempDir dir("dr-haproxy-writer");
  auto m1 = dr::testing::start_mariadb(dir.path(), "m1", Site::kUsEast1, 0, 1);
  ASSERT_TRUE(m1) << m1.error();
  auto m2 = dr::testing::start_mariadb(dir.path(), "m2", Site::kUsWest2, 0, 2);
  ASSERT_TRUE(m2) << m2.error();

  ProxyListener writer;
  writer.name = "writer";
  writer.bind_address = address_of(Site::kUsEast1, Component::kWriterEndpoint);
  writer.mode = ProxyMode::kTcp;
  writer.health = health("", 200ms, 2, 1, /*observe_layer4=*/false);  // TCP connect checks
  writer.servers = {server("db", m1->address(), m1->port())};
  auto haproxy = start_haproxy("writer", dir.path(), writer);
  ASSERT_TRUE(haproxy) << haproxy.error();

  auto via_endpoint = [&] {
    db::ConnectOptions o = m1->admin_options();  // same lab credentials on every server
    o.host = writer.bind_address;
    o.port = haproxy->port_of("writer");
    o.read_timeout = 2s;
    return db::Connection::connect(o);
  };
  auto old_session = via_endpoint();
  ASSERT_TRUE(old_session) << old_session.error();
  EXPECT_EQ(old_session->query_value("SELECT @@server_id").value(), "1");

  const auto start = std::chrono::steady_clock::now();
  const HaproxyRuntime runtime = haproxy->runtime();
  ASSERT_TRUE(runtime.set_server_address("writer", "db", m2->address(), m2->port()));
  ASSERT_TRUE(runtime.shutdown_sessions("writer", "db"));
  auto new_session = via_endpoint();
  ASSERT_TRUE(new_session) << new_session.error();
  EXPECT_EQ(new_session->query_value("SELECT @@server_id").value(), "2");
  std::cout << "[timing] writer endpoint repointed, old sessions cut, new session on the other "
               "server: "
            << ms_since(start) << " ms\n";

  auto old_query = old_session->query("SELECT @@server_id");
  ASSERT_FALSE(old_query) << "a session to the old primary must not survive the repoint";
  EXPECT_TRUE(old_query.error().server_gone()) << old_query.error();

  auto stat = runtime.server("writer", "db");
  ASSERT_TRUE(stat) << stat.error();
  EXPECT_EQ(stat->address, m2->address() + ":" + std::to_string(m2->port()));
  EXPECT_TRUE(wait_until("db UP after the move", [&] {
    auto s = runtime.server("writer", "db");
    return s && s->status == "UP";
  }));
}

// A region's endpoint in front of another region's server connects from its own address, so that a
// cut between the two regions' ranges cuts it (left to the kernel it leaves from 127.0.0.1).
TEST(HaproxyWriterEndpoint, ConnectsToItsServerFromItsSourceAddress) {
  TempDir dir("dr-haproxy-source");
  auto m1 = dr::testing::start_mariadb(dir.path(), "m1", Site::kUsEast1, 0, 1);
  ASSERT_TRUE(m1) << m1.error();

  ProxyListener writer;
  writer.name = "writer";
  writer.bind_address = address_of(Site::kUsWest2, Component::kWriterEndpoint);
  writer.source_address = writer.bind_address;
  writer.mode = ProxyMode::kTcp;
  writer.health = health("", 200ms, 2, 1, /*observe_layer4=*/false);
  writer.servers = {server("db", m1->address(), m1->port())};
  auto haproxy = start_haproxy("writer", dir.path(), writer);
  ASSERT_TRUE(haproxy) << haproxy.error();

  db::ConnectOptions o = m1->admin_options();
  o.host = writer.bind_address;
  o.port = haproxy->port_of("writer");
  auto session = db::Connection::connect(o);
  ASSERT_TRUE(session) << session.error();
  // The server sees the client's address in USER(): the endpoint's, not 127.0.0.1.
  EXPECT_EQ(session->query_value("SELECT SUBSTRING_INDEX(USER(), '@', -1)").value(),
            writer.bind_address);
}

}  // namespace
}  // namespace dr::lab
