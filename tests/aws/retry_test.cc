// The SDKs' "standard" retry mode: what is retried, how long it waits (injected randomness, no
// real sleeps), the retry quota, and ServiceClient end to end against a loopback server.
#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "aws/client.h"
#include "aws/retry.h"
#include "aws/support/loopback_server.h"

namespace dr::aws {
namespace {

using namespace std::chrono_literals;
using dr::test::ClosedPort;
using dr::test::LoopbackServer;

Error throttled() {
  return Error::service(400, "ThrottlingException", "Rate exceeded");
}
Error unavailable() {
  return Error::service(503, "ServiceUnavailable", "try later");
}
Error invalid() {
  return Error::service(400, "ValidationException", "bad key");
}

// Records the delays instead of sleeping; random is fixed.
struct Hooks {
  explicit Hooks(double r = 0.5) {
    hooks.random = [r] { return r; };
    hooks.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
  }
  RetryHooks hooks;
  std::vector<std::chrono::milliseconds> sleeps;
};

// Fails with `errors` in turn, then succeeds; counts attempts.
struct Script {
  std::vector<Error> errors;
  int attempts = 0;
  std::function<Result<int>(int)> fn() {
    return [this](int n) -> Result<int> {
      ++attempts;
      EXPECT_EQ(n, attempts);
      if (static_cast<size_t>(n) <= errors.size()) return std::unexpected(errors[n - 1]);
      return n;
    };
  }
};

TEST(RetryClassification, ThrottlingCodesAndStatus429AreThrottling) {
  EXPECT_TRUE(is_throttling(throttled()));
  EXPECT_TRUE(is_throttling(Error::service(400, "ProvisionedThroughputExceededException", "")));
  EXPECT_TRUE(is_throttling(Error::service(429, "Whatever", "")));
  EXPECT_FALSE(is_throttling(invalid()));
  EXPECT_FALSE(is_throttling(Error::not_sent("connect failed")));
}

TEST(RetryClassification, ServerErrorsAndConnectionErrorsAreTransientClientErrorsAreNot) {
  for (int status : {500, 502, 503, 504})
    EXPECT_TRUE(is_retryable(Error::service(status, "X", ""))) << status;
  EXPECT_TRUE(is_retryable(Error::not_sent("refused")));
  EXPECT_TRUE(is_retryable(Error::outcome_unknown("timed out")));
  EXPECT_TRUE(is_retryable(Error::service(400, "RequestTimeout", "")));
  EXPECT_FALSE(is_retryable(invalid()));
  EXPECT_FALSE(is_retryable(Error::service(403, "AccessDeniedException", "")));
  EXPECT_FALSE(is_retryable(Error::service(501, "NotImplemented", "")));
  EXPECT_FALSE(is_retryable(Error::parse("truncated")));
  EXPECT_FALSE(is_retryable(Error::credentials("none")));
  EXPECT_FALSE(is_retryable(Error::invalid_argument("bad")));
}

TEST(WithRetries, ThrottlingIsRetriedUpToThreeAttempts) {
  RetryOptions options;
  RetryQuota quota(options);
  Hooks h;
  Script s{{throttled(), throttled(), throttled(), throttled()}};
  auto result = with_retries<int>(options, quota, h.hooks, s.fn());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "ThrottlingException");
  EXPECT_EQ(s.attempts, 3);
  EXPECT_EQ(h.sleeps.size(), 2u);
}

TEST(WithRetries, AServerErrorIsRetriedAndTheThirdAttemptCanSucceed) {
  RetryOptions options;
  RetryQuota quota(options);
  Hooks h;
  Script s{{unavailable(), Error::service(500, "InternalServerError", "")}};
  auto result = with_retries<int>(options, quota, h.hooks, s.fn());
  ASSERT_TRUE(result) << result.error();
  EXPECT_EQ(*result, 3);
  EXPECT_EQ(s.attempts, 3);
}

TEST(WithRetries, AClientErrorThatIsNotThrottlingIsNotRetried) {
  RetryOptions options;
  RetryQuota quota(options);
  Hooks h;
  Script s{{invalid(), unavailable()}};
  auto result = with_retries<int>(options, quota, h.hooks, s.fn());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, "ValidationException");
  EXPECT_EQ(s.attempts, 1);
  EXPECT_TRUE(h.sleeps.empty());
  EXPECT_EQ(quota.available(), 500);
}

TEST(Backoff, IsFullJitterTimesTwoToTheAttemptCappedAtTwentySeconds) {
  RetryOptions o;
  EXPECT_EQ(backoff_delay(o, 1, 0.5), 500ms);
  EXPECT_EQ(backoff_delay(o, 2, 0.5), 1000ms);
  EXPECT_EQ(backoff_delay(o, 3, 0.5), 2000ms);
  EXPECT_EQ(backoff_delay(o, 3, 0.0), 0ms);  // full jitter: anywhere from zero
  EXPECT_EQ(backoff_delay(o, 3, 0.999), 3996ms);
  EXPECT_EQ(backoff_delay(o, 6, 0.99), 20000ms);    // 31.68 s capped
  EXPECT_EQ(backoff_delay(o, 100, 0.99), 20000ms);  // no overflow for absurd attempt numbers
  o.base_delay = 25ms;
  o.max_backoff = 60ms;
  EXPECT_EQ(backoff_delay(o, 2, 0.5), 25ms);
  EXPECT_EQ(backoff_delay(o, 4, 0.5), 60ms);
}

TEST(WithRetries, SleepsTheBackoffComputedFromTheInjectedRandom) {
  RetryOptions options;
  RetryQuota quota(options);
  Hooks h(0.25);
  Script s{{unavailable(), unavailable()}};
  ASSERT_TRUE(with_retries<int>(options, quota, h.hooks, s.fn()));
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{250ms, 500ms}));
}

