// Where the lint's `terraform init` gets hashicorp/aws from: fake mirrors in temporary
// directories (no terraform needed), and the child environment that carries the CLI config.
#include "infra/provider_mirror.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "infra/process.h"
#include "lab/temp_dir.h"

namespace dr::infra {
namespace {

namespace fs = std::filesystem;
constexpr const char* kPlatform = "linux_amd64";

// An unpacked mirror entry: <dir>/registry.terraform.io/hashicorp/aws/<version>/<platform>/<bin>.
void add_unpacked(const fs::path& dir, const std::string& version,
                  const std::string& platform = kPlatform) {
  fs::path d = dir / "registry.terraform.io" / "hashicorp" / "aws" / version / platform;
  fs::create_directories(d);
  std::ofstream(d / ("terraform-provider-aws_v" + version + "_x5")) << "binary";
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// An environment that finds nothing unless a test says where to look.
TerraformEnv empty_env(const dr::testing::TempDir& tmp) {
  TerraformEnv e;
  fs::create_directories(tmp / "empty-root");
  e.search_roots = {tmp / "empty-root"};
  return e;
}

TEST(ProviderMirror, OnlyVersionsInTheStacksRangeCount) {
  EXPECT_TRUE(in_stack_range("5.100.0"));
  EXPECT_TRUE(in_stack_range("6.14.1"));
  EXPECT_FALSE(in_stack_range("5.99.9"));
  EXPECT_FALSE(in_stack_range("7.0.0"));
  EXPECT_FALSE(in_stack_range("6.0.0-beta1")) << "a range never picks a pre-release";
  EXPECT_FALSE(in_stack_range("latest"));
}

TEST(ProviderMirror, AMirrorNeedsAProviderInRangeForThisPlatform) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  EXPECT_FALSE(is_provider_mirror(tmp / "m", kPlatform)) << "missing directory";
  add_unpacked(tmp / "m", "4.67.0");
  add_unpacked(tmp / "m", "7.1.0");
  add_unpacked(tmp / "m", "6.2.0", "darwin_arm64");
  fs::create_directories(tmp / "m" / "registry.terraform.io/hashicorp/aws/6.3.0" / kPlatform);
  EXPECT_FALSE(is_provider_mirror(tmp / "m", kPlatform))
      << "out of range, another platform, or a version directory without the binary";
  add_unpacked(tmp / "m", "5.100.0");
  EXPECT_TRUE(is_provider_mirror(tmp / "m", kPlatform));

  fs::path packed = tmp / "p" / "registry.terraform.io" / "hashicorp" / "aws";
  fs::create_directories(packed);
  std::ofstream(packed / "terraform-provider-aws_6.1.0_linux_arm64.zip") << "zip";
  EXPECT_FALSE(is_provider_mirror(tmp / "p", kPlatform));
  std::ofstream(packed / "terraform-provider-aws_6.1.0_linux_amd64.zip") << "zip";
  EXPECT_TRUE(is_provider_mirror(tmp / "p", kPlatform)) << "a packed mirror serves as well";
}

// terraform runs the provider it installs: a mirror anyone could write into is refused.
TEST(ProviderMirror, AMirrorEveryoneCanWriteIntoIsNotOne) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  add_unpacked(tmp / "m", "5.100.0");
  ASSERT_TRUE(is_provider_mirror(tmp / "m", kPlatform));
  const fs::path aws = tmp / "m" / "registry.terraform.io" / "hashicorp" / "aws";
  fs::permissions(aws, fs::perms::others_write, fs::perm_options::add);
  EXPECT_FALSE(is_provider_mirror(tmp / "m", kPlatform)) << "anyone could add a newer version";
  fs::permissions(aws, fs::perms::others_write, fs::perm_options::remove);
  fs::permissions(tmp.path(), fs::perms::others_all, fs::perm_options::add);
  EXPECT_FALSE(is_provider_mirror(tmp / "m", kPlatform)) << "anyone could swap the mirror";
  fs::permissions(tmp.path(), fs::perms::sticky_bit, fs::perm_options::add);
  EXPECT_TRUE(is_provider_mirror(tmp / "m", kPlatform)) << "like /tmp: only we rename ours";
}

// terraform installs the newest package in range, not the one that was vetted: a trusted 5.100.0
// beside a 6.99.0 a group member could plant (a group-writable version directory) spoils the
// mirror.
TEST(ProviderMirror, OneUntrustedPackageInRangeSpoilsTheMirror) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  add_unpacked(tmp / "m", "5.100.0");
  add_unpacked(tmp / "m", "6.99.0");
  ASSERT_TRUE(is_provider_mirror(tmp / "m", kPlatform));
  const fs::path planted = tmp / "m" / "registry.terraform.io" / "hashicorp" / "aws" / "6.99.0";
  fs::permissions(planted, fs::perms::group_write, fs::perm_options::add);
  EXPECT_FALSE(is_provider_mirror(tmp / "m", kPlatform))
      << "terraform would install the 6.99.0 a group member could have written";
  fs::permissions(planted, fs::perms::group_write, fs::perm_options::remove);
  EXPECT_TRUE(is_provider_mirror(tmp / "m", kPlatform));
}

