// The roadmap's rules on the built-in catalog: phases in IG order, areas by their share
// of the gap, reached values recomputed by the reference formula, the last step meeting
// the targets when the planner's plan is feasible; a small case checked by hand; the
// organisation's merge of two assets.

#include "collector/api/profile_roadmap.h"

#include <random>
#include <vector>

#include "common/model/asset_values.h"
#include "common/planner/planner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

const Catalog& Uleo() { return Catalog::Builtin(); }

// The first outcome (catalog order) of minimum IG `ig` led by an area other than `not_area`.
int FirstOutcomeOfIg(int ig, int not_area = -1) {
  for (int o = 0; o < static_cast<int>(Uleo().outcomes().size()); ++o) {
    const CatalogOutcome& outcome = Uleo().outcomes()[o];
    if (outcome.min_ig == ig && outcome.functional_area != not_area) return o;
  }
  ADD_FAILURE() << "no outcome of minimum IG" << ig;
  return 0;
}

RoadmapAsset AssetOf(ImplementationGroup group, std::vector<Level> current,
                     std::vector<Level> target) {
  RoadmapAsset asset;
  asset.model = &Uleo().model(group);
  asset.current = std::move(current);
  asset.target = std::move(target);
  asset.weight = IndexWeight(group);
  return asset;
}

double ReferenceValue(const RoadmapAsset& asset, const std::vector<Level>& levels) {
  return ComputeAssetValues(*asset.model, levels).asset;
}

// The rules every roadmap keeps, whatever its input: phases never go back, within a phase
// the areas come by falling share, each reached value is the reference formula's on the
// levels of the steps so far, and the last one is the target profile's.
void ExpectRoadmapRules(const std::vector<RoadmapAsset>& assets, const std::vector<AreaGap>& gaps,
                        const std::vector<RoadmapStep>& steps) {
  std::vector<double> share(Uleo().functional_areas().size(), 0);
  for (const AreaGap& gap : gaps) share[gap.area] = gap.share_of_gap;
  std::vector<std::vector<Level>> walked;
  for (const RoadmapAsset& asset : assets) walked.push_back(asset.current);
  for (size_t i = 0; i < steps.size(); ++i) {
    const RoadmapStep& step = steps[i];
    EXPECT_EQ(step.phase, Uleo().outcomes()[step.outcome].min_ig);
    if (i > 0) {
      const RoadmapStep& before = steps[i - 1];
      ASSERT_LE(before.phase, step.phase) << "step " << i << " goes back a phase";
      if (before.phase == step.phase) {
        EXPECT_GE(share[Uleo().outcomes()[before.outcome].functional_area],
                  share[Uleo().outcomes()[step.outcome].functional_area])
            << "step " << i;
      }
    }
    walked[step.asset][step.outcome] = step.to;
    EXPECT_NEAR(step.asset_value_reached, ReferenceValue(assets[step.asset], walked[step.asset]),
                1e-12);
  }
  for (size_t a = 0; a < assets.size(); ++a) EXPECT_EQ(walked[a], assets[a].target);
}

