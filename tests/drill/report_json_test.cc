#include "drill/report.h"

#include <gtest/gtest.h>

#include "drill/history_builder.h"

namespace dr::drill {
namespace {

using testing::HistoryBuilder;

// A region failover: the fault at 1000 ms, decided at 4000, the runbook from 4050 to
// `runbook_end_ms`, a1 fenced and b1 promoted at 4500.
DrillEvents region_failover(double runbook_end_ms) {
  DrillEvents e;
  e.fault_ms = 1000;
  e.decision_ms = 4000;
  e.runbook_start_ms = 4050;
  e.runbook_end_ms = runbook_end_ms;
  e.promotion_ms = 4500;
  e.fenced_server = "a1";
  e.runbook = {{"fence", 4050, 4200, "ok"}, {"promote", 4200, 4500, "ok"}};
  return e;
}

DrillReport region_outage_with_one_lost_write() {
  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk, "a1")
      .order("o2", 950, 955, Outcome::kOk, "a1")
      .order("o3", 1100, 3100, Outcome::kUnknown)
      .order("o4", 1200, 1205, Outcome::kFailed)
      .order("o5", 6000, 6010, Outcome::kOk, "b1");
  const DrillEvents e = region_failover(5000);
  auto report = build_report("region-outage", h.history(), h.stored({"o1", "o5"}),
                             testing::acted("region-outage", e), {});
  EXPECT_TRUE(report) << report.error();
  return *report;
}

// A partition passes with the writes the cut-off primary took before the promotion lost; the
// verdict names them as that, not as the async window's.
TEST(ReportJson, APartitionsVerdictNamesWhereItsLostWritesWent) {
  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk, "a1")
      .order("cut", 3000, 3005, Outcome::kOk, "a1")
      .order("new", 12000, 12005, Outcome::kOk, "b1");
  DrillEvents e;
  e.fault_ms = 1000;
  e.promotion_ms = 10000;
  e.fenced_server = "a1";
  auto report = build_report("partition", h.history(), h.stored({"o1", "new"}),
                             testing::acted("partition", e), {});
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report_json(*report)["verdict"],
            "passed, 1 write lost with the cut-off primary (before the promotion)");
}

TEST(ReportJson, HasTheFieldsTheIssueAsksFor) {
  auto j = report_json(region_outage_with_one_lost_write());
  for (auto field : {"scenario", "acked", "failed", "unknown", "lost_acked", "rpo_window_ms",
                     "split_brain_writes", "rto_ms", "phases_ms", "passed"})
    EXPECT_TRUE(j.contains(field)) << field;
  for (auto phase : {"detect", "decide", "execute", "traffic"})
    EXPECT_TRUE(j["phases_ms"].contains(phase)) << phase;
}

TEST(ReportJson, CarriesTheFiguresOfTheCheck) {
  auto j = report_json(region_outage_with_one_lost_write());
  EXPECT_EQ(j["scenario"], "region-outage");
  EXPECT_EQ(j["acked"], 3);
  EXPECT_EQ(j["failed"], 1);
  EXPECT_EQ(j["unknown"], 1);
  EXPECT_EQ(j["lost_acked"], 1);
  EXPECT_EQ(j["rpo_window_ms"], 0);
  EXPECT_EQ(j["split_brain_writes"], 0);
  EXPECT_EQ(j["rto_ms"], 5010);
  EXPECT_EQ(j["phases_ms"]["detect"], 3000);
  EXPECT_EQ(j["phases_ms"]["decide"], 50);
  EXPECT_EQ(j["phases_ms"]["execute"], 950);
  EXPECT_EQ(j["phases_ms"]["traffic"], 1010);
  EXPECT_EQ(j["passed"], true);
  EXPECT_EQ(j["details"]["lost_keys"], nlohmann::json::array({"o2"}));
  EXPECT_EQ(j["events"]["runbook"][1]["duration_ms"], 300);
}

