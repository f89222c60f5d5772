#ifndef POSTURA_COMMON_PLANNER_PLANNER_IP_H_
#define POSTURA_COMMON_PLANNER_PLANNER_IP_H_

// The target-state planner's integer programs (docs/planner.md, "Integer programs"): the
// lexicographic optimum when the dynamic programme gives up, feasibility tests for the
// conflict search, and the best coverage of conflicting targets. Internal to the planner:
// planner.cc builds a Program from a checked Problem; everyone else calls
// PlanTargetStatus (common/planner.h). Not thread-safe: one thread uses a Program at a
// time; Programs on different threads are independent.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/model/level.h"
#include "common/model/target.h"
#include "common/planner/glpk_program.h"
#include "common/planner/planner_problem.h"

namespace postura::planner_internal {

// One integer program. Outcomes with a single possible level (locked, or pinned by an
// outcome target) are constants. The others are grouped into classes of interchangeable
// outcomes: same category, same units in every sum, same current level, effort and
// allowed levels, and no target of their own. Swapping two members of a class changes
// neither a sum nor a cost, so only how many members take each level matters: one
// integer column n(k, l) per class k and allowed level l, with sum over l of n(k, l) =
// |k|. This removes the symmetry that makes branch and bound on one binary per outcome
// and level slow, and gives the same optima (any status maps to counts with the same
// sums and costs, and any counts to such statuses).
class Program {
 public:
  // Borrows `problem`, which must outlive the program.
  // REQUIRES: every index in `targets` is a position in problem.request->targets.
  Program(const Problem& problem, const std::vector<int>& targets, Mode mode);

  // True if, whatever the free outcomes do, some hard target cannot hold.
  bool known_infeasible() const { return known_infeasible_; }

  // Minimises (or maximises) `objective` and returns its optimum; nullopt if no solution
  // exists. DeadlineExceeded, Internal as for PlanTargetStatus.
  absl::StatusOr<std::optional<double>> Optimize(const LinearExpr& objective, Direction direction);
  // Adds the row lo <= expr <= hi (either may be infinite).
  void Constrain(const LinearExpr& expr, double lo, double hi);

  // The objectives of the lexicographic stages.
  LinearExpr Changes() const;
  LinearExpr Increase() const;
  LinearExpr Decrease() const;
  const LinearExpr& credit() const { return credit_; }

  // The planned levels of the last solution, by catalog position: each class's members
  // take its levels in catalog order. Internal if the counts do not add up.
  absl::StatusOr<std::vector<Level>> Status() const;

 private:
  // S - constant for a scope, over the free columns: integer units per column.
  struct ScopeSum {
    int64_t constant = 0;
    std::vector<int> columns;
    std::vector<int64_t> units;
    int64_t gcd = 0;       // Of `units`; 0 when there is no free column.
    int64_t max_free = 0;  // Largest value the free part can take.
  };

  struct OutcomeClass {
    std::vector<int> members;  // Catalog positions, ascending.
    std::vector<int> columns;  // One per allowed level.
  };

  void AddClasses(const std::vector<int>& targets, Mode mode);
  void AddClassColumns(int k, const std::vector<Level>& levels);
  // The class member standing for all: same current level, effort and units.
  int Representative(int column) const;
  ScopeSum SumOf(const TargetScope& scope) const;
  int64_t ScaleOf(const TargetScope& scope) const;
  void AddHardTarget(const Target& target);
  void AddSoftTarget(const Target& target);
  void AddSoftOutcomeTarget(const Target& target);
  // Adds c <= a + b * value + d * z for the credit column c (value from `sum`).
  void CapCredit(int credit, const ScopeSum& sum, int64_t scale, double a, double b, int z,
                 double d);
  int AddColumn(ColumnKind kind, double lo, double hi);

  const Problem& problem_;
  GlpkProgram lp_;
  std::vector<OutcomeClass> classes_;
  std::vector<int> column_class_;  // By GLPK column - 1; -1 for auxiliary columns.
  std::vector<Level> column_level_;
  std::vector<int> outcome_class_;  // By catalog position; -1 for constants.
  std::vector<Level> fixed_;        // Levels of the constants.
  LinearExpr credit_;
  bool known_infeasible_ = false;
};

}  // namespace postura::planner_internal

#endif  // POSTURA_COMMON_PLANNER_PLANNER_IP_H_
