// dr-app as a real process against a real MariaDB on loopback: orders are written, read back,
// idempotent; bad input changes nothing; a fenced (read-only) or dead database gives a fast 503.
// The admin listener (health checks, /metrics, /admin/*) is apart from the public one and keeps
// answering when the public one is full; the public one sheds with 503 + Retry-After.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "app/app_process.h"
#include "app/session_store.h"
#include "app/udp_listener.h"
#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "aws/fence_record.h"
#include "lab/dynamodb_local.h"
#include "lab/mariadb_helpers.h"
#include "lab/net.h"
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
    std::string host_port, admin_host_port;
    ASSERT_NO_FATAL_FAILURE(dr::testing::start_app_against(*db_, tmp_.path(), app_, host_port,
                                                           &admin_host_port, extra_args()));
    ASSERT_NO_FATAL_FAILURE(split(host_port, host_, port_));
    ASSERT_NO_FATAL_FAILURE(split(admin_host_port, admin_host_, admin_port_));
    client_.emplace(host_, port_);
    client_->set_connection_timeout(2s);
    client_->set_read_timeout(10s);
    admin_.emplace(admin_host_, admin_port_);
    admin_->set_connection_timeout(2s);
    admin_->set_read_timeout(10s);
  }

  virtual std::vector<std::string> extra_args() const { return {}; }

  static void split(const std::string& host_port, std::string& host, std::uint16_t& port) {
    auto colon = host_port.rfind(':');
    ASSERT_NE(colon, std::string::npos) << "'" << host_port << "'";
    host = host_port.substr(0, colon);
    port = static_cast<std::uint16_t>(std::stoi(host_port.substr(colon + 1)));
  }

  // One request as raw bytes (no Content-Length unless given), the whole answer.
  std::string raw(std::uint16_t port, const std::string& request) {
    auto s = lab::connect_tcp(host_, port, 2s);
    EXPECT_TRUE(s) << s.error();
    if (!s) return "";
    EXPECT_TRUE(lab::send_all(*s, request, 2s));
    auto answer = lab::read_to_eof(*s, 10s);
    EXPECT_TRUE(answer) << answer.error();
    return answer.value_or("");
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
  std::optional<httplib::Client> admin_;
  std::string host_, admin_host_;
  std::uint16_t port_ = 0, admin_port_ = 0;
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
  auto denied = admin_->Post("/admin/fence", "", "text/plain");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  auto fenced = admin_->Post("/admin/fence?reason=drill", auth, "", "text/plain");
  ASSERT_TRUE(fenced);
  EXPECT_EQ(fenced->status, 200);
  json refused = post_order(R"({"customer":"acme","amount_cents":5,"idempotency_key":"f"})", 503);
  EXPECT_EQ(refused["error"], "fenced");
  auto lifted = admin_->Post("/admin/unfence", auth, "", "text/plain");
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
  auto metrics = admin_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("dr_app_dependency_errors_total{dependency=\"mysql\""),
            std::string::npos);
}

TEST_F(AppAgainstMariaDb, AdminRoutesAndMetricsAreServedOnlyOnTheAdminListener) {
  httplib::Headers auth = {{"Authorization", "Bearer test-token"}};
  for (const char* path : {"/admin/fence", "/admin/unfence"}) {
    auto r = client_->Post(path, auth, "", "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << path << ": " << r->body;
  }
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 404);
  post_order(R"({"customer":"acme","amount_cents":5,"idempotency_key":"still-open"})", 201);

  metrics = admin_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("dr_app_requests_total{route=\"/orders\""), std::string::npos);
  for (const char* path : {"/health", "/health/deep"}) {
    auto r = admin_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
  // The admin listener serves no orders.
  auto order =
      admin_->Post("/orders", R"({"customer":"acme","amount_cents":5,"idempotency_key":"a"})",
                   "application/json");
  ASSERT_TRUE(order);
  EXPECT_EQ(order->status, 404);
}

