#include "drill/classify.h"

#include <gtest/gtest.h>

namespace dr::drill {
namespace {

TEST(Classify, A2xxIsAnAcknowledgement) {
  EXPECT_EQ(classify_response(201, "{}").outcome, Outcome::kOk);
  EXPECT_EQ(classify_response(200, "{}").outcome, Outcome::kOk);
}

TEST(Classify, A4xxIsADefiniteRefusal) {
  auto v = classify_response(409, R"({"error":"idempotency_key_reused"})");
  EXPECT_EQ(v.outcome, Outcome::kFailed);
  EXPECT_EQ(v.error, "idempotency_key_reused");
}

TEST(Classify, TheAppsNotWrittenCodesAreRefusals) {
  for (auto code : {"read_only", "fenced", "database_unavailable"}) {
    auto v = classify_response(503, std::string(R"({"error":")") + code + "\"}");
    EXPECT_EQ(v.outcome, Outcome::kFailed) << code;
    EXPECT_EQ(v.error, code);
  }
}

TEST(Classify, AnOutcomeUnknownOrAProxys5xxIsUnknown) {
  EXPECT_EQ(classify_response(504, R"({"error":"outcome_unknown"})").outcome, Outcome::kUnknown);
  EXPECT_EQ(classify_response(503, "<html>No server is available</html>").outcome,
            Outcome::kUnknown);
  EXPECT_EQ(classify_response(502, "").outcome, Outcome::kUnknown);
  EXPECT_EQ(classify_response(500, R"({"error":"internal"})").outcome, Outcome::kUnknown);
  EXPECT_EQ(classify_response(503, "").error, "http_503");
}

TEST(Classify, NoResponseIsAFailureOnlyWhenNothingWasSent) {
  EXPECT_EQ(classify_no_response(false, "connection").outcome, Outcome::kFailed);
  EXPECT_EQ(classify_no_response(true, "read").outcome, Outcome::kUnknown);
}

}  // namespace
}  // namespace dr::drill
