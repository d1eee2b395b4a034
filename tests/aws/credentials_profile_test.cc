#include <gtest/gtest.h>

#include "aws/credential_chain.h"
#include "aws/profile_file.h"
#include "aws/support/scoped_env.h"

namespace dr::aws {
namespace {

using dr::test::ScopedEnv;
using dr::test::TempDir;

// Points the lookups at files in a fresh directory and clears every other AWS variable.
struct ProfileFixture : ::testing::Test {
  void SetUp() override {
    env.clear_aws()
        .set("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string())
        .set("AWS_CONFIG_FILE", (dir.path() / "config").string());
  }
  std::string credentials_path() const { return (dir.path() / "credentials").string(); }
  std::string config_path() const { return (dir.path() / "config").string(); }

  ScopedEnv env;
  TempDir dir;
};

TEST_F(ProfileFixture, ReadsTheDefaultProfileFromTheCredentialsFile) {
  dir.write("credentials",
            "[default]\n"
            "aws_access_key_id = AKIDDEFAULT\n"
            "aws_secret_access_key = secret/default+key\n");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(creds->secret_access_key, "secret/default+key");
  EXPECT_EQ(creds->session_token, "");
  EXPECT_EQ(creds->source, "profile default (" + credentials_path() + ")");
}

TEST_F(ProfileFixture, AwsProfileSelectsANamedSectionInEitherFile) {
  dir.write("credentials", "[default]\naws_access_key_id=A\naws_secret_access_key=B\n");
  dir.write("config",
            "[default]\nregion = us-east-1\n"
            "[profile prod]\n"
            "aws_access_key_id = AKIDPROD\n"
            "aws_secret_access_key = secret-prod\n"
            "aws_session_token = token-prod\n");
  env.set("AWS_PROFILE", "prod");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "AKIDPROD");
  EXPECT_EQ(creds->session_token, "token-prod");
  EXPECT_EQ(creds->source, "profile prod (" + config_path() + ")");
}

TEST_F(ProfileFixture, TheCredentialsFileWinsOverTheConfigFile) {
  dir.write("credentials", "[prod]\naws_access_key_id=FROMCREDS\naws_secret_access_key=s1\n");
  dir.write("config", "[profile prod]\naws_access_key_id=FROMCONFIG\naws_secret_access_key=s2\n");
  auto creds = ProfileCredentialsProvider({.profile = "prod"}).credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "FROMCREDS");
  EXPECT_EQ(creds->secret_access_key, "s1");
}

TEST_F(ProfileFixture, CommentsBlankLinesAndWhitespaceAreIgnored) {
  dir.write("credentials",
            "# leading comment\r\n"
            "; another\r\n"
            "\r\n"
            "  [ default ]   # trailing comment\r\n"
            "\taws_access_key_id\t=\tAKID#notacomment   # a comment\r\n"
            "AWS_Secret_Access_Key=secret ; comment\r\n"
            "\r\n");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "AKID#notacomment");
  EXPECT_EQ(creds->secret_access_key, "secret");
}

TEST_F(ProfileFixture, AMissingSecretNamesTheProfileTheFileAndTheKey) {
  dir.write("credentials", "[prod]\naws_access_key_id = AKIDPROD\n");
  auto creds = ProfileCredentialsProvider({.profile = "prod"}).credentials();
  ASSERT_FALSE(creds);
  EXPECT_EQ(creds.error().kind, ErrorKind::kCredentials);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message,
            "profile 'prod' in " + credentials_path() + ": aws_secret_access_key missing or empty");
}

TEST_F(ProfileFixture, AMalformedFileNamesThePathAndTheLine) {
  dir.write("credentials", "[default]\naws_access_key_id = A\nthis line has no equals sign\n");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message,
            "shared files: " + credentials_path() +
                " line 3: expected 'key = value', got 'this line has no equals sign'");
}

TEST_F(ProfileFixture, AnUnclosedSectionHeaderIsMalformed) {
  dir.write("config", "[profile prod\nregion = us-west-2\n");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_NE(creds.error().message.find(config_path() + " line 1: section header without ']'"),
            std::string::npos)
      << creds.error().message;
}

TEST_F(ProfileFixture, APropertyBeforeAnySectionIsMalformed) {
  dir.write("credentials", "aws_access_key_id = A\n[default]\n");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_NE(creds.error().message.find("line 1: property before any section header"),
            std::string::npos)
      << creds.error().message;
}

TEST_F(ProfileFixture, AProfileAskedForByNameMustExist) {
  dir.write("credentials", "[default]\naws_access_key_id=A\naws_secret_access_key=B\n");
  env.set("AWS_PROFILE", "staging");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message, "shared files: profile 'staging' not found in " +
                                       credentials_path() + " or " + config_path() + " (absent)");
}