TEST_F(AppAgainstMariaDb, WrongMethodsGet405WithAllowAndBodylessPostsAMessage) {
  struct Case {
    std::string method, path, allow;
  };
  for (const auto& c :
       {Case{"DELETE", "/orders/1", "GET"}, Case{"GET", "/orders", "POST"},
        Case{"PATCH", "/sessions/s1", "GET, PUT"}, Case{"POST", "/health", "GET"}}) {
    std::string answer =
        raw(port_, c.method + " " + c.path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << c.method << " " << c.path << ": " << answer;
    EXPECT_NE(answer.find("Allow: " + c.allow + "\r\n"), std::string::npos) << answer;
    EXPECT_NE(answer.find("\"message\""), std::string::npos) << answer;
  }
  std::string fence =
      raw(admin_port_, "GET /admin/fence HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(fence.starts_with("HTTP/1.1 405")) << fence;
  EXPECT_NE(fence.find("Allow: POST\r\n"), std::string::npos) << fence;
  auto unknown = client_->Get("/nope");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404) << "a path that is not ours stays a 404";

  // No Content-Length and no body (`curl -X POST`): a request without a body, answered at once
  // with what is missing (httplib alone waited for the client to close, then said nothing).
  std::string bodyless =
      raw(port_, "POST /orders HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(bodyless.starts_with("HTTP/1.1 400")) << bodyless;
  EXPECT_NE(bodyless.find("\"missing_body\""), std::string::npos) << bodyless;
  std::string fenced = raw(admin_port_,
                           "POST /admin/fence HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                           "test-token\r\nConnection: close\r\n\r\n");
  EXPECT_TRUE(fenced.starts_with("HTTP/1.1 200")) << fenced;
}

// A public listener held by slow clients (the issue's "16 half-open connections") must neither
// starve the health checks (they have their own listener) nor make new requests wait: beyond
// the bounded queue they get 503 + Retry-After at once.
class SmallAppAgainstMariaDb : public AppAgainstMariaDb {
 protected:
  std::vector<std::string> extra_args() const override {
    return {"--threads", "2", "--max-queued", "1"};
  }
};

TEST_F(SmallAppAgainstMariaDb,
       SlowClientsHoldingEveryWorkerStarveNoHealthCheckAndNewRequestsAreShed) {
  // Three slow clients: two hold the workers, one the queue. Each sends a header byte every
  // 200 ms, within the server's read timeout, for as long as the test runs.
  std::vector<lab::Socket> slow;
  for (int i = 0; i < 3; ++i) {
    auto s = lab::connect_tcp(host_, port_, 2s);
    ASSERT_TRUE(s) << s.error();
    ASSERT_TRUE(lab::send_all(*s, "GET /orders/1 HTTP/1.1\r\nX-Slow: ", 2s));
    slow.push_back(std::move(*s));
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop) {
      for (auto& s : slow) (void)lab::send_all(s, "a", 1s);
      for (int i = 0; i < 20 && !stop; ++i) std::this_thread::sleep_for(10ms);  // the trickle pace
    }
  });
  struct Join {
    std::atomic<bool>& stop;
    std::thread& t;
    ~Join() {
      stop = true;
      t.join();
    }
  } join{stop, trickle};

  for (int i = 0; i < 3; ++i) {
    auto health = admin_->Get("/health");
    ASSERT_TRUE(health) << "the admin listener must answer while the public one is full";
    EXPECT_EQ(health->status, 200);
  }
  auto shed = client_->Get("/orders/1");
  ASSERT_TRUE(shed) << "a request beyond the queue is answered, not left to time out";
  EXPECT_EQ(shed->status, 503) << shed->body;
  EXPECT_EQ(shed->get_header_value("Retry-After"), "1");
  EXPECT_EQ(json::parse(shed->body, nullptr, false).value("error", ""), "overloaded");
  // The shallow /health is still answered on the public listener's shed path.
  auto shallow = client_->Get("/health");
  ASSERT_TRUE(shallow);
  EXPECT_EQ(shallow->status, 200);
  auto metrics = admin_->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("route=\"(shed)\",method=\"GET\",status=\"503\""), std::string::npos)
      << metrics->body;
}

// dr-app with X-Ray on: its segments reach a loopback UDP listener standing in for the daemon.
class TracedAppAgainstMariaDb : public AppAgainstMariaDb {
 protected:
  std::vector<std::string> extra_args() const override {
    return {"--xray-daemon", daemon_.address(), "--xray-sample-rate", "0"};
  }
  nlohmann::json next_segment() {
    auto d = daemon_.receive(5s);
    EXPECT_TRUE(d) << "no segment within 5 s";
    if (!d) return {};
    EXPECT_EQ(d->substr(0, d->find('\n')), R"({"format": "json", "version": 1})");
    return json::parse(d->substr(d->find('\n') + 1), nullptr, false);
  }
  mutable dr::testing::UdpListener daemon_;
};

