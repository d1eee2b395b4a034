// The workload against an in-process HTTP server on loopback (port 0) that answers like dr-app:
// every operation is recorded once, with the outcome its response means.
#include "drill/workload.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "lab/ports.h"

namespace dr::drill {
namespace {

using namespace std::chrono_literals;

class FakeFrontDoor {
 public:
  FakeFrontDoor() {
    server_.set_tcp_nodelay(true);
    server_.Post("/orders", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = nlohmann::json::parse(req.body);
      int n = ++count_;
      {
        std::lock_guard lock(mu_);
        keys_.insert(body["idempotency_key"].get<std::string>());
      }
      switch (n % 3) {
        case 0:
          res.status = 201;
          res.set_content(nlohmann::json{{"committed_by", "127.0.1.10"},
                                         {"served_by", {{"region", "us-east-1"}}}}
                              .dump(),
                          "application/json");
          break;
        case 1:
          res.status = 503;
          res.set_content(R"({"error":"read_only"})", "application/json");
          break;
        default:
          res.status = 504;
          res.set_content(R"({"error":"outcome_unknown"})", "application/json");
      }
    });
    server_.Put(R"(/sessions/(.+))", [](const httplib::Request&, httplib::Response& res) {
      res.status = 201;
      res.set_content(R"({"version":1})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::jthread([this] { server_.listen_after_bind(); });
    // bind_to_any_port already listens: connections queue until the thread accepts them.
  }
  ~FakeFrontDoor() { server_.stop(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::size_t distinct_keys() {
    std::lock_guard lock(mu_);
    return keys_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::atomic<int> count_{0};
  std::mutex mu_;
  std::set<std::string> keys_;
  std::jthread thread_;
};

TEST(Workload, RecordsEveryOperationWithTheOutcomeItsResponseMeans) {
  FakeFrontDoor door;
  WorkloadOptions options;
  options.base_url = door.url();
  options.rate = 200;
  options.duration = 300ms;
  options.threads = 3;
  options.session_every = 4;
  auto history = run_workload(options, DrillEpoch());
  ASSERT_TRUE(history) << history.error();
  ASSERT_GE(history->ops.size(), 30u);
  EXPECT_LE(history->ops.size(), 60u);
  std::size_t ok = 0, failed = 0, unknown = 0, sessions = 0;
  for (std::size_t i = 0; i < history->ops.size(); ++i) {
    const auto& op = history->ops[i];
    EXPECT_EQ(op.seq, i) << "sequence numbers are dense and increasing";
    EXPECT_LE(op.start_ms, op.end_ms);
    if (op.kind == OpKind::kSession) {
      ++sessions;
      EXPECT_EQ(op.outcome, Outcome::kOk);
      continue;
    }
    EXPECT_EQ(op.key, "drill-o-" + std::to_string(op.seq));
    EXPECT_EQ(op.amount_cents, 100 + static_cast<std::int64_t>(op.seq));
    switch (op.outcome) {
      case Outcome::kOk:
        ++ok;
        EXPECT_EQ(op.committed_by, "127.0.1.10");
        EXPECT_EQ(op.served_region, "us-east-1");
        break;
      case Outcome::kFailed:
        ++failed;
        EXPECT_EQ(op.error, "read_only");
        break;
      case Outcome::kUnknown:
        ++unknown;
        EXPECT_EQ(op.error, "outcome_unknown");
        break;
    }
  }
  EXPECT_GT(ok, 0u);
  EXPECT_GT(failed, 0u);
  EXPECT_GT(unknown, 0u);
  EXPECT_GT(sessions, 0u);
  EXPECT_EQ(door.distinct_keys(), ok + failed + unknown) << "every order key is unique";
}

TEST(Workload, ANobodyListeningFrontDoorIsAFailureNotAnUnknown) {
  auto port = lab::pick_free_port("127.0.0.1");
  ASSERT_TRUE(port) << port.error();
  WorkloadOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(*port);
  options.rate = 50;
  options.duration = 100ms;
  options.threads = 1;
  auto history = run_workload(options, DrillEpoch());
  ASSERT_TRUE(history) << history.error();
  ASSERT_FALSE(history->ops.empty());
  for (const auto& op : history->ops) EXPECT_EQ(op.outcome, Outcome::kFailed) << op.error;
}

TEST(Workload, AHungServerShowsAsUnknownAfterTheClientTimeout) {
  httplib::Server server;
  std::atomic<bool> release{false};
  server.Post("/orders", [&](const httplib::Request&, httplib::Response& res) {
    while (!release) std::this_thread::sleep_for(10ms);  // the hang under test
    res.status = 201;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::jthread t([&] { server.listen_after_bind(); });
  // bind_to_any_port already listens: connections queue until the thread accepts them.
  WorkloadOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.rate = 10;
  options.duration = 100ms;
  options.threads = 1;
  options.timeout = 300ms;
  auto history = run_workload(options, DrillEpoch());
  release = true;
  server.stop();
  ASSERT_TRUE(history) << history.error();
  ASSERT_EQ(history->ops.size(), 1u);
  EXPECT_EQ(history->ops[0].outcome, Outcome::kUnknown);
  EXPECT_GE(history->ops[0].latency_ms(), 250);
}

TEST(Workload, RefusesOptionsItCannotRun) {
  WorkloadOptions bad;
  bad.base_url = "127.0.0.1:80";
  EXPECT_FALSE(Workload::create(bad, DrillEpoch()));
  bad.base_url = "http://127.0.0.1:80";
  bad.rate = 0;
  EXPECT_FALSE(Workload::create(bad, DrillEpoch()));
  bad.rate = 1;
  bad.run_id = "has space";
  EXPECT_FALSE(Workload::create(bad, DrillEpoch()));
}

}  // namespace
}  // namespace dr::drill
