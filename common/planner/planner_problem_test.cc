#include "common/planner/planner_problem.h"

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "common/planner/planner_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::planner_internal {
namespace {

using ::postura::test::PlanCatalog;
using ::testing::ElementsAre;
using ::testing::Pair;

std::pair<int64_t, int64_t> Range(TargetOperator op, double threshold, int64_t scale) {
  const SumRange range = MetRange(Target{{ScopeKind::kAsset, 0}, op, threshold}, scale);
  return {range.lo, range.hi};
}

TEST(PlannerProblemTest, MetRangeGivesTheBoundsOfEachOperator) {
  EXPECT_THAT(Range(TargetOperator::kGreaterOrEqual, 0.5, 10), Pair(5, 10));
  EXPECT_THAT(Range(TargetOperator::kGreater, 0.5, 10), Pair(6, 10));
  EXPECT_THAT(Range(TargetOperator::kLessOrEqual, 0.5, 10), Pair(0, 5));
  EXPECT_THAT(Range(TargetOperator::kLess, 0.5, 10), Pair(0, 4));
  EXPECT_THAT(Range(TargetOperator::kEqual, 0.5, 10), Pair(5, 5));
  EXPECT_TRUE(MetRange({{ScopeKind::kAsset, 0}, TargetOperator::kEqual, 0.55}, 10).empty());
  EXPECT_TRUE(MetRange({{ScopeKind::kAsset, 0}, TargetOperator::kGreater, 1}, 10).empty());
  EXPECT_TRUE(MetRange({{ScopeKind::kAsset, 0}, TargetOperator::kLess, 0}, 10).empty());
}

// The range holds exactly the sums at which EvaluateTarget, on the value AssetScore would
// report, says the target is met: thresholds on and between attainable values.
TEST(PlannerProblemTest, MetRangeAgreesWithEvaluateTargetOnEverySum) {
  std::mt19937 rng(23);
  for (int64_t scale : {1, 7, 600, 1234, 99991}) {
    for (int trial = 0; trial < 40; ++trial) {
      const double threshold =
          trial % 2 == 0 ? static_cast<double>(rng() % (scale + 1)) / static_cast<double>(scale)
                         : std::uniform_real_distribution<double>(0, 1)(rng);
      for (TargetOperator op :
           {TargetOperator::kLess, TargetOperator::kLessOrEqual, TargetOperator::kEqual,
            TargetOperator::kGreater, TargetOperator::kGreaterOrEqual}) {
        const SumRange range = MetRange({{ScopeKind::kAsset, 0}, op, threshold}, scale);
        for (int64_t s = 0; s <= scale; ++s) {
          const double value = static_cast<double>(s) / static_cast<double>(scale);
          ASSERT_EQ(EvaluateTarget(op, threshold, value).met, range.lo <= s && s <= range.hi)
              << TargetOperatorName(op) << " " << threshold << " scale " << scale << " sum " << s;
        }
      }
    }
  }
}

class PlannerProblemFromRequestTest : public ::testing::Test {
 protected:
  int Outcome(absl::string_view id) const { return *PlanCatalog().FindOutcome(id); }

  // IG1 at DLI_33 everywhere, O1 locked, O2 pinned to 0.67 and F2.A at least 0.5.
  PlanRequest Request() const {
    PlanRequest request;
    request.group = ImplementationGroup::kIG1;
    request.current.assign(PlanCatalog().model(request.group).outcome_count(), Level::kDli33);
    request.locked = {Outcome("O1")};
    request.targets = {{{ScopeKind::kOutcome, Outcome("O2")}, TargetOperator::kEqual, 0.67},
                       {{ScopeKind::kCategory, *PlanCatalog().FindCategory("F2.A")},
                        TargetOperator::kGreaterOrEqual,
                        0.5}};
    return request;
  }

  PlannerTrace trace_;
};

TEST_F(PlannerProblemFromRequestTest, AllowedLevelsApplyLocksAndHardOutcomeTargets) {
  const PlanRequest request = Request();
  absl::StatusOr<Problem> problem = CheckRequest(PlanCatalog(), request, PlannerOptions(), &trace_);
  ASSERT_TRUE(problem.ok()) << problem.status();
  EXPECT_EQ(problem->effort, std::vector<int64_t>(request.current.size(), 1));
  EXPECT_THAT(AllTargets(*problem), ElementsAre(0, 1));
  EXPECT_EQ(Hundredths(*problem, Outcome("O7")), 33);
  EXPECT_THAT(AllowedLevels(*problem, {0, 1}, Mode::kHard, Outcome("O1")),
              ElementsAre(Level::kDli33));
  EXPECT_THAT(AllowedLevels(*problem, {0, 1}, Mode::kHard, Outcome("O2")),
              ElementsAre(Level::kDli67));
  EXPECT_EQ(AllowedLevels(*problem, {0, 1}, Mode::kSoft, Outcome("O2")).size(), 4u);
  EXPECT_EQ(AllowedLevels(*problem, {1}, Mode::kHard, Outcome("O2")).size(), 4u);
}

TEST_F(PlannerProblemFromRequestTest, ToDpProblemTurnsTargetsIntoMasksAndRanges) {
  const PlanRequest request = Request();
  absl::StatusOr<Problem> problem = CheckRequest(PlanCatalog(), request, PlannerOptions(), &trace_);
  ASSERT_TRUE(problem.ok()) << problem.status();
  const DpProblem dp = ToDpProblem(*problem, AllTargets(*problem));
  EXPECT_EQ(dp.allowed[Outcome("O1")], 1 << static_cast<int>(Level::kDli33));
  EXPECT_EQ(dp.allowed[Outcome("O2")], 1 << static_cast<int>(Level::kDli67));
  EXPECT_EQ(dp.allowed[Outcome("O7")], 15);
  const int category = *PlanCatalog().FindCategory("F2.A");
  const int64_t scale = problem->model->category_scale(category);
  ASSERT_TRUE(dp.category_range[category].has_value());
  EXPECT_EQ(dp.category_range[category]->lo, (scale + 1) / 2);
  EXPECT_EQ(dp.category_range[category]->hi, scale);
  EXPECT_FALSE(dp.asset_range.has_value());
  // Without the targets only the lock remains.
  const DpProblem free = ToDpProblem(*problem, {});
  EXPECT_EQ(free.allowed[Outcome("O2")], 15);
  EXPECT_FALSE(free.category_range[category].has_value());
}

}  // namespace
}  // namespace postura::planner_internal
