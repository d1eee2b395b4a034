#include "app/requests.h"

#include <gtest/gtest.h>

namespace dr::app {
namespace {

TEST(CreateOrder, AcceptsAWellFormedOrder) {
  auto o = parse_create_order(R"({"customer":"acme","amount_cents":4200,"idempotency_key":"k1"})");
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->customer, "acme");
  EXPECT_EQ(o->amount_cents, 4200);
  EXPECT_EQ(o->idempotency_key, "k1");
}

struct BadCase {
  const char* body;
  int status;
  const char* code;
};

class CreateOrderRejects : public testing::TestWithParam<BadCase> {};

TEST_P(CreateOrderRejects, WithTheRightStatusAndCode) {
  auto o = parse_create_order(GetParam().body);
  ASSERT_FALSE(o) << GetParam().body;
  EXPECT_EQ(o.error().status, GetParam().status) << GetParam().body;
  EXPECT_EQ(o.error().code, GetParam().code) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    BadBodies, CreateOrderRejects,
    testing::Values(
        BadCase{"", 400, "missing_body"}, BadCase{"{", 400, "malformed_json"},
        BadCase{"[1]", 400, "wrong_type"},
        BadCase{R"({"amount_cents":1,"idempotency_key":"k"})", 400, "missing_field"},
        BadCase{R"({"customer":5,"amount_cents":1,"idempotency_key":"k"})", 400, "wrong_type"},
        BadCase{R"({"customer":"c","amount_cents":"12","idempotency_key":"k"})", 400, "wrong_type"},
        BadCase{R"({"customer":"c","amount_cents":1.5,"idempotency_key":"k"})", 400, "wrong_type"},
        BadCase{R"({"customer":"c","amount_cents":0,"idempotency_key":"k"})", 422, "out_of_range"},
        BadCase{R"({"customer":"c","amount_cents":-5,"idempotency_key":"k"})", 422, "out_of_range"},
        BadCase{R"({"customer":"c","amount_cents":18446744073709551615,"idempotency_key":"k"})",
                422, "out_of_range"},
        BadCase{R"({"customer":"","amount_cents":1,"idempotency_key":"k"})", 422, "out_of_range"},
        BadCase{R"({"customer":"c","amount_cents":1})", 400, "missing_field"}));

// The limit said "characters" but counted bytes: 100 accented letters were refused.
TEST(CreateOrder, CountsTextLimitsInCharactersNotBytes) {
  auto order = [](const std::string& customer) {
    return parse_create_order(R"({"customer":")" + customer +
                              R"(","amount_cents":1,"idempotency_key":"k"})");
  };
  std::string accented, emoji;
  for (size_t i = 0; i < kMaxTextField; ++i) accented += "\u00e9";   // 2 bytes each
  for (size_t i = 0; i < kMaxTextField; ++i) emoji += "\U0001F600";  // 4 bytes each
  auto ok = order(accented);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->customer.size(), 2 * kMaxTextField);
  ok = order(emoji);
  ASSERT_TRUE(ok) << ok.error().message;
  auto over = order(accented + "\u00e9");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().status, 422);
  EXPECT_EQ(over.error().message, "field 'customer' must be 1-128 characters (it has 129)");
  EXPECT_FALSE(order(std::string(kMaxTextField + 1, 'a')));
}

TEST(CreateOrder, RejectsOversizedBodiesWith413) {
  std::string huge(kMaxBodyBytes + 1, ' ');
  auto o = parse_create_order(huge);
  ASSERT_FALSE(o);
  EXPECT_EQ(o.error().status, 413);
}

TEST(PutSession, NeedsAnObjectAndAVersion) {
  auto ok = parse_put_session(R"({"data":{"cart":[1,2]},"version":3})");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->version, 3);
  EXPECT_EQ(ok->data["cart"].size(), 2u);
  EXPECT_FALSE(parse_put_session(R"({"data":"x","version":0})"));
  EXPECT_FALSE(parse_put_session(R"({"data":{},"version":-1})"));
  EXPECT_FALSE(parse_put_session(R"({"data":{}})"));
}

TEST(Ids, OrderIdsArePositiveIntegersAndSessionIdsAreSafeText) {
  EXPECT_EQ(parse_order_id("42").value(), 42);
  EXPECT_FALSE(parse_order_id("0"));
  EXPECT_FALSE(parse_order_id("-1"));
  EXPECT_FALSE(parse_order_id("12a"));
  EXPECT_FALSE(parse_order_id(""));
  EXPECT_FALSE(parse_order_id("99999999999999999999"));
  EXPECT_EQ(parse_session_id("user:42-a_b.c").value(), "user:42-a_b.c");
  EXPECT_FALSE(parse_session_id("a/b"));
  EXPECT_FALSE(parse_session_id(""));
  EXPECT_FALSE(parse_session_id(std::string(129, 'a')));
}

}  // namespace
}  // namespace dr::app
