// Cuts between the lab's sites with real nftables on loopback, in a network namespace of the test's
// own (a lab running on the machine is never cut by a test). Every test that cuts uses a table of
// its own (ScopedPartition heals on every exit) and skips, with the reason, without root/nft.
#include "lab/partition.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include <atomic>
#include <chrono>
#include <string>

#include "lab/drctl_runner.h"
#include "lab/mariadb_helpers.h"
#include "lab/net.h"
#include "lab/private_network.h"
#include "lab/process.h"
#include "lab/temp_dir.h"

namespace dr::lab {
namespace {

using namespace std::chrono_literals;

// A listening socket on `address`, on a free port; the kernel completes handshakes into its
// backlog, so nobody needs to accept.
struct Listener {
  Socket socket;
  std::string address;
  std::uint16_t port = 0;
};

Listener listen_on(const std::string& address) {
  Listener l{Socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), address, 0};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  socklen_t len = sizeof addr;
  auto* sa = reinterpret_cast<sockaddr*>(&addr);
  if (::bind(l.socket.fd(), sa, sizeof addr) != 0 || ::listen(l.socket.fd(), 64) != 0 ||
      ::getsockname(l.socket.fd(), sa, &len) != 0) {
    ADD_FAILURE() << "cannot listen on " << address;
    return l;
  }
  l.port = ntohs(addr.sin_port);
  return l;
}

// A TCP connect from `source` (bound, as the lab's components that bind do) to the listener.
// True when the handshake completed within `timeout`.
bool connects(const std::string& source, const Listener& to, std::chrono::milliseconds timeout) {
  Socket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  if (::bind(s.fd(), reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
    ADD_FAILURE() << "cannot bind " << source;
    return false;
  }
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(to.port);
  ::inet_pton(AF_INET, to.address.c_str(), &dst.sin_addr);
  if (::connect(s.fd(), reinterpret_cast<sockaddr*>(&dst), sizeof dst) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd p{s.fd(), POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0;
}

// A connect that is dropped never completes, however long we wait: the short timeout only
// bounds the test. One that should work completes in microseconds on loopback.
constexpr auto kDropped = 300ms;
constexpr auto kWorks = 5s;

std::string unique_table() {
  static std::atomic<int> n{0};
  return "dr_lab_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

bool table_exists(const std::string& table) {
  SpawnOptions options;
  options.argv = {"nft", "list", "table", "inet", table};
  auto nft = Process::spawn(std::move(options));
  if (!nft) return false;
  auto code = nft->wait(10s);
  return code && *code == 0;
}

#define SKIP_UNLESS_CAN_PARTITION()                                      \
  do {                                                                   \
    if (auto can = check_can_partition(); !can) {                        \
      GTEST_SKIP() << "SKIPPED: " << can.error().message;                \
    }                                                                    \
    if (auto why = dr::testing::enter_private_network(); !why.empty()) { \
      GTEST_SKIP() << "SKIPPED: " << why;                                \
    }                                                                    \
  } while (0)

TEST(PartitionScript, RefusesTablesThatAreNotTheLabs) {
  for (const char* name :
       {"filter", "nat", "", "dr_lab partition", "dr_lab;flush ruleset", "DR_LAB", "x_dr_lab"}) {
    EXPECT_EQ(render_cut(Site::kUsEast1, {}, name).error().kind, ErrorKind::kConfig) << name;
    EXPECT_EQ(render_heal(name).error().kind, ErrorKind::kConfig) << name;
    EXPECT_EQ(heal(name).error().kind, ErrorKind::kConfig) << name;
  }
}

TEST(PartitionScript, CutsBothDirectionsFromEveryOtherSiteByDefault) {
  auto script = render_cut(Site::kUsEast1, {}, "dr_lab_x");
  ASSERT_TRUE(script) << script.error();
  EXPECT_NE(script->find("flush chain inet dr_lab_x cut_us_east_1\n"), std::string::npos);
  EXPECT_NE(script->find("ip saddr 127.0.1.0/24 ip daddr { 127.0.2.0/24, 127.0.3.0/24 } drop"),
            std::string::npos)
      << *script;
  EXPECT_NE(script->find("ip saddr { 127.0.2.0/24, 127.0.3.0/24 } ip daddr 127.0.1.0/24 drop"),
            std::string::npos)
      << *script;
}

TEST(PartitionScript, CutsOnlyFromTheNamedSitesAndNeverFromItself) {
  auto script = render_cut(Site::kUsWest2, {Site::kUsEast1, Site::kUsWest2}, "dr_lab_x");
  ASSERT_TRUE(script) << script.error();
  EXPECT_NE(script->find("ip saddr 127.0.2.0/24 ip daddr { 127.0.1.0/24 } drop"), std::string::npos)
      << *script;
  EXPECT_EQ(script->find("127.0.3.0/24"), std::string::npos) << *script;
  EXPECT_EQ(render_cut(Site::kGlobal, {Site::kGlobal}, "dr_lab_x").error().kind,
            ErrorKind::kConfig);
}

TEST(PartitionScript, AlsoCutsTheSitesServersSocketsByCgroup) {
  const std::map<Site, std::string> cgroups = {{Site::kUsEast1, "dr_lab/us-east-1"},
                                               {Site::kUsWest2, "dr_lab/us-west-2"}};
  auto script = render_cut(Site::kUsEast1, {Site::kUsWest2}, "dr_lab_x", cgroups);
  ASSERT_TRUE(script) << script.error();
  for (const char* rule :
       {"add rule inet dr_lab_x cut_us_east_1_out socket cgroupv2 level 2 \"dr_lab/us-east-1\" ip "
        "daddr { 127.0.2.0/24 } drop\n",
        "add rule inet dr_lab_x cut_us_east_1_in socket cgroupv2 level 2 \"dr_lab/us-east-1\" ip "
        "saddr { 127.0.2.0/24 } drop\n",
        "add rule inet dr_lab_x cut_us_east_1_out socket cgroupv2 level 2 \"dr_lab/us-west-2\" ip "
        "daddr 127.0.1.0/24 drop\n",
        "add rule inet dr_lab_x cut_us_east_1_in socket cgroupv2 level 2 \"dr_lab/us-west-2\" ip "
        "saddr 127.0.1.0/24 drop\n"}) {
    EXPECT_NE(script->find(rule), std::string::npos) << "missing: " << rule << "in:\n" << *script;
  }
  EXPECT_EQ(site_of_address("127.0.2.11"), Site::kUsWest2);
  EXPECT_EQ(site_of_address("127.0.3.24"), Site::kGlobal);
  EXPECT_EQ(site_of_address("127.0.0.1"), std::nullopt);
  EXPECT_EQ(site_of_address("127.0.1.11x"), std::nullopt);
}

TEST(Partition, ACutRegionExchangesNoPacketsWithTheOthersButTheInternetStillReachesIt) {
  SKIP_UNLESS_CAN_PARTITION();
  const Listener east = listen_on("127.0.1.41");    // us-east-1's ALB address
  const Listener west = listen_on("127.0.2.11");    // b1's address
  const Listener global = listen_on("127.0.3.10");  // the front door's address
  ASSERT_TRUE(connects("127.0.1.11", west, kWorks));
  ASSERT_TRUE(connects("127.0.2.11", east, kWorks));

  ScopedPartition partition(unique_table());
  ASSERT_TRUE(partition.cut(Site::kUsEast1)) << "cut";
  ASSERT_TRUE(table_exists(partition.table()));

  EXPECT_FALSE(connects("127.0.1.11", west, kDropped)) << "us-east-1 -> us-west-2";
  EXPECT_FALSE(connects("127.0.2.11", east, kDropped)) << "us-west-2 -> us-east-1";
  EXPECT_FALSE(connects("127.0.1.11", global, kDropped)) << "us-east-1 -> global";
  EXPECT_FALSE(connects("127.0.3.26", east, kDropped)) << "global -> us-east-1";
  // The sites that are not cut off still talk to each other.
  EXPECT_TRUE(connects("127.0.3.26", west, kWorks)) << "global -> us-west-2";
  EXPECT_TRUE(connects("127.0.2.23", global, kWorks)) << "us-west-2 -> global";
  // The internet (the host's own address) still reaches every site, the cut one too.
  EXPECT_TRUE(connects("127.0.0.1", east, kWorks)) << "internet -> us-east-1";
  EXPECT_TRUE(connects("127.0.0.1", west, kWorks)) << "internet -> us-west-2";
  EXPECT_TRUE(connects("127.0.0.1", global, kWorks)) << "internet -> global";
  // Inside the cut region, nothing changes.
  EXPECT_TRUE(connects("127.0.1.11", east, kWorks)) << "us-east-1 -> us-east-1";

  ASSERT_TRUE(partition.heal()) << "heal";
  EXPECT_FALSE(table_exists(partition.table()));
  EXPECT_TRUE(connects("127.0.1.11", west, kWorks)) << "us-east-1 -> us-west-2 after heal";
  EXPECT_TRUE(connects("127.0.2.11", east, kWorks)) << "us-west-2 -> us-east-1 after heal";
}

TEST(Partition, FromCutsOnlyThoseSitesAndCutsAddUp) {
  SKIP_UNLESS_CAN_PARTITION();
  const Listener east = listen_on("127.0.1.11");
  const Listener west = listen_on("127.0.2.11");
  const Listener global = listen_on("127.0.3.24");
  ScopedPartition partition(unique_table());
  ASSERT_TRUE(partition.cut(Site::kUsWest2, {Site::kUsEast1}));
  EXPECT_FALSE(connects("127.0.2.23", east, kDropped));
  EXPECT_TRUE(connects("127.0.2.23", global, kWorks)) << "the witness still sees us-west-2";
  EXPECT_TRUE(connects("127.0.1.11", global, kWorks)) << "and us-east-1";

  // Cutting us-west-2 again replaces its cut: from global now, no longer from us-east-1.
  ASSERT_TRUE(partition.cut(Site::kUsWest2, {Site::kGlobal}));
  EXPECT_TRUE(connects("127.0.2.23", east, kWorks));
  EXPECT_FALSE(connects("127.0.2.23", global, kDropped));

  // A cut of another region adds to it.
  ASSERT_TRUE(partition.cut(Site::kUsEast1, {Site::kGlobal}));
  EXPECT_FALSE(connects("127.0.1.11", global, kDropped));
  EXPECT_FALSE(connects("127.0.2.23", global, kDropped));
  EXPECT_TRUE(connects("127.0.2.23", east, kWorks));
}

TEST(Partition, CutAndHealAreIdempotentAndTheScopeAlwaysHeals) {
  SKIP_UNLESS_CAN_PARTITION();
  const Listener west = listen_on("127.0.2.11");
  const std::string table = unique_table();
  ASSERT_TRUE(heal(table)) << "healing a lab that was never cut";
  {
    ScopedPartition partition(table);
    ASSERT_TRUE(partition.cut(Site::kUsEast1));
    ASSERT_TRUE(partition.cut(Site::kUsEast1)) << "cutting twice";
    EXPECT_FALSE(connects("127.0.1.11", west, kDropped));
  }
  EXPECT_FALSE(table_exists(table)) << "the scope healed";
  EXPECT_TRUE(connects("127.0.1.11", west, kWorks));
  ASSERT_TRUE(heal(table)) << "healing twice";
}

// The measurement: MariaDB replication does not bind (it leaves from 127.0.0.1), and
// with address rules alone b1 went on replicating from a1 through a cut. The servers' cgroups
// make the cut stop it.
TEST(Partition, ACutStopsReplicationBetweenTheRegionsAndHealResumesIt) {
  SKIP_UNLESS_CAN_PARTITION();
  dr::testing::TempDir dir("dr-partition-repl");
  auto a1 = dr::testing::start_mariadb(dir.path(), "a1", Site::kUsEast1, 0, 1);
  ASSERT_TRUE(a1) << a1.error();
  auto b1 = dr::testing::start_mariadb(dir.path(), "b1", Site::kUsWest2, 0, 3);
  ASSERT_TRUE(b1) << b1.error();
  ASSERT_TRUE(a1->promote(/*semi_sync=*/false));
  ASSERT_TRUE(b1->make_replica_of(*a1, /*semi_sync=*/false));
  dr::testing::exec_or_fail(*a1, "CREATE DATABASE dr");
  dr::testing::exec_or_fail(*a1, "CREATE TABLE dr.t (id INT PRIMARY KEY)");
  dr::testing::exec_or_fail(*a1, "INSERT INTO dr.t VALUES (1)");
  const std::string count = "SELECT COUNT(*) FROM dr.t";
  ASSERT_TRUE(dr::testing::wait_for_value(*b1, count, "1"));

  ScopedPartition partition(unique_table());
  auto cut = partition.cut(Site::kUsEast1);
  ASSERT_TRUE(cut) << cut.error();
  if (!cut->servers_cut) GTEST_SKIP() << "SKIPPED: " << cut->note;
  dr::testing::exec_or_fail(*a1, "INSERT INTO dr.t VALUES (2)");
  // b1 notices within slave_net_timeout (5 s in the lab) that nothing comes any more.
  auto lost = wait_until("b1's IO thread leaves Yes",
                         [&] {
                           auto s = b1->replica_status();
                           return s && s->io_running != "Yes";
                         },
                         {.timeout = 30s, .poll = 50ms});
  EXPECT_TRUE(lost) << lost.error();
  EXPECT_EQ(dr::testing::query_value(*b1, count), "1") << "a write crossed the cut";

  ASSERT_TRUE(partition.heal());
  EXPECT_TRUE(dr::testing::wait_for_value(*b1, count, "2", 30s));
  EXPECT_TRUE(wait_until("b1 replicates again",
                         [&] {
                           auto s = b1->replica_status();
                           return s && s->io_running == "Yes";
                         },
                         {.timeout = 30s, .poll = 50ms}));
}

// The operator's commands, run in this test's network namespace (drctl inherits it).
TEST(Partition, DrctlPartitionsAndHeals) {
  SKIP_UNLESS_CAN_PARTITION();
  dr::testing::TempDir dir("dr-partition-cli");
  const auto log = dir / "drctl.log";
  const Listener west = listen_on("127.0.2.11");
  const Listener global = listen_on("127.0.3.24");

  // A --dir of the test's own (no lab in it, so nothing is recorded): without it drctl would
  // record the cut in, and `heal` forget it from, a developer's lab in $DR_LAB_DIR or /tmp/dr-lab.
  auto run = [&](std::vector<std::string> argv) {
    argv.insert(argv.end(), {"--dir", (dir / "lab").string()});
    return dr::testing::run_drctl(argv, log, 30s);
  };
  auto cut = run({"lab", "partition", "us-east-1", "--from", "us-west-2", "--json"});
  ASSERT_EQ(cut.code, 0) << cut.output;
  EXPECT_NE(cut.output.find("\"servers_cut\": true"), std::string::npos) << cut.output;
  EXPECT_FALSE(connects("127.0.1.11", west, kDropped));
  EXPECT_TRUE(connects("127.0.1.11", global, kWorks)) << "not cut from global";

  auto healed = run({"lab", "heal"});
  ASSERT_EQ(healed.code, 0) << healed.output;
  EXPECT_TRUE(connects("127.0.1.11", west, kWorks));
  EXPECT_FALSE(table_exists(std::string(kPartitionTable)));

  // Usage errors change nothing.
  EXPECT_EQ(run({"lab", "partition", "mars"}).code, 2);
  EXPECT_EQ(run({"lab", "partition", "us-east-1", "--from", "us-east-1"}).code, 2);
  EXPECT_EQ(run({"lab", "partition"}).code, 2);
  EXPECT_FALSE(table_exists(std::string(kPartitionTable)));
}

}  // namespace
}  // namespace dr::lab
