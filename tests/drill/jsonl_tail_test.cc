#include "drill/jsonl_tail.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "lab/temp_dir.h"

namespace dr::drill {
namespace {

using nlohmann::json;

class JsonlTailTest : public ::testing::Test {
 protected:
  void append(const std::string& text) {
    std::ofstream out(file_, std::ios::app | std::ios::binary);
    out << text;
  }
  static std::vector<int> ns(const std::vector<json>& objects) {
    std::vector<int> out;
    for (const auto& j : objects) out.push_back(j.value("n", -1));
    return out;
  }

  dr::testing::TempDir dir_{"dr-jsonl-tail-test"};
  std::filesystem::path file_ = dir_ / "events.jsonl";
};

TEST_F(JsonlTailTest, AFileNotThereYetReadsAsEmptyAndIsReadOnceItIs) {
  JsonlTail tail(file_);
  EXPECT_TRUE(tail.poll().empty());
  append("{\"n\":1}\n");
  EXPECT_EQ(ns(tail.poll()), std::vector<int>{1});
}

TEST_F(JsonlTailTest, KeepsTheObjectsOfCompleteLinesAndWaitsForAPartialOnesNewline) {
  JsonlTail tail(file_);
  append("{\"n\":1}\nnot json\n[2]\n\n{\"n\":");
  EXPECT_EQ(ns(tail.poll()), std::vector<int>{1}) << "neither a non-object nor half a line";
  append("2}");
  EXPECT_EQ(ns(tail.poll()), std::vector<int>{1}) << "the line still has no newline";
  append("\n{\"n\":3}\n");
  EXPECT_EQ(ns(tail.poll()), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(ns(tail.poll()), (std::vector<int>{1, 2, 3})) << "nothing new: nothing more";
}

TEST_F(JsonlTailTest, ParsesOnlyTheLinesAddedSinceTheLastPoll) {
  JsonlTail tail(file_);
  append("{\"n\":1}\n");
  ASSERT_EQ(ns(tail.poll()), std::vector<int>{1});
  {
    // The first line rewritten in place, as long as it was: a tail that re-read the whole file
    // would see 7 here.
    std::fstream io(file_, std::ios::in | std::ios::out | std::ios::binary);
    io << "{\"n\":7}\n";
  }
  append("{\"n\":2}\n");
  EXPECT_EQ(ns(tail.poll()), (std::vector<int>{1, 2}));
}

TEST_F(JsonlTailTest, AFileThatShrankOrWasReplacedIsReadAgainFromItsBeginning) {
  JsonlTail tail(file_);
  append("{\"n\":1}\n{\"n\":2}\n");
  ASSERT_EQ(ns(tail.poll()), (std::vector<int>{1, 2}));
  std::ofstream(file_, std::ios::trunc) << "{\"n\":3}\n";
  EXPECT_EQ(ns(tail.poll()), std::vector<int>{3}) << "truncated and written again";

  // Replaced by another file at least as long: the offset alone would skip its start.
  const auto other = dir_ / "other.jsonl";
  std::ofstream(other) << "{\"n\":4}\n{\"n\":5}\n";
  std::filesystem::rename(other, file_);
  EXPECT_EQ(ns(tail.poll()), (std::vector<int>{4, 5}));

  std::filesystem::remove(file_);
  EXPECT_TRUE(tail.poll().empty()) << "a removed file holds nothing";
}

TEST_F(JsonlTailTest, KeepsOnlyWhatItsFilterKeeps) {
  JsonlTail tail(file_, [](const json& j) { return j.contains("event"); });
  append("{\"n\":1}\n{\"n\":2,\"event\":\"decision\"}\n");
  EXPECT_EQ(ns(tail.poll()), std::vector<int>{2});
}

}  // namespace
}  // namespace dr::drill
