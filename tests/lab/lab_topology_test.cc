// The lab never splits its brain and never forgets who writes: `restore` after a region failover,
// `up` after a failover and `down`, and `failback` (errant GTIDs, idempotence, the baseline),
// end to end against the real servers and the real drctl. Each case is one scenario on one lab.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "db/connection.h"
#include "lab/credentials.h"
#include "lab/drctl_runner.h"
#include "lab/lab_state.h"
#include "lab/mariadb_helpers.h"
#include "lab/process.h"
#include "lab/recorded_topology.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

using dr::testing::CommandRun;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class LabTopology : public ::testing::Test {
 protected:
  // Runs `drctl <args> --dir <lab>` and waits for it; its stdout and stderr together.
  CommandRun drctl(std::vector<std::string> args, std::chrono::milliseconds timeout = 180s) {
    remember_pids();
    args.insert(args.end(), {"--dir", dir_.string()});
    auto run =
        dr::testing::run_drctl(args, tmp_ / ("drctl-" + std::to_string(++runs_) + ".log"), timeout);
    remember_pids();
    return run;
  }

  json status() {
    auto r = drctl({"lab", "status", "--json"});
    const auto brace = r.output.find('{');
    return brace == std::string::npos ? json()
                                      : json::parse(r.output.substr(brace), nullptr, false);
  }

  static json component(const json& status, const std::string& name) {
    for (const auto& c : status["components"]) {
      if (c["name"] == name) return c;
    }
    return {};
  }

  // A connection as the lab's admin user to `address` ("host:port").
  std::optional<db::Connection> admin(const std::string& address) {
    auto creds = LabCredentials::load_or_create(dir_);
    if (!creds) return std::nullopt;
    const auto colon = address.rfind(':');
    db::ConnectOptions o;
    o.host = address.substr(0, colon);
    o.port = static_cast<std::uint16_t>(std::stoi(address.substr(colon + 1)));
    o.user = creds->admin.name;
    o.password = creds->admin.password;
    auto c = db::Connection::connect(o);
    if (!c) return std::nullopt;
    return std::move(*c);
  }

  std::optional<std::string> query(const std::string& address, const std::string& sql) {
    auto c = admin(address);
    if (!c) return std::nullopt;
    auto v = c->query_value(sql);
    if (!v || !*v) return std::nullopt;
    return **v;
  }

  // The servers that take writes (read_only=0), asked one by one: the split-brain check.
  std::vector<std::string> writable(const json& s) {
    std::vector<std::string> out;
    for (const auto& c : s["components"]) {
      if (c["kind"] != "mariadb") continue;
      if (query(c["address"], "SELECT @@GLOBAL.read_only") == "0") out.push_back(c["name"]);
    }
    return out;
  }

  void remember_pids() { dr::testing::append_recorded_pids(dir_, pids_); }

  void TearDown() override {
    (void)drctl({"lab", "down"});
    for (const auto& p : pids_) (void)stop_pid(p, 2s);
  }

  dr::testing::TempDir tmp_{"dr-lab-topo"};
  std::filesystem::path dir_ = tmp_ / "lab";
  std::vector<PidRecord> pids_;
  int runs_ = 0;
};

