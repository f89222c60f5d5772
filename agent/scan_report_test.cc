// The scan report: how pack checks and OpenSCAP rules combine per outcome, the IG filter,
// and the JSON layout docs/scan.md promises.

#include "agent/scan_report.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

CheckResult Result(const std::string& id, Verdict verdict, std::optional<Level> level,
                   std::vector<std::string> outcomes) {
  CheckResult result;
  result.check_id = id;
  result.verdict = verdict;
  result.level = level;
  result.outcomes = std::move(outcomes);
  result.detail = id + " detail";
  return result;
}

openscap::XccdfEvidence Openscap() {
  openscap::XccdfEvidence evidence;
  evidence.source = "openscap:standard";
  evidence.rules.push_back(
      {.rule_id = "xccdf_r1",
       .title = "Rule one",
       .severity = "high",
       .outcome = openscap::RuleOutcome::kFail,
       .mapped = {.outcomes = {"PR_AC_PR_AC_4"}, .basis = openscap::MappingBasis::kDirect}});
  evidence.outcomes.push_back({.outcome = "PR_AC_PR_AC_4",
                               .level = Level::kDli33,
                               .passed = 1,
                               .failed = 1,
                               .unresolved = 0,
                               .rules = {"xccdf_r0", "xccdf_r1"},
                               .detail = "1 of 2 rules fail: xccdf_r1 (Rule one, high)"});
  evidence.outcomes.push_back({.outcome = "DE_CM_DE_CM_1",
                               .level = std::nullopt,
                               .passed = 0,
                               .failed = 0,
                               .unresolved = 1,
                               .rules = {"xccdf_r2"},
                               .detail = ""});
  evidence.unmapped_rules = {"xccdf_r9"};
  return evidence;
}

ScanReport Example(std::optional<ImplementationGroup> group) {
  ScanReportBuilder builder(Catalog::Builtin(), group, 1024);
  builder.AddPackResults(
      "debian-server",
      {Result("ssh", Verdict::kPass, Level::kDli100, {"PR_AC_PR_AC_4", "PR_AC_CSC_6_8"}),
       Result("na", Verdict::kNotApplicable, std::nullopt, {"PR_PT_PR_PT_3"}),
       Result("err", Verdict::kError, std::nullopt, {"PR_PT_PR_PT_4"})});
  builder.AddXccdf("results.xml", Openscap());
  return builder.Build();
}

TEST(ScanReportTest, AnOutcomeTakesTheLowestLevelOfItsSources) {
  ScanReport report = Example(std::nullopt);
  ASSERT_EQ(report.outcomes.size(), 4u);
  EXPECT_EQ(report.outcomes[0].outcome, "DE_CM_DE_CM_1");
  EXPECT_FALSE(report.outcomes[0].level.has_value());  // Only an OpenSCAP error.
  EXPECT_EQ(report.outcomes[1].outcome, "PR_AC_CSC_6_8");
  EXPECT_EQ(report.outcomes[2].outcome, "PR_AC_PR_AC_4");
  EXPECT_EQ(report.outcomes[2].level, Level::kDli33);  // Pack 1, OpenSCAP 0.33.
  EXPECT_THAT(report.outcomes[2].checks, ElementsAre("ssh", "xccdf_r0", "xccdf_r1"));
  EXPECT_EQ(report.outcomes[3].outcome, "PR_PT_PR_PT_4");  // An erring check: not evaluated.
  EXPECT_FALSE(report.outcomes[3].level.has_value());
  // The not_applicable check fed nothing, but is listed as a check.
  EXPECT_EQ(report.checks.size(), 4u);
}

TEST(ScanReportTest, AnAssetIgLeavesOutOutcomesAboveIt) {
  ScanReport report = Example(ImplementationGroup::kIG1);
  for (const ScanOutcome& outcome : report.outcomes) {
    EXPECT_NE(outcome.outcome, "PR_AC_CSC_6_8");  // min_ig 3.
  }
  EXPECT_EQ(Example(ImplementationGroup::kIG3).outcomes.size(), 4u);
}

TEST(ScanReportTest, JsonHasTheDocumentedLayout) {
  const nlohmann::json json = nlohmann::json::parse(ScanReportJson(Example(std::nullopt)));
  std::vector<std::string> keys;
  for (const auto& [key, value] : json.items()) keys.push_back(key);
  EXPECT_THAT(keys, ElementsAre("checks", "outcomes", "sources"));
  const nlohmann::json& check = json["checks"][3];  // After the pack's three.
  EXPECT_EQ(check.size(), 5u);
  EXPECT_EQ(check["id"], "xccdf_r1");
  EXPECT_EQ(check["source"], "openscap:standard");
  EXPECT_EQ(check["verdict"], "fail");
  EXPECT_EQ(check["outcomes"], nlohmann::json::array({"PR_AC_PR_AC_4"}));
  EXPECT_EQ(check["detail"], "Rule one (high): fail");
  const nlohmann::json& outcome = json["outcomes"][2];
  EXPECT_EQ(outcome.size(), 4u);
  EXPECT_EQ(outcome["outcome"], "PR_AC_PR_AC_4");
  EXPECT_EQ(outcome["level"], 0.33);
  EXPECT_EQ(outcome["state"], "evaluated");
  EXPECT_TRUE(json["outcomes"][0]["level"].is_null());
  EXPECT_EQ(json["outcomes"][0]["state"], "not_evaluated");
  const nlohmann::json& source = json["sources"][0];
  EXPECT_EQ(source["file"], "results.xml");
  EXPECT_EQ(source["rules"], 1);
  EXPECT_EQ(source["unmapped_rules"], nlohmann::json::array({"xccdf_r9"}));
  EXPECT_THAT(ScanReportJson(Example(std::nullopt)), HasSubstr("\"level\": 0.33,"));
}

TEST(ScanReportTest, TextNamesEveryCheckOutcomeAndNotice) {
  ScanReportBuilder builder(Catalog::Builtin(), std::nullopt, 1024);
  openscap::XccdfEvidence evidence = Openscap();
  evidence.notice = "every selected rule ended notapplicable";
  builder.AddXccdf("results.xml", evidence);
  const std::string text = ScanReportText(builder.Build());
  EXPECT_THAT(text, HasSubstr("fail           xccdf_r1 [openscap:standard] -> PR_AC_PR_AC_4"));
  EXPECT_THAT(text, HasSubstr("PR_AC_PR_AC_4          0.33 evaluated"));
  EXPECT_THAT(text, HasSubstr("OpenSCAP: 1 of 2 rules fail: xccdf_r1 (Rule one, high)\n"));
  EXPECT_THAT(text, HasSubstr("DE_CM_DE_CM_1          -    not_evaluated"));
  EXPECT_THAT(text, HasSubstr("1 evaluated rules map to no outcome: xccdf_r9"));
  EXPECT_THAT(text, HasSubstr("NOTE: every selected rule ended notapplicable"));
}

}  // namespace
}  // namespace postura::agent
