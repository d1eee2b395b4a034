// Every policy rejects its own fixture (tests/infra/fixtures/policy/<ID>/), and a written
// checkov:skip reason turns a violation into a listed waiver.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "infra/check_dr_budget.h"
#include "infra/fixture_stacks.h"
#include "infra/policies.h"

namespace dr::infra {
namespace {

using testing::findings_of;
using testing::lint_fixture;

// One test over all policies: the fixtures are parsed in a single Node run.
TEST(Policies, EachRejectsItsOwnFailingFixtureNamingFileLineAndBlock) {
  for (const Policy& p : policies()) {
    SCOPED_TRACE(p.id);
    ASSERT_TRUE(std::filesystem::is_directory(testing::fixtures_dir() / "policy" / p.id))
        << "policy " << p.id << " has no fixture it must reject";
    LintReport r = lint_fixture("policy", p.id);
    EXPECT_TRUE(findings_of(r, "HCL_PARSE").empty()) << testing::all_findings(r);
    auto found = findings_of(r, p.id);
    ASSERT_FALSE(found.empty()) << p.id << " accepted its failing fixture:\n"
                                << testing::all_findings(r);
    EXPECT_EQ(found.front().file.rfind("policy/" + p.id + "/", 0), 0u) << found.front().file;
    EXPECT_GT(found.front().line, 0) << "a violation must name its line";
    EXPECT_FALSE(found.front().block.empty()) << "a violation must name its block";
    EXPECT_FALSE(r.ok());
  }
}

std::vector<std::string> policy_ids() {
  std::vector<std::string> ids;
  for (const auto& p : policies()) ids.push_back(p.id);
  return ids;
}

TEST(Policies, HaveUniqueIdsAndSayWhatTheyReject) {
  std::set<std::string> seen;
  for (const auto& p : policies()) {
    EXPECT_TRUE(seen.insert(p.id).second) << "duplicate policy id " << p.id;
    EXPECT_FALSE(p.rejects.empty()) << p.id;
  }
  EXPECT_GE(policies().size(), 15u);
}

TEST(Policies, EveryFixtureDirectoryBelongsToAPolicy) {
  auto ids = policy_ids();
  for (const auto& entry : std::filesystem::directory_iterator(testing::fixtures_dir() / "policy"))
    EXPECT_NE(std::find(ids.begin(), ids.end(), entry.path().filename().string()), ids.end())
        << "stale fixture " << entry.path().filename();
}

// The fixture gives the controller the primary's provider and the witness the secondary's: each
// is named, with the region it must run in (infra/ itself, linted green by LintInfra, passes
// aws.secondary and aws.witness).
TEST(Policies, TheControllerRunsInTheSecondaryRegionAndTheWitnessInTheThird) {
  LintReport r = lint_fixture("policy", "DR_CONTROLLER_REGION");
  auto found = findings_of(r, "DR_CONTROLLER_REGION");
  ASSERT_EQ(found.size(), 2u) << testing::all_findings(r);
  std::map<std::string, std::string> by_block;
  for (const auto& f : found) by_block[f.block] = f.message;
  EXPECT_NE(by_block["module.controller"].find("aws = aws.secondary"), std::string::npos)
      << testing::all_findings(r);
  EXPECT_NE(by_block["module.witness"].find("aws = aws.witness"), std::string::npos)
      << testing::all_findings(r);
}

TEST(Waivers, ASkipWithAWrittenReasonBecomesAListedWaiver) {
  LintReport r = lint_fixture("waiver", "with_reason");
  EXPECT_TRUE(findings_of(r, "CKV_AWS_26").empty()) << testing::all_findings(r);
  ASSERT_EQ(r.waivers.size(), 1u);
  EXPECT_EQ(r.waivers[0].check, "CKV_AWS_26");
  EXPECT_EQ(r.waivers[0].block, "aws_sns_topic.x");
  EXPECT_EQ(r.waivers[0].reason, "a public status topic carries nothing secret");
}

TEST(Waivers, ASkipWithoutAReasonDoesNotCount) {
  LintReport r = lint_fixture("waiver", "without_reason");
  auto found = findings_of(r, "CKV_AWS_26");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("without a written reason"), std::string::npos);
  EXPECT_TRUE(r.waivers.empty());
}

// The budget reads whole seconds: a sub-second tick (controller_tick_seconds = 0.25, what the
// lab's function uses) counts as 1 s, never as 0.
TEST(DrBudgetTimings, ASubSecondTickCountsAsAWholeSecond) {
  const std::string shown = "budget/sub_second_tick";
  Stack s = build_stack(testing::parsed_fixtures("budget"), testing::fixtures_dir() / shown, shown);
  auto t = read_dr_timings(s);
  ASSERT_TRUE(t) << t.error();
  EXPECT_EQ(t->controller_tick_s, 1);
  EXPECT_EQ(t->controller_period_s, 60);
}

}  // namespace
}  // namespace dr::infra
