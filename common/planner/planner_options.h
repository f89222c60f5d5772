#ifndef POSTURA_COMMON_PLANNER_PLANNER_OPTIONS_H_
#define POSTURA_COMMON_PLANNER_PLANNER_OPTIONS_H_

// Solver choices of the target-state planner, for its tests and its benchmark. Callers
// that just want a plan use PlanTargetStatus (common/planner.h), which uses the defaults.

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/model/catalog.h"
#include "common/planner/planner.h"
#include "common/planner/planner_dp.h"

namespace postura {

struct PlannerOptions {
  // Try the exact dynamic programme first (common/planner_dp.h); integer programs (GLPK)
  // decide only what it gives up on, and the best coverage when targets conflict. False:
  // integer programs only.
  bool dynamic_programme = true;
  // Pairs of partial solutions the programme may combine per call before giving up.
  int64_t dp_work_limit = DpOptions().work_limit;
};

// How PlanTargetStatusWith reached its answer.
struct PlannerTrace {
  int dp_calls = 0;          // Dynamic programmes run (one per feasibility test or plan).
  int dp_gave_up = 0;        // Of those, how many gave up (then GLPK decided).
  int64_t dp_work = 0;       // Pairs combined, over all calls.
  int integer_programs = 0;  // glp_intopt calls.
};

// PlanTargetStatus with explicit options. Fills `trace` when it is not null.
absl::StatusOr<Plan> PlanTargetStatusWith(const Catalog& catalog, const PlanRequest& request,
                                          const PlannerOptions& options, PlannerTrace* trace);

}  // namespace postura

#endif  // POSTURA_COMMON_PLANNER_PLANNER_OPTIONS_H_