TEST(ProviderMirror, DrTfPluginMirrorIsTheOnlyPlaceLookedAtWhenSet) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  add_unpacked(tmp / "usual", "5.100.0");
  TerraformEnv env = empty_env(tmp);
  env.usual_dirs = {tmp / "usual"};
  env.dr_mirror = (tmp / "empty").string();
  auto found = find_provider_source(env, kPlatform);
  ASSERT_FALSE(found.has_value()) << "a wrong DR_TF_PLUGIN_MIRROR must not be papered over";
  EXPECT_NE(found.error().find("DR_TF_PLUGIN_MIRROR=" + (tmp / "empty").string()),
            std::string::npos)
      << found.error();

  add_unpacked(tmp / "chosen", "6.0.0");
  env.dr_mirror = (tmp / "chosen").string();
  found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->kind, ProviderSource::Kind::kMirror);
  EXPECT_EQ(found->path, tmp / "chosen");
}

TEST(ProviderMirror, SearchOrderPluginCacheThenUsualDirectoriesThenTheWalk) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  TerraformEnv env = empty_env(tmp);
  add_unpacked(tmp / "root" / "a" / "b" / "deep-mirror", "5.100.0");
  env.search_roots = {tmp / "root"};
  auto found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->path, tmp / "root" / "a" / "b" / "deep-mirror") << "found by the walk";

  add_unpacked(tmp / "usual2", "5.100.0");
  env.usual_dirs = {tmp / "usual1", tmp / "usual2"};
  found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->path, tmp / "usual2");

  add_unpacked(tmp / "cache", "6.5.0");
  env.plugin_cache_dir = (tmp / "cache").string();
  found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->path, tmp / "cache") << "TF_PLUGIN_CACHE_DIR is honoured first";
}

TEST(ProviderMirror, NothingFoundSaysWhereItLooked) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  TerraformEnv env = empty_env(tmp);
  env.usual_dirs = {tmp / "usual"};
  env.plugin_cache_dir = (tmp / "cache").string();
  auto found = find_provider_source(env, kPlatform);
  ASSERT_FALSE(found.has_value());
  for (const std::string& part :
       {(tmp / "usual").string(), (tmp / "cache").string(), (tmp / "empty-root").string(),
        std::string("DR_TF_PLUGIN_MIRROR"), std::string(kPlatform)})
    EXPECT_NE(found.error().find(part), std::string::npos) << part << " in: " << found.error();
}

