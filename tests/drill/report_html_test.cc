#include "drill/report_html.h"

#include <gtest/gtest.h>

#include <regex>

#include "drill/history_builder.h"
#include "drill/timeline.h"

namespace dr::drill {
namespace {

using testing::HistoryBuilder;

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
  auto report = build_report(scenario, history, stored, e, {});
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

}  // namespace
}  // namespace dr::drill