TEST_F(TracedAppAgainstMariaDb, EachTracedRequestSendsOneSegmentInTheCallersTrace) {
  const std::string root = "1-6553f100-0123456789abcdef01234567";
  auto created = client_->Post("/orders", {{"X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1"}},
                               R"({"customer":"acme","amount_cents":5,"idempotency_key":"x-1"})",
                               "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->get_header_value("X-Amzn-Trace-Id"), "Root=" + root + ";Sampled=1");
  auto segment = next_segment();
  EXPECT_EQ(segment["trace_id"], root);
  EXPECT_EQ(segment["name"], "dr-app");
  EXPECT_EQ(segment["annotations"]["route"], "/orders");
  EXPECT_EQ(segment["http"]["request"]["method"], "POST");
  EXPECT_EQ(segment["http"]["response"]["status"], 201);
  EXPECT_GE(segment["end_time"].get<double>(), segment["start_time"].get<double>());

  // Not sampled by the caller: no segment. The next sampled one is the next datagram.
  auto skipped = client_->Get("/orders/1", {{"X-Amzn-Trace-Id", "Root=" + root + ";Sampled=0"}});
  ASSERT_TRUE(skipped);
  EXPECT_EQ(skipped->get_header_value("X-Amzn-Trace-Id"), "Root=" + root + ";Sampled=0");
  auto missing =
      client_->Get("/orders/999999", {{"X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  segment = next_segment();
  EXPECT_EQ(segment["annotations"]["route"], "/orders/{id}");
  EXPECT_EQ(segment["http"]["response"]["status"], 404);
  EXPECT_EQ(segment["error"], true);
  // Health checks are not traced: the next datagram is the next traced request's.
  ASSERT_TRUE(admin_->Get("/health/deep"));
  ASSERT_TRUE(client_->Get("/health"));
  ASSERT_TRUE(client_->Get("/sessions/s-1", {{"X-Amzn-Trace-Id", "Root=" + root + ";Sampled=1"}}));
  EXPECT_EQ(next_segment()["annotations"]["route"], "/sessions/{id}");
}

TEST(DrAppCommandLine, VersionAndHelpSayWhatTheyShould) {
  dr::testing::TempDir tmp{"dr-app-cli"};
  auto run = [&](const std::string& flag) {
    lab::SpawnOptions spawn;
    spawn.argv = {DR_APP_BINARY, flag};
    spawn.log_file = tmp.path() / (flag.substr(2) + ".log");
    auto p = lab::Process::spawn(spawn);
    EXPECT_TRUE(p) << p.error();
    if (!p) return std::pair<int, std::string>{-1, ""};
    auto code = p->wait(10s);
    std::ifstream in(spawn.log_file);
    std::stringstream text;
    text << in.rdbuf();
    return std::pair<int, std::string>{code.value_or(-1), text.str()};
  };
  auto [version_code, version] = run("--version");
  EXPECT_EQ(version_code, 0) << version;
  EXPECT_TRUE(version.starts_with("dr-app ")) << version;
  auto [help_code, help] = run("--help");
  EXPECT_EQ(help_code, 0) << help;
  EXPECT_NE(help.find("DR_ADMIN_TOKEN"), std::string::npos) << help;
  EXPECT_NE(help.find("--admin-port"), std::string::npos) << help;
  EXPECT_NE(help.find("2  usage error"), std::string::npos) << help;
  // A usage error exits 2, as documented, whatever kind of mistake CLI11 saw.
  for (const char* bad : {"--port=nope", "--no-such-flag", "--threads=0"}) {
    auto [code, text] = run(bad);
    EXPECT_EQ(code, 2) << bad << ": " << text;
  }
}

// What `dr-app --help` says, for the tests below.
std::string dr_app_help() {
  dr::testing::TempDir tmp{"dr-app-help"};
  lab::SpawnOptions spawn;
  spawn.argv = {DR_APP_BINARY, "--help"};
  spawn.log_file = tmp.path() / "help.log";
  auto p = lab::Process::spawn(spawn);
  if (!p || !p->wait(10s)) return "";
  std::ifstream in(spawn.log_file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string read_source(const std::string& relative) {
  std::ifstream in(std::filesystem::path(DR_SOURCE_DIR) / relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// infra/ configures dr-app on AWS only through /etc/dr-app/env (user_data). A name there that
// dr-app does not read is a setting silently lost: it once passed DR_DB_WRITER_HOST and friends,
// which dr-app never read, so no instance would have started.
TEST(DrAppOnAws, EveryVariableInfraSetsIsOneDrAppReads) {
  const std::string help = dr_app_help();
  ASSERT_FALSE(help.empty());
  std::vector<std::string> names;
  const std::string main_tf = read_source("infra/main.tf");
  for (size_t at = main_tf.find("app_config = {"); at != std::string::npos;
       at = main_tf.find("app_config = {", at + 1)) {
    const std::string block = main_tf.substr(at, main_tf.find("\n  }", at) - at);
    std::regex key(R"(\n\s*([A-Z][A-Z0-9_]*)\s*=)");
    for (auto it = std::sregex_iterator(block.begin(), block.end(), key);
         it != std::sregex_iterator(); ++it)
      names.push_back((*it)[1]);
  }
  const std::string user_data = read_source("infra/modules/asg/user_data.sh.tftpl");
  std::regex line(R"((?:^|\n|')((?:DR|AWS)_[A-Z0-9_]+)=)");
  for (auto it = std::sregex_iterator(user_data.begin(), user_data.end(), line);
       it != std::sregex_iterator(); ++it)
    names.push_back((*it)[1]);
  ASSERT_GE(names.size(), 10u) << "the app_config blocks and the env file were not found";
  for (const auto& name : names)
    EXPECT_NE(help.find(name), std::string::npos)
        << name << " is set by infra/ but dr-app does not read it";
}

// On AWS dr-app has no flags: everything comes from its environment file.
TEST(DrAppOnAws, StartsFromItsEnvironmentAloneAndServes) {
  dr::testing::TempDir tmp{"dr-app-env"};
  auto db = dr::testing::start_mariadb(tmp.path(), "a1", lab::Site::kUsEast1, 0, 1);
  ASSERT_TRUE(db) << db.error();
  ASSERT_TRUE(db->promote(false));
  dr::testing::exec_or_fail(*db, "CREATE DATABASE IF NOT EXISTS drapp");
  const auto opts = db->app_options();
  // infra/'s database is "drapp", not dr-app's default: DR_DB_NAME must be read to work.
  dr::testing::exec_or_fail(*db, "GRANT ALL ON drapp.* TO '" + opts.user + "'@'127.%'");
  auto address = lab::lab_address(lab::Site::kUsEast1, lab::Component::kApp, 0);
  ASSERT_TRUE(address) << address.error();
  const std::string ready = (tmp.path() / "ready").string();
  lab::SpawnOptions spawn;
  spawn.argv = {DR_APP_BINARY, "--ready-file", ready, "--no-sessions", "--drain-ms", "0"};
  spawn.env = {{"DR_REGION", "us-west-2"},
               {"DR_LISTEN", *address},
               {"DR_PORT", "0"},
               {"DR_ADMIN_LISTEN", *address},
               {"DR_ADMIN_PORT", "0"},
               {"DR_INSTANCE_ID", "i-0123456789abcdef0"},
               {"DR_DB_WRITER", opts.host + ":" + std::to_string(opts.port)},
               {"DR_DB_READER", opts.host + ":" + std::to_string(opts.port)},
               {"DR_DB_NAME", "drapp"},
               {"DR_DB_USER", opts.user},
               {"DR_DB_PASSWORD", opts.password}};
  spawn.log_file = tmp.path() / "app.log";
  spawn.die_with_parent = true;
  auto app = lab::Process::spawn(spawn);
  ASSERT_TRUE(app) << app.error();
  auto up = lab::wait_until("dr-app writes its ready file",
                            [&] { return std::filesystem::exists(ready) || !app->running(); },
                            {.timeout = 20s});
  ASSERT_TRUE(up) << up.error();
  ASSERT_TRUE(app->running()) << "dr-app exited; see " << spawn.log_file;
  std::string host_port;
  std::ifstream(ready) >> host_port;
  httplib::Client client("http://" + host_port);
  client.set_read_timeout(10s);
  auto created =
      client.Post("/orders", R"({"customer":"acme","amount_cents":7,"idempotency_key":"e-1"})",
                  "application/json");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;
  auto body = json::parse(created->body, nullptr, false);
  EXPECT_EQ(body["region"], "us-west-2");
  EXPECT_EQ(body["served_by"]["instance"], "i-0123456789abcdef0");
  EXPECT_EQ(dr::testing::query_value(*db, "SELECT COUNT(*) FROM drapp.orders").value_or("?"), "1");
  ASSERT_TRUE(app->stop(5s));
}

// On AWS the controller fences a region through its fence record in the sessions table, not
// through each instance's admin port: a real dr-app against DynamoDB Local obeys a record written
// after it started, lifts with a newer one, and an instance started while fenced starts fenced.
TEST(DrAppOnAws, ObeysTheControllersFenceRecord) {
  dr::testing::TempDir tmp{"dr-app-fence"};
  lab::DynamoDbLocalOptions ddb_options;
  ddb_options.die_with_parent = true;
  auto ddb_server = lab::DynamoDbLocal::start(tmp.path(), ddb_options);
  ASSERT_TRUE(ddb_server) << ddb_server.error();
  auto db = dr::testing::start_mariadb(tmp.path(), "a1", lab::Site::kUsEast1, 0, 1);
  ASSERT_TRUE(db) << db.error();
  aws::ClientConfig config;
  config.region = "us-east-1";
  config.endpoint_url = ddb_server->endpoint_url();
  config.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"lab", "lab-secret", "", {}, "test"});
  aws::DynamoDb ddb(config);
  const std::string table = "dr-app-sessions";

  std::filesystem::create_directories(tmp.path() / "one");
  std::optional<lab::Process> app;
  std::string host_port;
  ASSERT_NO_FATAL_FAILURE(
      dr::testing::start_app_against(*db, tmp.path() / "one", app, host_port, nullptr,
                                     {"--dynamodb-endpoint", ddb_server->endpoint_url(),
                                      "--sessions-table", table, "--fence-poll-ms", "50"},
                                     /*with_sessions=*/true));
  httplib::Client client("http://" + host_port);
  client.set_read_timeout(10s);
  auto post = [&](const std::string& key) {
    auto r = client.Post(
        "/orders", R"({"customer":"acme","amount_cents":5,"idempotency_key":")" + key + R"("})",
        "application/json");
    return r ? r->status : -1;
  };
  EXPECT_EQ(post("before"), 201);

  auto write = [&](bool fenced, int64_t at) {
    auto out = ddb.put_item(aws::fence_put_item(table, kSessionTableKey,
                                                {.region = "us-east-1",
                                                 .fenced = fenced,
                                                 .reason = "failover fo-42",
                                                 .updated_at_ms = at,
                                                 .updated_by = "dr-controller"}));
    ASSERT_TRUE(out) << out.error();
  };
  ASSERT_NO_FATAL_FAILURE(write(true, 1000));
  auto fenced = lab::wait_until("dr-app refuses writes", [&] { return post("during") == 503; },
                                {.timeout = 10s});
  ASSERT_TRUE(fenced) << fenced.error();
  auto refused = client.Post(
      "/orders", R"({"customer":"a","amount_cents":5,"idempotency_key":"x"})", "application/json");
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->body.find("failover fo-42"), std::string::npos) << refused->body;

  // A second instance launched into the fenced region is fenced from its first request.
  std::optional<lab::Process> late;
  std::string late_host_port;
  std::filesystem::create_directories(tmp.path() / "two");
  ASSERT_NO_FATAL_FAILURE(dr::testing::start_app_against(
      *db, tmp.path() / "two", late, late_host_port, nullptr,
      {"--dynamodb-endpoint", ddb_server->endpoint_url(), "--sessions-table", table,
       "--fence-poll-ms", "50", "--instance-id", "late"},
      /*with_sessions=*/true));
  httplib::Client late_client("http://" + late_host_port);
  auto first = late_client.Post(
      "/orders", R"({"customer":"a","amount_cents":5,"idempotency_key":"l"})", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 503) << first->body;

  ASSERT_NO_FATAL_FAILURE(write(false, 2000));
  auto lifted = lab::wait_until("dr-app takes writes again", [&] { return post("after") == 201; },
                                {.timeout = 10s});
  ASSERT_TRUE(lifted) << lifted.error();
  ASSERT_TRUE(app->stop(5s));
  ASSERT_TRUE(late->stop(5s));
  ASSERT_TRUE(ddb_server->stop());
}

TEST_F(AppAgainstMariaDb, SigtermDrainsAndExitsCleanly) {
  ASSERT_TRUE(app_->stop(5s));
  ASSERT_TRUE(app_->exit_code().has_value());
  EXPECT_EQ(*app_->exit_code(), 0);
}

}  // namespace
}  // namespace dr::app
