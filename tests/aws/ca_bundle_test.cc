#include <gtest/gtest.h>

#include <set>

#include "aws/transport.h"

namespace dr::aws {
namespace {

auto env(std::optional<std::string> bundle) {
  return [bundle](const char* name) -> const char* {
    return std::string_view(name) == "AWS_CA_BUNDLE" && bundle ? bundle->c_str() : nullptr;
  };
}

auto files(std::set<std::string> present) {
  return [present](const std::string& path) { return present.contains(path); };
}

TEST(CaBundle, AmazonLinuxBundleWhenDebiansIsMissing) {
  // Amazon Linux 2023 (and the Lambda's provided.al2023): no /etc/ssl/certs/ca-certificates.crt,
  // which is the default compiled into the Debian libcurl the artifacts carry.
  EXPECT_EQ(ca_bundle(env(std::nullopt), files({"/etc/pki/tls/certs/ca-bundle.crt"})),
            "/etc/pki/tls/certs/ca-bundle.crt");
}

TEST(CaBundle, DebiansFirstThenNothing) {
  EXPECT_EQ(ca_bundle(env(std::nullopt), files({"/etc/ssl/certs/ca-certificates.crt",
                                                "/etc/pki/tls/certs/ca-bundle.crt"})),
            "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(ca_bundle(env(std::nullopt), files({})), std::nullopt);  // curl's own default
}

TEST(CaBundle, AwsCaBundleWinsAsInTheCli) {
  EXPECT_EQ(ca_bundle(env("/opt/corp-ca.pem"), files({"/etc/ssl/certs/ca-certificates.crt"})),
            "/opt/corp-ca.pem");
  EXPECT_EQ(ca_bundle(env(""), files({"/etc/pki/tls/certs/ca-bundle.crt"})),
            "/etc/pki/tls/certs/ca-bundle.crt");
}

}  // namespace
}  // namespace dr::aws
