#include <gtest/gtest.h>

#include "aws/credential_chain.h"
#include "aws/support/scoped_env.h"

namespace dr::aws {
namespace {

using dr::test::ScopedEnv;

TEST(EnvironmentCredentials, ReadsTheKeyPairAndSessionToken) {
  ScopedEnv env;
  env.clear_aws()
      .set("AWS_ACCESS_KEY_ID", "AKIDENV")
      .set("AWS_SECRET_ACCESS_KEY", "secret-env")
      .set("AWS_SESSION_TOKEN", "token-env");
  auto creds = EnvironmentCredentialsProvider().credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "AKIDENV");
  EXPECT_EQ(creds->secret_access_key, "secret-env");
  EXPECT_EQ(creds->session_token, "token-env");
  EXPECT_EQ(creds->source, "environment");
  EXPECT_FALSE(creds->expiration.has_value());
}

TEST(EnvironmentCredentials, SaysLambdaWhenRunningInsideAFunction) {
  ScopedEnv env;
  env.clear_aws()
      .set("AWS_ACCESS_KEY_ID", "ASIALAMBDA")
      .set("AWS_SECRET_ACCESS_KEY", "secret")
      .set("AWS_SESSION_TOKEN", "lambda-token")
      .set("AWS_LAMBDA_FUNCTION_NAME", "dr-failover");
  auto creds = EnvironmentCredentialsProvider().credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->source, "lambda environment (function dr-failover)");
  EXPECT_EQ(creds->session_token, "lambda-token");
}

TEST(EnvironmentCredentials, UnsetVariablesAreNotFoundSoTheChainMovesOn) {
  ScopedEnv env;
  env.clear_aws();
  auto creds = EnvironmentCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().kind, ErrorKind::kCredentials);
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message,
            "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
}

TEST(EnvironmentCredentials, EmptyVariablesCountAsUnset) {
  ScopedEnv env;
  env.clear_aws().set("AWS_ACCESS_KEY_ID", "").set("AWS_SECRET_ACCESS_KEY", "");
  auto creds = EnvironmentCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
}

TEST(EnvironmentCredentials, HalfAKeyPairIsAnErrorNamingTheMissingVariable) {
  ScopedEnv env;
  env.clear_aws().set("AWS_ACCESS_KEY_ID", "AKIDENV");
  auto creds = EnvironmentCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message,
            "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

  env.unset("AWS_ACCESS_KEY_ID").set("AWS_SECRET_ACCESS_KEY", "secret");
  creds = EnvironmentCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().message,
            "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
}

}  // namespace
}  // namespace dr::aws