// The reproduction: the failover runbook could not move the killed writer-us-east-1, and
// restore promoted a1 again because that endpoint still named it: a1 and b1 both took writes.
TEST_F(LabTopology, RestoreAfterARegionFailoverKeepsOneWriterAndMovesEveryEndpoint) {
  auto up = drctl({"lab", "up"});
  ASSERT_EQ(up.code, 0) << up.output;
  auto kill = drctl({"lab", "kill", "region", "us-east-1"});
  ASSERT_EQ(kill.code, 0) << kill.output;
  auto failover = drctl({"failover", "--to", "us-west-2", "--force"});
  ASSERT_EQ(failover.code, 0) << failover.output;

  auto restore = drctl({"lab", "restore"});
  ASSERT_EQ(restore.code, 0) << restore.output;
  EXPECT_EQ(restore.output.find("the writer again"), std::string::npos) << restore.output;

  const json s = status();
  ASSERT_TRUE(s.is_object()) << s;
  EXPECT_EQ(writable(s), std::vector<std::string>{"b1"}) << s.dump(2);
  EXPECT_EQ(component(s, "b1")["role"], "writer");
  EXPECT_EQ(component(s, "a1")["role"], "async replica of b1") << restore.output;
  EXPECT_EQ(component(s, "a2")["role"], "async replica of b1") << restore.output;
  for (const std::string region : {"us-east-1", "us-west-2"}) {
    const json& endpoint = s["regions"][region]["writer_endpoint"];
    EXPECT_EQ(endpoint["database"], "b1") << region;
    // Through the endpoint itself, not the record: the server that answers is b1 (server id 3).
    EXPECT_EQ(query(endpoint["address"], "SELECT @@server_id"), "3") << region;
  }
  auto recorded = load_recorded_topology(dir_);
  ASSERT_TRUE(recorded) << recorded.error();
  EXPECT_EQ(recorded->writer, "b1");

  // Twice changes nothing.
  auto again = drctl({"lab", "restore"});
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_EQ(writable(status()), std::vector<std::string>{"b1"}) << again.output;
}

// The same failover (writer-us-east-1 could not be moved), then `down` and `up` instead of a
// restore: the record's stale writer endpoint must not come back.
TEST_F(LabTopology, UpAfterARegionFailoverResumesWithEveryWriterEndpointOnTheNewWriter) {
  auto up = drctl({"lab", "up"});
  ASSERT_EQ(up.code, 0) << up.output;
  ASSERT_EQ(drctl({"lab", "kill", "region", "us-east-1"}).code, 0);
  auto failover = drctl({"failover", "--to", "us-west-2", "--force"});
  ASSERT_EQ(failover.code, 0) << failover.output;
  auto down = drctl({"lab", "down"});
  ASSERT_EQ(down.code, 0) << down.output;

  auto resumed = drctl({"lab", "up"});
  ASSERT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("topology  resumed  b1 the writer"), std::string::npos)
      << resumed.output;
  const json s = status();
  EXPECT_EQ(writable(s), std::vector<std::string>{"b1"}) << resumed.output;
  EXPECT_EQ(component(s, "a1")["role"], "async replica of b1") << resumed.output;
  for (const std::string region : {"us-east-1", "us-west-2"}) {
    const json& endpoint = s["regions"][region]["writer_endpoint"];
    EXPECT_EQ(endpoint["database"], "b1") << region;
    EXPECT_EQ(query(endpoint["address"], "SELECT @@server_id"), "3") << region;
  }
  EXPECT_EQ(s["front_door"]["active_region"], "us-west-2") << "the failover's override resumed";
  // The failover fenced us-east-1's apps; a restart of the lab must not lift that.
  EXPECT_EQ(s["regions"]["us-east-1"]["fleet"]["fenced"], true) << s["regions"].dump(2);
  EXPECT_EQ(s["regions"]["us-west-2"]["fleet"]["fenced"], false) << s["regions"].dump(2);
}

