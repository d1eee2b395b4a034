// IMDSv2 against a real fake metadata server on loopback: it issues tokens, rejects every
// metadata request without a valid one (HTTP 401, like EC2 with http_tokens = required), and
// hands out rotating role credentials.
#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "aws/credential_chain.h"
#include "aws/support/loopback_server.h"
#include "aws/support/scoped_env.h"

namespace dr::aws {
namespace {

using namespace std::chrono_literals;
using dr::test::ClosedPort;
using dr::test::LoopbackServer;
using dr::test::ScopedEnv;

constexpr const char* kRole = "dr-app-role";
const SystemTime kStart = *parse_iso8601("2024-05-01T12:00:00Z");

class FakeImds {
 public:
  FakeImds() {
    auto& http = server_.http();
    http.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      ++token_requests_;
      last_ttl_ = req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds");
      if (last_ttl_.empty()) {
        res.status = 400;  // EC2 refuses a token request without a TTL
        return;
      }
      std::string token = "token-" + std::to_string(token_requests_);
      valid_tokens_.insert(token);
      res.set_content(token, "text/plain");
    });
    http.Get("/latest/meta-data/iam/security-credentials/",
             [this](const httplib::Request& req, httplib::Response& res) {
               if (!authorized(req, res)) return;
               std::lock_guard lock(mu_);
               if (role_.empty()) {
                 res.status = 404;
                 return;
               }
               res.set_content(role_ + "\n", "text/plain");
             });
    http.Get("/latest/meta-data/iam/security-credentials/(.+)",
             [this](const httplib::Request& req, httplib::Response& res) {
               if (!authorized(req, res)) return;
               std::lock_guard lock(mu_);
               if (req.matches[1] != role_) {
                 res.status = 404;
                 return;
               }
               ++credential_requests_;
               res.set_content(body_ ? *body_ : credentials_json(), "application/json");
             });
    server_.start();
  }

  std::string url() const { return server_.url(); }

  // Forgets every issued token, as after an instance stop/start.
  void revoke_tokens() {
    std::lock_guard lock(mu_);
    valid_tokens_.clear();
  }
  void set_expiration(SystemTime t) {
    std::lock_guard lock(mu_);
    expiration_ = t;
  }
  void set_body(std::string body) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
  }
  void set_role(std::string role) {
    std::lock_guard lock(mu_);
    role_ = std::move(role);
  }
  int token_requests() {
    std::lock_guard lock(mu_);
    return token_requests_;
  }
  int credential_requests() {
    std::lock_guard lock(mu_);
    return credential_requests_;
  }
  int unauthorized() {
    std::lock_guard lock(mu_);
    return unauthorized_;
  }
  std::string last_ttl() {
    std::lock_guard lock(mu_);
    return last_ttl_;
  }

 private:
  bool authorized(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu_);
    if (valid_tokens_.contains(req.get_header_value("X-aws-ec2-metadata-token"))) return true;
    ++unauthorized_;
    res.status = 401;
    return false;
  }
  // Every fetch returns a new key, so tests can tell a refresh from a cached value.
  std::string credentials_json() {
    return R"({"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z","Type":"AWS-HMAC",)"
           R"("AccessKeyId":"ASIAIMDS)" +
           std::to_string(credential_requests_) +
           R"(","SecretAccessKey":"imds-secret","Token":"imds-session",)"
           R"("Expiration":")" +
           iso8601(expiration_) + R"("})";
  }

  std::mutex mu_;
  std::set<std::string> valid_tokens_;
  std::string role_ = kRole;
  std::optional<std::string> body_;
  SystemTime expiration_ = kStart + 6h;
  std::string last_ttl_;
  int token_requests_ = 0;
  int credential_requests_ = 0;
  int unauthorized_ = 0;
  LoopbackServer server_;  // last: stopped first, while the state above still exists
};

struct ImdsFixture : ::testing::Test {
  void SetUp() override { env.clear_aws().set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()); }
  ImdsOptions options() {
    return {.transport = transport, .clock = [this] { return now.load(); }};
  }

  ScopedEnv env;
  FakeImds imds;
  std::shared_ptr<HttpTransport> transport = make_curl_transport(
      {.connect_timeout = 1000ms, .request_timeout = 2000ms, .max_response_bytes = 64 * 1024});
  std::atomic<SystemTime> now{kStart};
};

TEST_F(ImdsFixture, FetchesATokenThenTheRoleThenItsCredentials) {
  ImdsCredentialsProvider provider(options());
  auto creds = provider.credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "ASIAIMDS1");
  EXPECT_EQ(creds->secret_access_key, "imds-secret");
  EXPECT_EQ(creds->session_token, "imds-session");
  ASSERT_TRUE(creds->expiration.has_value());
  EXPECT_EQ(*creds->expiration, kStart + 6h);
  EXPECT_EQ(creds->source, "imds (role dr-app-role)");
  EXPECT_EQ(imds.token_requests(), 1);
  EXPECT_EQ(imds.last_ttl(), "21600");
  EXPECT_EQ(imds.unauthorized(), 0);
}

