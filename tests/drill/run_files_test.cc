#include "drill/run_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "drill/history_builder.h"
#include "drill/report_html.h"
#include "lab/temp_dir.h"

namespace dr::drill {
namespace {

using testing::acted;
using testing::HistoryBuilder;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A region outage that lost one order and one session inside the async window, with one server
// not answering at read-back.
SavedRun sample_run() {
  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk, "a1")
      .order("o2", 950, 955, Outcome::kOk, "a1")
      .session("s1", 960, 965, Outcome::kOk)
      .order("o3", 1100, 3100, Outcome::kUnknown)
      .order("o4", 6000, 6010, Outcome::kOk, "b1");
  SavedRun run;
  run.scenario = "region-outage";
  run.info.run_id = "region-outage-1";
  run.info.parameters = {{"rate", 40}, {"fault_at_s", 1}};
  run.info.topology_before = "a1 (us-east-1) writer";
  run.info.topology_after = "b1 (us-west-2) writer";
  run.options.async_window_ms = 500;
  run.history = h.history();
  run.history.started_at_unix_ms = 1'700'000'000'000;
  run.readback = h.stored({"o1", "o4", "o3"});
  run.readback.servers = {{"a1", "127.0.1.11", std::nullopt, "connection refused"},
                          {"b1", "127.0.2.11", false, ""}};
  DrillEvents e;
  e.fault_ms = 1000;
  // What a partition drill adds: recomputing must see the same writers, rejoin and hold-back.
  e.writer_before = "a1";
  e.writer_after = "b1";
  e.rejoin = "refused: a1: holds transactions 0-1-412 that b1 lacks (errant GTIDs)";
  e.held_back = "the witness reaches it";
  e.decision_ms = 4000;
  e.runbook_start_ms = 4050;
  e.runbook_end_ms = 5000;
  e.promotion_ms = 4500;
  e.fenced_server = "a1";
  e.decision_reason = "the databases of us-east-1 are down";
  e.runbook = {{"fence_old_primary", 4050, 4200, "skipped: unreachable"}};
  run.events = acted("region-outage", e);
  return run;
}

TEST(RunFiles, ARecomputedReportIsTheDrillsReport) {
  dr::testing::TempDir tmp("dr-run-files");
  auto files = create_run_dir(tmp.path() / "drills", "region-outage-1");
  ASSERT_TRUE(files) << files.error();
  const SavedRun run = sample_run();
  ASSERT_TRUE(save_run(*files, run));
  auto original = report_of(run);
  ASSERT_TRUE(original) << original.error();

  auto loaded = load_run(files->dir);
  ASSERT_TRUE(loaded) << loaded.error();
  auto recomputed = report_of(*loaded);
  ASSERT_TRUE(recomputed) << recomputed.error();
  EXPECT_EQ(report_json(*recomputed), report_json(*original));
  EXPECT_EQ(render_html(*recomputed, loaded->history), render_html(*original, run.history));
  // The read-back is part of what was saved: sessions, unknowns and servers are judged again.
  const auto& r = recomputed->result;
  EXPECT_EQ(r.lost.size(), 1u);
  EXPECT_EQ(r.lost_sessions.size(), 1u);
  EXPECT_EQ(r.unknown_present.size(), 1u);
  EXPECT_EQ(r.writable_servers, std::vector<std::string>{"b1"});
  EXPECT_EQ(r.unanswered_servers.size(), 1u);
  EXPECT_EQ(verdict_text(*recomputed), "passed, 2 writes lost inside the async window");
  EXPECT_EQ(recomputed->run.topology_after, "b1 (us-west-2) writer");
  EXPECT_EQ(loaded->options.async_window_ms, 500);
}

TEST(RunFiles, ARunDirectoryIsNeverReused) {
  dr::testing::TempDir tmp("dr-run-files");
  auto first = create_run_dir(tmp.path(), "switchover-1");
  ASSERT_TRUE(first);
  ASSERT_TRUE(save_run(*first, sample_run()));
  const std::string before = read(first->events);
  auto second = create_run_dir(tmp.path(), "switchover-1");
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("never overwritten"), std::string::npos) << second.error();
  // Saving into the same directory again is refused too, and the first run's files stay.
  EXPECT_FALSE(save_run(*first, sample_run()));
  EXPECT_EQ(read(first->events), before);
}

TEST(RunFiles, AReportFileIsNeverOverwritten) {
  dr::testing::TempDir tmp("dr-run-files");
  const auto path = tmp.path() / "report.json";
  ASSERT_TRUE(write_new_file(path, "first\n"));
  auto again = write_new_file(path, "second\n");
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().find("never overwritten"), std::string::npos) << again.error();
  EXPECT_EQ(read(path), "first\n");
}

TEST(RunFiles, AMissingOrBrokenFileIsAClearError) {
  dr::testing::TempDir tmp("dr-run-files");
  auto missing = load_run(tmp.path());
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("run.json"), std::string::npos) << missing.error();
  auto files = create_run_dir(tmp.path(), "r");
  ASSERT_TRUE(files);
  ASSERT_TRUE(save_run(*files, sample_run()));
  std::filesystem::remove(files->readback);
  ASSERT_TRUE(write_new_file(files->readback, "{\"orders\": 3}"));
  auto broken = load_run(files->dir);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("readback.json"), std::string::npos) << broken.error();
}

TEST(RunFiles, ABadRunIdIsRefused) {
  dr::testing::TempDir tmp("dr-run-files");
  EXPECT_FALSE(create_run_dir(tmp.path(), "../escape"));
  EXPECT_FALSE(create_run_dir(tmp.path(), ""));
}

}  // namespace
}  // namespace dr::drill
