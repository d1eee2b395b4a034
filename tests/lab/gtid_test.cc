#include "lab/gtid.h"

#include <gtest/gtest.h>

namespace dr::lab {
namespace {

GtidList parse(std::string_view text) {
  auto list = parse_gtid_list(text);
  EXPECT_TRUE(list) << list.error();
  return list.value_or(GtidList{});
}

TEST(GtidList, ParsesWhatMariaDbPrints) {
  EXPECT_TRUE(parse("").empty());
  const GtidList list = parse("0-1-42,1-3-7");
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0], (Gtid{0, 1, 42}));
  EXPECT_EQ(list[1], (Gtid{1, 3, 7}));
  EXPECT_EQ(to_string(list), "0-1-42,1-3-7");
}

TEST(GtidList, RejectsGarbage) {
  for (const char* bad : {"0-1", "a-b-c", "0-1-2,", "0--1-2", "0-1-2-3"}) {
    EXPECT_FALSE(parse_gtid_list(bad)) << bad;
  }
}

TEST(ErrantGtids, NoneWhenTheCandidateIsBehindOrEqual) {
  EXPECT_TRUE(errant_gtids(parse("0-1-5"), parse("0-1-9")).empty());
  EXPECT_TRUE(errant_gtids(parse("0-1-9"), parse("0-1-9")).empty());
  // After a failover the reference continues the domain with its own server id.
  EXPECT_TRUE(errant_gtids(parse("0-1-9"), parse("0-2-12")).empty());
  EXPECT_TRUE(errant_gtids(parse(""), parse("0-1-1")).empty());
}

TEST(ErrantGtids, FoundWhenTheCandidateIsAheadDivergedOrInAnUnknownDomain) {
  EXPECT_EQ(errant_gtids(parse("0-1-10"), parse("0-2-9")), parse("0-1-10"));
  EXPECT_EQ(errant_gtids(parse("0-1-9"), parse("0-2-9")), parse("0-1-9"));
  EXPECT_EQ(errant_gtids(parse("0-1-3,7-1-1"), parse("0-1-3")), parse("7-1-1"));
}

TEST(MostAdvanced, PicksThePositionThatContainsAllOthers) {
  EXPECT_EQ(most_advanced({parse("0-1-40"), parse("0-1-90"), parse("0-1-90")}), 1U);
  EXPECT_EQ(most_advanced({parse("0-1-5"), parse("")}), 0U);
  EXPECT_EQ(most_advanced({parse("0-1-5"), parse("0-2-5")}), std::nullopt);
  EXPECT_TRUE(contains(parse("0-1-9,1-1-2"), parse("1-1-2")));
}

}  // namespace
}  // namespace dr::lab
