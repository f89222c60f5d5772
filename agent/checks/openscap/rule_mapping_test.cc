// Rule -> outcome mapping: CSF codes, the SP 800-53 crosswalk read backwards, which wins,
// and operators' mapping files that add and override.

#include "agent/checks/openscap/rule_mapping.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent::openscap {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kCsf[] = "https://nvlpubs.nist.gov/nistpubs/CSWP/NIST.CSWP.04162018.pdf";
constexpr char kSp80053[] =
    "http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-53r4.pdf";
constexpr char kCis[] = "https://www.cisecurity.org/controls/";
constexpr char kHeader[] = "uleo_id\tsource_id\ttarget_id\ttarget_title\n";

XccdfRule RuleWith(std::vector<XccdfReference> references) {
  return XccdfRule{.title = "t", .severity = "low", .references = std::move(references)};
}

RuleMapping Builtin() {
  absl::StatusOr<RuleMapping> mapping = RuleMapping::Builtin(Catalog::Builtin());
  EXPECT_TRUE(mapping.ok()) << mapping.status();
  return *std::move(mapping);
}

TEST(RuleMappingTest, CsfReferencesMapByOutcomeCode) {
  RuleOutcomes mapped =
      Builtin().OutcomesFor("r", RuleWith({{kCsf, "PR.AC-4"}, {kCsf, "PR.PT-3, DE.CM-1"}}));
  EXPECT_EQ(mapped.basis, MappingBasis::kDirect);
  EXPECT_THAT(mapped.outcomes, ElementsAre("DE_CM_DE_CM_1", "PR_AC_PR_AC_4", "PR_PT_PR_PT_3"));
}

TEST(RuleMappingTest, Sp80053ReferencesMapThroughTheCrosswalkBackwards) {
  // The crosswalk maps AC-17 to PR.AC-3 (remote access) among others.
  RuleOutcomes mapped = Builtin().OutcomesFor("r", RuleWith({{kSp80053, "AC-17(a)"}}));
  EXPECT_EQ(mapped.basis, MappingBasis::kSp80053);
  EXPECT_THAT(mapped.outcomes, Contains("PR_AC_PR_AC_3"));
  EXPECT_EQ(Builtin().OutcomesFor("r", RuleWith({{kSp80053, "AC-17 (1)"}})).outcomes,
            mapped.outcomes);
}

TEST(RuleMappingTest, CsfWinsOverTheCrosswalk) {
  RuleOutcomes mapped =
      Builtin().OutcomesFor("r", RuleWith({{kSp80053, "CM-6(a)"}, {kCsf, "PR.IP-1"}}));
  EXPECT_EQ(mapped.basis, MappingBasis::kDirect);
  EXPECT_THAT(mapped.outcomes, ElementsAre("PR_IP_PR_IP_1"));
}

TEST(RuleMappingTest, OtherReferencesAndUnknownCodesMapToNothing) {
  RuleOutcomes mapped = Builtin().OutcomesFor(
      "r", RuleWith({{kCis, "5.2"}, {kCsf, "XX.YY-9"}, {kSp80053, "ZZ-1"}, {"", "PR.AC-4"}}));
  EXPECT_EQ(mapped.basis, MappingBasis::kNone);
  EXPECT_THAT(mapped.outcomes, IsEmpty());
}

TEST(RuleMappingTest, OperatorRowsAddReferencesAndOverrideRules) {
  RuleMapping mapping = Builtin();
  ASSERT_TRUE(mapping
                  .AddOperatorMapping(std::string(kHeader) +
                                          "# Derived under the operator's own CIS licence.\n"
                                          "PR_AC_CSC_5_2\tCSC 5.2\t5.2\tUse unique passwords\n"
                                          "PR_AC_PR_AC_1\tPR.AC-1\tCM-6\t\n"
                                          "ID_AM_ID_AM_1\t-\txccdf_org.x_rule_pinned\t\n",
                                      "site.tsv")
                  .ok());
  // A CIS identifier the operator mapped: direct, so it wins over the crosswalk.
  RuleOutcomes cis = mapping.OutcomesFor("r", RuleWith({{kCis, "5.2"}, {kSp80053, "AC-17"}}));
  EXPECT_EQ(cis.basis, MappingBasis::kDirect);
  EXPECT_THAT(cis.outcomes, ElementsAre("PR_AC_CSC_5_2"));
  // The operator's rows for CM-6 replace the crosswalk's.
  EXPECT_THAT(mapping.OutcomesFor("r", RuleWith({{kSp80053, "CM-6(a)"}})).outcomes,
              ElementsAre("PR_AC_PR_AC_1"));
  // A rule named by id takes exactly the operator's outcomes.
  RuleOutcomes pinned =
      mapping.OutcomesFor("xccdf_org.x_rule_pinned", RuleWith({{kCsf, "PR.AC-4"}}));
  EXPECT_EQ(pinned.basis, MappingBasis::kOperatorRule);
  EXPECT_THAT(pinned.outcomes, ElementsAre("ID_AM_ID_AM_1"));
}

TEST(RuleMappingTest, RefusesABadOperatorFileNamingTheLine) {
  RuleMapping mapping = Builtin();
  auto error = [&](const std::string& text) {
    return std::string(mapping.AddOperatorMapping(text, "site.tsv").message());
  };
  EXPECT_THAT(error("uleo\ttarget\n"), HasSubstr("site.tsv:1: the first line must be the header"));
  EXPECT_THAT(error(std::string(kHeader) + "PR_AC_PR_AC_1\tx\n"),
              HasSubstr("site.tsv:2: a row needs uleo_id, source_id and target_id"));
  EXPECT_THAT(error(std::string(kHeader) + "\nNOPE\tx\tCM-6\n"),
              HasSubstr("site.tsv:3: unknown ULEO outcome 'NOPE'"));
  EXPECT_THAT(error(std::string(kHeader) + "PR_AC_PR_AC_1\tx\t \n"),
              HasSubstr("site.tsv:2: empty target_id"));
  EXPECT_THAT(error(""), HasSubstr("site.tsv: no header line"));
  // Nothing from a refused file is kept.
  EXPECT_THAT(mapping.OutcomesFor("r", RuleWith({{kCis, "x"}})).outcomes, IsEmpty());
  test::TempDir dir;
  EXPECT_EQ(mapping.AddOperatorMappingFile((dir.path() / "missing.tsv").string()).code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(mapping.AddOperatorMappingFile(dir.WriteFile("ok.tsv", kHeader)).ok());
}

TEST(RuleMappingTest, BaseControlDropsPartsAndEnhancements) {
  EXPECT_EQ(Sp80053BaseControl("CM-6(a)"), "CM-6");
  EXPECT_EQ(Sp80053BaseControl(" ac-6 (1)"), "AC-6");
  EXPECT_EQ(Sp80053BaseControl("AU-12"), "AU-12");
}

}  // namespace
}  // namespace postura::agent::openscap
