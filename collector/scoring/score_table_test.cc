#include "collector/scoring/score_table.h"

#include <cmath>
#include <map>
#include <random>

#include "collector/scoring/score_wire.h"
#include "common/model/asset_score.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

AssetDefinition Definition(const std::string& id, ImplementationGroup group,
                           std::vector<std::string> dependencies = {},
                           const std::string& department = "", const std::string& supplier = "") {
  AssetDefinition definition;
  definition.id = id;
  definition.group = group;
  definition.dependency_ids = std::move(dependencies);
  definition.department_id = department;
  definition.supplier_id = supplier;
  return definition;
}

Cell Live(Level level, bool attested = false) { return Cell{level, CellState::kLive, attested}; }

TEST(ScoreTableTest, NewAssetHasNoEvidenceAndScoresZero) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(Definition("web", ImplementationGroup::kIG2));
  const int slot = *table.FindSlot("web");
  const AssetHeadline headline = table.Headline(slot);
  EXPECT_EQ(headline.value, 0);
  EXPECT_EQ(headline.live, 0);
  EXPECT_EQ(headline.no_evidence, 107);
  EXPECT_EQ(headline.limiting_slot, slot);
  EXPECT_EQ(table.cell(slot, 0).state, CellState::kNoEvidence);
}

TEST(ScoreTableTest, AllOutcomesAtFullLevelScoreOneWithFullCoverage) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(Definition("db", ImplementationGroup::kIG1));
  const int slot = *table.FindSlot("db");
  for (int o : table.model(slot).applicable_outcomes())
    table.SetCell(slot, o, Live(Level::kDli100));
  const AssetHeadline headline = table.Headline(slot);
  EXPECT_DOUBLE_EQ(headline.value, 1.0);
  EXPECT_EQ(headline.live, 47);
  EXPECT_EQ(headline.no_evidence, 0);
  EXPECT_DOUBLE_EQ(table.rollups().Index(table.rollups().organization()), 1.0);
  EXPECT_DOUBLE_EQ(table.rollups().Coverage(), 1.0);
}

TEST(ScoreTableTest, AdjustedValueIsLimitedByTheWeakestDependency) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(Definition("platform", ImplementationGroup::kIG1));
  table.PutAsset(Definition("service", ImplementationGroup::kIG1, {"platform"}));
  const int platform = *table.FindSlot("platform");
  const int service = *table.FindSlot("service");
  for (int o : table.model(service).applicable_outcomes()) {
    table.SetCell(service, o, Live(Level::kDli100));
  }
  EXPECT_DOUBLE_EQ(table.Headline(service).value, 1.0);
  EXPECT_EQ(table.Headline(service).adjusted_value, 0.0);
  EXPECT_EQ(table.Headline(service).limiting_slot, platform);
  for (int o : table.model(platform).applicable_outcomes()) {
    table.SetCell(platform, o, Live(Level::kDli100));
  }
  EXPECT_DOUBLE_EQ(table.Headline(service).adjusted_value, 1.0);
  EXPECT_EQ(table.Headline(service).limiting_slot, service);
}

TEST(ScoreTableTest, ChangingTheGroupRescoresAtOnceKeepingEvidence) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(Definition("web", ImplementationGroup::kIG1));
  const int slot = *table.FindSlot("web");
  for (int o : Catalog::Builtin().model(ImplementationGroup::kIG3).applicable_outcomes()) {
    table.SetCell(slot, o, Live(Level::kDli100));
  }
  EXPECT_DOUBLE_EQ(table.Headline(slot).value, 1.0);
  table.PutAsset(Definition("web", ImplementationGroup::kIG3));
  EXPECT_DOUBLE_EQ(table.Headline(slot).value, 1.0);
  EXPECT_EQ(table.Headline(slot).live, 167);
  table.SetCell(slot,
                Catalog::Builtin().model(ImplementationGroup::kIG3).applicable_outcomes().back(),
                Live(Level::kDli0));
  EXPECT_LT(table.Headline(slot).value, 1.0);
}

