// The lab probes against real servers: a live MariaDB greets, a frozen or killed one does not; an
// HTTP target is up only on 2xx; probes come from the chosen source address.
#include "backends/lab/probes.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <thread>

#include "lab/mariadb_helpers.h"
#include "lab/temp_dir.h"

namespace dr::backends::lab {
namespace {

using namespace std::chrono_literals;

TEST(ProbeMysql, ALiveServerGreetsAFrozenOrDeadOneDoesNot) {
  dr::testing::TempDir tmp("dr-probe-test");
  auto db = dr::testing::start_mariadb(tmp.path(), "a1", dr::lab::Site::kUsEast1, 0, 1);
  ASSERT_TRUE(db) << db.error();
  ProbeTarget target{db->address(), db->port()};
  EXPECT_TRUE(probe_mysql("127.0.2.23", target, 1s));
  ASSERT_TRUE(db->freeze());
  EXPECT_FALSE(probe_mysql("127.0.2.23", target, 300ms));
  ASSERT_TRUE(db->thaw());
  EXPECT_TRUE(probe_mysql("127.0.2.23", target, 1s));
  ASSERT_TRUE(db->crash());
  EXPECT_FALSE(probe_mysql("127.0.2.23", target, 300ms));
}

TEST(ProbeHttp, UpOnlyOn2xxAndFromTheGivenSource) {
  httplib::Server server;
  std::atomic<int> status{200};
  std::string seen_from;
  std::mutex mu;
  server.Get("/health", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    seen_from = req.remote_addr;
    res.status = status.load();
  });
  int port = server.bind_to_any_port("127.0.1.41");
  ASSERT_GT(port, 0);
  std::thread t([&] { server.listen_after_bind(); });
  ProbeTarget target{"127.0.1.41", static_cast<std::uint16_t>(port)};
  EXPECT_TRUE(probe_http("127.0.3.24", target, "/health", 1s));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen_from, "127.0.3.24");
  }
  status = 503;
  EXPECT_FALSE(probe_http("127.0.3.24", target, "/health", 1s));
  server.stop();
  t.join();
  EXPECT_FALSE(probe_http("127.0.3.24", target, "/health", 300ms)) << "nothing listens any more";
  EXPECT_FALSE(probe_http("not-an-ip", target, "/health", 300ms));
}

}  // namespace
}  // namespace dr::backends::lab
