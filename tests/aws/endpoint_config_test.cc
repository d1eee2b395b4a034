// Endpoint resolution as the AWS CLI does it: the flag, then AWS_ENDPOINT_URL_<SERVICE>, then
// AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS. The variable names are checked
// against botocore's own resolution where a botocore that knows them is installed.
#include "aws/endpoint_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <array>

#include <cstdio>
#include <string>

#include "aws/autoscaling.h"
#include "aws/cloudwatch.h"
#include "aws/credentials.h"
#include "aws/dynamodb.h"
#include "aws/rds.h"
#include "aws/route53.h"
#include "aws/secrets_manager.h"
#include "aws/sns.h"
#include "support/scoped_env.h"

namespace dr::aws {
namespace {

using dr::test::ScopedEnv;

ScopedEnv& clean(ScopedEnv& env) {
  for (const char* name : {"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_RDS", "AWS_ENDPOINT_URL_SNS",
                           "AWS_ENDPOINT_URL_AUTO_SCALING", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"})
    env.unset(name);
  return env;
}

TEST(EndpointConfig, TheFlagThenTheServiceVariableThenTheGlobalOne) {
  ScopedEnv env;
  clean(env);
  EXPECT_EQ(resolve_endpoint_url(Rds::service()).value(), std::nullopt) << "AWS's own";
  env.set("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");
  EXPECT_EQ(resolve_endpoint_url(Rds::service()).value(), "http://127.0.0.1:4566");
  env.set("AWS_ENDPOINT_URL_RDS", "http://127.0.0.1:5000/");
  EXPECT_EQ(resolve_endpoint_url(Rds::service()).value(), "http://127.0.0.1:5000/");
  EXPECT_EQ(resolve_endpoint_url(Sns::service()).value(), "http://127.0.0.1:4566")
      << "another service's variable does not apply";
  EXPECT_EQ(resolve_endpoint_url(Rds::service(), "https://rds.example.com").value(),
            "https://rds.example.com");
  env.set("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE");
  EXPECT_EQ(resolve_endpoint_url(Rds::service()).value(), std::nullopt);
  EXPECT_EQ(resolve_endpoint_url(Rds::service(), "http://127.0.0.1:1").value(),
            "http://127.0.0.1:1")
      << "the flag is not a configured endpoint: it still wins";
}

TEST(EndpointConfig, ABadValueIsRefusedNamingWhereItCameFrom) {
  ScopedEnv env;
  clean(env);
  env.set("AWS_ENDPOINT_URL_AUTO_SCALING", "127.0.0.1:4566");
  auto r = resolve_endpoint_url(AutoScaling::service());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("AWS_ENDPOINT_URL_AUTO_SCALING"), std::string::npos)
      << r.error().message;
  auto flag = resolve_endpoint_url(Rds::service(), "https://");
  ASSERT_FALSE(flag);
  EXPECT_NE(flag.error().message.find("--endpoint-url"), std::string::npos);
  auto config = client_config(Rds::service(), "", {});
  ASSERT_FALSE(config);
  EXPECT_NE(config.error().message.find("--region"), std::string::npos) << config.error().message;
}

TEST(EndpointConfig, AClientConfigCarriesTheRegionEndpointAndCredentials) {
  ScopedEnv env;
  clean(env);
  env.set("AWS_ENDPOINT_URL_RDS", "http://127.0.0.1:5000");
  auto config = client_config(Rds::service(), "us-west-2", {});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->region, "us-west-2");
  EXPECT_EQ(config->endpoint_url, "http://127.0.0.1:5000");
  EXPECT_NE(config->credentials, nullptr) << "the default chain";
  Rds rds(*config);
  EXPECT_EQ(rds.client().endpoint(), "http://127.0.0.1:5000");
}

// botocore names the variables from each model's serviceId; ours must be the same names.
TEST(EndpointConfig, TheVariableNamesAreTheOnesBotocoreReads) {
  const std::array<std::pair<const char*, ServiceInfo>, 8> services{{
      {"rds", Rds::service()},
      {"autoscaling", AutoScaling::service()},
      {"cloudwatch", CloudWatch::service()},
      {"sns", Sns::service()},
      {"dynamodb", DynamoDb::service()},
      {"route53", Route53::service()},
      {"secretsmanager", SecretsManager::service()},
      {"dynamodbstreams", DynamoDbStreams::service()},
  }};
  std::string cmd = "env -i PATH=\"$PATH\" HOME=\"$HOME\"";
  for (size_t i = 0; i < services.size(); ++i)
    cmd += " AWS_ENDPOINT_URL_" + endpoint_env_suffix(services[i].second) +
           "=http://127.0.0.1:" + std::to_string(10001 + i);
  cmd += " python3 " DR_ENDPOINTS_PY;
  for (const auto& [name, info] : services) cmd += std::string(" ") + name;
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  std::array<char, 4096> buf{};
  while (size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 3 || code == 4 || code == 127)
    GTEST_SKIP() << "skipped: no python3 with a botocore that reads AWS_ENDPOINT_URL_<SERVICE> "
                    "(botocore >= 1.31; Debian 12 ships 1.29): "
                 << out;
  ASSERT_EQ(code, 0) << out;
  auto json = nlohmann::json::parse(out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << out;
  for (size_t i = 0; i < services.size(); ++i) {
    EXPECT_EQ(json["endpoints"][services[i].first], "http://127.0.0.1:" + std::to_string(10001 + i))
        << services[i].first << " reads AWS_ENDPOINT_URL_"
        << endpoint_env_suffix(services[i].second) << " (botocore " << json["version"] << ")";
  }
}

}  // namespace
}  // namespace dr::aws
