#include "cli/accepted_risk.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::Gaps GapsOf(const std::string& asset, const std::vector<std::string>& outcomes) {
  v1::Gaps gaps;
  gaps.set_asset_id(asset);
  v1::FunctionalAreaGaps& area = *gaps.add_areas();
  for (const std::string& outcome : outcomes) {
    v1::Gap& gap = *area.add_gaps();
    gap.set_outcome_id(outcome);
    gap.set_level(v1::DLI_33);
  }
  return gaps;
}

v1::RiskException ExceptionOf(const std::string& id, const std::string& asset,
                              const std::string& outcome) {
  v1::RiskException exception;
  exception.set_id(id);
  exception.set_asset_id(asset);
  exception.set_outcome_id(outcome);
  exception.set_reason("Accepted | by the board");
  exception.set_until_unix_seconds(1'800'000'000);
  exception.set_status(v1::RISK_EXCEPTION_ACTIVE);
  return exception;
}

TEST(AcceptedRiskTest, CountsOnlyGapsWhoseOutcomeHasAnExceptionOnThatAsset) {
  const std::vector<v1::Gaps> gaps = {GapsOf("web", {"A_1", "B_2"}), GapsOf("hq", {"A_1"})};
  const std::vector<v1::RiskException> exceptions = {
      ExceptionOf("EXC-000001", "web", "A_1"),  // A gap: counts.
      ExceptionOf("EXC-000002", "web", "C_3"),  // No gap there (at level 1): does not.
      ExceptionOf("EXC-000003", "db", "A_1"),   // Another asset's outcome: does not.
  };
  std::vector<AcceptedGap> accepted = AcceptedGaps(gaps, exceptions);
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_EQ(accepted[0].asset_id, "web");
  EXPECT_EQ(accepted[0].gap->outcome_id(), "A_1");
  EXPECT_EQ(accepted[0].exception->id(), "EXC-000001");

  const std::string markdown = AcceptedRiskMarkdown(gaps, exceptions);
  EXPECT_THAT(markdown, HasSubstr("## Gaps with an accepted risk"));
  EXPECT_THAT(markdown, HasSubstr("1 gaps with an accepted risk (3 active risk exceptions)"));
  EXPECT_THAT(markdown, HasSubstr("| web | A_1 | DLI_33 | EXC-000001 |"));
  EXPECT_THAT(markdown, Not(HasSubstr("EXC-000002")));
  EXPECT_THAT(markdown, Not(HasSubstr("Accepted | by")));  // No pipe breaks the table.

  const nlohmann::ordered_json json = AcceptedRiskJson(gaps, exceptions);
  EXPECT_EQ(json["activeExceptions"], 3);
  EXPECT_EQ(json["gapsWithAcceptedRisk"], 1);
  EXPECT_EQ(json["gaps"][0]["exceptionId"], "EXC-000001");
}

TEST(AcceptedRiskTest, NoExceptionsNoAcceptedGaps) {
  const std::vector<v1::Gaps> gaps = {GapsOf("web", {"A_1"})};
  EXPECT_TRUE(AcceptedGaps(gaps, {}).empty());
  EXPECT_THAT(AcceptedRiskMarkdown(gaps, {}),
              HasSubstr("0 gaps with an accepted risk (0 active risk exceptions)"));
  EXPECT_EQ(AcceptedRiskJson(gaps, {})["gaps"].size(), 0u);
}

}  // namespace
}  // namespace postura::cli
