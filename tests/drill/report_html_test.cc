#include "drill/report_html.h"

#include <gtest/gtest.h>

#include <regex>

#include "drill/history_builder.h"
#include "drill/timeline.h"

namespace dr::drill {
namespace {

using testing::acted;
using testing::HistoryBuilder;

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Timeline, CountsOutcomesAndLatencyPerHundredMilliseconds) {
  HistoryBuilder h;
  h.order("a", 10, 20, Outcome::kOk)
      .order("b", 50, 80, Outcome::kOk)
      .order("c", 90, 2090, Outcome::kUnknown)
      .order("d", 250, 255, Outcome::kFailed);
  auto buckets = bucket_history(h.history());
  ASSERT_EQ(buckets.size(), 3u);
  EXPECT_EQ(buckets[0].ok, 2u);
  EXPECT_EQ(buckets[0].unknown, 1u);
  EXPECT_EQ(buckets[0].p50_latency_ms, 30);
  EXPECT_EQ(buckets[0].max_latency_ms, 2000);
  EXPECT_EQ(buckets[1].total(), 0u);
  EXPECT_FALSE(buckets[1].p50_latency_ms);
  EXPECT_EQ(buckets[2].failed, 1u);
  EXPECT_EQ(buckets[2].start_ms, 200);
}

DrillReport sample_report(const History& history, const ReadBack& stored,
                          const std::string& scenario = "region-outage") {
  DrillEvents e;
  e.fault_ms = 100;
  e.decision_ms = 200;
  e.runbook = {{"fence <old>", 210, 230, "ok"}};
  auto report = build_report(scenario, history, stored, acted(scenario, e), {});
  EXPECT_TRUE(report);
  return *report;
}

TEST(ReportHtml, IsOneSelfContainedPage) {
  HistoryBuilder h;
  h.order("a", 10, 20, Outcome::kOk).order("b", 150, 160, Outcome::kOk);
  auto html = render_html(sample_report(h.history(), h.stored({"a", "b"})), h.history());
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  // The only URL is the SVG namespace: no stylesheet, script, font or image is fetched.
  std::regex external(R"((src|href)\s*=|@import|url\()");
  EXPECT_FALSE(std::regex_search(html, external));
}

TEST(ReportHtml, MarksTheFaultTheDecisionAndEachRunbookStep) {
  HistoryBuilder h;
  h.order("a", 10, 20, Outcome::kOk).order("b", 150, 160, Outcome::kOk);
  auto html = render_html(sample_report(h.history(), h.stored({"a", "b"})), h.history());
  EXPECT_NE(html.find("fault (100 ms)"), std::string::npos);
  EXPECT_NE(html.find("decision (200 ms)"), std::string::npos);
  EXPECT_NE(html.find(">fence &lt;old&gt;</text>"), std::string::npos) << "escaped";
  EXPECT_NE(html.find("recovery (160 ms)"), std::string::npos);
}

TEST(ReportHtml, ListsTheLostWritesAndTheVerdict) {
  HistoryBuilder h;
  h.order("a", 10, 20, Outcome::kOk).order("gone", 20, 25, Outcome::kOk);
  auto html = render_html(sample_report(h.history(), h.stored({"a"}), "az-outage"), h.history());
  EXPECT_NE(html.find("gone"), std::string::npos);
  EXPECT_NE(html.find("FAILED"), std::string::npos);
}

// A region outage that lost writes inside the async window: drawn where they started, and the
// verdict is not a plain green PASSED.
DrillReport lost_in_window(const History& history, const ReadBack& stored) {
  DrillEvents e;
  e.fault_ms = 1000;
  e.decision_ms = 3000;
  e.runbook_start_ms = 3100;
  e.runbook_end_ms = 4000;
  e.promotion_ms = 3500;
  e.fenced_server = "a1";
  e.decision_action = "region-failover";
  e.decision_reason = "the databases of us-east-1 are down: failing over to us-west-2";
  e.failover_id = "fo-1764690000000";
  e.runbook = {{"fence_old_primary", 3100, 3200, "skipped: a1 unreachable"},
               {"catch_up", 3200, 3250, "ok"},
               {"promote", 3250, 3500, "ok"}};
  RunInfo run;
  run.run_id = "region-outage-1764690000000";
  run.parameters = {{"rate", 40}, {"duration_s", 12}, {"fault_at_s", 1}};
  run.topology_before = "a1 (us-east-1) writer; front door -> us-east-1";
  run.topology_after = "b1 (us-west-2) writer; front door -> us-west-2";
  auto report = build_report("region-outage", history, stored, acted("region-outage", e), {}, run);
  EXPECT_TRUE(report) << report.error();
  return *report;
}

HistoryBuilder window_history() {
  HistoryBuilder h;
  h.order("o1", 100, 105, Outcome::kOk, "a1")
      .order("gone1", 900, 905, Outcome::kOk, "a1")
      .session("gone2", 950, 955, Outcome::kOk)
      .order("u1", 1050, 3050, Outcome::kUnknown)
      .order("u2", 1060, 3060, Outcome::kUnknown)
      .order("back", 4500, 4510, Outcome::kOk, "b1");
  h.history();
  return h;
}

TEST(ReportHtml, DrawsEveryLostWriteOnTheTimeline) {
  auto h = window_history();
  auto report = lost_in_window(h.history(), h.stored({"o1", "back", "u1"}));
  auto html = render_html(report, h.history());
  EXPECT_EQ(count(html, "class=\"lost\""), 2) << "one mark per lost order or session";
  EXPECT_NE(html.find("lost order gone1"), std::string::npos);
  EXPECT_NE(html.find("lost session gone2"), std::string::npos);
}

TEST(ReportHtml, LossInsideTheAsyncWindowIsNotAPlainPass) {
  auto h = window_history();
  auto report = lost_in_window(h.history(), h.stored({"o1", "back", "u1"}));
  ASSERT_TRUE(report.passed) << report_summary(report);
  auto html = render_html(report, h.history());
  EXPECT_NE(html.find("passed, 2 writes lost inside the async window"), std::string::npos);
  EXPECT_EQ(html.find(">PASSED<"), std::string::npos);
  EXPECT_NE(html.find("class=\"verdict warn\""), std::string::npos);
  EXPECT_EQ(report_json(report)["verdict"], "passed, 2 writes lost inside the async window");
}

TEST(ReportHtml, DrawsThePhasesAsBandsFromTheFaultToTheRecovery) {
  auto h = window_history();
  auto html = render_html(lost_in_window(h.history(), h.stored({"o1", "back"})), h.history());
  EXPECT_NE(html.find("class=\"band detect\" data-from-ms=\"1000\" data-to-ms=\"3000\""),
            std::string::npos);
  EXPECT_NE(html.find("class=\"band decide\" data-from-ms=\"3000\" data-to-ms=\"3100\""),
            std::string::npos);
  EXPECT_NE(html.find("class=\"band execute\" data-from-ms=\"3100\" data-to-ms=\"4000\""),
            std::string::npos);
  // Traffic: from the runbook's end to the first acknowledged write after the fault.
  EXPECT_NE(html.find("class=\"band traffic\" data-from-ms=\"4000\" data-to-ms=\"4510\""),
            std::string::npos);
}

TEST(ReportHtml, DrawsNoLatencyLineAcrossAGapWithoutOperations) {
  HistoryBuilder h;
  h.order("a", 10, 20, Outcome::kOk)
      .order("b", 110, 130, Outcome::kOk)
      .order("c", 2010, 2020, Outcome::kOk)  // 1.9 s without an operation before it
      .order("d", 2110, 2120, Outcome::kOk);
  auto html = render_html(sample_report(h.history(), h.stored({"a", "b", "c", "d"})), h.history());
  EXPECT_EQ(count(html, "class=\"lat-p50\""), 2) << "one line per run of buckets";
  EXPECT_EQ(count(html, "class=\"lat-max\""), 2);
}

// Labels of markers close together (a runbook's steps) take separate rows, never overlapping.
TEST(ReportHtml, EventLabelsDoNotOverlap) {
  HistoryBuilder h;
  h.order("a", 10, 20, Outcome::kOk).order("b", 9000, 9010, Outcome::kOk);
  DrillEvents e;
  e.fault_ms = 1000;
  e.decision_ms = 1010;
  for (int i = 0; i < 9; ++i)
    e.runbook.push_back({"step_number_" + std::to_string(i), 1020.0 + i * 5, 1030.0 + i * 5, "ok"});
  e.runbook_start_ms = 1020;
  e.runbook_end_ms = 1100;
  auto report = build_report("region-outage", h.history(), h.stored({"a", "b"}),
                             acted("region-outage", e), {});
  ASSERT_TRUE(report);
  auto html = render_html(*report, h.history());
  std::regex label(
      R"re(<text x="([0-9.]+)" y="([0-9.]+)" fill="[^"]*" class="mlabel">([^<]*)</text>)re");
  struct Box {
    double x0, x1, y;
  };
  std::vector<Box> boxes;
  for (std::sregex_iterator it(html.begin(), html.end(), label), end; it != end; ++it) {
    const double x = std::stod((*it)[1]);
    boxes.push_back({x, x + 6.0 * static_cast<double>((*it)[3].length()), std::stod((*it)[2])});
  }
  ASSERT_GE(boxes.size(), 12u);
  auto no_overlap = [](const std::vector<Box>& b) {
    for (std::size_t i = 0; i < b.size(); ++i)
      for (std::size_t j = i + 1; j < b.size(); ++j) {
        const bool same_row = b[i].y == b[j].y;
        const bool overlap = b[i].x0 < b[j].x1 && b[j].x0 < b[i].x1;
        EXPECT_FALSE(same_row && overlap) << "labels " << i << " and " << j << " overlap";
      }
  };
  no_overlap(boxes);
  // The phase bands' labels too (10, 10, 80 ms phases side by side).
  std::regex band(R"re(<text x="([0-9.]+)" y="([0-9.]+)" class="bandlabel">([^<]*)</text>)re");
  std::vector<Box> bands;
  for (std::sregex_iterator it(html.begin(), html.end(), band), end; it != end; ++it) {
    const double x = std::stod((*it)[1]);
    bands.push_back({x, x + 5.5 * static_cast<double>((*it)[3].length()), std::stod((*it)[2])});
  }
  ASSERT_GE(bands.size(), 2u);
  no_overlap(bands);
}

TEST(ReportHtml, TheHeaderSaysWhenWhatAndWhatTheControllerDid) {
  auto h = window_history();
  h.history();
  History history = h.history();
  history.started_at_unix_ms = 1764690000123;  // 2025-12-02 15:40:00.123 UTC
  auto html = render_html(lost_in_window(history, h.stored({"o1", "back"})), history);
  EXPECT_NE(html.find("2025-12-02 15:40:00.123 UTC"), std::string::npos);
  EXPECT_NE(html.find("duration_s 12, fault_at_s 1, rate 40"), std::string::npos);
  EXPECT_NE(html.find("a1 (us-east-1) writer; front door -&gt; us-east-1"), std::string::npos);
  EXPECT_NE(html.find("b1 (us-west-2) writer; front door -&gt; us-west-2"), std::string::npos);
  EXPECT_NE(html.find("region-failover: the databases of us-east-1 are down: failing over to "
                      "us-west-2"),
            std::string::npos);
  EXPECT_NE(html.find("fo-1764690000000"), std::string::npos);
}

TEST(ReportHtml, UnknownOutcomesAreResolvedByTheReadBack) {
  auto h = window_history();
  auto html = render_html(lost_in_window(h.history(), h.stored({"o1", "back", "u1"})), h.history());
  EXPECT_NE(html.find("2: 1 found written, 1 absent"), std::string::npos);
}

// Fencing was skipped (the old primary was unreachable): the promise must not call it fenced.
TEST(ReportHtml, NoSplitBrainDoesNotNameAFencedServerWhenFencingWasSkipped) {
  auto h = window_history();
  auto html = render_html(lost_in_window(h.history(), h.stored({"o1", "back"})), h.history());
  EXPECT_EQ(html.find("fenced server"), std::string::npos);
  EXPECT_EQ(html.find("fenced old primary"), std::string::npos);
  EXPECT_NE(html.find("the old primary a1 (fence skipped: a1 unreachable)"), std::string::npos);
}

}  // namespace
}  // namespace dr::drill