// Property: on random statuses with random lower bounds on the asset and its functions,
// the planner's roadmap keeps the rules, its reached values never fall (a plan for lower
// bounds only raises) and its last step meets every target when the plan is feasible.
TEST(ProfileRoadmapTest, PlannedRoadmapsKeepPhasesAndReachTheTargetsWithRisingValues) {
  std::mt19937 rng(19);
  int feasible_plans = 0;
  for (int round = 0; round < 24; ++round) {
    const ImplementationGroup group = kAllImplementationGroups[round % 3];
    const ScoringModel& model = Uleo().model(group);
    PlanRequest request;
    request.group = group;
    request.current.assign(Uleo().outcomes().size(), Level::kDli0);
    for (int o : model.applicable_outcomes()) request.current[o] = kAllLevels[rng() % 4];
    std::uniform_real_distribution<double> threshold(0.3, 0.95);
    request.targets.push_back({.scope = {.kind = ScopeKind::kAsset, .index = 0},
                               .op = TargetOperator::kGreaterOrEqual,
                               .threshold = threshold(rng)});
    const int function = model.applicable_functions()[rng() % model.applicable_functions().size()];
    request.targets.push_back({.scope = {.kind = ScopeKind::kFunction, .index = function},
                               .op = TargetOperator::kGreaterOrEqual,
                               .threshold = threshold(rng)});
    absl::StatusOr<Plan> plan = PlanTargetStatus(Uleo(), request);
    ASSERT_TRUE(plan.ok()) << plan.status();
    RoadmapAsset asset = AssetOf(group, request.current, plan->target_status);
    asset.targets = request.targets;
    const std::vector<RoadmapAsset> assets = {asset};
    const std::vector<AreaGap> gaps = AreaGaps(Uleo(), assets);
    const std::vector<RoadmapStep> steps = OrderRoadmap(Uleo(), assets, gaps);
    ExpectRoadmapRules(assets, gaps, steps);
    double before = ReferenceValue(asset, asset.current);
    for (const RoadmapStep& step : steps) {
      EXPECT_GE(step.asset_value_reached, before);
      before = step.asset_value_reached;
    }
    if (plan->feasible && !steps.empty()) {
      ++feasible_plans;
      EXPECT_TRUE(steps.back().asset_targets_met);
      // The plan changes as few outcomes as it can, so the status one step short of it
      // (the current one for a single step) misses some target.
      if (steps.size() >= 2) {
        EXPECT_FALSE(steps[steps.size() - 2].asset_targets_met);
      }
    }
  }
  EXPECT_GT(feasible_plans, 5) << "too few feasible plans to test the property";
}

// By hand: an IG3 asset at DLI_0 raising one outcome of each minimum IG, the IG3 one
// listed first in the status; the roadmap goes IG1, IG2, IG3 and each reached value adds
// exactly that outcome's weight path times its level.
TEST(ProfileRoadmapTest, SmallCaseByHandGoesIg1ThenIg2ThenIg3) {
  const int ig1 = FirstOutcomeOfIg(1);
  const int ig2 = FirstOutcomeOfIg(2);
  const int ig3 = FirstOutcomeOfIg(3);
  const ScoringModel& model = Uleo().model(ImplementationGroup::kIG3);
  std::vector<Level> current(Uleo().outcomes().size(), Level::kDli0);
  std::vector<Level> target = current;
  target[ig3] = Level::kDli100;
  target[ig1] = Level::kDli33;
  target[ig2] = Level::kDli67;
  const std::vector<RoadmapAsset> assets = {AssetOf(ImplementationGroup::kIG3, current, target)};
  const std::vector<AreaGap> gaps = AreaGaps(Uleo(), assets);
  const std::vector<RoadmapStep> steps = OrderRoadmap(Uleo(), assets, gaps);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].outcome, ig1);
  EXPECT_EQ(steps[1].outcome, ig2);
  EXPECT_EQ(steps[2].outcome, ig3);
  EXPECT_EQ(steps[0].from, Level::kDli0);
  EXPECT_EQ(steps[0].to, Level::kDli33);
  // An outcome's share of the asset value is w_f * w_c * w_o (METRICS.md section 3).
  auto share = [&](int o) {
    return model.function_weight(model.function_of(o)) *
           model.category_weight(model.category_of(o)) * model.outcome_weight(o);
  };
  EXPECT_NEAR(steps[0].asset_value_reached, 0.33 * share(ig1), 1e-12);
  EXPECT_NEAR(steps[1].asset_value_reached, 0.33 * share(ig1) + 0.67 * share(ig2), 1e-12);
  EXPECT_NEAR(steps[2].asset_value_reached,
              0.33 * share(ig1) + 0.67 * share(ig2) + 1.0 * share(ig3), 1e-12);
  // The gap of each area is what its outcomes add, and the shares sum to 1.
  double total = 0, shares = 0;
  for (const AreaGap& gap : gaps) {
    total += gap.gap;
    shares += gap.share_of_gap;
  }
  EXPECT_NEAR(total, steps[2].asset_value_reached, 1e-12);
  EXPECT_NEAR(shares, 1.0, 1e-12);
  ExpectRoadmapRules(assets, gaps, steps);
}

