// Parse, format, wiring and schema checks, each against a fixture it must reject.
#include <gtest/gtest.h>

#include "infra/fixture_stacks.h"

namespace dr::infra {
namespace {

using testing::findings_of;
using testing::lint_fixture;

bool mentions(const std::vector<Finding>& fs, const std::string& text) {
  return std::any_of(fs.begin(), fs.end(),
                     [&](const Finding& f) { return f.message.find(text) != std::string::npos; });
}

TEST(Parse, MalformedHclIsReportedWithFileAndLineNotAStackTrace) {
  LintReport r = lint_fixture("parse");
  auto found = findings_of(r, "HCL_PARSE");
  ASSERT_EQ(found.size(), 1u) << testing::all_findings(r);
  EXPECT_EQ(found[0].file, "parse/main.tf");
  EXPECT_EQ(found[0].line, 6);
  EXPECT_EQ(found[0].to_string().rfind("parse/main.tf:6: HCL_PARSE", 0), 0u)
      << found[0].to_string();
  EXPECT_EQ(found[0].message.find("    at "), std::string::npos) << "no JavaScript stack trace";
}

TEST(Parse, ErrorLinesAreReadFromTheParsersMessage) {
  EXPECT_EQ(parse_error_line("parse config: [main.tf:12,7-13,1: Invalid expression; x]"), 12);
  EXPECT_EQ(parse_error_line("no position here"), 0);
}

TEST(Format, AFileTheFormatterWouldChangeIsRejectedAtItsFirstDifference) {
  LintReport r = lint_fixture("format");
  auto found = findings_of(r, "HCL_FORMAT");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].file, "format/main.tf");
  EXPECT_EQ(found[0].line, 2);
}

TEST(Wiring, RejectsAnArgumentTheCalledModuleDoesNotDeclare) {
  LintReport r = lint_fixture("wiring", "unknown_argument");
  auto found = findings_of(r, "WIRING_ARG");
  ASSERT_EQ(found.size(), 1u) << testing::all_findings(r);
  EXPECT_EQ(found[0].block, "module.child");
  EXPECT_TRUE(mentions(found, "colour"));
}

TEST(Wiring, RejectsACallThatOmitsARequiredVariable) {
  LintReport r = lint_fixture("wiring", "missing_required");
  auto found = findings_of(r, "WIRING_REQUIRED");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(mentions(found, "name"));
}

TEST(Wiring, RejectsReferencesThatDoNotResolve) {
  LintReport r = lint_fixture("wiring", "unresolved_references");
  auto found = findings_of(r, "WIRING_REF");
  EXPECT_TRUE(mentions(found, "local.unknown")) << testing::all_findings(r);
  EXPECT_TRUE(mentions(found, "var.missing"));
  EXPECT_TRUE(mentions(found, "module.child.not_an_output"));
  EXPECT_TRUE(mentions(found, "aws_kms_key.undeclared"));
  EXPECT_FALSE(mentions(found, "local.known"));
}

TEST(Wiring, RejectsACallThatDoesNotPassTheAliasedProviderTheModuleRequires) {
  LintReport r = lint_fixture("wiring", "provider_mismatch");
  auto found = findings_of(r, "WIRING_PROVIDER");
  ASSERT_EQ(found.size(), 1u) << testing::all_findings(r);
  EXPECT_TRUE(mentions(found, "aws.secondary"));
}

TEST(Schema, RejectsAResourceTypeTheAwsProviderDoesNotHave) {
  LintReport r = lint_fixture("schema", "unknown_type");
  auto found = findings_of(r, "SCHEMA_TYPE");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].block, "aws_aurora_magic_cluster.x");
}

TEST(Schema, RejectsAnArgumentTheResourceDoesNotHave) {
  LintReport r = lint_fixture("schema", "unknown_argument");
  auto found = findings_of(r, "SCHEMA_ARG");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(mentions(found, "kms_key_name"));
}

TEST(Schema, RejectsAnArgumentInsideANestedBlock) {
  LintReport r = lint_fixture("schema", "unknown_nested_block");
  auto found = findings_of(r, "SCHEMA_ARG");
  ASSERT_EQ(found.size(), 1u) << testing::all_findings(r);
  EXPECT_TRUE(mentions(found, "point_in_time_recovery.forever"));
}

TEST(Schema, RejectsAResourceMissingARequiredArgument) {
  LintReport r = lint_fixture("schema", "missing_required");
  auto found = findings_of(r, "SCHEMA_REQUIRED");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(mentions(found, "engine"));
}

TEST(Schema, ComesFromThePinnedProviderPackage) {
  EXPECT_EQ(testing::schema().value("package_version", ""), "21.22.1");
  EXPECT_EQ(testing::schema().value("provider_version", ""), "6.25.0");
  EXPECT_GT(testing::schema()["resource"].size(), 1500u);
}

}  // namespace
}  // namespace dr::infra