TEST(ScoreTableTest, TargetsAreEvaluatedOnEveryChange) {
  ScoreTable table(Catalog::Builtin());
  AssetDefinition definition = Definition("web", ImplementationGroup::kIG1);
  definition.targets.push_back(
      Target{TargetScope{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.5});
  table.PutAsset(definition);
  const int slot = *table.FindSlot("web");
  EXPECT_FALSE(table.Headline(slot).targets_met);
  EXPECT_EQ(table.rollups().organization().targets_met, 0);
  for (int o : table.model(slot).applicable_outcomes()) table.SetCell(slot, o, Live(Level::kDli67));
  EXPECT_TRUE(table.Headline(slot).targets_met);
  EXPECT_EQ(table.rollups().organization().targets_met, 1);
}

// Before, an asset without targets counted as meeting them, so an organisation where no
// asset had targets read "100% meeting targets". Now it counts in neither figure.
TEST(ScoreTableTest, AssetsWithoutTargetsAreNotCountedAsMeetingThem) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(Definition("plain", ImplementationGroup::kIG1));
  EXPECT_EQ(table.rollups().organization().with_targets, 0);
  EXPECT_EQ(table.rollups().organization().targets_met, 0);
  v1::OrganizationScore none = OrganizationFromTable(table, Catalog::Builtin());
  EXPECT_EQ(none.assets_with_targets(), 0u);
  EXPECT_EQ(none.share_meeting_targets(), 0);

  AssetDefinition web = Definition("web", ImplementationGroup::kIG1);
  web.targets.push_back(
      Target{TargetScope{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.5});
  table.PutAsset(web);
  const int slot = *table.FindSlot("web");
  v1::OrganizationScore unmet = OrganizationFromTable(table, Catalog::Builtin());
  EXPECT_EQ(unmet.asset_count(), 2u);
  EXPECT_EQ(unmet.assets_with_targets(), 1u);
  EXPECT_EQ(unmet.assets_meeting_targets(), 0u);
  EXPECT_EQ(unmet.share_meeting_targets(), 0);  // Was 1/2: "plain" met its no targets.

  for (int o : table.model(slot).applicable_outcomes()) table.SetCell(slot, o, Live(Level::kDli67));
  v1::OrganizationScore met = OrganizationFromTable(table, Catalog::Builtin());
  EXPECT_EQ(met.assets_with_targets(), 1u);
  EXPECT_EQ(met.assets_meeting_targets(), 1u);
  EXPECT_EQ(met.share_meeting_targets(), 1);

  // Dropping the targets takes the asset out of both figures again.
  table.PutAsset(Definition("web", ImplementationGroup::kIG1));
  EXPECT_EQ(table.rollups().organization().with_targets, 0);
  EXPECT_EQ(table.rollups().organization().targets_met, 0);
}

TEST(ScoreTableTest, ChangedAssetsAreReportedOnceAndOnlyOnChange) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(Definition("platform", ImplementationGroup::kIG1));
  table.PutAsset(Definition("service", ImplementationGroup::kIG1, {"platform"}));
  table.TakeChanged();
  const int platform = *table.FindSlot("platform");
  const int outcome = table.model(platform).applicable_outcomes().front();
  table.SetCell(platform, outcome, Live(Level::kDli33));
  table.SetCell(platform, outcome, Live(Level::kDli67));
  // The service's adjusted value stays 0 (its own value is 0): only the platform changed.
  EXPECT_EQ(table.TakeChanged(), std::vector<int>{platform});
  table.SetCell(platform, outcome, Live(Level::kDli67));
  EXPECT_TRUE(table.TakeChanged().empty());
}

// From-scratch figures of one asset, for the property test.
struct Expected {
  double value = 0, adjusted = 0;
  int live = 0;
};

