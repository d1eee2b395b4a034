// The replicator shares ownership of the clients it polls. The supervisor replaces a region's
// clients when that region's DynamoDB Local restarts, on its own thread, while the replicator
// thread polls through the previous ones: with references that was a use-after-free (a segfault
// in DynamoDbStreams::describe_stream on `lab restore`). Run under ASan in the sanitizer stage.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "aws/dynamodb.h"
#include "aws/support/capture_transport.h"
#include "lab/replicator.h"
#include "lab/wait.h"

namespace dr::lab {
namespace {

using namespace std::chrono_literals;

// Answers ListStreams with no stream: every poll goes through the streams client and fails.
std::shared_ptr<aws::testing::CaptureTransport> no_stream_transport() {
  return std::make_shared<aws::testing::CaptureTransport>(
      aws::HttpResponse{200, {}, R"({"Streams":[]})"});
}

aws::ClientConfig config_with(std::shared_ptr<aws::HttpTransport> transport) {
  aws::ClientConfig c;
  c.region = "us-east-1";
  c.endpoint_url = "http://127.0.0.1:9";
  c.credentials = std::make_shared<aws::StaticCredentialsProvider>(
      aws::Credentials{"lab", "lab-secret", "", {}, "test"});
  c.transport = std::move(transport);
  return c;
}

struct Clients {
  explicit Clients(const aws::ClientConfig& c)
      : streams(std::make_shared<aws::DynamoDbStreams>(c)),
        ddb(std::make_shared<aws::DynamoDb>(c)) {}
  std::shared_ptr<aws::DynamoDbStreams> streams;
  std::shared_ptr<aws::DynamoDb> ddb;
};

StreamReplicator replicator_on(const Clients& c) {
  return StreamReplicator({"us-east-1", "us-west-2", "sessions"}, c.streams, c.ddb,
                          [] { return std::chrono::system_clock::now(); });
}

TEST(ReplicatorOwnership, KeepsTheClientsItPollsAliveAfterTheirOwnerDropsThem) {
  auto transport = no_stream_transport();
  auto clients = std::make_optional<Clients>(config_with(transport));
  std::weak_ptr<aws::DynamoDbStreams> streams = clients->streams;
  std::weak_ptr<aws::DynamoDb> target = clients->ddb;
  auto replicator = std::make_optional(replicator_on(*clients));

  clients.reset();  // the supervisor replaced the region's clients
  EXPECT_FALSE(streams.expired());
  EXPECT_FALSE(target.expired());
  auto polled = replicator->poll_once();
  ASSERT_FALSE(polled);
  EXPECT_NE(polled.error().find("has no stream yet"), std::string::npos) << polled.error();
  ASSERT_EQ(transport->requests().size(), 1u);

  replicator.reset();  // the last user is gone: so are the clients
  EXPECT_TRUE(streams.expired());
  EXPECT_TRUE(target.expired());
}

// The supervisor's pattern: one thread polls whatever replicators are current, another replaces
// the clients and then the replicators, with the lock released in between. ASan reports a
// use-after-free here if a replicator does not own what it polls.
TEST(ReplicatorOwnership, ClientsReplacedWhileAnotherThreadPollsAreNeverUsedAfterFree) {
  auto transport = no_stream_transport();
  std::mutex mu;
  auto clients = std::make_shared<Clients>(config_with(transport));
  std::vector<StreamReplicator> replicators;
  replicators.push_back(replicator_on(*clients));
  std::atomic<bool> stop{false};
  std::atomic<int> polls{0};
  std::thread poller([&] {
    while (!stop) {
      std::lock_guard l(mu);
      for (auto& r : replicators) (void)r.poll_once();
      ++polls;
    }
  });
  constexpr int kReplacements = 200;
  for (int i = 0; i < kReplacements; ++i) {
    {
      std::lock_guard l(mu);
      clients = std::make_shared<Clients>(config_with(transport));  // the old ones are dropped
    }
    // The window: the poller may run here with the previous replicators.
    const int seen = polls;
    auto polled = wait_until("a poll through the previous replicators",
                             [&] { return polls > seen; }, {.timeout = 10s, .poll = 1ms});
    if (!polled) {
      stop = true;
      poller.join();
      FAIL() << polled.error();
    }
    std::lock_guard l(mu);
    replicators.clear();
    replicators.push_back(replicator_on(*clients));
  }
  stop = true;
  poller.join();
  EXPECT_GE(polls.load(), kReplacements);
  EXPECT_GE(transport->requests().size(), static_cast<size_t>(kReplacements));
}

}  // namespace
}  // namespace dr::lab