TEST_F(ProfileFixture, AbsentFilesAreNotFoundSoTheChainMovesOn) {
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_FALSE(creds);
  EXPECT_TRUE(is_credentials_not_found(creds.error()));
  EXPECT_EQ(creds.error().message, "shared files: profile 'default' not found in " +
                                       credentials_path() + " (absent) or " + config_path() +
                                       " (absent)");
}

TEST_F(ProfileFixture, AProfileWithOnlyARegionLeavesCredentialsToTheNextSource) {
  dir.write("config", "[default]\nregion = us-west-2\n[profile prod]\nregion = us-east-1\n");
  for (const char* profile : {"", "prod"}) {
    auto creds = ProfileCredentialsProvider({.profile = profile}).credentials();
    ASSERT_FALSE(creds);
    EXPECT_TRUE(is_credentials_not_found(creds.error())) << profile;
    EXPECT_NE(creds.error().message.find("has no aws_access_key_id"), std::string::npos);
  }
}

TEST_F(ProfileFixture, AnAssumeRoleProfileIsReportedUnsupportedNotSkipped) {
  dir.write("config", "[profile ops]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = d\n");
  auto creds = ProfileCredentialsProvider({.profile = "ops"}).credentials();
  ASSERT_FALSE(creds);
  EXPECT_FALSE(is_credentials_not_found(creds.error()));
  EXPECT_NE(creds.error().message.find("profile 'ops' in " + config_path() + ": uses role_arn"),
            std::string::npos)
      << creds.error().message;
}

TEST_F(ProfileFixture, TildeInAFilePathMeansHome) {
  TempDir home;
  home.write(".aws/credentials", "[default]\naws_access_key_id=H\naws_secret_access_key=S\n");
  env.set("HOME", home.path().string()).unset("AWS_SHARED_CREDENTIALS_FILE");
  auto creds = ProfileCredentialsProvider().credentials();
  ASSERT_TRUE(creds) << creds.error();
  EXPECT_EQ(creds->access_key_id, "H");
}

TEST_F(ProfileFixture, RegionComesFromAwsRegionThenAwsDefaultRegionThenConfig) {
  dir.write("config", "[default]\nregion = eu-west-1\n[profile prod]\nregion = us-west-2\n");
  auto region = resolve_region();
  ASSERT_TRUE(region) << region.error();
  EXPECT_EQ(*region, "eu-west-1");

  env.set("AWS_PROFILE", "prod");
  EXPECT_EQ(resolve_region().value_or(""), "us-west-2");
  env.set("AWS_DEFAULT_REGION", "ap-south-1");
  EXPECT_EQ(resolve_region().value_or(""), "ap-south-1");
  env.set("AWS_REGION", "us-east-2");
  EXPECT_EQ(resolve_region().value_or(""), "us-east-2");
}

TEST_F(ProfileFixture, NoRegionAnywhereSaysWhereItLooked) {
  dir.write("config", "[default]\noutput = json\n");
  auto region = resolve_region();
  ASSERT_FALSE(region);
  EXPECT_EQ(region.error().message,
            "region: AWS_REGION and AWS_DEFAULT_REGION not set, and profile 'default' in " +
                config_path() + " has no region");
}

TEST(ProfileFile, ConfigSkipsSectionsThatAreNotProfiles) {
  auto file = parse_profile_file(
      "[default]\nregion=us-east-1\n"
      "[sso-session corp]\nsso_region = us-east-1\n"
      "[profile default]\noutput=json\n"
      "[services local]\ndynamodb =\n  endpoint_url = http://127.0.0.1:8000\n"
      "[profile   spaced  ]\nregion = us-west-2\n",
      ProfileFileKind::kConfig, "/cfg");
  ASSERT_TRUE(file) << file.error();
  ASSERT_EQ(file->profiles.size(), 2u);
  ASSERT_NE(file->profile("default"), nullptr);
  EXPECT_EQ(file->profile("default")->at("region"), "us-east-1");
  EXPECT_EQ(file->profile("default")->at("output"), "json");
  ASSERT_NE(file->profile("spaced"), nullptr);
  EXPECT_EQ(file->profile("spaced")->at("region"), "us-west-2");
}

TEST(ProfileFile, IndentedLinesContinueTheProperty) {
  auto file = parse_profile_file(
      "[default]\n  region = us-east-1\ns3 =\n  max_concurrent_requests = 20\n  addressing = "
      "path\naws_access_key_id = A\n",
      ProfileFileKind::kCredentials, "/c");
  ASSERT_TRUE(file) << file.error();
  const auto& p = *file->profile("default");
  EXPECT_EQ(p.at("region"), "us-east-1");
  EXPECT_EQ(p.at("s3"), "\nmax_concurrent_requests = 20\naddressing = path");
  EXPECT_EQ(p.at("aws_access_key_id"), "A");
}

TEST(ProfileFile, RejectsTextAfterASectionHeader) {
  auto file = parse_profile_file("[default] junk\n", ProfileFileKind::kCredentials, "/c");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().message, "/c line 1: unexpected text after section header: 'junk'");
}

}  // namespace
}  // namespace dr::aws
