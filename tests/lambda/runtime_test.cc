#include "lambda/runtime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>

namespace dr::lambda {
namespace {

const std::string kScheduled =
    R"({"id":"ev","detail-type":"Scheduled Event","source":"aws.events","time":"t"})";

// Answers `next` from a script and accepts every post, recording it.
struct ScriptedTransport : aws::HttpTransport {
  std::deque<aws::Result<aws::HttpResponse>> nexts;
  std::vector<aws::HttpRequest> sent;
  aws::Result<aws::HttpResponse> send(const aws::HttpRequest& r) override {
    sent.push_back(r);
    if (r.method == "POST") return aws::HttpResponse{202, {}, "{}"};
    if (nexts.empty()) return aws::HttpResponse{500, {}, "{}"};
    auto next = std::move(nexts.front());
    nexts.pop_front();
    return next;
  }
};

aws::HttpResponse invocation(const std::string& id, const std::string& trace) {
  aws::Headers h{
      {"Lambda-Runtime-Aws-Request-Id", id},
      // 12 s ahead of the fixture's clock: one tick (the next, 10 s on, is inside the margin).
      {"Lambda-Runtime-Deadline-Ms", std::to_string(1'764'702'012'000)}};
  if (!trace.empty()) h.emplace_back("Lambda-Runtime-Trace-Id", trace);
  return {200, h, kScheduled};
}

struct Fixture {
  std::shared_ptr<ScriptedTransport> transport = std::make_shared<ScriptedTransport>();
  RuntimeApi api{"127.0.0.1:9001", transport, transport};
  std::vector<std::optional<std::string>> traces;  // _X_AMZN_TRACE_ID as each tick saw it
  std::vector<std::string> lines;
  int64_t now = 1'764'702'000'000;
  Handler handler{[this]() -> std::expected<TickOutcome, std::string> {
                    const char* t = std::getenv("_X_AMZN_TRACE_ID");
                    traces.push_back(t ? std::optional<std::string>(t) : std::nullopt);
                    return TickOutcome{"none", "ok", {}};
                  },
                  {},
                  {[this] { return now; }, [](std::chrono::milliseconds) {},
                   [this](const std::string& l) { lines.push_back(l); }}};
};

TEST(LambdaRuntime, TraceIdIsSetPerInvocationAndA500Ends) {
  Fixture f;
  f.transport->nexts.push_back(invocation("a-1", "Root=1-abc;Sampled=1"));
  f.transport->nexts.push_back(invocation("a-2", ""));  // no trace id: the last one is cleared
  EXPECT_EQ(run_runtime(f.api, f.handler, [&](const std::string& l) { f.lines.push_back(l); }),
            1);  // the script's end is a 500: the runtime must exit
  ASSERT_EQ(f.traces.size(), 2u);
  EXPECT_EQ(f.traces[0], "Root=1-abc;Sampled=1");
  EXPECT_EQ(f.traces[1], std::nullopt);
  std::vector<std::string> posted;
  for (const auto& r : f.transport->sent)
    if (r.method == "POST") posted.push_back(r.path);
  EXPECT_EQ(posted, (std::vector<std::string>{"/2018-06-01/runtime/invocation/a-1/response",
                                              "/2018-06-01/runtime/invocation/a-2/response"}));
  EXPECT_EQ(f.transport->sent.front().host, "127.0.0.1:9001");
  EXPECT_EQ(f.transport->sent.front().scheme, "http");
}

TEST(LambdaRuntime, ThreeFailedNextsInARowEnd) {
  Fixture f;
  for (int i = 0; i < 2; ++i)
    f.transport->nexts.push_back(std::unexpected(aws::Error::not_sent("refused")));
  f.transport->nexts.push_back(invocation("a-1", ""));  // a success resets the count
  for (int i = 0; i < 3; ++i)
    f.transport->nexts.push_back(std::unexpected(aws::Error::not_sent("refused")));
  f.transport->nexts.push_back(invocation("never", ""));
  EXPECT_EQ(run_runtime(f.api, f.handler, [&](const std::string& l) { f.lines.push_back(l); }), 1);
  EXPECT_EQ(f.traces.size(), 1u);
  EXPECT_EQ(f.transport->nexts.size(), 1u);  // "never" was never asked for
}

}  // namespace
}  // namespace dr::lambda