// Within one phase, the area with the larger share of the gap goes first even when the
// catalog lists it later.
TEST(ProfileRoadmapTest, WithinAPhaseTheAreaWithTheLargerShareGoesFirst) {
  const int first = FirstOutcomeOfIg(1);
  const int other = FirstOutcomeOfIg(1, Uleo().outcomes()[first].functional_area);
  ASSERT_LT(first, other);
  std::vector<Level> current(Uleo().outcomes().size(), Level::kDli0);
  std::vector<Level> target = current;
  target[first] = Level::kDli33;   // The small rise, in the area listed first.
  target[other] = Level::kDli100;  // The large rise.
  const ScoringModel& model = Uleo().model(ImplementationGroup::kIG1);
  ASSERT_GT(model.units(other).asset * 100, model.units(first).asset * 33)
      << "pick outcomes whose rises differ the other way";
  const std::vector<RoadmapAsset> assets = {AssetOf(ImplementationGroup::kIG1, current, target)};
  const std::vector<AreaGap> gaps = AreaGaps(Uleo(), assets);
  const std::vector<RoadmapStep> steps = OrderRoadmap(Uleo(), assets, gaps);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].outcome, other);
  EXPECT_EQ(steps[1].outcome, first);
  EXPECT_EQ(gaps[0].area, Uleo().outcomes()[other].functional_area);
}

// The organisation: two assets of different weight merged by the same rule; the index
// reached at the end is the weighted mean of the target profiles, and no change means an
// empty roadmap with the index unchanged.
TEST(ProfileRoadmapTest, OrganisationRoadmapMergesAssetsAndEndsAtTheTargetIndex) {
  const int ig1 = FirstOutcomeOfIg(1);
  const int ig2 = FirstOutcomeOfIg(2);
  std::vector<Level> zero(Uleo().outcomes().size(), Level::kDli0);
  std::vector<Level> low_target = zero, high_target = zero;
  low_target[ig1] = Level::kDli100;
  high_target[ig2] = Level::kDli67;
  high_target[ig1] = Level::kDli33;
  const std::vector<RoadmapAsset> assets = {AssetOf(ImplementationGroup::kIG1, zero, low_target),
                                            AssetOf(ImplementationGroup::kIG3, zero, high_target)};
  const std::vector<AreaGap> gaps = AreaGaps(Uleo(), assets);
  const std::vector<RoadmapStep> steps = OrderRoadmap(Uleo(), assets, gaps);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[2].outcome, ig2);  // The only IG2 step comes last.
  EXPECT_EQ(steps.back().index_reached, WeightedIndex(assets, /*use_target=*/true));
  const double expected =
      (1 * ReferenceValue(assets[0], low_target) + 3 * ReferenceValue(assets[1], high_target)) / 4;
  EXPECT_NEAR(steps.back().index_reached, expected, 1e-12);
  ExpectRoadmapRules(assets, gaps, steps);

  const std::vector<RoadmapAsset> unchanged = {AssetOf(ImplementationGroup::kIG2, zero, zero)};
  EXPECT_TRUE(OrderRoadmap(Uleo(), unchanged, AreaGaps(Uleo(), unchanged)).empty());
  for (const AreaGap& gap : AreaGaps(Uleo(), unchanged)) {
    EXPECT_EQ(gap.gap, 0);
    EXPECT_EQ(gap.share_of_gap, 0);
  }
}

}  // namespace
}  // namespace postura::collector
