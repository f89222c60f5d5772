#include "common/model/catalog_corrections.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura {
namespace {

using ::testing::HasSubstr;

const CatalogOutcome& Outcome(absl::string_view id) {
  const Catalog& catalog = Catalog::Builtin();
  return catalog.outcomes()[*catalog.FindOutcome(id)];
}

// Each correction names a real outcome whose code matches, and still disagrees with the
// catalog: when the catalog is fixed, the correction must go.
TEST(CatalogCorrectionsTest, EveryCorrectionNamesAnOutcomeThatStillDiffers) {
  ASSERT_FALSE(CatalogCorrections().empty());
  for (const CatalogCorrection& correction : CatalogCorrections()) {
    const Catalog& catalog = Catalog::Builtin();
    ASSERT_TRUE(catalog.FindOutcome(correction.outcome_id).has_value()) << correction.outcome_id;
    const CatalogOutcome& outcome = Outcome(correction.outcome_id);
    EXPECT_EQ(outcome.code, correction.source_code);
    const bool title_differs =
        !correction.source_title.empty() && correction.source_title != outcome.title;
    const bool group_differs =
        correction.source_min_ig.has_value() && *correction.source_min_ig != outcome.min_ig;
    EXPECT_TRUE(title_differs || group_differs) << correction.outcome_id;
    EXPECT_FALSE(correction.note.empty());
  }
}

TEST(CatalogCorrectionsTest, RsAn5ShowsItsOwnTitleNotRsAn4s) {
  const CatalogOutcome& outcome = Outcome("RS_AN_RS_AN_5");
  // The catalog as it is (scores and FLECO parity use it).
  EXPECT_EQ(outcome.title, "Incidents are categorized consistent with response plans");
  EXPECT_THAT(std::string(ReportTitle(outcome)),
              HasSubstr("Processes are established to receive, analyze and respond to "
                        "vulnerabilities disclosed"));
}

TEST(CatalogCorrectionsTest, Csc174KeepsItsTitleAndScoresFromIg1) {
  const CatalogOutcome& outcome = Outcome("RS_CO_CSC_17_4");
  EXPECT_EQ(ReportTitle(outcome), outcome.title);
  EXPECT_EQ(outcome.min_ig, 1);  // Kept: FLECO's reference values use it.
  const CatalogCorrection* correction = FindCatalogCorrection("RS_CO_CSC_17_4");
  ASSERT_NE(correction, nullptr);
  EXPECT_EQ(correction->source_min_ig, 2);
}

TEST(CatalogCorrectionsTest, OtherOutcomesKeepTheCatalogsTitle) {
  EXPECT_EQ(FindCatalogCorrection("RS_AN_RS_AN_1"), nullptr);
  const CatalogOutcome& outcome = Outcome("RS_AN_RS_AN_1");
  EXPECT_EQ(ReportTitle(outcome), outcome.title);
}

}  // namespace
}  // namespace postura