TEST_F(ImdsFixture, TheServerRejectsMetadataRequestsWithoutAToken) {
  HttpRequest request;
  request.scheme = "http";
  request.host = imds.url().substr(7);
  request.path = "/latest/meta-data/iam/security-credentials/";
  auto response = transport->send(request);
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->status, 401);
}

TEST_F(ImdsFixture, ReusesTheTokenUntilItExpires) {
  ImdsCredentialsProvider provider(options());
  ASSERT_TRUE(provider.credentials());
  ASSERT_TRUE(provider.credentials());
  EXPECT_EQ(imds.token_requests(), 1);
  // Past the 6 h TTL (renewed a minute early): a new token.
  now = kStart + 6h - 30s;
  ASSERT_TRUE(provider.credentials());
  EXPECT_EQ(imds.token_requests(), 2);
  EXPECT_EQ(imds.unauthorized(), 0);
}

TEST_F(ImdsFixture, FetchesANewTokenWhenTheServerAnswers401) {
  ImdsCredentialsProvider provider(options());
  ASSERT_TRUE(provider.credentials());
  imds.revoke_tokens();
  auto creds = provider.credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(imds.unauthorized(), 1);
  EXPECT_EQ(imds.token_requests(), 2);
  EXPECT_EQ(creds->access_key_id, "ASIAIMDS2");
}

TEST_F(ImdsFixture, TheChainRefreshesFiveMinutesBeforeExpiryNotAfter) {
  auto clock = [this] { return now.load(); };
  CredentialChain chain({{"imds", std::make_shared<ImdsCredentialsProvider>(options())}},
                        {.clock = clock});
  imds.set_expiration(kStart + 1h);
  auto first = chain.credentials();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->access_key_id, "ASIAIMDS1");

  now = kStart + 1h - 5min - 1s;  // just outside the window: the cached credentials serve
  auto cached = chain.credentials();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->access_key_id, "ASIAIMDS1");
  EXPECT_EQ(imds.credential_requests(), 1);

  imds.set_expiration(kStart + 2h);
  now = kStart + 1h - 5min;  // inside the window, still valid: refreshed ahead of expiry
  auto refreshed = chain.credentials();
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->access_key_id, "ASIAIMDS2");
  EXPECT_EQ(*refreshed->expiration, kStart + 2h);
  EXPECT_EQ(imds.credential_requests(), 2);
}

TEST_F(ImdsFixture, AnUnreachableServiceIsAClearError) {
  ClosedPort closed;
  env.set("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed.url());
  auto creds = ImdsCredentialsProvider(options()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().kind, ErrorKind::kCredentials);
  EXPECT_TRUE(is_credentials_not_found(creds.error()));  // not on EC2
  EXPECT_TRUE(creds.error().message.starts_with("imds: PUT " + closed.url() +
                                                "/latest/api/token: no metadata service"))
      << creds.error().message;
}

TEST_F(ImdsFixture, MalformedJsonIsAClearError) {
  imds.set_body("{\"AccessKeyId\": \"ASIA\", truncated");
  auto creds = ImdsCredentialsProvider(options()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message,
            "imds (role dr-app-role): response is not a JSON object: "
            "'{\"AccessKeyId\": \"ASIA\", truncated'");
}

TEST_F(ImdsFixture, AMissingFieldIsNamed) {
  imds.set_body(R"({"Code":"Success","AccessKeyId":"ASIA","Token":"t"})");
  auto creds = ImdsCredentialsProvider(options()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().message,
            "imds (role dr-app-role): SecretAccessKey missing from response");
}

TEST_F(ImdsFixture, AFailureCodeInTheDocumentIsReported) {
  imds.set_body(R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"not allowed"})");
  auto creds = ImdsCredentialsProvider(options()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().message,
            "imds (role dr-app-role): service reported Code 'AssumeRoleUnauthorizedAccess': not "
            "allowed");
}

TEST_F(ImdsFixture, AnInstanceWithoutARoleSaysSo) {
  imds.set_role("");
  auto creds = ImdsCredentialsProvider(options()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_NE(creds.error().message.find("no instance profile attached"), std::string::npos)
      << creds.error().message;
}

TEST_F(ImdsFixture, DisabledByEnvironmentSendsNothing) {
  env.set("AWS_EC2_METADATA_DISABLED", "TRUE");
  auto creds = ImdsCredentialsProvider(options()).credentials();
  ASSERT_FALSE(creds);
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message, "imds: disabled by AWS_EC2_METADATA_DISABLED");
  EXPECT_EQ(imds.token_requests(), 0);
}

}  // namespace
}  // namespace dr::aws
