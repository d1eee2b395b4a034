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

// Binlog states (@@gtid_binlog_state), compared per domain and server id.
struct ErrantCase {
  const char* what;
  const char* candidate;
  const char* reference;
  const char* errant;  // what errant_gtids must return
};

const ErrantCase kErrantCases[] = {
    {"equal states", "0-1-9", "0-1-9", ""},
    {"the candidate is behind", "0-1-5", "0-1-9", ""},
    {"an empty candidate", "", "0-1-1", ""},
    {"an empty reference", "0-1-3", "", "0-1-3"},
    {"the reference took over after the candidate's writes", "0-1-9", "0-1-9,0-2-12", ""},
    // The reproduction: b1 holds a1's writes up to 131, then wrote 132..255 itself; a1
    // wrote 132 after the cut. Comparing sequence numbers across server ids (132 < 255) called
    // this safe, and failback then broke replication with error 1236.
    {"a write the failover cut off", "0-1-132", "0-1-131,0-3-255", "0-1-132"},
    {"the old primary also replicated the new one's writes", "0-1-132,0-3-200", "0-1-131,0-3-255",
     "0-1-132"},
    {"caught up with the new primary, nothing of its own", "0-1-131,0-3-255", "0-1-131,0-3-300",
     ""},
    {"a server id the reference never saw", "0-1-3,0-2-4", "0-1-9", "0-2-4"},
    {"a domain the reference never saw", "0-1-3,7-1-1", "0-1-3", "7-1-1"},
    {"equal sequence from another server is another transaction", "0-1-9", "0-2-9", "0-1-9"},
    {"several errant, in order", "0-1-10,1-1-4", "0-1-9,1-1-3,0-3-50", "0-1-10,1-1-4"},
};

TEST(ErrantGtids, ComparesBinlogStatesPerDomainAndServerId) {
  for (const auto& c : kErrantCases) {
    EXPECT_EQ(to_string(errant_gtids(parse(c.candidate), parse(c.reference))), c.errant)
        << c.what << ": candidate " << c.candidate << ", reference " << c.reference;
  }
}

TEST(MostAdvanced, PicksThePositionThatContainsAllOthers) {
  EXPECT_EQ(most_advanced({parse("0-1-40"), parse("0-1-90"), parse("0-1-90")}), 1U);
  EXPECT_EQ(most_advanced({parse("0-1-5"), parse("")}), 0U);
  EXPECT_EQ(most_advanced({parse("0-1-5"), parse("0-2-5")}), std::nullopt);
  EXPECT_TRUE(contains(parse("0-1-9,1-1-2"), parse("1-1-2")));
  // Positions: one GTID per domain, ranked by sequence (strict mode).
  EXPECT_TRUE(contains(parse("0-3-255"), parse("0-1-131")));
  EXPECT_FALSE(contains(parse("0-1-131"), parse("0-3-255")));
  EXPECT_FALSE(contains(parse("0-1-9"), parse("0-2-9")));
}

}  // namespace
}  // namespace dr::lab