// Applies random operations and after each checks every figure against a recomputation
// from the cells alone: the exact engine (AssetScore), the section 3 formula, dependency
// adjustment by recursion, and every rollup as a plain mean.
TEST(ScoreTablePropertyTest, IncrementalFiguresEqualRecomputationAfterEveryStep) {
  std::mt19937 random(20261123);
  ScoreTable table(Catalog::Builtin());
  std::vector<std::string> ids;
  std::map<std::string, std::vector<std::string>> dependencies;
  const std::vector<std::string> departments = {"", "finance", "health"};
  const std::vector<std::string> suppliers = {"", "hoster"};
  auto pick = [&](int n) { return static_cast<int>(random() % n); };

  for (int step = 0; step < 3000; ++step) {
    const int op = pick(100);
    if (ids.size() < 3 || op < 4) {
      // A new asset depending on up to two earlier ones (so no cycle can form).
      const std::string id = "a" + std::to_string(step);
      std::vector<std::string> deps;
      for (int d = 0; d < pick(3) && !ids.empty(); ++d) {
        const std::string& dep = ids[pick(static_cast<int>(ids.size()))];
        if (std::find(deps.begin(), deps.end(), dep) == deps.end()) deps.push_back(dep);
      }
      table.PutAsset(Definition(id, kAllImplementationGroups[pick(3)], deps, departments[pick(3)],
                                suppliers[pick(2)]));
      ids.push_back(id);
      dependencies[id] = deps;
    } else if (op < 6) {
      // Change an asset's group and department, keeping its dependencies.
      const std::string& id = ids[pick(static_cast<int>(ids.size()))];
      table.PutAsset(Definition(id, kAllImplementationGroups[pick(3)], dependencies[id],
                                departments[pick(3)], suppliers[pick(2)]));
    } else if (op < 7) {
      // Remove an asset nobody depends on.
      const std::string id = ids[pick(static_cast<int>(ids.size()))];
      bool depended_on = false;
      for (const auto& [other, deps] : dependencies) {
        depended_on |= std::find(deps.begin(), deps.end(), id) != deps.end();
      }
      if (depended_on) continue;
      table.RemoveAsset(id);
      ids.erase(std::find(ids.begin(), ids.end(), id));
      dependencies.erase(id);
    } else {
      const int slot = *table.FindSlot(ids[pick(static_cast<int>(ids.size()))]);
      const int outcome = pick(static_cast<int>(Catalog::Builtin().outcomes().size()));
      const CellState state = static_cast<CellState>(pick(3));
      const Level level = state == CellState::kLive ? kAllLevels[pick(4)] : Level::kDli0;
      table.SetCell(slot, outcome, Cell{level, state, state == CellState::kLive && pick(2) == 0});
    }

    // Recompute everything from the cells.
    std::map<std::string, Expected> expected;
    std::function<double(const std::string&)> adjusted = [&](const std::string& id) {
      double value = expected[id].value;
      for (const std::string& dep : dependencies[id]) value = std::min(value, adjusted(dep));
      return value;
    };
    double weighted = 0, weight = 0, adjusted_weighted = 0, coverage = 0;
    for (const std::string& id : ids) {
      const int slot = *table.FindSlot(id);
      const ScoringModel& model = table.model(slot);
      const std::vector<Level> levels = table.Levels(slot);
      const AssetScore exact(model, levels);
      ASSERT_EQ(table.Headline(slot).value, exact.asset_value()) << id << " step " << step;
      ASSERT_NEAR(table.Headline(slot).value, ComputeAssetValues(model, levels).asset, 1e-12);
      const AssetValues values = table.Values(slot);
      for (int f : model.applicable_functions()) {
        ASSERT_EQ(values.functions[f], exact.function_value(f));
      }
      for (int c : model.applicable_categories()) {
        ASSERT_EQ(values.categories[c], exact.category_value(c));
      }
      int live = 0;
      for (int o : model.applicable_outcomes())
        live += table.cell(slot, o).state == CellState::kLive;
      ASSERT_EQ(table.Headline(slot).live, live);
      expected[id] = {exact.asset_value(), 0, live};
    }
    for (const std::string& id : ids) {
      const int slot = *table.FindSlot(id);
      ASSERT_EQ(table.Headline(slot).adjusted_value, adjusted(id)) << id << " step " << step;
      const double w = IndexOf(table.group(slot)) + 1;
      weighted += w * expected[id].value;
      adjusted_weighted += w * adjusted(id);
      weight += w;
      coverage +=
          static_cast<double>(expected[id].live) / table.model(slot).applicable_outcomes().size();
    }
    const Rollups& rollups = table.rollups();
    ASSERT_EQ(rollups.organization().total_count(), static_cast<int>(ids.size()));
    if (!ids.empty()) {
      ASSERT_NEAR(rollups.Index(rollups.organization()), weighted / weight, 1e-9);
      ASSERT_NEAR(rollups.AdjustedIndex(rollups.organization()), adjusted_weighted / weight, 1e-9);
      ASSERT_NEAR(rollups.Coverage(), coverage / ids.size(), 1e-9);
    }
  }
}

