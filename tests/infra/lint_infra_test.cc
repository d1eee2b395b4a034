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
  EXPECT_EQ(report->modules, 15) << "root + 14 modules";
  EXPECT_GT(report->resources, 80);
  EXPECT_FALSE(report->budget.empty()) << "the stack declares its RTO target";
  // Every policy judged the stack: none skipped for lack of input.
  for (const auto& c : report->checks) {
    if (!c.id.starts_with("TF_")) {
      EXPECT_NE(c.state, CheckStatus::State::kSkipped) << c.id;
    }
  }
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
