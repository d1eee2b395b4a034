#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "aws/credential_chain.h"
#include "aws/support/loopback_server.h"
#include "aws/support/scoped_env.h"

namespace dr::aws {
namespace {

using namespace std::chrono_literals;

const SystemTime kStart = *parse_iso8601("2024-05-01T12:00:00Z");

// A source whose answer the test scripts.
class ScriptedProvider final : public CredentialsProvider {
 public:
  Result<Credentials> credentials() override {
    ++calls;
    std::lock_guard lock(mu);
    if (!next) return std::unexpected(*error);
    Credentials c = *next;
    c.access_key_id += std::to_string(calls.load());
    return c;
  }
  void succeed(std::optional<SystemTime> expiration) {
    std::lock_guard lock(mu);
    next = Credentials{"AKID", "secret", "", expiration, "scripted"};
  }
  void fail(Error e) {
    std::lock_guard lock(mu);
    next.reset();
    error = std::move(e);
  }

  std::atomic<int> calls{0};
  std::mutex mu;
  std::optional<Credentials> next;
  std::optional<Error> error = credentials_not_found("scripted: nothing here");
};

struct ChainFixture : ::testing::Test {
  CredentialChain make(std::vector<NamedProvider> sources) {
    return CredentialChain(std::move(sources), {.clock = [this] { return now.load(); }});
  }
  std::atomic<SystemTime> now{kStart};
  std::shared_ptr<ScriptedProvider> a = std::make_shared<ScriptedProvider>();
  std::shared_ptr<ScriptedProvider> b = std::make_shared<ScriptedProvider>();
};

TEST_F(ChainFixture, UsesTheFirstSourceThatHasCredentialsAndCachesThem) {
  b->succeed(std::nullopt);
  auto chain = make({{"a", a}, {"b", b}});
  auto first = chain.credentials();
  ASSERT_TRUE(first) << first.error();
  EXPECT_EQ(first->access_key_id, "AKID1");
  now = kStart + 24h;  // long-term keys never expire
  ASSERT_TRUE(chain.credentials());
  EXPECT_EQ(a->calls, 1);
  EXPECT_EQ(b->calls, 1);
}

TEST_F(ChainFixture, ListsEverySourceTriedWhenNoneHasCredentials) {
  b->fail(credentials_not_found("b: not configured"));
  auto chain = make({{"a", a}, {"b", b}});
  auto creds = chain.credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().kind, ErrorKind::kCredentials);
  EXPECT_EQ(creds.error().message,
            "no credentials in any source [a: scripted: nothing here; b: not configured]");
}

TEST_F(ChainFixture, StopsAtAConfiguredButBrokenSource) {
  a->fail(Error::credentials("a: half a key pair"));
  b->succeed(std::nullopt);
  auto chain = make({{"a", a}, {"b", b}});
  auto creds = chain.credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().message, "credentials chain stopped at a [a: half a key pair]");
  EXPECT_EQ(b->calls, 0);
}

TEST_F(ChainFixture, RefreshesWithinFiveMinutesOfExpiryAndNotBefore) {
  a->succeed(kStart + 1h);
  auto chain = make({{"a", a}});
  ASSERT_TRUE(chain.credentials());
  now = kStart + 55min - 1s;
  EXPECT_EQ(chain.credentials()->access_key_id, "AKID1");
  now = kStart + 55min;
  a->succeed(kStart + 2h);
  EXPECT_EQ(chain.credentials()->access_key_id, "AKID2");
  EXPECT_EQ(a->calls, 2);
}

TEST_F(ChainFixture, KeepsValidCredentialsWhenARefreshFailsAndRetriesLater) {
  a->succeed(kStart + 1h);
  auto chain = make({{"a", a}});
  ASSERT_TRUE(chain.credentials());
  a->fail(Error::credentials("a: metadata service timed out"));
  now = kStart + 57min;
  auto kept = chain.credentials();
  ASSERT_TRUE(kept) << kept.error();
  EXPECT_EQ(kept->access_key_id, "AKID1");
  EXPECT_EQ(a->calls, 2);
  now = kStart + 57min + 5s;  // within the retry interval: no new attempt
  ASSERT_TRUE(chain.credentials());
  EXPECT_EQ(a->calls, 2);
  now = kStart + 57min + 10s;
  a->succeed(kStart + 2h);
  EXPECT_EQ(chain.credentials()->access_key_id, "AKID3");
}

TEST_F(ChainFixture, ExpiredCredentialsAndAFailedRefreshAreAnError) {
  a->succeed(kStart + 1h);
  auto chain = make({{"a", a}});
  ASSERT_TRUE(chain.credentials());
  a->fail(Error::credentials("a: metadata service timed out"));
  now = kStart + 1h;
  auto creds = chain.credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().message,
            "credentials chain stopped at a [a: metadata service timed out]");
}

TEST_F(ChainFixture, ConcurrentCallersShareOneFetch) {
  a->succeed(kStart + 1h);
  auto chain = make({{"a", a}});
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        if (chain.credentials()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 400);
  EXPECT_EQ(a->calls, 1);
}

TEST(DefaultChain, PrefersTheEnvironment) {
  dr::test::ScopedEnv env;
  env.clear_aws().set("AWS_ACCESS_KEY_ID", "AKIDENV").set("AWS_SECRET_ACCESS_KEY", "s");
  auto creds = make_default_credentials_chain()->credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->source, "environment");
}

TEST(DefaultChain, NamesEverySourceWhenNoneHasCredentials) {
  dr::test::ScopedEnv env;
  dr::test::TempDir dir;
  dr::test::ClosedPort imds;
  env.clear_aws()
      .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string())
      .set("AWS_CONFIG_FILE", (dir.path() / "config").string())
      .set("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url());
  auto creds = make_default_credentials_chain()->credentials();
  ASSERT_FALSE(creds);
  const std::string& m = creds.error().message;
  EXPECT_TRUE(m.starts_with("no credentials in any source [environment: "));
  for (const char* part :
       {"environment: AWS_ACCESS_KEY_ID", "; shared files: profile 'default'",
        "; container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "; imds: PUT http://127.0.0.1:"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in " << m;
}

}  // namespace
}  // namespace dr::aws