TEST(ProviderMirror, AUserConfigThatInstallsProvidersIsHonouredAsItIs) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  add_unpacked(tmp / "usual", "5.100.0");
  TerraformEnv env = empty_env(tmp);
  env.usual_dirs = {tmp / "usual"};

  env.cli_config_file = (tmp / "missing.tfrc").string();
  auto found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->kind, ProviderSource::Kind::kMirror) << "a missing config file is no config";

  std::ofstream(tmp / "plain.tfrc") << "# provider_installation { is only a comment here\n"
                                    << "plugin_cache_dir = \"/somewhere\"\n";
  env.cli_config_file = (tmp / "plain.tfrc").string();
  found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->kind, ProviderSource::Kind::kMirror)
      << "a config that does not say how to install providers: the mirror decides";

  std::ofstream(tmp / "own.tfrc") << "provider_installation {\n  network_mirror {\n"
                                  << "    url = \"https://mirror.example/\"\n  }\n}\n";
  env.cli_config_file = (tmp / "own.tfrc").string();
  found = find_provider_source(env, kPlatform);
  ASSERT_TRUE(found.has_value()) << found.error();
  EXPECT_EQ(found->kind, ProviderSource::Kind::kUserConfig);
  EXPECT_EQ(found->path, tmp / "own.tfrc");
  auto config = CliConfig::create(*found);
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->path(), tmp / "own.tfrc");

  EXPECT_TRUE(configures_provider_installation("{\"provider_installation\": {}}")) << "JSON";
}

TEST(ProviderMirror, OurCliConfigInstallsOnlyFromTheMirrorAndIsRemovedAfter) {
  dr::testing::TempDir tmp{"dr-tf-mirror"};
  fs::path mirror = tmp / "odd \"dir\" ${x}";
  add_unpacked(mirror, "5.100.0");
  fs::path written, dir;
  {
    auto config = CliConfig::create({ProviderSource::Kind::kMirror, mirror});
    ASSERT_TRUE(config.has_value()) << config.error();
    written = config->path();
    dir = written.parent_path();
    ASSERT_TRUE(fs::exists(written));
    EXPECT_EQ(fs::status(dir).permissions() & fs::perms::all, fs::perms::owner_all)
        << "only we may write terraform's config";
    std::string text = read(written);
    EXPECT_TRUE(configures_provider_installation(text)) << text;
    EXPECT_NE(text.find("filesystem_mirror"), std::string::npos) << text;
    // The path as an HCL string: quotes escaped, ${ made literal.
    EXPECT_NE(text.find("odd \\\"dir\\\" $${x}"), std::string::npos) << text;
    EXPECT_NE(text.find("exclude = [\"registry.terraform.io/hashicorp/*\"]"), std::string::npos)
        << "never the registry: " << text;

    auto env = terraform_child_env(*config);
    EXPECT_NE(std::find(env.begin(), env.end(), "TF_CLI_CONFIG_FILE=" + written.string()),
              env.end());
    EXPECT_NE(std::find(env.begin(), env.end(), "TF_DATA_DIR"), env.end())
        << "the user's data directory must not receive our scratch init";
    for (const char* bypass : {"TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_PLUGIN_CACHE_DIR"})
      EXPECT_NE(std::find(env.begin(), env.end(), bypass), env.end())
          << bypass << " (say -plugin-dir=...) would bypass the mirror";
  }
  EXPECT_FALSE(fs::exists(dir)) << "the temporary config outlived the lint";
}

TEST(ProviderMirror, TheChildGetsTheChangedEnvironment) {
  ::setenv("DR_TEST_KEEP", "kept", 1);
  ::setenv("DR_TEST_DROP", "dropped", 1);
  ::setenv("DR_TEST_SET", "old", 1);
  auto r = run_process({"sh", "-c", "echo \"$DR_TEST_KEEP|${DR_TEST_DROP-unset}|$DR_TEST_SET\""},
                       {}, {"DR_TEST_DROP", "DR_TEST_SET=new"});
  ::unsetenv("DR_TEST_KEEP");
  ::unsetenv("DR_TEST_DROP");
  ::unsetenv("DR_TEST_SET");
  ASSERT_TRUE(r.has_value()) << r.error();
  EXPECT_EQ(r->out, "kept|unset|new\n");
}

}  // namespace
}  // namespace dr::infra
