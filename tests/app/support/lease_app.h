// Shared by the tests of dr-app holding the write lease (lease_app_test.cc: etcd;
// lease_app_dynamodb_test.cc: DynamoDB): a real MariaDB (a1) and dr-app against it with the
// lease store's flags, orders posted through its HTTP API, and the waits for it to start and to
// stop writing as the lease moves.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/app_process.h"
#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::testing {

class LeaseAppTest : public ::testing::Test {
 protected:
  explicit LeaseAppTest(const std::string& tmp_prefix) : tmp_(tmp_prefix) {}

  // a1, and dr-app against it with `lease_args` (the store's flags, the renewal period).
  void start_app(const std::vector<std::string>& lease_args, bool with_sessions = false) {
    using namespace std::chrono_literals;
    auto db = start_mariadb(tmp_.path(), "a1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    db_.emplace(std::move(*db));
    std::string host_port;
    std::string admin_host_port;
    ASSERT_NO_FATAL_FAILURE(start_app_against(*db_, tmp_.path(), app_, host_port, &admin_host_port,
                                              lease_args, with_sessions));
    const auto admin_colon = admin_host_port.rfind(':');
    admin_.emplace(admin_host_port.substr(0, admin_colon),
                   std::stoi(admin_host_port.substr(admin_colon + 1)));
    admin_->set_connection_timeout(2s);
    admin_->set_read_timeout(10s);
    const auto colon = host_port.rfind(':');
    client_.emplace(host_port.substr(0, colon), std::stoi(host_port.substr(colon + 1)));
    client_->set_connection_timeout(2s);
    client_->set_read_timeout(10s);
  }

  // POSTs a new order; the status and the body.
  std::pair<int, nlohmann::json> post(const std::string& key) {
    auto res = client_->Post(
        "/orders", R"({"customer":"acme","amount_cents":5,"idempotency_key":")" + key + "\"}",
        "application/json");
    if (!res) return {0, nlohmann::json()};
    return {res->status, nlohmann::json::parse(res->body, nullptr, false)};
  }

  // POST /admin/<what> (fence?reason=..., unfence) with the test's admin token; the status.
  int admin(const std::string& what) {
    auto res =
        admin_->Post("/admin/" + what, {{"Authorization", "Bearer test-token"}}, "", "text/plain");
    return res ? res->status : 0;
  }

  std::string sql(const std::string& query) { return query_value(*db_, query).value_or("?"); }

  // New orders until one is written, within 10 s (the app's next renewal sees the lease).
  void wait_until_it_writes(const std::string& region) {
    using namespace std::chrono_literals;
    auto writes = lab::wait_until(
        "dr-app to write once " + region + " holds the lease",
        [&] { return post("write-" + std::to_string(++posted_)).first == 201; }, {.timeout = 10s});
    ASSERT_TRUE(writes) << writes.error().describe();
  }

  // New orders until dr-app refuses them for want of the lease, within 10 s; the last refusal.
  nlohmann::json wait_until_it_stops(const std::string& region) {
    using namespace std::chrono_literals;
    nlohmann::json last;
    auto stopped = lab::wait_until("dr-app to stop writing once the lease is " + region + "'s",
                                   [&] {
                                     auto [s, b] = post("after-" + std::to_string(++posted_));
                                     last = b;
                                     return s == 503 && b.value("error", "") == "no_write_lease";
                                   },
                                   {.timeout = 10s});
    EXPECT_TRUE(stopped) << stopped.error().describe() << " " << last;
    return last;
  }

  TempDir tmp_;
  std::optional<lab::MariaDbInstance> db_;
  std::optional<lab::Process> app_;
  std::optional<httplib::Client> client_;
  std::optional<httplib::Client> admin_;
  int posted_ = 0;
};

// dr-app with `args` (after its binary), expected to refuse them and exit: its exit code and
// what it printed.
inline std::pair<int, std::string> run_app_until_it_exits(const std::vector<std::string>& args) {
  using namespace std::chrono_literals;
  TempDir tmp{"dr-app-args"};
  lab::SpawnOptions spawn;
  spawn.argv = {DR_APP_BINARY};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.log_file = tmp.path() / "out.log";
  spawn.die_with_parent = true;
  auto p = lab::Process::spawn(spawn);
  EXPECT_TRUE(p) << p.error();
  if (!p) return {-1, ""};
  auto code = p->wait(20s);
  EXPECT_TRUE(code) << code.error();
  std::ifstream in(spawn.log_file);
  return {code ? *code : -1, std::string((std::istreambuf_iterator<char>(in)), {})};
}

}  // namespace dr::testing
