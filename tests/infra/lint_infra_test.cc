// The real lint over the real infra/: what the README test command promises.
#include <gtest/gtest.h>

#include <fstream>

#include "infra/lint.h"
#include "infra/policies.h"
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
