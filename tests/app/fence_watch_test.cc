// dr-app's side of the controller's fence record: what one look does with each record it may
// find (unit), and a real dr-app obeying a record written in DynamoDB Local (integration).
#include "app/fence_watch.h"

#include <gtest/gtest.h>

#include <deque>

namespace dr::app {
namespace {

using Answer = std::expected<std::optional<aws::FenceRecord>, std::string>;

class FenceWatchTest : public ::testing::Test {
 protected:
  FenceWatch watch(const std::string& region = "us-east-1") {
    return FenceWatch(fence_, region, [this]() -> Answer {
      Answer a = answers_.front();
      if (answers_.size() > 1) answers_.pop_front();
      return a;
    });
  }
  static aws::FenceRecord record(bool fenced, int64_t at, const std::string& region = "us-east-1") {
    return {.region = region,
            .fenced = fenced,
            .reason = fenced ? "failover fo-1" : "failback",
            .updated_at_ms = at,
            .updated_by = "dr-controller"};
  }
  FenceState fence_;
  std::deque<Answer> answers_;
};

TEST_F(FenceWatchTest, ARecordFencesAndANewerLiftedOneUnfences) {
  answers_ = {std::optional<aws::FenceRecord>(), record(true, 100), record(true, 100),
              record(false, 200)};
  auto w = watch();
  EXPECT_EQ(w.poll_once(), "") << "no record: nothing to do";
  EXPECT_FALSE(fence_.fenced());
  EXPECT_EQ(w.poll_once(), "fenced: failover fo-1");
  EXPECT_TRUE(fence_.fenced());
  EXPECT_EQ(fence_.reason(), "failover fo-1");
  EXPECT_EQ(w.poll_once(), "") << "the same record again changes nothing";
  EXPECT_EQ(w.poll_once(), "lifted");
  EXPECT_FALSE(fence_.fenced());
}

TEST_F(FenceWatchTest, AnOlderRecordAnotherRegionsAndAFailedReadChangeNothing) {
  answers_ = {record(true, 200), record(false, 100), record(false, 300, "us-west-2"),
              std::unexpected(std::string("unreachable: connection refused"))};
  auto w = watch();
  EXPECT_EQ(w.poll_once(), "fenced: failover fo-1");
  EXPECT_EQ(w.poll_once(), "") << "a lift older than the fence (replicated late) is ignored";
  EXPECT_TRUE(fence_.fenced());
  EXPECT_EQ(w.poll_once(), "") << "another region's record is not ours";
  EXPECT_TRUE(fence_.fenced());
  EXPECT_EQ(w.poll_once().find("cannot read the fence record"), 0u);
  EXPECT_TRUE(fence_.fenced()) << "the last known fence holds while the table cannot be read";
}

TEST_F(FenceWatchTest, AnOperatorsLocalUnfenceStandsUntilTheControllerWritesAgain) {
  answers_ = {record(true, 100), record(true, 100), record(true, 150)};
  auto w = watch();
  w.poll_once();
  fence_.unfence();  // POST /admin/unfence
  EXPECT_EQ(w.poll_once(), "");
  EXPECT_FALSE(fence_.fenced());
  EXPECT_EQ(w.poll_once(), "fenced: failover fo-1") << "a newer record is obeyed";
}

TEST_F(FenceWatchTest, TheThreadLooksUntilStopped) {
  answers_ = {record(true, 100)};
  auto w = watch();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> seen;
  w.start(std::chrono::milliseconds(10), [&](const std::string& what) {
    std::lock_guard lock(mu);
    seen.push_back(what);
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(5), [&] { return !seen.empty(); }));
  lock.unlock();
  w.stop();
  EXPECT_EQ(seen.front(), "fenced: failover fo-1");
  EXPECT_TRUE(fence_.fenced());
}

}  // namespace
}  // namespace dr::app