// Session writes (DynamoDB) are read back too, so they have an RPO of their own: how many
// acknowledged ones were lost, and the window their starts span (issue 8).
TEST(ReportJson, LostSessionsHaveTheirOwnRpo) {
  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk, "a1")
      .session("s1", 200, 205, Outcome::kOk)
      .session("s2", 700, 705, Outcome::kOk)
      .session("s3", 950, 960, Outcome::kOk)
      .session("s4", 6000, 6010, Outcome::kOk)
      .order("o2", 6000, 6010, Outcome::kOk, "b1");
  DrillEvents e;
  e.fault_ms = 1000;
  e.promotion_ms = 4500;
  e.fenced_server = "a1";
  auto report = build_report("region-outage", h.history(), h.stored({"o1", "o2", "s1", "s4"}),
                             testing::acted("region-outage", e), {});
  ASSERT_TRUE(report) << report.error();
  const auto j = report_json(*report);
  EXPECT_EQ(j["sessions"]["checked"], true);
  EXPECT_EQ(j["sessions"]["written"], 4);
  EXPECT_EQ(j["sessions"]["lost_acked"], 2);
  EXPECT_EQ(j["sessions"]["rpo_window_ms"], 250.0);
  EXPECT_EQ(j["lost_acked"], 0) << "the orders lost nothing";
}

TEST(ReportJson, EveryPromiseHasAVerdictAndASentence) {
  auto j = report_json(region_outage_with_one_lost_write());
  ASSERT_TRUE(j["promises"].is_array());
  ASSERT_FALSE(j["promises"].empty());
  for (const auto& p : j["promises"]) {
    EXPECT_TRUE(p["passed"].is_boolean());
    EXPECT_FALSE(p["sentence"].get<std::string>().empty());
  }
}

TEST(ReportJson, UnknownFiguresAreNullNotZero) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  auto report = build_report("switchover", h.history(), h.stored({"o1"}), {}, {});
  ASSERT_TRUE(report);
  auto j = report_json(*report);
  EXPECT_TRUE(j["rto_ms"].is_null());
  EXPECT_TRUE(j["phases_ms"]["detect"].is_null());
}

TEST(ReportJson, AnUnknownScenarioIsRefused) {
  EXPECT_FALSE(build_report("meteor", {}, {}, {}, {}));
}

TEST(ReportSummary, SaysPassedOrFailedAndNamesBrokenPromises) {
  HistoryBuilder h;
  h.order("o1", 0, 5, Outcome::kOk);
  auto report = build_report("az-outage", h.history(), h.stored({}), {}, {});
  ASSERT_TRUE(report);
  auto text = report_summary(*report);
  EXPECT_NE(text.find("FAILED"), std::string::npos) << text;
  EXPECT_NE(text.find("[FAIL] no_lost_acked_writes"), std::string::npos) << text;
}

// The phases are the controller's timeline, not the RTO's parts. Writes back at 6010 ms after a
// fault at 1000 (RTO 5010 ms) and a runbook that ended at 5000: they add up, nothing to say. A
// runbook that goes on to 7000 (the traffic moved at its middle step): the summary says that
// writes came back before it ended, rather than show an execute phase longer than the RTO.
TEST(ReportSummary, SaysWhenWritesCameBackBeforeTheRunbookEnded) {
  auto text = report_summary(region_outage_with_one_lost_write());
  EXPECT_NE(text.find("RTO: 5010 ms (detect 3000 ms"), std::string::npos) << text;
  EXPECT_EQ(text.find("before the runbook ended"), std::string::npos) << text;

  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk, "a1").order("o5", 6000, 6010, Outcome::kOk, "b1");
  auto report = build_report("region-outage", h.history(), h.stored({"o1", "o5"}),
                             testing::acted("region-outage", region_failover(7000)), {});
  ASSERT_TRUE(report) << report.error();
  text = report_summary(*report);
  EXPECT_NE(text.find("execute 2950 ms, traffic 0 ms; writes came back before the runbook ended)"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace dr::drill