TEST_F(LabTopology, FailbackAndUpFollowTheRecordedTopologyAndRefuseErrantHistory) {
  auto up = drctl({"lab", "up"});
  ASSERT_EQ(up.code, 0) << up.output;

  // At home, failback changes nothing (it used to move the writer to b1).
  auto noop = drctl({"failback"});
  EXPECT_EQ(noop.code, 0) << noop.output;
  EXPECT_NE(noop.output.find("nothing to fail back"), std::string::npos) << noop.output;
  json s = status();
  EXPECT_EQ(writable(s), std::vector<std::string>{"a1"}) << noop.output;
  EXPECT_EQ(s["front_door"]["active_region"], "us-east-1");

  // A switchover and its failback print each step once too (issue 8), and leave one writer.
  auto switched = drctl({"switchover", "--to", "us-west-2"});
  ASSERT_EQ(switched.code, 0) << switched.output;
  EXPECT_EQ(count(switched.output, "promote ("), 1U) << switched.output;
  EXPECT_EQ(writable(status()), std::vector<std::string>{"b1"}) << switched.output;
  auto home = drctl({"failback"});
  ASSERT_EQ(home.code, 0) << home.output;
  EXPECT_EQ(count(home.output, "promote ("), 1U) << home.output;
  s = status();
  EXPECT_EQ(writable(s), std::vector<std::string>{"a1"}) << home.output;
  EXPECT_EQ(s["front_door"]["active_region"], "us-east-1") << home.output;

  auto failover = drctl({"failover", "--to", "us-west-2", "--force"});
  ASSERT_EQ(failover.code, 0) << failover.output;
  // Each step once: the loop logs it as it is saved, nothing prints the audit again.
  EXPECT_EQ(count(failover.output, "promote ("), 1U) << failover.output;
  s = status();
  ASSERT_EQ(writable(s), std::vector<std::string>{"b1"}) << failover.output;
  const std::string b1 = component(s, "b1")["address"];
  {
    // b1 takes writes after its promotion, so its sequence numbers pass the old primary's.
    auto c = admin(b1);
    ASSERT_TRUE(c);
    for (const char* key : {"after-1", "after-2"}) {
      ASSERT_TRUE(c->exec(std::string("INSERT INTO dr.orders (customer, amount_cents, "
                                      "idempotency_key, region, committed_by) VALUES ('t', 1, '") +
                          key + "', 'us-west-2', 'test')"));
    }
  }

  // A write on the fenced old primary (the admin user passes read_only): a transaction b1 never
  // had, with a sequence number below b1's. Comparing positions (one GTID per domain) called it
  // safe; the binlog states, per server id, show it.
  const std::string a1 = component(s, "a1")["address"];
  for (const std::string server : {"a1", "a2"}) {
    auto c = admin(component(s, server)["address"]);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->exec("CREATE DATABASE lost_on_" + server));
  }
  auto a1_state = query(a1, "SELECT @@gtid_binlog_state");
  ASSERT_TRUE(a1_state);
  auto parsed = parse_gtid_list(*a1_state);
  ASSERT_TRUE(parsed);
  std::string errant;
  for (const auto& g : *parsed) {
    if (g.server_id == 1) errant = to_string(g);
  }
  ASSERT_FALSE(errant.empty()) << *a1_state;
  auto b1_pos = query(b1, "SELECT @@gtid_binlog_pos");
  ASSERT_TRUE(b1_pos);
  const auto b1_parsed = parse_gtid_list(*b1_pos);
  ASSERT_TRUE(b1_parsed && !b1_parsed->empty());
  ASSERT_LT(parse_gtid_list(errant)->front().sequence, b1_parsed->front().sequence)
      << "the case that fooled the per-domain comparison: " << errant << " vs " << *b1_pos;

  auto refused = drctl({"failback"});
  EXPECT_NE(refused.code, 0) << refused.output;
  EXPECT_NE(refused.output.find("a1 holds transactions " + errant), std::string::npos)
      << refused.output;
  // Every errant server at once, and the command that fixes them.
  EXPECT_NE(refused.output.find("a2 holds transactions"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("drctl lab restore --rebuild"), std::string::npos)
      << refused.output;
  EXPECT_EQ(writable(status()), std::vector<std::string>{"b1"}) << refused.output;

  // restore cannot rejoin them either, and says what would.
  auto restore = drctl({"lab", "restore"});
  EXPECT_NE(restore.code, 0) << restore.output;
  EXPECT_NE(restore.output.find("a1: holds transactions " + errant), std::string::npos)
      << restore.output;
  // a2 replicates from b1 (the failover re-pointed it), yet holds a write b1 never had.
  EXPECT_NE(restore.output.find("a2: holds transactions 0-2-"), std::string::npos)
      << restore.output;
  EXPECT_NE(restore.output.find("`drctl lab restore --rebuild` rebuilds it"), std::string::npos)
      << restore.output;
  // --rebuild: both rebuilt from copies of b1's data, their lost writes discarded.
  auto rebuild = drctl({"lab", "restore", "--rebuild"});
  ASSERT_EQ(rebuild.code, 0) << rebuild.output;
  s = status();
  for (const std::string server : {"a1", "a2"}) {
    EXPECT_NE(rebuild.output.find(server + ": rebuilt from a copy of b1's data"), std::string::npos)
        << rebuild.output;
    EXPECT_EQ(component(s, server)["role"], "async replica of b1") << rebuild.output;
    EXPECT_EQ(query(component(s, server)["address"],
                    "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name='lost_on_" +
                        server + "'"),
              "0");
  }
  EXPECT_EQ(writable(s), std::vector<std::string>{"b1"}) << rebuild.output;

  // Another write b1 never sees, then down (the data is kept): up must resume b1 as the writer,
  // and cannot rejoin a1, whose history forked again.
  {
    auto c = admin(component(s, "a1")["address"]);
    ASSERT_TRUE(c);
    ASSERT_TRUE(c->exec("CREATE DATABASE lost_again_on_a1"));
  }
  auto down = drctl({"lab", "down"});
  ASSERT_EQ(down.code, 0) << down.output;
  auto resumed = drctl({"lab", "up"});
  EXPECT_NE(resumed.code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("cannot resume the topology with b1 the writer (recorded in"),
            std::string::npos)
      << resumed.output;
  EXPECT_NE(resumed.output.find("MariaDB a1 has transactions 0-1-"), std::string::npos)
      << resumed.output;
  EXPECT_NE(resumed.output.find("rm -rf " + (dir_ / "a1").string() + "`"), std::string::npos)
      << resumed.output;

  // What the message says to run works: a1 is rebuilt from a copy of b1's data.
  std::filesystem::remove_all(dir_ / "a1");
  auto rebuilt = drctl({"lab", "up"});
  ASSERT_EQ(rebuilt.code, 0) << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("a1  rebuilt  from a copy of b1's data"), std::string::npos)
      << rebuilt.output;
  // A rebuilt server carries the copy's history in its own GTID state: the next `up` rejoins it
  // with an errant check that passes, instead of replaying b1's binlog over the copy.
  ASSERT_EQ(drctl({"lab", "down"}).code, 0);
  rebuilt = drctl({"lab", "up"});
  ASSERT_EQ(rebuilt.code, 0) << rebuilt.output;
  s = status();
  EXPECT_EQ(query(component(s, "a1")["address"],
                  "SELECT COUNT(*) FROM dr.orders WHERE "
                  "idempotency_key LIKE 'after-%'"),
            "2");
  // The copy holds b1's history and none of a1's lost write.
  EXPECT_EQ(query(component(s, "a1")["address"],
                  "SELECT COUNT(*) FROM information_schema.schemata WHERE "
                  "schema_name='lost_again_on_a1'"),
            "0");
  EXPECT_EQ(query(component(s, "a1")["address"], "SELECT COUNT(*) FROM dr.orders"),
            query(component(s, "b1")["address"], "SELECT COUNT(*) FROM dr.orders"));
  EXPECT_EQ(writable(s), std::vector<std::string>{"b1"}) << rebuilt.output;
  EXPECT_EQ(component(s, "a1")["role"], "async replica of b1") << rebuilt.output;
  EXPECT_EQ(component(s, "a2")["role"], "async replica of b1") << rebuilt.output;
  EXPECT_EQ(s["front_door"]["active_region"], "us-west-2") << "the failover's override resumed";
  EXPECT_EQ(s["regions"]["us-east-1"]["fleet"]["fenced"], true) << "the failover's fence resumed";

  auto failback = drctl({"failback"});
  ASSERT_EQ(failback.code, 0) << failback.output;
  EXPECT_EQ(count(failback.output, "promote ("), 1U) << failback.output;
  s = status();
  EXPECT_EQ(writable(s), std::vector<std::string>{"a1"}) << failback.output;
  EXPECT_EQ(component(s, "b1")["role"], "async replica of a1") << failback.output;
  EXPECT_TRUE(s["front_door"]["override"].is_null()) << s["front_door"];
  EXPECT_EQ(s["regions"]["us-east-1"]["fleet"]["desired"], 2);
  EXPECT_EQ(s["regions"]["us-west-2"]["fleet"]["desired"], 1);
  for (const std::string region : {"us-east-1", "us-west-2"})
    EXPECT_EQ(s["regions"][region]["fleet"]["fenced"], false) << region << ": " << failback.output;

  auto again = drctl({"failback"});
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_NE(again.output.find("nothing to fail back"), std::string::npos) << again.output;
  EXPECT_EQ(writable(status()), std::vector<std::string>{"a1"}) << again.output;
}

