#include "common/planner/glpk_program.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace postura::planner_internal {
namespace {

int GlpkKind(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kBinary:
      return GLP_BV;
    case ColumnKind::kInteger:
      return GLP_IV;
    case ColumnKind::kContinuous:
      return GLP_CV;
  }
  return GLP_CV;
}

}  // namespace

void GlpkProgram::Deleter::operator()(glp_prob* lp) const { glp_delete_prob(lp); }

GlpkProgram::GlpkProgram(int* solver_runs) : lp_(glp_create_prob()), solver_runs_(solver_runs) {}

GlpkProgram::~GlpkProgram() = default;

int GlpkProgram::AddColumn(ColumnKind kind, double lo, double hi) {
  const int j = glp_add_cols(lp_.get(), 1);
  glp_set_col_kind(lp_.get(), j, GlpkKind(kind));
  if (kind != ColumnKind::kBinary) {
    glp_set_col_bnds(lp_.get(), j, lo < hi ? GLP_DB : GLP_FX, lo, hi);
  }
  return j;
}

void GlpkProgram::FixColumn(int column, double value) {
  glp_set_col_kind(lp_.get(), column, GLP_IV);
  glp_set_col_bnds(lp_.get(), column, GLP_FX, value, value);
}

void GlpkProgram::Constrain(const LinearExpr& expr, double lo, double hi) {
  const int i = glp_add_rows(lp_.get(), 1);
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  int type = GLP_FR;
  if (has_lo && has_hi) {
    type = lo == hi ? GLP_FX : GLP_DB;
  } else if (has_lo || has_hi) {
    type = has_lo ? GLP_LO : GLP_UP;
  }
  glp_set_row_bnds(lp_.get(), i, type, has_lo ? lo : 0, has_hi ? hi : 0);
  // GLPK arrays are 1-based.
  std::vector<int> index = {0};
  std::vector<double> value = {0};
  index.insert(index.end(), expr.columns.begin(), expr.columns.end());
  value.insert(value.end(), expr.coefficients.begin(), expr.coefficients.end());
  glp_set_mat_row(lp_.get(), i, static_cast<int>(expr.columns.size()), index.data(), value.data());
}

absl::StatusOr<std::optional<double>> GlpkProgram::Optimize(const LinearExpr& objective,
                                                            Direction direction,
                                                            absl::Time deadline) {
  glp_prob* lp = lp_.get();
  const int n = glp_get_num_cols(lp);
  for (int j = 1; j <= n; ++j) glp_set_obj_coef(lp, j, 0);
  for (std::size_t k = 0; k < objective.columns.size(); ++k) {
    glp_set_obj_coef(lp, objective.columns[k], objective.coefficients[k]);
  }
  glp_set_obj_dir(lp, direction == Direction::kMinimize ? GLP_MIN : GLP_MAX);
  if (n == 0) return 0.0;

  const absl::Duration left = deadline - absl::Now();
  if (left <= absl::ZeroDuration()) return absl::DeadlineExceededError("planner time limit");
  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.presolve = GLP_ON;
  parm.mip_gap = 0;
  // Integer objectives stay below 2e7 (kMaxOutcomeEffort), so this prunes no node whose
  // bound is a whole unit better than the incumbent.
  parm.tol_obj = 1e-9;
  // Mixed-integer rounding and Gomory cuts close the knapsack-like gaps of the increase
  // stage; without them proving optimality takes up to a hundred times longer.
  parm.mir_cuts = GLP_ON;
  parm.gmi_cuts = GLP_ON;
  // Pseudocost branching proves the increase stage optimal in fewer nodes (bench/README.md).
  parm.br_tech = GLP_BR_PCH;
  parm.tm_lim = static_cast<int>(std::min<int64_t>(absl::ToInt64Milliseconds(left) + 1, 1 << 30));
  ++*solver_runs_;
  const int ret = glp_intopt(lp, &parm);
  if (ret == GLP_ENOPFS) return std::nullopt;
  if (ret == GLP_ETMLIM) return absl::DeadlineExceededError("planner time limit");
  if (ret != 0) return absl::InternalError(absl::StrCat("GLPK glp_intopt failed: code ", ret));
  const int status = glp_mip_status(lp);
  if (status == GLP_NOFEAS) return std::nullopt;
  if (status != GLP_OPT) {
    return absl::InternalError(absl::StrCat("GLPK glp_intopt ended with MIP status ", status));
  }
  solution_.resize(n);
  for (int j = 1; j <= n; ++j) solution_[j - 1] = glp_mip_col_val(lp, j);
  return glp_mip_obj_val(lp);
}

double GlpkProgram::Value(int column) const { return solution_[column - 1]; }

}  // namespace postura::planner_internal
