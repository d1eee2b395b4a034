// The real lint over the real infra/: what the README test command promises.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <cstdlib>
#include <expected>
#include <fstream>
#include <iterator>
#include <optional>
#include <utility>

#include "infra/lint.h"
#include "infra/policies.h"
#include "infra/process.h"
#include "infra/provider_mirror.h"
#include "lab/temp_dir.h"

namespace dr::infra {
namespace {

TEST(InfraLint, TheRepositorysStackPassesEveryCheck) {
  LintOptions o;
  o.dir = std::filesystem::path(DR_SOURCE_DIR) / "infra";
  o.tools_dir = std::filesystem::path(DR_SOURCE_DIR) / "tools";
  auto report = lint(o);
  ASSERT_TRUE(report.has_value()) << report.error();
  std::string text = render(*report, "infra");
  std::cout << text;
  EXPECT_TRUE(report->ok()) << text;
  EXPECT_EQ(report->count(CheckStatus::State::kFailed), 0);
  EXPECT_EQ(report->modules, 16) << "root + 15 modules";
  EXPECT_GT(report->resources, 80);
  EXPECT_FALSE(report->budget.empty()) << "the stack declares its RTO target";
  // Issue 9's budget: infra/'s defaults fail a region over within two minutes, term by term.
  ASSERT_TRUE(report->worst_case_rto_s.has_value()) << report->budget;
  EXPECT_LE(*report->worst_case_rto_s, 120) << report->budget;
  // Every check judged the stack: none skipped for lack of input. Our format, wiring and schema
  // checks step aside only where terraform itself judged the same thing.
  auto state_of = [&](const std::string& id) {
    for (const auto& c : report->checks)
      if (c.id == id) return c.state;
    return CheckStatus::State::kSkipped;
  };
  const bool fmt_ran = state_of("TF_FMT") != CheckStatus::State::kSkipped;
  const bool validate_ran = state_of("TF_VALIDATE") != CheckStatus::State::kSkipped;
  for (const auto& c : report->checks) {
    if (c.id.starts_with("TF_")) continue;
    const bool deferred =
        (fmt_ran && c.id == "HCL_FORMAT") ||
        (validate_ran && (c.id.starts_with("WIRING_") || c.id.starts_with("SCHEMA_")));
    EXPECT_EQ(c.state == CheckStatus::State::kSkipped, deferred) << c.id << ": " << c.note;
  }
}

// Where terraform ran, its verdict counts and ours is the fallback; where it did not, ours runs.
TEST(InfraLint, OurRepeatedChecksAreTheFallbackForTerraform) {
  auto report_with = [](CheckStatus::State fmt, CheckStatus::State validate) {
    LintReport r;
    r.checks = {{"HCL_PARSE", "", CheckStatus::State::kPassed, ""},
                {"HCL_FORMAT", "", CheckStatus::State::kFailed, ""},
                {"WIRING_REF", "", CheckStatus::State::kFailed, ""},
                {"SCHEMA_ARG", "", CheckStatus::State::kPassed, ""},
                {"CKV_AWS_16", "", CheckStatus::State::kFailed, ""},
                {"TF_FMT", "", fmt, ""},
                {"TF_VALIDATE", "", validate, ""}};
    r.findings = {{"HCL_FORMAT", "main.tf", 1, "", "not formatted"},
                  {"WIRING_REF", "main.tf", 2, "", "var.x is not declared"},
                  {"CKV_AWS_16", "rds.tf", 3, "aws_db_instance.x", "not encrypted"}};
    defer_to_terraform(r);
    return r;
  };
  using S = CheckStatus::State;
  auto none = report_with(S::kSkipped, S::kSkipped);
  EXPECT_EQ(none.findings.size(), 3u) << "no terraform: our checks are the only ones";
  auto both = report_with(S::kPassed, S::kPassed);
  ASSERT_EQ(both.findings.size(), 1u);
  EXPECT_EQ(both.findings[0].check, "CKV_AWS_16") << "the policies are ours alone";
  EXPECT_EQ(both.checks[1].state, S::kSkipped);
  EXPECT_NE(both.checks[1].note.find("TF_FMT"), std::string::npos) << both.checks[1].note;
  EXPECT_EQ(both.checks[2].state, S::kSkipped);
  EXPECT_EQ(both.checks[0].state, S::kPassed) << "the parse feeds the policies: it stays";
  auto fmt_only = report_with(S::kFailed, S::kSkipped);  // init failed: validate could not run
  ASSERT_EQ(fmt_only.findings.size(), 2u);
  EXPECT_EQ(fmt_only.findings[0].check, "WIRING_REF") << "validate did not run: ours stands";
}

// Sets environment variables for one test and puts the old values back (lint() hands this
// process's environment to terraform).
class ScopedEnv {
 public:
  void set(const std::string& name, const char* value) {
    const char* old = std::getenv(name.c_str());
    saved_.emplace_back(name, old == nullptr ? std::nullopt : std::optional<std::string>(old));
    if (value == nullptr)
      ::unsetenv(name.c_str());
    else
      ::setenv(name.c_str(), value, 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second)
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      else
        ::unsetenv(it->first.c_str());
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// No network for terraform: every HTTPS request goes to a proxy on a port nothing listens on, and
// no proxy exemption lets one out.
void without_network(ScopedEnv& env) {
  env.set("HTTPS_PROXY", "http://127.0.0.1:1");
  env.set("https_proxy", "http://127.0.0.1:1");
  env.set("NO_PROXY", nullptr);
  env.set("no_proxy", nullptr);
}

// Terraform offline with the machine's mirror: neither a developer's own CLI config nor a proxy
// exemption may let init out. The mirror lint will use, or why there is none.
std::expected<ProviderSource, std::string> offline_with_the_mirror(
    ScopedEnv& env, const std::filesystem::path& tmp) {
  env.set("TF_CLI_CONFIG_FILE", (tmp / "no-such.tfrc").c_str());
  without_network(env);
  return find_provider_source(TerraformEnv::from_process(), terraform_platform());
}

const CheckStatus* check_of(const LintReport& report, const std::string& id) {
  auto it = std::find_if(report.checks.begin(), report.checks.end(),
                         [&](const CheckStatus& c) { return c.id == id; });
  return it == report.checks.end() ? nullptr : &*it;
}

// The lint of `dir` with the repository's tools, and its report as text (for messages).
std::pair<std::expected<LintReport, std::string>, std::string> lint_of(
    const std::filesystem::path& dir) {
  LintOptions o;
  o.dir = dir;
  o.tools_dir = std::filesystem::path(DR_SOURCE_DIR) / "tools";
  auto report = lint(o);
  std::string text = report ? render(*report, "infra") : report.error();
  return {std::move(report), std::move(text)};
}

// With no network (every HTTPS request goes to a proxy on a port nothing listens on), the lint's
// `terraform init` must still install hashicorp/aws, from the local mirror, and validate.
TEST(InfraLint, TerraformValidatesOfflineFromTheProviderMirror) {
  if (find_on_path("terraform").empty()) GTEST_SKIP() << "terraform is not on PATH";
  ScopedEnv env;
  dr::testing::TempDir tmp{"dr-infra-lint"};
  auto source = offline_with_the_mirror(env, tmp.path());
  if (!source) GTEST_SKIP() << source.error();

  auto [report, text] = lint_of(std::filesystem::path(DR_SOURCE_DIR) / "infra");
  ASSERT_TRUE(report.has_value()) << text;
  const CheckStatus* validate = check_of(*report, "TF_VALIDATE");
  ASSERT_NE(validate, nullptr) << text;
  EXPECT_EQ(validate->state, CheckStatus::State::kPassed) << text;
  EXPECT_NE(validate->what.find(source->path.string()), std::string::npos)
      << "the report names where the providers came from: " << validate->what;
  EXPECT_TRUE(report->ok()) << text;
}

// A terraform older than the stack's required_version fails init with the mirror found: that is
// the machine's terraform, not a defect of the stack, and the report says what to install. (The
// real terraform, made "too old" by a copy of the stack that requires 99.0.)
TEST(InfraLint, ATerraformTheStackDoesNotAllowIsSkippedNotBlamedOnTheStack) {
  if (find_on_path("terraform").empty()) GTEST_SKIP() << "terraform is not on PATH";
  ScopedEnv env;
  dr::testing::TempDir tmp{"dr-infra-lint"};
  auto source = offline_with_the_mirror(env, tmp.path());
  if (!source) GTEST_SKIP() << source.error();
  const auto stack = tmp / "infra";
  std::filesystem::copy(std::filesystem::path(DR_SOURCE_DIR) / "infra", stack,
                        std::filesystem::copy_options::recursive);
  std::string versions;
  {
    std::ifstream in(stack / "versions.tf");
    versions.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string pin = "required_version = \">= 1.11.0\"";
  ASSERT_NE(versions.find(pin), std::string::npos) << versions;
  versions.replace(versions.find(pin), pin.size(), "required_version = \">= 99.0\"");
  std::ofstream(stack / "versions.tf") << versions;

  auto [report, text] = lint_of(stack);
  ASSERT_TRUE(report.has_value()) << text;
  const CheckStatus* validate = check_of(*report, "TF_VALIDATE");
  ASSERT_NE(validate, nullptr) << text;
  EXPECT_EQ(validate->state, CheckStatus::State::kSkipped) << text;
  EXPECT_NE(validate->note.find("does not meet the stack's required_version"), std::string::npos)
      << validate->note;
  EXPECT_NE(validate->note.find(">= 99.0"), std::string::npos) << validate->note;
  for (const auto& f : report->findings) EXPECT_NE(f.check, "TF_VALIDATE") << f.message;
}

// Where no mirror is found, the terraform step says it was skipped and why, and the lint's own
// checks judge instead.
TEST(InfraLint, WithoutAMirrorTerraformValidateIsSkippedWithTheReason) {
  if (find_on_path("terraform").empty()) GTEST_SKIP() << "terraform is not on PATH";
  ScopedEnv env;
  dr::testing::TempDir tmp{"dr-infra-lint"};
  env.set("DR_TF_PLUGIN_MIRROR", tmp.path().c_str());
  without_network(env);

  LintOptions o;
  o.dir = std::filesystem::path(DR_SOURCE_DIR) / "infra";
  o.tools_dir = std::filesystem::path(DR_SOURCE_DIR) / "tools";
  auto report = lint(o);
  ASSERT_TRUE(report.has_value()) << report.error();
  const std::string text = render(*report, "infra");
  for (const auto& c : report->checks) {
    if (c.id == "TF_VALIDATE") {
      EXPECT_EQ(c.state, CheckStatus::State::kSkipped) << text;
      EXPECT_NE(c.note.find("DR_TF_PLUGIN_MIRROR=" + tmp.path().string() + " holds no"),
                std::string::npos)
          << c.note;
    }
    if (c.id.starts_with("WIRING_") || c.id.starts_with("SCHEMA_")) {
      EXPECT_EQ(c.state, CheckStatus::State::kPassed) << c.id << " must judge in its place";
    }
  }
  EXPECT_NE(text.find("skip TF_VALIDATE"), std::string::npos) << text;
  EXPECT_TRUE(report->ok()) << text;
}

// `drctl infra lint /etc` said "0 files" and passed: a directory without Terraform is an error.
TEST(InfraLint, ADirectoryWithoutTerraformIsAnErrorNotAPass) {
  dr::testing::TempDir tmp{"dr-infra-lint"};
  std::ofstream(tmp / "hosts") << "127.0.0.1 localhost\n";
  std::filesystem::create_directories(tmp / "nested");
  std::ofstream(tmp / "nested" / "notes.txt") << "no terraform here\n";
  LintOptions o;
  o.dir = tmp.path();
  o.tools_dir = std::filesystem::path(DR_SOURCE_DIR) / "tools";
  o.terraform = false;
  auto report = lint(o);
  ASSERT_FALSE(report.has_value()) << render(*report, o.dir.string());
  EXPECT_NE(report.error().find("no Terraform files"), std::string::npos) << report.error();

  o.dir = tmp / "missing";
  report = lint(o);
  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().find("not a directory"), std::string::npos) << report.error();
}

}  // namespace
}  // namespace dr::infra
