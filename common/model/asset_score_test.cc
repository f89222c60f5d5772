#include "common/model/asset_score.h"

#include <cmath>
#include <random>
#include <vector>

#include "common/model/asset_values.h"
#include "common/model/catalog.h"
#include "gtest/gtest.h"

namespace postura {
namespace {

// The exact values and the double formula differ only by the formula's rounding.
constexpr double kFormulaTolerance = 1e-12;

void ExpectEqualValues(const AssetValues& a, const AssetValues& b, double tolerance) {
  EXPECT_NEAR(a.asset, b.asset, tolerance);
  for (std::size_t f = 0; f < a.functions.size(); ++f) {
    EXPECT_NEAR(a.functions[f], b.functions[f], tolerance) << "function " << f;
  }
  for (std::size_t c = 0; c < a.categories.size(); ++c) {
    EXPECT_NEAR(a.categories[c], b.categories[c], tolerance) << "category " << c;
  }
}

TEST(AssetScoreTest, StartsAtZero) {
  AssetScore score(Catalog::Builtin().model(ImplementationGroup::kIG2));
  EXPECT_EQ(score.asset_value(), 0.0);
  EXPECT_EQ(score.level(0), Level::kDli0);
}

TEST(AssetScoreTest, OneUpdateMovesItsCategoryFunctionAndAsset) {
  const Catalog& catalog = Catalog::Builtin();
  const ScoringModel& ig1 = catalog.model(ImplementationGroup::kIG1);
  AssetScore score(ig1);
  // ID_AM_CSC_1_1 weighs 1/8 of ID.AM, which weighs 8/12 of ID, which weighs 4/15.
  const int o = catalog.FindOutcome("ID_AM_CSC_1_1").value();
  score.SetLevel(o, Level::kDli100);
  EXPECT_EQ(score.category_value(ig1.category_of(o)), 1.0 / 8);
  EXPECT_EQ(score.function_value(ig1.function_of(o)), 1.0 / 12);
  EXPECT_EQ(score.asset_value(), 1.0 / 45);
  score.SetLevel(o, Level::kDli0);
  EXPECT_EQ(score.asset_value(), 0.0);
}

// Property: after every step of a long random sequence of updates, the incremental score
// equals a from-scratch recomputation: bit for bit against a freshly built AssetScore, and
// within rounding against the double formula of METRICS.md section 3.
class AssetScorePropertyTest : public testing::TestWithParam<ImplementationGroup> {};

TEST_P(AssetScorePropertyTest, IncrementalEqualsFromScratchAfterEveryUpdate) {
  const ScoringModel& model = Catalog::Builtin().model(GetParam());
  const std::vector<int>& outcomes = model.applicable_outcomes();
  // Reproduce a failure with --gtest_shuffle --gtest_random_seed=SEED.
  const unsigned gtest_seed = testing::UnitTest::GetInstance()->random_seed();
  const unsigned seed = gtest_seed != 0 ? gtest_seed : 20261123;
  std::mt19937 random(seed);
  std::uniform_int_distribution<std::size_t> pick_outcome(0, outcomes.size() - 1);
  std::uniform_int_distribution<int> pick_level(0, 3);

  AssetScore incremental(model);
  std::vector<Level> levels(model.outcome_count(), Level::kDli0);
  constexpr int kSteps = 20000;
  for (int step = 0; step < kSteps; ++step) {
    const int o = outcomes[pick_outcome(random)];
    const Level level = kAllLevels[pick_level(random)];
    incremental.SetLevel(o, level);
    levels[o] = level;

    const AssetValues exact = AssetScore(model, levels).Values();
    const AssetValues values = incremental.Values();
    ASSERT_EQ(values.asset, exact.asset) << "step " << step << ", seed " << seed;
    ASSERT_EQ(values.functions, exact.functions) << "step " << step << ", seed " << seed;
    ASSERT_EQ(values.categories, exact.categories) << "step " << step << ", seed " << seed;
    ExpectEqualValues(values, ComputeAssetValues(model, levels), kFormulaTolerance);
    if (HasFailure()) FAIL() << "step " << step << ", seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(AllGroups, AssetScorePropertyTest,
                         testing::ValuesIn(kAllImplementationGroups),
                         [](const testing::TestParamInfo<ImplementationGroup>& info) {
                           return std::string(ImplementationGroupName(info.param));
                         });

TEST(AssetScoreTest, ValuesStayWithinZeroAndOne) {
  const ScoringModel& model = Catalog::Builtin().model(ImplementationGroup::kIG3);
  std::mt19937 random(7);
  AssetScore score(model);
  for (int step = 0; step < 5000; ++step) {
    const std::vector<int>& outcomes = model.applicable_outcomes();
    score.SetLevel(outcomes[random() % outcomes.size()], kAllLevels[random() % 4]);
    const AssetValues values = score.Values();
    EXPECT_GE(values.asset, 0.0);
    EXPECT_LE(values.asset, 1.0);
    for (double v : values.categories) EXPECT_TRUE(v >= 0 && v <= 1) << v;
  }
}

}  // namespace
}  // namespace postura
