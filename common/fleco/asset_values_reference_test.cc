// The engine against the values FLECO (the framework's reference implementation)
// computes, for every case in tests/testdata/reference/fleco-asset-metrics.jsonl.

#include <fstream>
#include <string>
#include <vector>

#include "common/fleco/fleco_case.h"
#include "common/model/asset_score.h"
#include "common/model/asset_values.h"
#include "common/model/catalog.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura {
namespace {

// FLECO computes in 32-bit float; Postura in double (exactly, for AssetScore).
constexpr double kFlecoTolerance = 1e-5;

struct ReferenceVector {
  std::string name;
  nlohmann::json fleco_case;
  nlohmann::json expected;
};

std::vector<ReferenceVector> LoadReferenceVectors() {
  std::ifstream file(POSTURA_SOURCE_DIR "/tests/testdata/reference/fleco-asset-metrics.jsonl");
  std::vector<ReferenceVector> vectors;
  for (std::string line; std::getline(file, line);) {
    if (line.empty()) continue;
    nlohmann::json row = nlohmann::json::parse(line);
    vectors.push_back({row["name"], row["case"], row["expected"]});
  }
  return vectors;
}

void ExpectMatchesReference(const Catalog& catalog, const ReferenceVector& vector,
                            const ScoringModel& model, const AssetValues& values) {
  SCOPED_TRACE(vector.name);
  EXPECT_NEAR(values.asset, vector.expected["asset"].get<double>(), kFlecoTolerance);
  ASSERT_EQ(vector.expected["functions"].size(), model.applicable_functions().size());
  for (int f : model.applicable_functions()) {
    const std::string& id = catalog.functions()[f].id;
    ASSERT_TRUE(vector.expected["functions"].contains(id)) << id;
    EXPECT_NEAR(values.functions[f], vector.expected["functions"][id].get<double>(),
                kFlecoTolerance)
        << id;
  }
  ASSERT_EQ(vector.expected["categories"].size(), model.applicable_categories().size());
  for (int c : model.applicable_categories()) {
    const std::string& id = catalog.categories()[c].id;
    ASSERT_TRUE(vector.expected["categories"].contains(id)) << id;
    EXPECT_NEAR(values.categories[c], vector.expected["categories"][id].get<double>(),
                kFlecoTolerance)
        << id;
  }
}

TEST(AssetValuesTest, ReferenceVectorsAreAllPresent) {
  // 3 example statuses shipped with FLECO + 4 uniform statuses for each of 3 groups.
  EXPECT_EQ(LoadReferenceVectors().size(), 15u);
}

TEST(AssetValuesTest, FormulaMatchesFlecoOnEveryReferenceVector) {
  const Catalog& catalog = Catalog::Builtin();
  for (const ReferenceVector& vector : LoadReferenceVectors()) {
    absl::StatusOr<FlecoCase> fleco_case = ParseFlecoCase(catalog, vector.fleco_case.dump());
    ASSERT_TRUE(fleco_case.ok()) << vector.name << ": " << fleco_case.status();
    const ScoringModel& model = catalog.model(fleco_case->group);
    ExpectMatchesReference(catalog, vector, model,
                           ComputeAssetValues(model, fleco_case->initial_status));
  }
}

TEST(AssetValuesTest, ExactScoreMatchesFlecoOnEveryReferenceVector) {
  const Catalog& catalog = Catalog::Builtin();
  for (const ReferenceVector& vector : LoadReferenceVectors()) {
    absl::StatusOr<FlecoCase> fleco_case = ParseFlecoCase(catalog, vector.fleco_case.dump());
    ASSERT_TRUE(fleco_case.ok()) << vector.name << ": " << fleco_case.status();
    const ScoringModel& model = catalog.model(fleco_case->group);
    ExpectMatchesReference(catalog, vector, model,
                           AssetScore(model, fleco_case->initial_status).Values());
  }
}

TEST(AssetValuesTest, UniformStatusScoresItsLevelExactly) {
  // Weights sum to exactly 1, so an asset whose outcomes all sit at one level has exactly
  // that value (FLECO's float gives 0.33000004).
  const Catalog& catalog = Catalog::Builtin();
  for (ImplementationGroup group : kAllImplementationGroups) {
    const ScoringModel& model = catalog.model(group);
    for (Level level : kAllLevels) {
      std::vector<Level> levels(model.outcome_count(), level);
      AssetScore score(model, levels);
      EXPECT_EQ(score.asset_value(), LevelValue(level)) << ImplementationGroupName(group);
      for (int f : model.applicable_functions())
        EXPECT_EQ(score.function_value(f), LevelValue(level));
      EXPECT_NEAR(ComputeAssetValues(model, levels).asset, LevelValue(level), 1e-15);
    }
  }
}

TEST(AssetValuesTest, InapplicableOutcomesDoNotCount) {
  const Catalog& catalog = Catalog::Builtin();
  const ScoringModel& ig1 = catalog.model(ImplementationGroup::kIG1);
  std::vector<Level> levels(ig1.outcome_count(), Level::kDli0);
  for (int o = 0; o < ig1.outcome_count(); ++o) {
    if (!ig1.OutcomeApplies(o)) levels[o] = Level::kDli100;
  }
  EXPECT_EQ(ComputeAssetValues(ig1, levels).asset, 0.0);
  EXPECT_EQ(AssetScore(ig1, levels).asset_value(), 0.0);
}

}  // namespace
}  // namespace postura
