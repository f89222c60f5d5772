#include "common/planner/planner.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/model/asset_score.h"
#include "common/planner/planner_options.h"
#include "common/planner/planner_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::Evaluate;
using ::postura::test::ExpectOptimal;
using ::postura::test::HasMessage;
using ::postura::test::PlanCatalog;
using ::postura::test::RandomStatus;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Property;

template <typename Inner>
auto IsInvalid(Inner inner) {
  return AllOf(Property(&absl::Status::code, absl::StatusCode::kInvalidArgument),
               HasMessage(inner));
}

constexpr ImplementationGroup kIG1 = ImplementationGroup::kIG1;
constexpr ImplementationGroup kIG2 = ImplementationGroup::kIG2;
constexpr ImplementationGroup kIG3 = ImplementationGroup::kIG3;

PlanRequest UniformRequest(ImplementationGroup group, Level level) {
  PlanRequest request;
  request.group = group;
  request.current.assign(PlanCatalog().model(group).outcome_count(), level);
  return request;
}

int Outcome(absl::string_view id) { return *PlanCatalog().FindOutcome(id); }

int Function(absl::string_view id) { return *PlanCatalog().FindFunction(id); }

int Category(absl::string_view id) { return *PlanCatalog().FindCategory(id); }

Plan MustPlan(const PlanRequest& request) {
  absl::StatusOr<Plan> plan = PlanTargetStatus(PlanCatalog(), request);
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

TEST(PlannerTest, NoTargetsOrTargetsAlreadyMetChangeNothing) {
  PlanRequest request = UniformRequest(kIG2, Level::kDli33);
  Plan plan = MustPlan(request);
  EXPECT_TRUE(plan.feasible);
  EXPECT_EQ(plan.changed, 0);
  EXPECT_EQ(plan.target_status, request.current);
  request.targets = {{{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.33}};
  plan = MustPlan(request);
  EXPECT_TRUE(plan.feasible);
  EXPECT_EQ(plan.changed, 0);
}

TEST(PlannerTest, StrictOperatorsNeedAStepBeyondTheThreshold) {
  // The asset is exactly 0.33: > 0.33 needs one raise, >= 0.33 none.
  PlanRequest request = UniformRequest(kIG1, Level::kDli33);
  request.targets = {{{ScopeKind::kAsset, 0}, TargetOperator::kGreater, 0.33}};
  Plan plan = MustPlan(request);
  EXPECT_TRUE(plan.feasible);
  EXPECT_EQ(plan.changed, 1);
  EXPECT_EQ(plan.decrease, 0);
  // < 0.33 needs one outcome lowered and nothing raised.
  request.targets = {{{ScopeKind::kAsset, 0}, TargetOperator::kLess, 0.33}};
  plan = MustPlan(request);
  EXPECT_TRUE(plan.feasible);
  EXPECT_EQ(plan.changed, 1);
  EXPECT_EQ(plan.increase, 0);
  EXPECT_GT(plan.decrease, 0);
}

TEST(PlannerTest, EqualOnALevelPinsItAndAnUnreachableLevelConflicts) {
  PlanRequest request = UniformRequest(kIG1, Level::kDli0);
  request.targets = {{{ScopeKind::kOutcome, Outcome("O2")}, TargetOperator::kEqual, 0.67}};
  Plan plan = MustPlan(request);
  EXPECT_TRUE(plan.feasible);
  EXPECT_EQ(plan.target_status[Outcome("O2")], Level::kDli67);
  EXPECT_EQ(plan.changed, 1);
  // Levels are 0, 0.33, 0.67 and 1: no level equals 0.5.
  request.targets.push_back({{ScopeKind::kOutcome, Outcome("O1")}, TargetOperator::kEqual, 0.5});
  plan = MustPlan(request);
  EXPECT_FALSE(plan.feasible);
  EXPECT_THAT(plan.conflict, ElementsAre(1));
  // Best coverage still meets the first target.
  EXPECT_EQ(plan.target_status[Outcome("O2")], Level::kDli67);
}

TEST(PlannerTest, EqualOnTheAssetMatchesTheRoundedValueExactly) {
  // IG1 F2.A is (O7 + O8) / 2: the asset is 1/3 * that plus 2/3 * F1.
  PlanRequest request = UniformRequest(kIG1, Level::kDli0);
  request.targets = {{{ScopeKind::kAsset, 0}, TargetOperator::kEqual, 67.0 / 600}};
  Plan plan = MustPlan(request);
  ASSERT_TRUE(plan.feasible);
  EXPECT_EQ(plan.changed, 1);
  const ScoringModel& model = PlanCatalog().model(kIG1);
  EXPECT_EQ(AssetScore(model, plan.target_status).asset_value(), 67.0 / 600);
  // One ulp away no status matches: the planner decides as EvaluateTarget does.
  request.targets[0].threshold = std::nextafter(67.0 / 600, 1.0);
  EXPECT_FALSE(MustPlan(request).feasible);
  request.targets[0].threshold = std::nextafter(67.0 / 600, 0.0);
  EXPECT_FALSE(MustPlan(request).feasible);
}

TEST(PlannerTest, ConflictingTargetsAreReportedAsAnIrreducibleSet) {
  PlanRequest request = UniformRequest(kIG2, Level::kDli33);
  request.targets = {
      {{ScopeKind::kCategory, Category("F2.A")}, TargetOperator::kGreaterOrEqual, 0.5},
      {{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.9},
      {{ScopeKind::kFunction, Function("F1")}, TargetOperator::kLessOrEqual, 0.4},
  };
  Plan plan = MustPlan(request);
  EXPECT_FALSE(plan.feasible);
  EXPECT_THAT(plan.conflict, ElementsAre(1, 2));
  ExpectOptimal(PlanCatalog(), request, plan);
}

TEST(PlannerTest, LockedOutcomesKeepTheirLevelEvenWhenThatMakesATargetUnreachable) {
  PlanRequest request = UniformRequest(kIG1, Level::kDli0);
  request.locked = {Outcome("O7")};
  request.targets = {{{ScopeKind::kCategory, Category("F2.A")}, TargetOperator::kGreater, 0.5}};
  Plan plan = MustPlan(request);
  EXPECT_FALSE(plan.feasible);  // O8 alone gives at most 0.5.
  EXPECT_THAT(plan.conflict, ElementsAre(0));
  EXPECT_EQ(plan.target_status[Outcome("O7")], Level::kDli0);
  EXPECT_EQ(plan.target_status[Outcome("O8")], Level::kDli100);
  EXPECT_NEAR(plan.coverage, 0.99, 1e-12);
  request.locked.clear();
  plan = MustPlan(request);
  EXPECT_TRUE(plan.feasible);
}

TEST(PlannerTest, EffortDecidesBetweenEquallyManyChanges) {
  // F2.A >= 0.5 in IG1: raising O7 or O8 to DLI_100 both work.
  PlanRequest request = UniformRequest(kIG1, Level::kDli0);
  request.targets = {
      {{ScopeKind::kCategory, Category("F2.A")}, TargetOperator::kGreaterOrEqual, 0.5}};
  absl::StatusOr<std::vector<int64_t>> effort =
      EffortByFunctionalArea(PlanCatalog(), std::vector<int64_t>{5, 2});  // O8 in A1, O7 in A2.
  ASSERT_TRUE(effort.ok()) << effort.status();
  request.effort = *effort;
  Plan plan = MustPlan(request);
  ASSERT_TRUE(plan.feasible);
  EXPECT_EQ(plan.target_status[Outcome("O7")], Level::kDli100);
  EXPECT_EQ(plan.target_status[Outcome("O8")], Level::kDli0);
  EXPECT_EQ(plan.increase, 200);
  request.effort = *EffortByFunctionalArea(PlanCatalog(), std::vector<int64_t>{2, 5});
  plan = MustPlan(request);
  EXPECT_EQ(plan.target_status[Outcome("O8")], Level::kDli100);
}

TEST(PlannerTest, FewerChangesComeBeforeLessIncrease) {
  // From DLI_33 everywhere, IG1 F2.A >= 0.83 takes O7 and O8 to 67 and 100 (two changes,
  // 101 hundredths) rather than anything with more changes; one change cannot reach it.
  PlanRequest request = UniformRequest(kIG1, Level::kDli33);
  request.targets = {
      {{ScopeKind::kCategory, Category("F2.A")}, TargetOperator::kGreaterOrEqual, 0.83}};
  Plan plan = MustPlan(request);
  ASSERT_TRUE(plan.feasible);
  EXPECT_EQ(plan.changed, 2);
  EXPECT_EQ(plan.increase, 34 + 67);
}

TEST(PlannerTest, RejectsMalformedRequests) {
  PlanRequest request = UniformRequest(kIG1, Level::kDli0);
  request.current.pop_back();
  EXPECT_THAT(PlanTargetStatus(PlanCatalog(), request).status(),
              IsInvalid(HasSubstr("current status has 7")));
  request = UniformRequest(kIG1, Level::kDli0);
  request.locked = {Outcome("O3")};  // From IG2 on.
  EXPECT_THAT(PlanTargetStatus(PlanCatalog(), request).status(),
              IsInvalid(HasSubstr("does not apply to IG1")));
  request.locked.clear();
  request.targets = {{{ScopeKind::kFunction, Function("F3")}, TargetOperator::kLess, 0.5}};
  EXPECT_THAT(PlanTargetStatus(PlanCatalog(), request).status(), IsInvalid(HasSubstr("target 0")));
  request.targets.clear();
  request.effort.assign(8, 1);
  request.effort[Outcome("O1")] = 0;
  EXPECT_THAT(PlanTargetStatus(PlanCatalog(), request).status(),
              IsInvalid(HasSubstr("effort of O1 is 0")));
  EXPECT_THAT(EffortByFunctionalArea(PlanCatalog(), std::vector<int64_t>{1}).status(),
              IsInvalid(HasSubstr("2 areas")));
}

// FLECO's published experiments' shape on the real catalog: the asset, a function, three
// categories and some outcomes; every plan must re-score with every target met.
TEST(PlannerTest, PlansFullUleoCasesForEveryGroupThatRescoreWithAllTargetsMet) {
  const Catalog& catalog = Catalog::Builtin();
  std::mt19937 rng(42);
  for (ImplementationGroup group : {kIG1, kIG2, kIG3}) {
    const ScoringModel& model = catalog.model(group);
    PlanRequest request;
    request.group = group;
    request.current = RandomStatus(model, rng);
    const int function = model.applicable_functions()[1];
    request.targets = {{{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, 0.7},
                       {{ScopeKind::kFunction, function}, TargetOperator::kGreater, 0.75}};
    for (int k = 0; k < 3; ++k) {
      request.targets.push_back({{ScopeKind::kCategory, model.applicable_categories()[2 * k]},
                                 TargetOperator::kGreaterOrEqual,
                                 0.6});
    }
    request.targets.push_back(
        {{ScopeKind::kOutcome, model.applicable_outcomes()[5]}, TargetOperator::kEqual, 0.67});
    request.targets.push_back(
        {{ScopeKind::kOutcome, model.applicable_outcomes().back()}, TargetOperator::kLess, 0.5});
    absl::StatusOr<Plan> plan = PlanTargetStatus(catalog, request);
    ASSERT_TRUE(plan.ok()) << plan.status();
    EXPECT_TRUE(plan->feasible) << ImplementationGroupName(group) << " conflict "
                                << testing::PrintToString(plan->conflict);
    EXPECT_TRUE(Evaluate(model, request.targets, plan->target_status).all_met);
    EXPECT_GT(plan->changed, 0);
  }
}

// The shapes of bench/planner_bench.cc on the full catalog (asset, a function, three
// categories, seventeen outcomes; no outcome locked) are solved by the dynamic programme
// alone: no integer program, whose proofs of optimality took seconds on some of them.
TEST(PlannerTest, SolvesBenchShapedFullCatalogCasesWithoutIntegerPrograms) {
  const Catalog& catalog = Catalog::Builtin();
  std::mt19937 rng(50);
  for (ImplementationGroup group : kAllImplementationGroups) {
    const ScoringModel& model = catalog.model(group);
    for (int instance = 0; instance < 10; ++instance) {
      PlanRequest request;
      request.group = group;
      request.current = RandomStatus(model, rng);
      auto threshold = [&](int lo, int hi) {
        return (lo + static_cast<int>(rng() % (hi - lo + 1))) / 100.0;
      };
      request.targets = {
          {{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, threshold(60, 80)},
          {{ScopeKind::kFunction,
            model.applicable_functions()[rng() % model.applicable_functions().size()]},
           TargetOperator::kGreaterOrEqual,
           threshold(70, 90)}};
      std::vector<int> categories = model.applicable_categories();
      std::shuffle(categories.begin(), categories.end(), rng);
      for (int k = 0; k < 3; ++k) {
        request.targets.push_back(
            {{ScopeKind::kCategory, categories[k]},
             rng() % 2 ? TargetOperator::kGreater : TargetOperator::kGreaterOrEqual,
             threshold(60, 90)});
      }
      std::vector<int> outcomes = model.applicable_outcomes();
      std::shuffle(outcomes.begin(), outcomes.end(), rng);
      for (int k = 0; k < 17; ++k) {
        const bool equal = rng() % 2;
        request.targets.push_back({{ScopeKind::kOutcome, outcomes[k]},
                                   equal ? TargetOperator::kEqual : TargetOperator::kGreaterOrEqual,
                                   equal ? 1.0 : 0.67});
      }
      if (instance % 2 == 1)
        request.effort = *EffortByFunctionalArea(
            catalog, std::vector<int64_t>(catalog.functional_areas().size(), 1 + instance));
      PlannerTrace trace;
      absl::StatusOr<Plan> plan = PlanTargetStatusWith(catalog, request, PlannerOptions(), &trace);
      ASSERT_TRUE(plan.ok()) << plan.status();
      EXPECT_TRUE(plan->feasible);
      EXPECT_TRUE(Evaluate(model, request.targets, plan->target_status).all_met);
      EXPECT_EQ(trace.integer_programs, 0)
          << ImplementationGroupName(group) << " instance " << instance;
    }
  }
}

}  // namespace
}  // namespace postura