TEST(ScoreTablePropertyTest, RollupsPerSetFunctionAndAreaEqualPlainMeans) {
  std::mt19937 random(7);
  ScoreTable table(Catalog::Builtin());
  const std::vector<std::string> departments = {"finance", "health", "schools"};
  for (int i = 0; i < 60; ++i) {
    table.PutAsset(Definition("a" + std::to_string(i), kAllImplementationGroups[i % 3], {},
                              departments[i % 3]));
  }
  for (int step = 0; step < 5000; ++step) {
    const int slot = static_cast<int>(random() % 60);
    const int outcome = static_cast<int>(random() % Catalog::Builtin().outcomes().size());
    table.SetCell(slot, outcome, Live(kAllLevels[random() % 4]));
  }
  const Rollups& rollups = table.rollups();
  for (size_t d = 0; d < table.department_ids().size(); ++d) {
    double weighted = 0, weight = 0;
    for (int slot : table.Slots()) {
      if (table.department_id(slot) != table.department_ids()[d]) continue;
      const double w = IndexOf(table.group(slot)) + 1;
      weighted += w * table.Headline(slot).value;
      weight += w;
    }
    EXPECT_NEAR(rollups.Index(rollups.departments()[d]), weighted / weight, 1e-12);
  }
  for (size_t f = 0; f < Catalog::Builtin().functions().size(); ++f) {
    double sum = 0;
    int count = 0;
    for (int slot : table.Slots()) {
      if (!table.model(slot).FunctionApplies(static_cast<int>(f))) continue;
      sum += table.Values(slot).functions[f];
      ++count;
    }
    int assets = 0;
    EXPECT_NEAR(rollups.FunctionMean(static_cast<int>(f), &assets), sum / count, 1e-12);
    EXPECT_EQ(assets, count);
  }
  for (size_t area = 0; area < Catalog::Builtin().functional_areas().size(); ++area) {
    double sum = 0;
    int pairs = 0, open = 0;
    for (int slot : table.Slots()) {
      for (int o : table.model(slot).applicable_outcomes()) {
        if (Catalog::Builtin().outcomes()[o].functional_area != static_cast<int>(area)) continue;
        sum += LevelHundredths(table.cell(slot, o).level) / 100.0;
        ++pairs;
        open += table.cell(slot, o).level != Level::kDli100;
      }
    }
    int open_gaps = 0;
    const double achievement = rollups.AreaAchievement(static_cast<int>(area), &open_gaps);
    if (pairs == 0) continue;
    EXPECT_NEAR(achievement, sum / pairs, 1e-12);
    EXPECT_EQ(open_gaps, open);
  }
}

}  // namespace
}  // namespace postura::collector
