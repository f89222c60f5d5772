// The level rule per outcome (docs/metrics.md, "OpenSCAP results"), the detail, the
// all-notapplicable notice and the unmapped rules.

#include "agent/checks/openscap/xccdf_evidence.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/base/utf8.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent::openscap {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCsf[] = "https://nvlpubs.nist.gov/nistpubs/CSWP/NIST.CSWP.04162018.pdf";

// Rules r0..rN-1 all referencing PR.AC-4, with the given results.
XccdfResults ResultsFor(const std::vector<RuleOutcome>& outcomes) {
  XccdfResults results;
  results.profile_id = "xccdf_org.ssgproject.content_profile_standard";
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const std::string id = absl::StrCat("r", i);
    results.rule_results.push_back({.rule_id = id, .outcome = outcomes[i]});
    results.rules[id] = XccdfRule{
        .title = absl::StrCat("Rule ", i), .severity = "medium", .references = {{kCsf, "PR.AC-4"}}};
  }
  return results;
}

RuleMapping Mapping() { return *RuleMapping::Builtin(Catalog::Builtin()); }

OutcomeEvidence OnlyOutcome(const std::vector<RuleOutcome>& outcomes) {
  XccdfEvidence evidence = EvidenceFromXccdf(ResultsFor(outcomes), Mapping());
  EXPECT_EQ(evidence.outcomes.size(), 1u);
  return evidence.outcomes.empty() ? OutcomeEvidence{} : evidence.outcomes[0];
}

constexpr RuleOutcome kPass = RuleOutcome::kPass;
constexpr RuleOutcome kFail = RuleOutcome::kFail;

TEST(XccdfEvidenceTest, LevelFollowsTheShareOfPassingRules) {
  EXPECT_EQ(LevelFromCounts(3, 0), Level::kDli100);
  EXPECT_EQ(LevelFromCounts(2, 1), Level::kDli67);  // Exactly 2/3.
  EXPECT_EQ(LevelFromCounts(3, 2), Level::kDli33);  // 3/5 < 2/3.
  EXPECT_EQ(LevelFromCounts(1, 2), Level::kDli33);  // Exactly 1/3.
  EXPECT_EQ(LevelFromCounts(1, 3), Level::kDli0);   // 1/4 < 1/3.
  EXPECT_EQ(LevelFromCounts(0, 1), Level::kDli0);
  EXPECT_EQ(OnlyOutcome({kPass, kPass, kFail}).level, Level::kDli67);
  EXPECT_EQ(OnlyOutcome({kPass, kPass}).level, Level::kDli100);
}

TEST(XccdfEvidenceTest, ResultsThatSayNothingDoNotCount) {
  OutcomeEvidence evidence =
      OnlyOutcome({kPass, RuleOutcome::kNotApplicable, RuleOutcome::kNotSelected,
                   RuleOutcome::kInformational, RuleOutcome::kFixed, RuleOutcome::kNotChecked});
  EXPECT_EQ(evidence.level, Level::kDli100);
  EXPECT_EQ(evidence.passed, 1);
  EXPECT_THAT(evidence.rules, ElementsAre("r0"));
  EXPECT_EQ(evidence.detail, "1 of 1 rules pass");
}

TEST(XccdfEvidenceTest, AnErrorWithNoFailureIsNotEvaluated) {
  OutcomeEvidence evidence = OnlyOutcome({kPass, RuleOutcome::kError, RuleOutcome::kUnknown});
  EXPECT_FALSE(evidence.level.has_value());
  EXPECT_EQ(evidence.unresolved, 2);
  EXPECT_THAT(evidence.detail, HasSubstr("not evaluated: 2 rules in error or unknown: r1"));
  // A failure decides despite errors.
  EXPECT_EQ(OnlyOutcome({kPass, RuleOutcome::kError, kFail}).level, Level::kDli33);
}

