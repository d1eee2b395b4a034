// Container credentials (ECS task role, EKS pod identity) against a real loopback agent.
#include <gtest/gtest.h>

#include <mutex>

#include "aws/credential_chain.h"
#include "aws/support/loopback_server.h"
#include "aws/support/scoped_env.h"

namespace dr::aws {
namespace {

using namespace std::chrono_literals;
using dr::test::ClosedPort;
using dr::test::LoopbackServer;
using dr::test::ScopedEnv;
using dr::test::TempDir;

constexpr const char* kBody =
    R"({"AccessKeyId":"ASIATASK","SecretAccessKey":"task-secret","Token":"task-token",)"
    R"("Expiration":"2024-05-01T18:00:00Z","RoleArn":"arn:aws:iam::1:role/task"})";

// An agent that wants `Authorization: <token>` when a token is set.
class FakeAgent {
 public:
  explicit FakeAgent(std::string token = "") : token_(std::move(token)) {
    server_.http().Get("/v2/credentials/task",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         std::lock_guard lock(mu_);
                         ++requests_;
                         if (!token_.empty() && req.get_header_value("Authorization") != token_) {
                           res.status = 401;
                           res.set_content(R"({"error":"bad token"})", "application/json");
                           return;
                         }
                         res.set_content(body_, "application/json");
                       });
    server_.start();
  }
  std::string uri() const { return server_.url() + "/v2/credentials/task"; }
  void set_body(std::string body) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
  }
  int requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::string token_;
  std::string body_ = kBody;
  int requests_ = 0;
  LoopbackServer server_;
};

std::shared_ptr<HttpTransport> test_transport() {
  return make_curl_transport(
      {.connect_timeout = 1000ms, .request_timeout = 2000ms, .max_response_bytes = 64 * 1024});
}

// Records the request instead of sending it (for the ECS link-local address).
class RecordingTransport final : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest& request) override {
    last = request;
    return HttpResponse{200, {}, kBody};
  }
  HttpRequest last;
};

TEST(ContainerCredentials, FullUriOnLoopbackWithATokenFromTheEnvironment) {
  ScopedEnv env;
  FakeAgent agent("Bearer secret-token");
  env.clear_aws()
      .set("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.uri())
      .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer secret-token");
  auto creds = ContainerCredentialsProvider(test_transport()).credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "ASIATASK");
  EXPECT_EQ(creds->secret_access_key, "task-secret");
  EXPECT_EQ(creds->session_token, "task-token");
  EXPECT_EQ(*creds->expiration, *parse_iso8601("2024-05-01T18:00:00Z"));
  EXPECT_EQ(creds->source, "container (" + agent.uri() + ")");
}

TEST(ContainerCredentials, TheTokenFileWinsOverTheTokenVariable) {
  ScopedEnv env;
  TempDir dir;
  FakeAgent agent("from-file");
  env.clear_aws()
      .set("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.uri())
      .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env")
      .set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.write("token", "from-file\n"));
  auto creds = ContainerCredentialsProvider(test_transport()).credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "ASIATASK");
}

TEST(ContainerCredentials, ARejectedTokenIsAClearError) {
  ScopedEnv env;
  FakeAgent agent("right");
  env.clear_aws()
      .set("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.uri())
      .set("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong");
  auto creds = ContainerCredentialsProvider(test_transport()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message,
            "container: GET " + agent.uri() + " returned HTTP 401: {\"error\":\"bad token\"}");
  EXPECT_EQ(agent.requests(), 1);  // a 4xx is an answer, not retried
}

TEST(ContainerCredentials, MalformedJsonIsAClearError) {
  ScopedEnv env;
  FakeAgent agent;
  agent.set_body("<html>proxy error</html>");
  env.clear_aws().set("AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.uri());
  auto creds = ContainerCredentialsProvider(test_transport()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().message, "container (" + agent.uri() +
                                       "): response is not a JSON object: '<html>proxy "
                                       "error</html>'");
}

TEST(ContainerCredentials, AnAgentThatIsDownIsAnErrorNotAnAbsence) {
  ScopedEnv env;
  ClosedPort closed;
  std::string uri = closed.url() + "/v2/credentials/task";
  env.clear_aws().set("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
  auto creds = ContainerCredentialsProvider(test_transport()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_TRUE(creds.error().message.starts_with("container: GET " + uri + ": "))
      << creds.error().message;
}

TEST(ContainerCredentials, TheRelativeUriGoesToTheEcsAgent) {
  ScopedEnv env;
  env.clear_aws().set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc?x=1");
  auto transport = std::make_shared<RecordingTransport>();
  auto creds = ContainerCredentialsProvider(transport).credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(transport->last.url(), "http://169.254.170.2/v2/credentials/abc?x=1");
  EXPECT_EQ(transport->last.header("Authorization"), nullptr);
}

TEST(ContainerCredentials, NothingConfiguredIsNotFound) {
  ScopedEnv env;
  env.clear_aws();
  auto creds = ContainerCredentialsProvider(std::make_shared<RecordingTransport>()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
}

TEST(ContainerCredentials, PlainHttpOnlyToLoopbackOrTheContainerAgents) {
  for (const char* ok :
       {"http://127.0.0.1:8080/creds", "http://127.1.2.3/creds", "http://localhost:80/x",
        "http://[::1]:9000/x", "http://169.254.170.2/v2/x", "http://169.254.170.23/v1/x",
        "https://creds.example.com/x"})
    EXPECT_TRUE(validate_container_uri(ok)) << ok;
  for (const char* bad :
       {"http://example.com/creds", "http://127.0.0.1.evil.com/x", "http://user@127.0.0.1/x",
        "http://10.0.0.1/x", "ftp://127.0.0.1/x", "127.0.0.1/creds"})
    EXPECT_FALSE(validate_container_uri(bad)) << bad;
  auto refused = validate_container_uri("http://example.com/creds");
  EXPECT_EQ(refused.error().message,
            "container: 'http://example.com/creds' uses plain http to a host that is not loopback "
            "or the ECS/EKS agent; use https");
}

}  // namespace
}  // namespace dr::aws
