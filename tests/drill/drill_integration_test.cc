// The workload and the checker against a real dr-app and a real MariaDB on loopback: the
// database is killed mid-drill and restarted, and the history must show writes acknowledged,
// then refused or unknown, then acknowledged again, with no acknowledged write lost.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "app/app_process.h"
#include "drill/readback.h"
#include "drill/report.h"
#include "drill/report_html.h"
#include "drill/workload.h"
#include "lab/mariadb_helpers.h"
#include "lab/process.h"
#include "lab/temp_dir.h"
#include "lab/wait.h"

namespace dr::drill {
namespace {

using namespace std::chrono_literals;

class DrillAgainstDrApp : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = dr::testing::start_mariadb(tmp_.path(), "a1", lab::Site::kUsEast1, 0, 1);
    ASSERT_TRUE(db) << db.error();
    db_.emplace(std::move(*db));
    ASSERT_NO_FATAL_FAILURE(dr::testing::start_app_against(*db_, tmp_.path(), app_, host_port_));
  }

  // Waits until the workload has recorded an operation with `outcome` that started at or after
  // `after_ms`.
  void wait_for(const Workload& workload, Outcome outcome, double after_ms, std::string_view what) {
    auto seen = lab::wait_until(what,
                                [&] {
                                  auto h = workload.snapshot();
                                  return std::ranges::any_of(h.ops, [&](const Operation& op) {
                                    return op.outcome == outcome && op.start_ms >= after_ms;
                                  });
                                },
                                {.timeout = 30s, .poll = 20ms});
    ASSERT_TRUE(seen) << seen.error();
  }

  dr::testing::TempDir tmp_{"dr-drill-test"};
  std::optional<lab::MariaDbInstance> db_;
  std::optional<lab::Process> app_;
  std::string host_port_;
};

TEST_F(DrillAgainstDrApp, ADatabaseCrashShowsAsAnOutageAndLosesNoAcknowledgedWrite) {
  WorkloadOptions options;
  options.base_url = "http://" + host_port_;
  options.rate = 100;
  options.threads = 3;
  options.duration = 60s;  // an upper bound: the test stops the workload once it has seen enough
  options.run_id = "it";
  DrillEpoch epoch;
  auto workload = Workload::create(options, epoch);
  ASSERT_TRUE(workload) << workload.error();
  (*workload)->start();

  wait_for(**workload, Outcome::kOk, 0, "an acknowledged write before the fault");
  const auto written_before = lab::wait_until(
      "half a second of writes", [&] { return epoch.now_ms() >= 500; }, {.timeout = 5s});
  ASSERT_TRUE(written_before);
  DrillEvents events;
  events.fault_ms = epoch.now_ms();
  ASSERT_TRUE(db_->crash());
  wait_for(**workload, Outcome::kFailed, *events.fault_ms, "a refused write after the crash");
  ASSERT_TRUE(db_->restart());
  // Lab servers start fenced (read-only), so the restarted one takes writes once promoted again:
  // until then the app refuses with 503 read_only, which the history shows as failed.
  ASSERT_TRUE(db_->promote(/*semi_sync=*/false));
  events.heal_ms = epoch.now_ms();
  wait_for(**workload, Outcome::kOk, *events.heal_ms, "an acknowledged write after the restart");
  const auto ran = lab::wait_until("two seconds of drill", [&] { return epoch.now_ms() >= 2000; },
                                   {.timeout = 5s});
  ASSERT_TRUE(ran);
  (*workload)->stop();
  History history = (*workload)->wait();

  // ok -> failed/unknown -> ok, in start order.
  auto first_down = std::ranges::find_if(history.ops, [&](const Operation& op) {
    return op.start_ms >= *events.fault_ms && op.outcome != Outcome::kOk;
  });
  ASSERT_NE(first_down, history.ops.end());
  EXPECT_TRUE(std::any_of(history.ops.begin(), first_down,
                          [](const Operation& op) { return op.outcome == Outcome::kOk; }));
  EXPECT_TRUE(std::any_of(first_down, history.ops.end(), [&](const Operation& op) {
    return op.outcome == Outcome::kOk && op.start_ms >= *events.heal_ms;
  }));

  auto readback = read_back_orders(db_->app_options());
  ASSERT_TRUE(readback) << readback.error();
  auto report = build_report("db-outage", history, *readback, events, {});
  ASSERT_TRUE(report) << report.error();
  const auto& r = report->result;
  EXPECT_GT(r.acked, 0u);
  EXPECT_GT(r.failed + r.unknown, 0u);
  EXPECT_TRUE(r.lost.empty()) << r.lost.size() << " acknowledged writes lost, first "
                              << r.lost.front().key;
  EXPECT_TRUE(r.unexpected.empty());
  EXPECT_TRUE(r.failed_present.empty()) << "a 503 refusal was written: " << r.failed_present[0].key;
  ASSERT_TRUE(r.rto_ms);
  EXPECT_GT(*r.rto_ms, 0);
  // No controller runs here, so the one promise that cannot hold is that it acted; every other
  // promise must.
  for (const auto& p : report->promises)
    EXPECT_EQ(p.passed, p.name != "fault_hit_and_controller_acted") << p.name << ": " << p.sentence;
  for (const auto& op : history.ops)
    if (op.outcome == Outcome::kOk) {
      EXPECT_EQ(op.committed_by, db_->config().address) << op.key;
      EXPECT_EQ(op.served_region, "us-east-1") << op.key;
    }

  // Kept for a look when asked (the HTML's rendering is checked by eye, not by this test).
  if (const char* dir = std::getenv("DR_DRILL_REPORT_DIR"); dir != nullptr && *dir != '\0') {
    std::ofstream(std::filesystem::path(dir) / "db-crash.json") << report_json(*report).dump(2);
    std::ofstream(std::filesystem::path(dir) / "db-crash.html") << render_html(*report, history);
    ASSERT_TRUE(save_history(history, std::filesystem::path(dir) / "db-crash.history.jsonl"));
    ASSERT_TRUE(save_readback(*readback, std::filesystem::path(dir) / "db-crash.readback.json"));
    std::ofstream(std::filesystem::path(dir) / "db-crash.events.json") << to_json(events).dump(2);
  }
}

}  // namespace
}  // namespace dr::drill
