#include "common/planner/planner_dp.h"

#include <algorithm>
#include <compare>
#include <functional>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura {
namespace {

// The lexicographic cost the programme minimises.
struct Cost {
  int changed = 0;
  int64_t increase = 0;
  int64_t decrease = 0;
  friend auto operator<=>(const Cost&, const Cost&) = default;
};

Cost CostOf(const DpProblem& problem, const std::vector<Level>& status) {
  Cost cost;
  for (int o : problem.model->applicable_outcomes()) {
    const int delta = LevelHundredths(status[o]) - LevelHundredths(problem.current[o]);
    cost.changed += delta != 0;
    if (delta > 0) cost.increase += problem.effort[o] * delta;
    if (delta < 0) cost.decrease -= delta;
  }
  return cost;
}

bool InRange(const std::optional<SumRange>& range, int64_t sum) {
  return !range || (range->lo <= sum && sum <= range->hi);
}

// Whether `status` keeps to the allowed levels and every range.
bool Meets(const DpProblem& problem, const std::vector<Level>& status) {
  const ScoringModel& model = *problem.model;
  std::vector<int64_t> category(model.category_count()), function(model.function_count());
  int64_t asset = 0;
  for (int o : model.applicable_outcomes()) {
    if (!(problem.allowed[o] >> static_cast<int>(status[o]) & 1)) return false;
    const int h = LevelHundredths(status[o]);
    category[model.category_of(o)] += model.units(o).category * h;
    function[model.function_of(o)] += model.units(o).function * h;
    asset += model.units(o).asset * h;
  }
  for (int c = 0; c < model.category_count(); ++c) {
    if (!InRange(problem.category_range[c], category[c])) return false;
  }
  for (int f = 0; f < model.function_count(); ++f) {
    if (!InRange(problem.function_range[f], function[f])) return false;
  }
  return InRange(problem.asset_range, asset);
}

// The optimum over every status that changes only `free` outcomes; nullopt if none meets.
std::optional<Cost> SearchExhaustively(const DpProblem& problem, const std::vector<int>& free) {
  std::optional<Cost> best;
  std::vector<Level> status = problem.current;
  for (int64_t code = 0; code < (int64_t{1} << (2 * free.size())); ++code) {
    for (std::size_t k = 0; k < free.size(); ++k) {
      status[free[k]] = static_cast<Level>((code >> (2 * k)) & 3);
    }
    if (!Meets(problem, status)) continue;
    const Cost cost = CostOf(problem, status);
    if (!best || cost < *best) best = cost;
  }
  return best;
}

// The sums of one scope under two random statuses of the free outcomes bound a range of
// a random shape: at least, at most, between (both bounds) or exactly.
SumRange RandomRange(const std::function<int64_t(const std::vector<Level>&)>& sum_of, int64_t scale,
                     const DpProblem& problem, const std::vector<int>& free, std::mt19937& rng) {
  int64_t sums[2];
  for (int64_t& sum : sums) {
    std::vector<Level> status = problem.current;
    for (int o : free) status[o] = kAllLevels[rng() % 4];
    sum = sum_of(status);
  }
  const int64_t lo = std::min(sums[0], sums[1]), hi = std::max(sums[0], sums[1]);
  switch (rng() % 4) {
    case 0:
      return {lo, scale};
    case 1:
      return {0, hi};
    case 2:
      return {lo, hi};
    default:
      return {lo, lo};
  }
}

int64_t ScopeSum(const ScoringModel& model, const std::vector<Level>& status, int kind, int index) {
  int64_t sum = 0;
  for (int o : model.applicable_outcomes()) {
    const int h = LevelHundredths(status[o]);
    if (kind == 0 && model.category_of(o) == index) sum += model.units(o).category * h;
    if (kind == 1 && model.function_of(o) == index) sum += model.units(o).function * h;
    if (kind == 2) sum += model.units(o).asset * h;
  }
  return sum;
}

// Seven free outcomes of the ULEO catalog, the rest held at their level, and ranges on
// the asset and on categories and functions of the free outcomes.
DpProblem RandomProblem(const ScoringModel& model, std::vector<int>& free, std::mt19937& rng) {
  DpProblem problem;
  problem.model = &model;
  problem.current.assign(model.outcome_count(), Level::kDli0);
  problem.allowed.assign(model.outcome_count(), 0);
  problem.effort.assign(model.outcome_count(), 1);
  for (int o : model.applicable_outcomes()) {
    problem.current[o] = kAllLevels[rng() % 4];
    problem.allowed[o] = 1 << static_cast<int>(problem.current[o]);
    if (rng() % 3 == 0) problem.effort[o] = 1 + rng() % 1000;
  }
  free = model.applicable_outcomes();
  std::shuffle(free.begin(), free.end(), rng);
  // Outcomes of few categories, so that ranges on them bind.
  std::stable_sort(free.begin(), free.begin() + 30,
                   [&](int a, int b) { return model.category_of(a) < model.category_of(b); });
  free.resize(7);
  for (int o : free) {
    problem.allowed[o] = rng() % 2 ? 15 : static_cast<uint8_t>(rng() % 16);
  }
  problem.category_range.resize(model.category_count());
  problem.function_range.resize(model.function_count());
  const int ranges = rng() % 5;
  for (int k = 0; k < ranges; ++k) {
    const int o = free[rng() % free.size()];
    switch (rng() % 3) {
      case 0: {
        const int c = model.category_of(o);
        problem.category_range[c] =
            RandomRange([&](const std::vector<Level>& s) { return ScopeSum(model, s, 0, c); },
                        model.category_scale(c), problem, free, rng);
        break;
      }
      case 1: {
        const int f = model.function_of(o);
        problem.function_range[f] =
            RandomRange([&](const std::vector<Level>& s) { return ScopeSum(model, s, 1, f); },
                        model.function_scale(f), problem, free, rng);
        break;
      }
      default:
        problem.asset_range =
            RandomRange([&](const std::vector<Level>& s) { return ScopeSum(model, s, 2, 0); },
                        model.asset_scale(), problem, free, rng);
    }
  }
  return problem;
}

TEST(PlannerDpTest, MatchesExhaustiveSearchOnRandomRangesMasksAndEfforts) {
  const Catalog& catalog = Catalog::Builtin();
  std::mt19937 rng(20261125);
  for (ImplementationGroup group : kAllImplementationGroups) {
    const ScoringModel& model = catalog.model(group);
    int feasible = 0, infeasible = 0;
    for (int instance = 0; instance < 150; ++instance) {
      SCOPED_TRACE(absl::StrCat(ImplementationGroupName(group), " instance ", instance));
      std::vector<int> free;
      const DpProblem problem = RandomProblem(model, free, rng);
      const std::optional<Cost> expected = SearchExhaustively(problem, free);
      absl::StatusOr<DpResult> result = SolveByDp(problem, DpOptions());
      ASSERT_TRUE(result.ok()) << result.status();
      ASSERT_NE(result->verdict, DpVerdict::kGaveUp);
      ASSERT_EQ(result->verdict == DpVerdict::kOptimal, expected.has_value());
      DpOptions feasibility;
      feasibility.feasibility_only = true;
      absl::StatusOr<DpResult> decided = SolveByDp(problem, feasibility);
      ASSERT_TRUE(decided.ok()) << decided.status();
      EXPECT_EQ(decided->verdict, result->verdict);
      if (!expected) {
        ++infeasible;
        continue;
      }
      ++feasible;
      EXPECT_TRUE(Meets(problem, result->status));
      EXPECT_TRUE(Meets(problem, decided->status));
      const Cost cost = CostOf(problem, result->status);
      EXPECT_EQ(cost, *expected) << "programme (" << cost.changed << ", " << cost.increase << ", "
                                 << cost.decrease << ") optimum (" << expected->changed << ", "
                                 << expected->increase << ", " << expected->decrease << ")";
    }
    EXPECT_GT(feasible, 40);
    EXPECT_GT(infeasible, 20);
  }
}

TEST(PlannerDpTest, GivesUpPastItsWorkLimitAndDecidesEmptyRangesAtOnce) {
  const Catalog& catalog = Catalog::Builtin();
  const ScoringModel& model = catalog.model(ImplementationGroup::kIG2);
  DpProblem problem;
  problem.model = &model;
  problem.current.assign(model.outcome_count(), Level::kDli33);
  problem.allowed.assign(model.outcome_count(), 15);
  problem.effort.assign(model.outcome_count(), 1);
  problem.category_range.resize(model.category_count());
  problem.function_range.resize(model.function_count());
  problem.asset_range = SumRange{model.asset_scale() / 2, model.asset_scale() / 2};
  DpOptions options;
  options.work_limit = 1000;
  absl::StatusOr<DpResult> result = SolveByDp(problem, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, DpVerdict::kGaveUp);

  problem.asset_range = SumRange{1, 0};
  result = SolveByDp(problem, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, DpVerdict::kInfeasible);
}

TEST(PlannerDpTest, MeetsAnAssetEqualityOnTheFullCatalogOfEveryGroup) {
  // Every reachable asset sum must be kept: the hardest shape for the programme.
  const Catalog& catalog = Catalog::Builtin();
  std::mt19937 rng(7);
  for (ImplementationGroup group : kAllImplementationGroups) {
    const ScoringModel& model = catalog.model(group);
    DpProblem problem;
    problem.model = &model;
    problem.current.assign(model.outcome_count(), Level::kDli0);
    problem.allowed.assign(model.outcome_count(), 15);
    problem.effort.assign(model.outcome_count(), 1);
    std::vector<Level> goal = problem.current;
    for (int o : model.applicable_outcomes()) {
      problem.current[o] = kAllLevels[rng() % 4];
      goal[o] = problem.current[o];
    }
    // Three outcomes away: at most three changes.
    for (int k = 0; k < 3; ++k) goal[model.applicable_outcomes()[rng() % 40]] = Level::kDli100;
    const int64_t sum = ScopeSum(model, goal, 2, 0);
    problem.category_range.resize(model.category_count());
    problem.function_range.resize(model.function_count());
    problem.asset_range = SumRange{sum, sum};
    absl::StatusOr<DpResult> result = SolveByDp(problem, DpOptions());
    ASSERT_TRUE(result.ok()) << result.status();
    ASSERT_EQ(result->verdict, DpVerdict::kOptimal) << ImplementationGroupName(group);
    EXPECT_TRUE(Meets(problem, result->status));
    EXPECT_LE(CostOf(problem, result->status).changed, 3);
  }
}

}  // namespace
}  // namespace postura
