// Reading hcl2json's expressions and mapping blocks back to source lines.
#include "infra/expressions.h"

#include <gtest/gtest.h>

#include "infra/source_map.h"

namespace dr::infra {
namespace {

std::vector<std::string> refs(const std::string& s) {
  std::vector<std::string> out;
  for (const auto& r : references_in(nlohmann::json(s))) out.push_back(r.text());
  return out;
}

TEST(References, FindsVariablesLocalsModuleOutputsAndResources) {
  EXPECT_EQ(refs("${var.a}"), std::vector<std::string>{"var.a"});
  EXPECT_EQ(refs("arn:${module.kms.primary_key_arns[\"rds\"]}:x"),
            std::vector<std::string>{"module.kms.primary_key_arns"});
  EXPECT_EQ(refs("${merge(local.tags, { Name = aws_lb.this.name })}"),
            (std::vector<std::string>{"local.tags", "aws_lb.this.name"}));
}

TEST(References, IgnoresFunctionNamesObjectKeysAndTextInsideStringLiterals) {
  EXPECT_TRUE(refs("${jsonencode({ Action = \"var.not_a_ref\" })}").empty());
  EXPECT_TRUE(refs("plain var.text outside an interpolation").empty());
  EXPECT_EQ(refs("${\"prefix-${var.inner}\"}"), std::vector<std::string>{"var.inner"});
}

TEST(PureExpressions, AreOneInterpolationAndNothingElse) {
  EXPECT_TRUE(is_pure_expression("${var.a}"));
  EXPECT_TRUE(is_pure_expression("${{ a = 1 }}"));
  EXPECT_FALSE(is_pure_expression("${var.a}-${var.b}"));
  EXPECT_FALSE(is_pure_expression("x${var.a}"));
}

TEST(SourceMap, FindsABlockHeaderAndItsClosingBraceAcrossStringsAndHeredocs) {
  const std::string text =
      "resource \"aws_x\" \"a\" {\n"          // 1
      "  s = \"}${var.b}{\"\n"                // 2
      "  h = <<-EOT\n"                        // 3
      "  }\n"                                 // 4
      "  EOT\n"                               // 5
      "}\n"                                   // 6
      "resource \"aws_x\" \"b\" {\n"          // 7
      "  # checkov:skip=CKV_AWS_1:because\n"  // 8
      "}\n";                                  // 9
  LineRange a = find_block(text, {"resource", "aws_x", "a"});
  EXPECT_EQ(a.first, 1);
  EXPECT_EQ(a.last, 6);
  LineRange b = find_block(text, {"resource", "aws_x", "b"});
  EXPECT_EQ(b.first, 7);
  EXPECT_EQ(b.last, 9);
  auto skips = skip_comments(text, b);
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].check, "CKV_AWS_1");
  EXPECT_EQ(skips[0].reason, "because");
  EXPECT_TRUE(skip_comments(text, a).empty());
}

}  // namespace
}  // namespace dr::infra