TEST(RetryQuotaTest, DrainsAndThenStopsRetrying) {
  RetryOptions options;
  options.initial_quota = 10;  // two retries' worth
  RetryQuota quota(options);
  Hooks h;
  Script first{{unavailable(), unavailable(), unavailable()}};
  EXPECT_FALSE(with_retries<int>(options, quota, h.hooks, first.fn()));
  EXPECT_EQ(first.attempts, 3);
  EXPECT_EQ(quota.available(), 0);

  Script second{{unavailable(), unavailable(), unavailable()}};
  EXPECT_FALSE(with_retries<int>(options, quota, h.hooks, second.fn()));
  EXPECT_EQ(second.attempts, 1);  // quota empty: fail fast instead of piling on
  EXPECT_EQ(h.sleeps.size(), 2u);
}

TEST(RetryQuotaTest, TimeoutsCostMoreThanOtherRetries) {
  RetryOptions options;
  options.initial_quota = 15;
  RetryQuota quota(options);
  Hooks h;
  Script s{{Error::outcome_unknown("timeout"), Error::outcome_unknown("timeout"), unavailable()}};
  EXPECT_FALSE(with_retries<int>(options, quota, h.hooks, s.fn()));
  EXPECT_EQ(s.attempts, 2);  // 10 taken for the first retry, 5 left is too few for another
  EXPECT_EQ(quota.available(), 5);
}

TEST(RetryQuotaTest, SuccessRefundsWhatItsRetriesTookAndOtherwiseAddsOne) {
  RetryOptions options;
  RetryQuota quota(options);
  Hooks h;
  Script failing{{unavailable(), unavailable(), unavailable()}};
  EXPECT_FALSE(with_retries<int>(options, quota, h.hooks, failing.fn()));
  EXPECT_EQ(quota.available(), 490);
  Script recovering{{unavailable()}};
  EXPECT_TRUE(with_retries<int>(options, quota, h.hooks, recovering.fn()));
  EXPECT_EQ(quota.available(), 490);  // took 5, gave 5 back
  Script clean{};
  EXPECT_TRUE(with_retries<int>(options, quota, h.hooks, clean.fn()));
  EXPECT_EQ(quota.available(), 491);
  for (int i = 0; i < 20; ++i) {
    Script again{};
    EXPECT_TRUE(with_retries<int>(options, quota, h.hooks, again.fn()));
  }
  EXPECT_EQ(quota.available(), 500);  // never above the initial amount
}

// ---- ServiceClient end to end ----

Error parse_json_error(const HttpResponse& response) {
  return Error::service(response.status, response.body, "from test parser");
}

struct ClientFixture : ::testing::Test {
  ServiceClient make(const std::string& endpoint) {
    ClientConfig config;
    config.region = "us-west-2";
    config.endpoint_url = endpoint;
    config.credentials = std::make_shared<StaticCredentialsProvider>(
        Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "test"});
    config.clock = [] { return *parse_iso8601("2024-05-01T12:00:00Z"); };
    config.retry_hooks = hooks.hooks;
    return ServiceClient({"dynamodb", "dynamodb", false}, config);
  }
  HttpRequest request() {
    HttpRequest r;
    r.method = "POST";
    r.path = "/";
    r.set_header("X-Amz-Target", "DynamoDB_20120810.DescribeTable");
    r.set_header("Content-Type", "application/x-amz-json-1.0");
    r.body = R"({"TableName":"orders"})";
    return r;
  }
  Hooks hooks{0.5};
};

TEST_F(ClientFixture, Retries503TwiceThenSucceedsWithThreeSignedAttempts) {
  LoopbackServer server;
  std::mutex mu;
  std::vector<std::string> authorizations;
  server.http().Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    authorizations.push_back(req.get_header_value("Authorization"));
    if (authorizations.size() <= 2) {
      res.status = 503;
      res.set_content("ServiceUnavailable", "application/x-amz-json-1.0");
      return;
    }
    res.set_content(R"({"Table":{}})", "application/x-amz-json-1.0");
  });
  server.start();
  ServiceClient client = make(server.url());
  auto response = client.send(request(), parse_json_error);
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->body, R"({"Table":{}})");
  std::lock_guard lock(mu);
  ASSERT_EQ(authorizations.size(), 3u);
  for (const auto& a : authorizations) {
    EXPECT_TRUE(
        a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-west-2/"
                      "dynamodb/aws4_request"))
        << a;
  }
  EXPECT_EQ(hooks.sleeps, (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
  EXPECT_EQ(client.quota().available(), 500);  // the 10 taken were refunded on success
}

TEST_F(ClientFixture, AServiceErrorThatIsNotRetryableComesBackAtOnce) {
  LoopbackServer server;
  std::atomic<int> hits{0};
  server.http().Post("/", [&](const httplib::Request&, httplib::Response& res) {
    ++hits;
    res.status = 400;
    res.set_content("ValidationException", "application/x-amz-json-1.0");
  });
  server.start();
  auto response = make(server.url()).send(request(), parse_json_error);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kServiceError);
  EXPECT_EQ(response.error().http_status, 400);
  EXPECT_EQ(response.error().code, "ValidationException");
  EXPECT_EQ(hits, 1);
  EXPECT_TRUE(hooks.sleeps.empty());
}

TEST_F(ClientFixture, AnEndpointThatRefusesConnectionsIsNotSentAfterThreeAttempts) {
  ClosedPort closed;
  auto response = make(closed.url()).send(request(), parse_json_error);
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().kind, ErrorKind::kNotSent);
  EXPECT_EQ(hooks.sleeps.size(), 2u);
}

}  // namespace
}  // namespace dr::aws
