#ifndef POSTURA_COMMON_PLANNER_PLANNER_PROBLEM_H_
#define POSTURA_COMMON_PLANNER_PLANNER_PROBLEM_H_

// The target-state planner's request, checked and expanded to one entry per catalog
// outcome, and what both of its solvers derive from it: the levels an outcome may take,
// the integer sums at which a target holds (docs/planner.md, "Formulation"), and the
// problem the dynamic programme solves. Internal to the planner: planner.cc checks the
// request and hands the Problem to the dynamic programme (planner_dp.h) and the integer
// programs (planner_ip.h); everyone else calls PlanTargetStatus (common/planner.h). The
// functions keep no state, so any thread may call them; a Problem belongs to one
// planning call, which alone writes its trace.

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/model/catalog.h"
#include "common/model/level.h"
#include "common/model/scoring_model.h"
#include "common/model/target.h"
#include "common/planner/planner.h"
#include "common/planner/planner_dp.h"
#include "common/planner/planner_options.h"

namespace postura::planner_internal {

// The request, checked and expanded to one entry per catalog outcome.
struct Problem {
  const Catalog* catalog = nullptr;
  const ScoringModel* model = nullptr;
  const PlanRequest* request = nullptr;
  std::vector<bool> locked;
  std::vector<int64_t> effort;
  absl::Time deadline;
  PlannerOptions options;
  PlannerTrace* trace = nullptr;  // Never null once checked.
};

// Checks `request` against `catalog` and expands it; errors as for PlanTargetStatus.
// `trace` must not be null; it and everything else borrowed must outlive the problem.
absl::StatusOr<Problem> CheckRequest(const Catalog& catalog, const PlanRequest& request,
                                     const PlannerOptions& options, PlannerTrace* trace);

// The current level of `outcome`, in hundredths.
int Hundredths(const Problem& problem, int outcome);

// Targets as hard constraints (every one must hold) or soft ones (coverage is maximised).
enum class Mode { kHard, kSoft };

// The levels `outcome` may take: only its current one if it is locked, and in kHard mode
// only those that meet the targets (among `targets`) on the outcome itself.
std::vector<Level> AllowedLevels(const Problem& problem, const std::vector<int>& targets, Mode mode,
                                 int outcome);

// The positions of all the request's targets: 0, 1, ..., in order.
std::vector<int> AllTargets(const Problem& problem);

// The sums in [0, scale] at which `target` holds. Correct rounding is monotone, so for
// <, <=, > and >= they form an interval with one end at 0 or `scale`. For =, at most one
// sum qualifies: distinct sums differ by at least 1/scale >= 2^-31, far more than two
// ulps, so no two round to the same double; and that sum is round(t * scale), which the
// double product gets within far less than 1/2 (it is checked, with its neighbours).
SumRange MetRange(const Target& target, int64_t scale);

// `targets` as a hard problem for the dynamic programme.
DpProblem ToDpProblem(const Problem& problem, const std::vector<int>& targets);

}  // namespace postura::planner_internal

#endif  // POSTURA_COMMON_PLANNER_PLANNER_PROBLEM_H_
