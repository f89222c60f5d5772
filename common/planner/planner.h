#ifndef POSTURA_COMMON_PLANNER_PLANNER_H_
#define POSTURA_COMMON_PLANNER_PLANNER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/model/catalog.h"
#include "common/model/implementation_group.h"
#include "common/model/level.h"
#include "common/model/target.h"

namespace postura {

// The largest effort an outcome may be given. Efforts are integers so that every
// objective of the planner is an integer and optimality is decided exactly.
inline constexpr int64_t kMaxOutcomeEffort = 1'000;

// What the target-state planner is asked (issue 8): an asset's group, current levels and
// strategic targets, plus outcomes that must keep their level and the relative effort of
// raising each outcome.
struct PlanRequest {
  ImplementationGroup group = ImplementationGroup::kIG1;
  // Indexed by catalog outcome position, like FlecoCase::initial_status; levels of
  // outcomes that do not apply to `group` are ignored.
  std::vector<Level> current;
  std::vector<Target> targets;
  // Catalog positions of applicable outcomes whose level must not change.
  std::vector<int> locked;
  // Effort of raising each outcome by one hundredth of level, by catalog outcome position,
  // each in [1, kMaxOutcomeEffort]; empty means 1 for every outcome.
  std::vector<int64_t> effort;
  // The solver gives up (DeadlineExceeded) when the whole plan takes longer.
  absl::Duration time_limit = absl::Seconds(30);
};

// The planner's answer.
//
// When `feasible`, `target_status` meets every target (as EvaluateTargets decides on it)
// and is lexicographically optimal among all statuses that do and keep the locked
// outcomes: first fewest changed outcomes, then least `increase`, then least `decrease`.
//
// Otherwise `conflict` names targets that cannot all be met together (with the locked
// outcomes kept): an irreducible set, so dropping any one of them makes the rest
// achievable. `target_status` then has the highest coverage (FLECO's mean partial credit)
// of all statuses that keep the locked outcomes, and among those the same three criteria
// decide.
struct Plan {
  bool feasible = false;
  std::vector<Level> target_status;  // Indexed like PlanRequest::current.
  int changed = 0;                   // Outcomes whose level differs from the current one.
  int64_t increase = 0;              // Sum over raised outcomes of effort * hundredths raised.
  int64_t decrease = 0;              // Sum over lowered outcomes of hundredths lowered (no effort).
  double coverage = 1;               // Of target_status, as EvaluateTargets computes it.
  std::vector<int> conflict;         // Indices into PlanRequest::targets, ascending.
};

// Plans a target status for `request` (see Plan), exactly: by a dynamic programme over the
// scope tree, with integer programs (GLPK) for what it gives up on and for the best
// coverage of conflicting targets (docs/planner.md). InvalidArgument if the request is
// malformed: a level vector of the wrong size, an invalid target (ValidateTargets), a
// locked outcome that is not applicable, or an effort out of range. DeadlineExceeded if
// the time limit passed before optimality was proven. Internal if the solver fails or
// returns a status that does not pass the exact check against AssetScore and
// EvaluateTargets (a bug).
absl::StatusOr<Plan> PlanTargetStatus(const Catalog& catalog, const PlanRequest& request);

// Per-outcome efforts (for PlanRequest::effort) from one effort per functional area,
// indexed like Catalog::functional_areas(): each outcome takes its leading area's.
// InvalidArgument if the size differs from the number of areas or an effort is outside
// [1, kMaxOutcomeEffort].
absl::StatusOr<std::vector<int64_t>> EffortByFunctionalArea(const Catalog& catalog,
                                                            absl::Span<const int64_t> area_effort);

}  // namespace postura

#endif  // POSTURA_COMMON_PLANNER_PLANNER_H_
