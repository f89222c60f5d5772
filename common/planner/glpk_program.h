#ifndef POSTURA_COMMON_PLANNER_GLPK_PROGRAM_H_
#define POSTURA_COMMON_PLANNER_GLPK_PROGRAM_H_

// A mixed-integer linear program solved to proven optimality by GLPK (branch and cut,
// zero gap): the one place that calls GLPK and turns its return codes into Status, so
// glpk.h stays out of every header. Internal to the planner: planner_ip.cc builds the
// planner's programs with it. Not thread-safe: one thread uses an object at a time;
// objects on different threads are independent (Debian's GLPK keeps its environment per
// thread).

#include <memory>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct glp_prob;

namespace postura::planner_internal {

// A linear expression over GLPK columns (1-based indices).
struct LinearExpr {
  std::vector<int> columns;
  std::vector<double> coefficients;
  void Add(int column, double coefficient) {
    columns.push_back(column);
    coefficients.push_back(coefficient);
  }
};

enum class ColumnKind { kBinary, kInteger, kContinuous };
enum class Direction { kMinimize, kMaximize };

class GlpkProgram {
 public:
  // Counts each run of GLPK's solver (glp_intopt) in `*solver_runs`, which must outlive
  // the program.
  explicit GlpkProgram(int* solver_runs);
  ~GlpkProgram();
  GlpkProgram(const GlpkProgram&) = delete;
  GlpkProgram& operator=(const GlpkProgram&) = delete;

  // Adds a column and returns its index (from 1). A binary column is 0 or 1; the others
  // range over [lo, hi] when lo < hi, and are fixed at lo otherwise.
  int AddColumn(ColumnKind kind, double lo, double hi);
  // Makes `column` an integer column fixed at `value`.
  void FixColumn(int column, double value);
  // Adds the row lo <= expr <= hi (either may be infinite).
  void Constrain(const LinearExpr& expr, double lo, double hi);

  // Optimizes `objective` in `direction` over the columns and rows so far and returns the
  // optimum; nullopt if no solution exists. With no column it returns 0 without running
  // the solver. DeadlineExceeded if `deadline` passes first; Internal if GLPK fails.
  // REQUIRES: `deadline` is finite.
  absl::StatusOr<std::optional<double>> Optimize(const LinearExpr& objective, Direction direction,
                                                 absl::Time deadline);
  // The value of `column` in the optimum the last run of the solver found.
  // REQUIRES: Optimize ran the solver and found an optimum.
  double Value(int column) const;

 private:
  struct Deleter {
    void operator()(glp_prob* lp) const;
  };

  std::unique_ptr<glp_prob, Deleter> lp_;
  int* solver_runs_;
  std::vector<double> solution_;  // By GLPK column - 1.
};

}  // namespace postura::planner_internal

#endif  // POSTURA_COMMON_PLANNER_GLPK_PROGRAM_H_