// A replica the writer can no longer serve: its binlogs from b1's position on are purged, a cause
// the errant-GTID pre-check cannot foresee (b1's history is all on a1). MariaDB then stops b1's
// IO thread with error 1236; `restore` and `up` must pass the server's own words on as soon as
// the server has said them, not after waiting out a timeout (an error the server does not retry).
TEST_F(LabTopology, AReplicaTheWriterCannotServeReportsTheServersOwnError) {
  auto up = drctl({"lab", "up"});
  ASSERT_EQ(up.code, 0) << up.output;
  // b1, not a2: a dead semi-sync replica would hold a1's writes for the semi-sync timeout.
  auto kill = drctl({"lab", "kill", "component", "b1"});
  ASSERT_EQ(kill.code, 0) << kill.output;
  const std::string a1 = component(status(), "a1")["address"];
  {
    auto c = admin(a1);
    ASSERT_TRUE(c);
    // A transaction after b1's position, then a fresh binlog, then the old ones gone.
    ASSERT_TRUE(c->exec("CREATE DATABASE written_while_b1_was_down"));
    ASSERT_TRUE(c->exec("FLUSH BINARY LOGS"));
    auto current = c->query_value("SHOW MASTER STATUS");
    ASSERT_TRUE(current && *current) << "a1 writes no binlog";
    const std::string file = **current;
    // PURGE skips a file a replica's dump thread still reads (a2 may not have crossed the
    // rotation yet): repeated until only the current file is left.
    auto purged = wait_until("a1 purges every binlog before " + file,
                             [&] {
                               if (!c->exec("PURGE BINARY LOGS TO " + c->quote(file))) return false;
                               auto logs = c->query("SHOW BINARY LOGS");
                               return logs && logs->rows.size() == 1;
                             },
                             {.timeout = 10s, .poll = 50ms});
    ASSERT_TRUE(purged) << purged.error().message;
  }

  auto restore = drctl({"lab", "restore"});
  EXPECT_NE(restore.code, 0) << restore.output;
  EXPECT_NE(restore.output.find("b1: restarted read-only, but b1 does not replicate from a1: its "
                                "IO thread stopped on error 1236"),
            std::string::npos)
      << restore.output;
  EXPECT_EQ(restore.output.find("gave up after"), std::string::npos) << restore.output;
  EXPECT_NE(restore.output.find("the server says: Got fatal error 1236"), std::string::npos)
      << restore.output;
  EXPECT_EQ(writable(status()), std::vector<std::string>{"a1"}) << restore.output;

  // The data kept, `up` resumes the topology and meets the same refusal, whether b1 is refused
  // while it connects or a moment after it looked connected (while it catches up).
  auto down = drctl({"lab", "down"});
  ASSERT_EQ(down.code, 0) << down.output;
  auto resumed = drctl({"lab", "up"});
  EXPECT_NE(resumed.code, 0) << resumed.output;
  EXPECT_NE(
      resumed.output.find("b1 does not replicate from a1: its IO thread stopped on error 1236"),
      std::string::npos)
      << resumed.output;
  EXPECT_EQ(resumed.output.find("gave up after"), std::string::npos) << resumed.output;
  EXPECT_EQ(resumed.output.find("did not reach GTID"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("the server says: Got fatal error 1236"), std::string::npos)
      << resumed.output;
}

}  // namespace
}  // namespace dr::lab
