#include "drill/history.h"

#include <gtest/gtest.h>

#include <fstream>

#include "drill/readback_set.h"
#include "lab/temp_dir.h"

namespace dr::drill {
namespace {

Operation order(std::uint64_t seq, Outcome outcome) {
  Operation op;
  op.seq = seq;
  op.key = "k-" + std::to_string(seq);
  op.customer = "c-" + std::to_string(seq);
  op.amount_cents = static_cast<std::int64_t>(seq) + 100;
  op.start_ms = 10.5 * static_cast<double>(seq);
  op.end_ms = op.start_ms + 2.25;
  op.outcome = outcome;
  op.http_status = 201;
  op.committed_by = "127.0.1.10";
  op.served_region = "us-east-1";
  return op;
}

TEST(History, TheRecorderReturnsOperationsInIssueOrder) {
  Recorder recorder;
  recorder.record(order(2, Outcome::kOk));
  recorder.record(order(0, Outcome::kFailed));
  recorder.record(order(1, Outcome::kUnknown));
  auto h = recorder.snapshot(42);
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[0].seq, 0u);
  EXPECT_EQ(h.ops[2].seq, 2u);
  EXPECT_EQ(h.started_at_unix_ms, 42);
}

TEST(History, SurvivesAJsonlRoundTrip) {
  dr::testing::TempDir tmp("drill-history");
  History h;
  h.started_at_unix_ms = 1'700'000'000'000;
  h.ops = {order(0, Outcome::kOk), order(1, Outcome::kUnknown)};
  h.ops[1].kind = OpKind::kSession;
  h.ops[1].error = "outcome_unknown";
  h.ops[0].via = "stale:us-east-1";
  ASSERT_TRUE(save_history(h, tmp / "h.jsonl"));
  auto back = load_history(tmp / "h.jsonl");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->started_at_unix_ms, h.started_at_unix_ms);
  ASSERT_EQ(back->ops.size(), 2u);
  EXPECT_EQ(back->ops[0].key, "k-0");
  EXPECT_EQ(back->ops[0].amount_cents, 100);
  EXPECT_EQ(back->ops[0].committed_by, "127.0.1.10");
  EXPECT_DOUBLE_EQ(back->ops[0].end_ms, 2.25);
  EXPECT_EQ(back->ops[1].kind, OpKind::kSession);
  EXPECT_EQ(back->ops[1].outcome, Outcome::kUnknown);
  EXPECT_EQ(back->ops[1].error, "outcome_unknown");
  EXPECT_EQ(back->ops[0].via, "stale:us-east-1");  // which path acknowledged it, for split brain
  EXPECT_EQ(back->ops[1].via, "");
}

TEST(History, ABrokenLineIsRefusedWithItsNumber) {
  dr::testing::TempDir tmp("drill-history");
  std::ofstream(tmp / "h.jsonl") << R"({"drill_history":1,"started_at_unix_ms":0})"
                                 << "\n{oops\n";
  auto back = load_history(tmp / "h.jsonl");
  ASSERT_FALSE(back);
  EXPECT_NE(back.error().find(":2:"), std::string::npos) << back.error();
}

TEST(History, TheEpochPutsSteadyAndWallTimesOnOneAxis) {
  auto steady = std::chrono::steady_clock::now();
  auto wall = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'000'000));
  DrillEpoch epoch(steady, wall);
  EXPECT_DOUBLE_EQ(epoch.ms_since_start(steady + std::chrono::milliseconds(250)), 250);
  EXPECT_DOUBLE_EQ(epoch.ms_from_unix_ms(1'000'750), 750);
}

TEST(ReadBackFile, SurvivesAJsonRoundTrip) {
  dr::testing::TempDir tmp("drill-readback");
  ReadBack r;
  r.source = "b1";
  r.orders["k-1"] = {"c-1", 101, "127.0.2.10"};
  ASSERT_TRUE(save_readback(r, tmp / "r.json"));
  auto back = load_readback(tmp / "r.json");
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->source, "b1");
  EXPECT_EQ(back->orders.at("k-1").amount_cents, 101);
  EXPECT_EQ(back->orders.at("k-1").committed_by, "127.0.2.10");
}

}  // namespace
}  // namespace dr::drill
