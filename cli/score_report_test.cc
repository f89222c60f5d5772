#include "cli/score_report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

StatusScore UniformScore(ImplementationGroup group, Level level, std::vector<Target> targets) {
  const Catalog& catalog = Catalog::Builtin();
  return ScoreStatus(catalog, group, std::vector<Level>(catalog.outcomes().size(), level),
                     std::move(targets));
}

TEST(ScoreReportTest, JsonListsOnlyWhatAppliesToTheGroup) {
  const Catalog& catalog = Catalog::Builtin();
  nlohmann::ordered_json json =
      ScoreJson(catalog, UniformScore(ImplementationGroup::kIG1, Level::kDli67, {}));
  EXPECT_EQ(json["implementation_group"], "IG1");
  EXPECT_EQ(json["asset"], 0.67);
  EXPECT_EQ(json["functions"].size(), 4u);
  EXPECT_FALSE(json["functions"].contains("RC"));
  EXPECT_EQ(json["categories"].size(), 15u);
  EXPECT_EQ(json["categories"]["PR.AC"], 0.67);
  EXPECT_EQ(json["coverage"], 1.0);
  EXPECT_TRUE(json["targets"].empty());
}

TEST(ScoreReportTest, JsonGivesEachTargetsValueStatusAndCredit) {
  const Catalog& catalog = Catalog::Builtin();
  Target target{{ScopeKind::kFunction, catalog.FindFunction("RC").value()},
                TargetOperator::kGreaterOrEqual,
                0.5};
  nlohmann::ordered_json json =
      ScoreJson(catalog, UniformScore(ImplementationGroup::kIG3, Level::kDli33, {target}));
  ASSERT_EQ(json["targets"].size(), 1u);
  const auto& t = json["targets"][0];
  EXPECT_EQ(t["scope"], "function");
  EXPECT_EQ(t["id"], "RC");
  EXPECT_EQ(t["operator"], "GREATER_OR_EQUAL");
  EXPECT_EQ(t["threshold"], 0.5);
  EXPECT_EQ(t["value"], 0.33);
  EXPECT_EQ(t["met"], false);
  EXPECT_DOUBLE_EQ(t["credit"].get<double>(), 0.66);
  EXPECT_DOUBLE_EQ(json["coverage"].get<double>(), 0.66);
  EXPECT_EQ(json["all_targets_met"], false);
}

TEST(ScoreReportTest, TextShowsValuesBarsAndTargets) {
  const Catalog& catalog = Catalog::Builtin();
  Target target{{ScopeKind::kAsset, 0}, TargetOperator::kGreater, 0.5};
  std::string text =
      ScoreText(catalog, UniformScore(ImplementationGroup::kIG2, Level::kDli100, {target}));
  EXPECT_THAT(text, HasSubstr("Asset"));
  EXPECT_THAT(text, HasSubstr("1.0000  ████████████████████"));
  EXPECT_THAT(text, HasSubstr("PR  Protect"));
  EXPECT_THAT(text, HasSubstr("PR.AC  Identity management"));
  EXPECT_THAT(text, Not(HasSubstr("RC  Recover")));
  EXPECT_THAT(text, HasSubstr("Targets: 1 of 1 met, coverage 1.0000"));
  EXPECT_THAT(text, HasSubstr("asset    ASSET            >  0.5000   value 1.0000   met"));
}

TEST(ScoreReportTest, BarsAreProportional) {
  const Catalog& catalog = Catalog::Builtin();
  std::string text = ScoreText(catalog, UniformScore(ImplementationGroup::kIG1, Level::kDli33, {}));
  // 0.33 of 20 cells is 6.6 cells: six full blocks and five eighths.
  EXPECT_THAT(text, HasSubstr("0.3300  ██████▋"));
  EXPECT_THAT(text, HasSubstr("No strategic targets."));
}

}  // namespace
}  // namespace postura::cli
