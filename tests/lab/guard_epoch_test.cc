#include "lab/guard_epoch.h"

#include <gtest/gtest.h>

namespace dr::lab {
namespace {

GuardReading value(std::string server, bool writer, std::optional<std::string> epoch) {
  return {std::move(server), writer, std::move(epoch)};
}
GuardReading error(std::string server, bool writer, unsigned code) {
  return {std::move(server), writer, std::unexpected(db::Error::from_code(code, "", "boom"))};
}

TEST(GuardEpoch, HighestOfTheServersThatAnswer) {
  auto e = highest_guard_epoch(
      {value("a1", true, "4"), value("a2", false, "4"), value("b1", false, "7")});
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(*e, 7);
}

TEST(GuardEpoch, NoTableOrNoRowIsZero) {
  auto e = highest_guard_epoch({error("a1", true, 1146), value("b1", false, std::nullopt)});
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(*e, 0);
}

// The bug: `lab up --write-lease` seeded 0 when the writer did not answer, below its guard row.
TEST(GuardEpoch, AWriterThatDoesNotAnswerIsAnErrorNotZero) {
  auto e = highest_guard_epoch({error("a1", true, 2003), value("b1", false, "3")});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().find("a1"), std::string::npos) << e.error();
  EXPECT_NE(e.error().find("stale"), std::string::npos) << e.error();
  EXPECT_FALSE(highest_guard_epoch({value("b1", false, "3")}));
}

TEST(GuardEpoch, AReplicaThatDoesNotAnswerIsSkipped) {
  auto e = highest_guard_epoch({value("a1", true, "5"), error("b1", false, 2013)});
  ASSERT_TRUE(e) << e.error();
  EXPECT_EQ(*e, 5);
}

TEST(GuardEpoch, AValueThatIsNotAnEpochIsRefused) {
  for (const char* bad : {"", "x", "-1", "5x", "99999999999999999999"}) {
    auto e = highest_guard_epoch({value("a1", true, std::string(bad))});
    EXPECT_FALSE(e) << "'" << bad << "'";
  }
}

}  // namespace
}  // namespace dr::lab
