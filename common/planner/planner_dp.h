#ifndef POSTURA_COMMON_PLANNER_PLANNER_DP_H_
#define POSTURA_COMMON_PLANNER_PLANNER_DP_H_

// The target-state planner's exact dynamic programme (docs/planner.md, "Dynamic
// programme"). Internal to the planner: PlanTargetStatus (common/planner.h) is the API.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/model/level.h"
#include "common/model/scoring_model.h"

namespace postura {

// The integer sums S (value = S / scale, ScoringModel) for which a target holds.
struct SumRange {
  int64_t lo = 0;
  int64_t hi = -1;  // Empty when hi < lo.
  bool empty() const { return hi < lo; }
};

// A planning problem with every target hard, in the integer form of ScoringModel.
// Targets on outcomes are folded into `allowed`, those on categories, functions and the
// asset into ranges of their sums. Borrows `model`, which must outlive the problem.
struct DpProblem {
  const ScoringModel* model = nullptr;
  // By catalog outcome position; entries of outcomes that do not apply are ignored.
  std::vector<Level> current;
  // Bit l set when level l (Level as an integer) may be planned: locks and outcome
  // targets already applied. An applicable outcome with no bit set makes the problem
  // infeasible.
  std::vector<uint8_t> allowed;
  std::vector<int64_t> effort;  // Each in [1, kMaxOutcomeEffort].
  // By catalog position (categories, functions); nullopt where there is no target.
  std::vector<std::optional<SumRange>> category_range;
  std::vector<std::optional<SumRange>> function_range;
  std::optional<SumRange> asset_range;
};

enum class DpVerdict {
  kOptimal,     // `status` is the lexicographic optimum.
  kInfeasible,  // No status meets every target.
  kGaveUp,      // The programme would exceed its work limit; no answer.
};

struct DpResult {
  DpVerdict verdict = DpVerdict::kGaveUp;
  std::vector<Level> status;  // By catalog position, when kOptimal.
  int64_t work = 0;           // Pairs of partial solutions combined.
};

struct DpOptions {
  // Upper bound on pairs of partial solutions combined (about 1-2 ns each).
  int64_t work_limit = 40'000'000;
  // Stop after deciding feasibility: kOptimal then means "feasible", with any status
  // that meets every target.
  bool feasibility_only = false;
  absl::Time deadline = absl::InfiniteFuture();
};

// Solves `problem` exactly: among statuses meeting every constraint, one with the fewest
// changed outcomes, then least effort-weighted increase, then least decrease (Plan).
// kGaveUp when the work limit would be exceeded or the problem is outside the
// programme's assumptions (then an integer program must decide). DeadlineExceeded when
// `options.deadline` passes.
absl::StatusOr<DpResult> SolveByDp(const DpProblem& problem, const DpOptions& options);

}  // namespace postura

#endif  // POSTURA_COMMON_PLANNER_PLANNER_DP_H_