TEST(XccdfEvidenceTest, DetailListsFailingRulesWithTitleAndSeverity) {
  OutcomeEvidence evidence = OnlyOutcome({kFail, kPass, kFail});
  EXPECT_EQ(evidence.detail, "2 of 3 rules fail: r0 (Rule 0, medium); r2 (Rule 2, medium)");
}

TEST(XccdfEvidenceTest, DetailStaysWithinTheLimitAndCountsTheRest) {
  XccdfResults results = ResultsFor(std::vector<RuleOutcome>(200, kFail));
  results.rules["r7"].title = std::string(300, 'x') + "\xC3\xA9";  // Ends in "é".
  XccdfEvidence evidence = EvidenceFromXccdf(results, Mapping(), 1024);
  const std::string& detail = evidence.outcomes.at(0).detail;
  EXPECT_LE(detail.size(), 1024u);
  EXPECT_TRUE(IsValidUtf8(detail));
  EXPECT_THAT(detail, HasSubstr("200 of 200 rules fail: r0 (Rule 0, medium); r1"));
  EXPECT_THAT(detail, ::testing::MatchesRegex(".*; \\.\\.\\. and [0-9]+ more$"));
  // One entry longer than the whole limit is cut between characters.
  XccdfResults one = ResultsFor({kFail});
  one.rules["r0"].title = std::string(40, 'a') + std::string(40, '\xC3');
  for (size_t i = 40; i < 80; i += 2) one.rules["r0"].title[i + 1] = '\xA9';
  const std::string cut = EvidenceFromXccdf(one, Mapping(), 60).outcomes.at(0).detail;
  EXPECT_LE(cut.size(), 60u);
  EXPECT_TRUE(IsValidUtf8(cut));
}

TEST(XccdfEvidenceTest, SaysSoWhenEveryRuleIsNotApplicable) {
  XccdfEvidence evidence =
      EvidenceFromXccdf(ResultsFor({RuleOutcome::kNotApplicable, RuleOutcome::kNotApplicable,
                                    RuleOutcome::kNotSelected}),
                        Mapping());
  EXPECT_TRUE(evidence.all_not_applicable);
  EXPECT_THAT(evidence.notice, HasSubstr("every selected rule ended notapplicable"));
  EXPECT_THAT(evidence.notice, HasSubstr("openscap:xccdf_org.ssgproject.content_profile_standard"));
  EXPECT_THAT(evidence.outcomes, IsEmpty());
  EXPECT_EQ(evidence.rules.size(), 2u);  // notselected rules are not listed.
  EXPECT_FALSE(EvidenceFromXccdf(ResultsFor({kPass}), Mapping()).all_not_applicable);
  EXPECT_THAT(EvidenceFromXccdf(XccdfResults{}, Mapping()).notice, HasSubstr("no rule results"));
}

TEST(XccdfEvidenceTest, SourceIsAValidCheckIdWhateverTheProfile) {
  XccdfResults results = ResultsFor({kPass});
  results.profile_id = "my profile\xC3\xA9" + std::string(300, 'x');
  const std::string source = EvidenceFromXccdf(results, Mapping()).source;
  EXPECT_EQ(source.size(), 256u);
  EXPECT_EQ(source.substr(0, 23), "openscap:my_profile__xx");
  results.profile_id.clear();
  EXPECT_EQ(EvidenceFromXccdf(results, Mapping()).source, "openscap:no-profile");
}

TEST(XccdfEvidenceTest, ListsRulesThatMapToNothing) {
  XccdfResults results = ResultsFor({kPass, kFail, RuleOutcome::kNotApplicable});
  for (auto& [id, rule] : results.rules) rule.references.clear();
  XccdfEvidence evidence = EvidenceFromXccdf(results, Mapping());
  EXPECT_THAT(evidence.unmapped_rules, ElementsAre("r0", "r1"));
  EXPECT_THAT(evidence.outcomes, IsEmpty());
  EXPECT_EQ(evidence.source, "openscap:xccdf_org.ssgproject.content_profile_standard");
}

}  // namespace
}  // namespace postura::agent::openscap
