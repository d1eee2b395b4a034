// The write lease's record: what the holder and the takers read from the store. A corrupt or
// hostile record is never a lease.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lease/etcd_store.h"

namespace dr::lease {
namespace {

using ::testing::HasSubstr;

TEST(LeaseRecord, RoundTripsAndKeepsTheEtcdLeaseIdExact) {
  // etcd lease IDs use all 63 bits: a double would round this one.
  const LeaseRecord r{"us-west-2", 7, 7587885123595186219};
  auto back = parse_lease_record(to_json_text(r));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(*back, r);
}

TEST(LeaseRecord, ACorruptRecordIsABadReplyNamingWhatIsWrong) {
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c :
       {Case{"", "not a JSON object"}, Case{"[1]", "not a JSON object"},
        Case{R"({"epoch":1,"etcd_lease":"5"})", "no region"},
        Case{R"({"region":"","epoch":1,"etcd_lease":"5"})", "no region"},
        Case{R"({"region":"us-east-1","epoch":0,"etcd_lease":"5"})", "epoch"},
        Case{R"({"region":"us-east-1","epoch":"1","etcd_lease":"5"})", "epoch"},
        Case{R"({"region":"us-east-1","epoch":1})", "etcd lease"},
        Case{R"({"region":"us-east-1","epoch":1,"etcd_lease":"0x5"})", "etcd lease"},
        Case{R"({"region":"us-east-1","epoch":1,"etcd_lease":"0"})", "etcd lease"}}) {
    auto r = parse_lease_record(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().kind, ErrorKind::kBadReply) << c.text;
    EXPECT_THAT(r.error().message, HasSubstr(c.why)) << c.text;
  }
}

TEST(LeaseRecord, TheGatewaysInt64ComesAsAStringOrANumber) {
  EXPECT_EQ(json_int64(nlohmann::json("9223372036854775807")), INT64_MAX);
  EXPECT_EQ(json_int64(nlohmann::json(42)), 42);
  EXPECT_FALSE(json_int64(nlohmann::json("42x")));
  EXPECT_FALSE(json_int64(nlohmann::json("")));
  EXPECT_FALSE(json_int64(nlohmann::json(1.5)));
  EXPECT_FALSE(json_int64(nlohmann::json(nullptr)));
}

}  // namespace
}  // namespace dr::lease
