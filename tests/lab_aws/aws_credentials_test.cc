// The lab's AWS keys: generated once (0600 from the first byte), the same on every read, and
// refused, never used, when the file could be planted or leaked.
#include "lab_aws/aws_credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "lab/temp_dir.h"

namespace dr::lab_aws {
namespace {

TEST(AwsCredentials, CreatedOncePrivateAndReadBackTheSame) {
  dr::testing::TempDir dir("dr-aws-keys");
  EXPECT_FALSE(read_aws_credentials(dir.path()));  // none yet: says so
  auto made = load_or_create_aws_credentials(dir.path());
  ASSERT_TRUE(made) << made.error().describe();
  EXPECT_TRUE(made->access_key_id.starts_with("AKIA"));
  EXPECT_EQ(made->access_key_id.size(), 20u);
  EXPECT_EQ(made->secret_access_key.size(), 40u);
  struct stat st {};
  ASSERT_EQ(::stat(aws_credentials_file(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = load_or_create_aws_credentials(dir.path());
  auto read = read_aws_credentials(dir.path());
  ASSERT_TRUE(again && read);
  EXPECT_EQ(again->secret_access_key, made->secret_access_key);
  EXPECT_EQ(read->access_key_id, made->access_key_id);
  dr::testing::TempDir other("dr-aws-keys");
  auto fresh = load_or_create_aws_credentials(other.path());
  ASSERT_TRUE(fresh);
  EXPECT_NE(fresh->secret_access_key, made->secret_access_key);
}

TEST(AwsCredentials, AReadableOrMalformedFileIsRefused) {
  dr::testing::TempDir dir("dr-aws-keys");
  ASSERT_TRUE(load_or_create_aws_credentials(dir.path()));
  const auto file = aws_credentials_file(dir.path());
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  auto leaked = load_or_create_aws_credentials(dir.path());
  ASSERT_FALSE(leaked);
  EXPECT_EQ(leaked.error().kind, lab::ErrorKind::kRefused);
  EXPECT_FALSE(read_aws_credentials(dir.path()));

  std::filesystem::remove(file);
  { std::ofstream(file) << "only-one-line\n"; }
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  auto malformed = read_aws_credentials(dir.path());
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().kind, lab::ErrorKind::kConfig);
}

TEST(AwsCredentials, TheClientConfigReachesTheLabsEndpointSignedWithItsKeys) {
  lab::LabState state;
  state.aws_endpoint_url = "http://127.0.3.27:40001";
  const aws::Credentials keys{"AKIALAB", "secret", "", {}, "lab"};
  const auto config = client_config(state, keys, "us-west-2");
  EXPECT_EQ(config.region, "us-west-2");
  EXPECT_EQ(config.endpoint_url, "http://127.0.3.27:40001");
  ASSERT_NE(config.credentials, nullptr);
  auto signed_with = config.credentials->credentials();
  ASSERT_TRUE(signed_with);
  EXPECT_EQ(signed_with->access_key_id, "AKIALAB");
  EXPECT_EQ(signed_with->secret_access_key, "secret");
}

}  // namespace
}  // namespace dr::lab_aws
