#ifndef POSTURA_COMMON_PLANNER_PLANNER_TESTING_H_
#define POSTURA_COMMON_PLANNER_PLANNER_TESTING_H_

// What the target-state planner's tests share: a catalog small enough for exhaustive
// search, the lexicographic cost the planner minimises, a check of a plan against
// exhaustive search, and random statuses and targets. Test-only (linked into
// common_tests): planner_test.cc and planner_optimality_test.cc call it from the test's
// thread; failed checks are reported to the running test.

#include <compare>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "common/model/catalog.h"
#include "common/model/level.h"
#include "common/model/scoring_model.h"
#include "common/model/target.h"
#include "common/planner/planner.h"

namespace postura::test {

// A catalog small enough for exhaustive search (4, 7 and 8 outcomes for IG1..IG3), with
// unequal weights, a function and categories that start at IG2, and two functional areas.
// Never destroyed.
const Catalog& PlanCatalog();

// The lexicographic cost the planner minimises.
struct Cost {
  int changed = 0;
  int64_t increase = 0;
  int64_t decrease = 0;
  friend auto operator<=>(const Cost&, const Cost&) = default;
};

// The cost of going from request.current to `status`.
Cost CostOf(const ScoringModel& model, const PlanRequest& request,
            const std::vector<Level>& status);

// `targets` evaluated on `status`, re-scored exactly.
TargetsReport Evaluate(const ScoringModel& model, absl::Span<const Target> targets,
                       const std::vector<Level>& status);

// Checks `plan` against exhaustive search; returns whether it was feasible.
bool ExpectOptimal(const Catalog& catalog, const PlanRequest& request, const Plan& plan);

// Random levels for the outcomes that apply; DLI_0 for the others.
std::vector<Level> RandomStatus(const ScoringModel& model, std::mt19937& rng);

// Up to `count` targets on distinct random scopes of `outcomes` (all applicable ones when
// empty). Thresholds are often values some status reaches, so that equalities can hold
// and the boundaries of the inequalities are exercised.
std::vector<Target> RandomTargets(const ScoringModel& model, const std::vector<int>& outcomes,
                                  int count, std::mt19937& rng);

// `request`'s status, targets and locks, one per line, for failure messages.
std::string DebugString(const Catalog& catalog, const PlanRequest& request);

}  // namespace postura::test

#endif  // POSTURA_COMMON_PLANNER_PLANNER_TESTING_H_
