#include "common/planner.h"

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/asset_score.h"
#include "common/planner_dp.h"
#include "common/planner_options.h"

namespace postura {
namespace {

// Exactly the comparison EvaluateTarget makes on the value AssetScore reports.
bool HoldsAt(const Target& target, int64_t sum, int64_t scale) {
  const double value = static_cast<double>(sum) / static_cast<double>(scale);
  return EvaluateTarget(target.op, target.threshold, value).met;
}

// The sums in [0, scale] at which `target` holds. Correct rounding is monotone, so for
// <, <=, > and >= they form an interval with one end at 0 or `scale`. For =, at most one
// sum qualifies: distinct sums differ by at least 1/scale >= 2^-31, far more than two
// ulps, so no two round to the same double; and that sum is round(t * scale), which the
// double product gets within far less than 1/2 (it is checked, with its neighbours).
SumRange MetRange(const Target& target, int64_t scale) {
  const int64_t guess =
      std::clamp<int64_t>(std::llround(target.threshold * static_cast<double>(scale)), 0, scale);
  auto holds = [&](int64_t s) { return HoldsAt(target, s, scale); };
  SumRange range;
  switch (target.op) {
    case TargetOperator::kGreater:
    case TargetOperator::kGreaterOrEqual: {
      int64_t s = guess;
      while (s > 0 && holds(s - 1)) --s;
      while (s <= scale && !holds(s)) ++s;
      return {s, scale};
    }
    case TargetOperator::kLess:
    case TargetOperator::kLessOrEqual: {
      int64_t s = guess;
      while (s < scale && holds(s + 1)) ++s;
      while (s >= 0 && !holds(s)) --s;
      return {0, s};
    }
    case TargetOperator::kEqual:
      for (int64_t s = std::max<int64_t>(guess - 1, 0); s <= std::min(guess + 1, scale); ++s) {
        if (holds(s)) return {s, s};
      }
      return range;
  }
  return range;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

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

absl::StatusOr<Problem> CheckRequest(const Catalog& catalog, const PlanRequest& request,
                                     const PlannerOptions& options, PlannerTrace* trace) {
  Problem problem;
  problem.options = options;
  problem.trace = trace;
  problem.catalog = &catalog;
  problem.model = &catalog.model(request.group);
  problem.request = &request;
  const int n = problem.model->outcome_count();
  if (static_cast<int>(request.current.size()) != n) {
    return absl::InvalidArgumentError(absl::StrCat("current status has ", request.current.size(),
                                                   " levels; the catalog has ", n, " outcomes"));
  }
  if (absl::Status s = ValidateTargets(catalog, request.group, request.targets); !s.ok()) return s;
  problem.locked.assign(n, false);
  for (int o : request.locked) {
    if (o < 0 || o >= n || !problem.model->OutcomeApplies(o)) {
      return absl::InvalidArgumentError(absl::StrCat("locked outcome at position ", o,
                                                     " does not apply to ",
                                                     ImplementationGroupName(request.group)));
    }
    problem.locked[o] = true;
  }
  problem.effort = request.effort.empty() ? std::vector<int64_t>(n, 1) : request.effort;
  if (static_cast<int>(problem.effort.size()) != n) {
    return absl::InvalidArgumentError(absl::StrCat("effort has ", problem.effort.size(),
                                                   " entries; the catalog has ", n, " outcomes"));
  }
  for (int o : problem.model->applicable_outcomes()) {
    if (problem.effort[o] < 1 || problem.effort[o] > kMaxOutcomeEffort) {
      return absl::InvalidArgumentError(absl::StrCat("effort of ", catalog.outcomes()[o].id, " is ",
                                                     problem.effort[o], "; allowed: 1 to ",
                                                     kMaxOutcomeEffort));
    }
  }
  problem.deadline = absl::Now() + request.time_limit;
  return problem;
}

int Hundredths(const Problem& problem, int outcome) {
  return LevelHundredths(problem.request->current[outcome]);
}

struct GlpProbDeleter {
  void operator()(glp_prob* lp) const { glp_delete_prob(lp); }
};

// A linear expression over GLPK columns (1-based indices).
struct LinearExpr {
  std::vector<int> columns;
  std::vector<double> coefficients;
  void Add(int column, double coefficient) {
    columns.push_back(column);
    coefficients.push_back(coefficient);
  }
};

// Targets as hard constraints (every one must hold) or soft ones (coverage is maximised).
enum class Mode { kHard, kSoft };

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
  // REQUIRES: every index in `targets` is a position in problem.request->targets.
  Program(const Problem& problem, const std::vector<int>& targets, Mode mode);

  // True if, whatever the free outcomes do, some hard target cannot hold.
  bool known_infeasible() const { return known_infeasible_; }

  // Minimises (or maximises) `objective` and returns its optimum; nullopt if no solution
  // exists. DeadlineExceeded, Internal as for PlanTargetStatus.
  absl::StatusOr<std::optional<double>> Optimize(const LinearExpr& objective, int direction);
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
  int AddColumn(int kind, double lo, double hi);

  const Problem& problem_;
  std::unique_ptr<glp_prob, GlpProbDeleter> lp_;
  std::vector<OutcomeClass> classes_;
  std::vector<int> column_class_;  // By GLPK column - 1; -1 for auxiliary columns.
  std::vector<Level> column_level_;
  std::vector<int> outcome_class_;  // By catalog position; -1 for constants.
  std::vector<Level> fixed_;        // Levels of the constants.
  LinearExpr credit_;
  bool known_infeasible_ = false;
  std::vector<double> solution_;  // By GLPK column - 1.
};

std::vector<Level> AllowedLevels(const Problem& problem, const std::vector<int>& targets, Mode mode,
                                 int outcome) {
  std::vector<Level> candidates(kAllLevels.begin(), kAllLevels.end());
  if (problem.locked[outcome]) candidates = {problem.request->current[outcome]};
  std::vector<Level> levels;
  for (Level level : candidates) {
    bool allowed = true;
    for (int i : targets) {
      const Target& t = problem.request->targets[i];
      if (mode == Mode::kHard && t.scope.kind == ScopeKind::kOutcome && t.scope.index == outcome) {
        allowed = EvaluateTarget(t.op, t.threshold, LevelValue(level)).met;
      }
    }
    if (allowed) levels.push_back(level);
  }
  return levels;
}

bool HasOwnTarget(const Problem& problem, const std::vector<int>& targets, int outcome) {
  for (int i : targets) {
    const TargetScope& scope = problem.request->targets[i].scope;
    if (scope.kind == ScopeKind::kOutcome && scope.index == outcome) return true;
  }
  return false;
}

Program::Program(const Problem& problem, const std::vector<int>& targets, Mode mode)
    : problem_(problem),
      lp_(glp_create_prob()),
      outcome_class_(problem.model->outcome_count(), -1),
      fixed_(problem.request->current) {
  AddClasses(targets, mode);
  for (int i : targets) {
    const Target& target = problem.request->targets[i];
    if (mode == Mode::kHard) {
      if (target.scope.kind != ScopeKind::kOutcome) AddHardTarget(target);
    } else if (target.scope.kind == ScopeKind::kOutcome) {
      AddSoftOutcomeTarget(target);
    } else {
      AddSoftTarget(target);
    }
  }
}

int Program::AddColumn(int kind, double lo, double hi) {
  const int j = glp_add_cols(lp_.get(), 1);
  glp_set_col_kind(lp_.get(), j, kind);
  if (kind != GLP_BV) glp_set_col_bnds(lp_.get(), j, lo < hi ? GLP_DB : GLP_FX, lo, hi);
  column_class_.push_back(-1);
  column_level_.push_back(Level::kDli0);
  return j;
}

void Program::AddClasses(const std::vector<int>& targets, Mode mode) {
  const ScoringModel& model = *problem_.model;
  using Key = std::tuple<int, int32_t, int32_t, int32_t, Level, int64_t, int, int>;
  std::map<Key, int> class_of_key;
  std::vector<std::vector<Level>> class_levels;
  for (int o : model.applicable_outcomes()) {
    std::vector<Level> levels = AllowedLevels(problem_, targets, mode, o);
    if (levels.size() <= 1) {
      if (levels.empty()) known_infeasible_ = true;
      if (!levels.empty()) fixed_[o] = levels[0];
      continue;
    }
    int allowed_mask = 0;
    for (Level level : levels) allowed_mask |= 1 << static_cast<int>(level);
    const ScoringModel::OutcomeUnits& units = model.units(o);
    const Key key{model.category_of(o),
                  units.category,
                  units.function,
                  units.asset,
                  problem_.request->current[o],
                  problem_.effort[o],
                  allowed_mask,
                  HasOwnTarget(problem_, targets, o) ? o : -1};
    auto [it, added] = class_of_key.try_emplace(key, static_cast<int>(classes_.size()));
    if (added) {
      classes_.emplace_back();
      class_levels.push_back(levels);
    }
    classes_[it->second].members.push_back(o);
    outcome_class_[o] = it->second;
  }
  for (std::size_t k = 0; k < classes_.size(); ++k) {
    AddClassColumns(static_cast<int>(k), class_levels[k]);
  }
}

void Program::AddClassColumns(int k, const std::vector<Level>& levels) {
  const double size = static_cast<double>(classes_[k].members.size());
  LinearExpr all_members;
  for (Level level : levels) {
    const int j = size == 1 ? AddColumn(GLP_BV, 0, 1) : AddColumn(GLP_IV, 0, size);
    column_class_[j - 1] = k;
    column_level_[j - 1] = level;
    classes_[k].columns.push_back(j);
    all_members.Add(j, 1);
  }
  Constrain(all_members, size, size);
}

int Program::Representative(int column) const {
  return classes_[column_class_[column - 1]].members[0];
}

void Program::Constrain(const LinearExpr& expr, double lo, double hi) {
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

int64_t Program::ScaleOf(const TargetScope& scope) const {
  switch (scope.kind) {
    case ScopeKind::kCategory:
      return problem_.model->category_scale(scope.index);
    case ScopeKind::kFunction:
      return problem_.model->function_scale(scope.index);
    default:
      return problem_.model->asset_scale();
  }
}

Program::ScopeSum Program::SumOf(const TargetScope& scope) const {
  const ScoringModel& model = *problem_.model;
  // Units per hundredth of `outcome`'s level in the scope's sum; 0 outside the scope.
  auto units_of = [&](int o) -> int64_t {
    const ScoringModel::OutcomeUnits& units = model.units(o);
    switch (scope.kind) {
      case ScopeKind::kAsset:
        return units.asset;
      case ScopeKind::kFunction:
        return model.function_of(o) == scope.index ? units.function : 0;
      case ScopeKind::kCategory:
        return model.category_of(o) == scope.index ? units.category : 0;
      case ScopeKind::kOutcome:
        return 0;
    }
    return 0;
  };
  ScopeSum sum;
  for (int o : model.applicable_outcomes()) {
    if (outcome_class_[o] < 0) sum.constant += units_of(o) * LevelHundredths(fixed_[o]);
  }
  for (const OutcomeClass& outcome_class : classes_) {
    const int64_t per_hundredth = units_of(outcome_class.members[0]);
    if (per_hundredth == 0) continue;
    int64_t most = 0;
    for (int j : outcome_class.columns) {
      const int64_t u = per_hundredth * LevelHundredths(column_level_[j - 1]);
      most = std::max(most, u);
      sum.columns.push_back(j);
      sum.units.push_back(u);
      sum.gcd = std::gcd(sum.gcd, u);
    }
    sum.max_free += most * static_cast<int64_t>(outcome_class.members.size());
  }
  return sum;
}

void Program::AddHardTarget(const Target& target) {
  const int64_t scale = ScaleOf(target.scope);
  const SumRange range = MetRange(target, scale);
  const ScopeSum sum = SumOf(target.scope);
  // With g the gcd of the free units, S - constant is g times an integer, so the bounds
  // tighten to whole multiples of g and the row holds small exact integers.
  const int64_t g = sum.gcd == 0 ? 1 : sum.gcd;
  const int64_t lo = std::max<int64_t>(CeilDiv(range.lo - sum.constant, g), 0);
  const int64_t hi = std::min(FloorDiv(range.hi - sum.constant, g), sum.max_free / g);
  if (range.empty() || lo > hi) {
    known_infeasible_ = true;
    return;
  }
  // Holds whatever the free outcomes do.
  if (lo <= 0 && hi >= sum.max_free / g) return;
  LinearExpr row;
  for (std::size_t k = 0; k < sum.columns.size(); ++k) {
    row.Add(sum.columns[k], static_cast<double>(sum.units[k] / g));
  }
  Constrain(row, lo > 0 ? static_cast<double>(lo) : -HUGE_VAL,
            hi < sum.max_free / g ? static_cast<double>(hi) : HUGE_VAL);
}

void Program::AddSoftOutcomeTarget(const Target& target) {
  const int o = target.scope.index;
  // The credit is a function of the level alone, so it is exact per column.
  // A constant does not change the optimum; otherwise o is alone in its class.
  if (outcome_class_[o] < 0) return;
  for (int j : classes_[outcome_class_[o]].columns) {
    credit_.Add(
        j, EvaluateTarget(target.op, target.threshold, LevelValue(column_level_[j - 1])).credit);
  }
}

void Program::CapCredit(int credit, const ScopeSum& sum, int64_t scale, double a, double b, int z,
                        double d) {
  // c - b * (free part) / scale - d * z <= a + b * constant / scale.
  LinearExpr row;
  row.Add(credit, 1);
  for (std::size_t k = 0; k < sum.columns.size(); ++k) {
    row.Add(sum.columns[k], -b * static_cast<double>(sum.units[k]) / static_cast<double>(scale));
  }
  if (z > 0) row.Add(z, -d);
  Constrain(row, -HUGE_VAL, a + b * static_cast<double>(sum.constant) / static_cast<double>(scale));
}

// Models FLECO's partial credit (EvaluateTarget) of a category, function or asset target
// as a credit column c in [0, 1] capped by the linear pieces of the formula; maximising
// c makes it equal to the credit. The 0.99 of the strict operators becomes 1 only when
// a binary z, which implies the exact integer condition of the target, is 1.
void Program::AddSoftTarget(const Target& target) {
  const int64_t scale = ScaleOf(target.scope);
  const SumRange range = MetRange(target, scale);
  const ScopeSum sum = SumOf(target.scope);
  const double t = target.threshold;
  const int c = AddColumn(GLP_CV, 0, 1);
  credit_.Add(c, 1);
  const int64_t g = sum.gcd == 0 ? 1 : sum.gcd;
  auto implication = [&](bool at_least) {
    const int z = AddColumn(GLP_BV, 0, 1);
    LinearExpr row;
    for (std::size_t k = 0; k < sum.columns.size(); ++k) {
      row.Add(sum.columns[k], static_cast<double>(sum.units[k] / g));
    }
    if (range.empty()) {
      glp_set_col_kind(lp_.get(), z, GLP_IV);
      glp_set_col_bnds(lp_.get(), z, GLP_FX, 0, 0);
    } else if (at_least) {  // z = 1 implies S >= range.lo.
      const int64_t need = CeilDiv(range.lo - sum.constant, g);
      row.Add(z, -static_cast<double>(need));
      if (need > 0) Constrain(row, 0, HUGE_VAL);
    } else {  // z = 1 implies S <= range.hi.
      const int64_t allow = FloorDiv(range.hi - sum.constant, g);
      const int64_t slack = sum.max_free / g - allow;
      row.Add(z, static_cast<double>(slack));
      if (slack > 0) Constrain(row, -HUGE_VAL, static_cast<double>(allow + slack));
    }
    return z;
  };
  switch (target.op) {
    case TargetOperator::kGreaterOrEqual:
      if (t > 0) CapCredit(c, sum, scale, 0, 1 / t, 0, 0);
      break;
    case TargetOperator::kGreater: {
      const int z = implication(true);
      CapCredit(c, sum, scale, t > 0 ? 0 : 0.99, t > 0 ? 0.99 / t : 0, z, 0.01);
      break;
    }
    case TargetOperator::kLessOrEqual:
      if (t < 1) CapCredit(c, sum, scale, 1 / (1 - t), -1 / (1 - t), 0, 0);
      break;
    case TargetOperator::kLess: {
      const int z = implication(false);
      if (t < 1) {
        CapCredit(c, sum, scale, 0.99 / (1 - t), -0.99 / (1 - t), z, 0.01);
      } else {
        CapCredit(c, sum, scale, 0.99, 0, z, 0.01);
      }
      break;
    }
    case TargetOperator::kEqual:
      if (t > 0) CapCredit(c, sum, scale, 0, 1 / t, 0, 0);
      if (t < 1) CapCredit(c, sum, scale, 1 / (1 - t), -1 / (1 - t), 0, 0);
      break;
  }
}

LinearExpr Program::Changes() const {
  LinearExpr expr;
  for (int j = 1; j <= static_cast<int>(column_class_.size()); ++j) {
    if (column_class_[j - 1] < 0) continue;
    if (column_level_[j - 1] != problem_.request->current[Representative(j)]) expr.Add(j, 1);
  }
  return expr;
}

LinearExpr Program::Increase() const {
  LinearExpr expr;
  for (int j = 1; j <= static_cast<int>(column_class_.size()); ++j) {
    if (column_class_[j - 1] < 0) continue;
    const int o = Representative(j);
    const int up = LevelHundredths(column_level_[j - 1]) - Hundredths(problem_, o);
    if (up > 0) expr.Add(j, static_cast<double>(problem_.effort[o] * up));
  }
  return expr;
}

LinearExpr Program::Decrease() const {
  LinearExpr expr;
  for (int j = 1; j <= static_cast<int>(column_class_.size()); ++j) {
    if (column_class_[j - 1] < 0) continue;
    const int down =
        Hundredths(problem_, Representative(j)) - LevelHundredths(column_level_[j - 1]);
    if (down > 0) expr.Add(j, down);
  }
  return expr;
}

absl::StatusOr<std::optional<double>> Program::Optimize(const LinearExpr& objective,
                                                        int direction) {
  if (known_infeasible_) return std::nullopt;
  glp_prob* lp = lp_.get();
  const int n = glp_get_num_cols(lp);
  for (int j = 1; j <= n; ++j) glp_set_obj_coef(lp, j, 0);
  for (std::size_t k = 0; k < objective.columns.size(); ++k) {
    glp_set_obj_coef(lp, objective.columns[k], objective.coefficients[k]);
  }
  glp_set_obj_dir(lp, direction);
  if (n == 0) return 0.0;

  const absl::Duration left = problem_.deadline - absl::Now();
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
  ++problem_.trace->integer_programs;
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

absl::StatusOr<std::vector<Level>> Program::Status() const {
  std::vector<Level> status = fixed_;
  for (const OutcomeClass& outcome_class : classes_) {
    std::size_t next = 0;
    for (int j : outcome_class.columns) {
      for (int64_t n = std::llround(solution_[j - 1]); n > 0; --n) {
        if (next == outcome_class.members.size()) break;
        status[outcome_class.members[next++]] = column_level_[j - 1];
      }
    }
    if (next != outcome_class.members.size()) {
      return absl::InternalError("solver's level counts do not cover an outcome class");
    }
  }
  return status;
}

std::vector<int> AllTargets(const Problem& problem) {
  std::vector<int> all(problem.request->targets.size());
  std::iota(all.begin(), all.end(), 0);
  return all;
}

// `targets` as a hard problem for the dynamic programme.
DpProblem ToDpProblem(const Problem& problem, const std::vector<int>& targets) {
  const ScoringModel& model = *problem.model;
  DpProblem dp;
  dp.model = &model;
  dp.current = problem.request->current;
  dp.effort = problem.effort;
  dp.allowed.assign(model.outcome_count(), 0);
  for (int o : model.applicable_outcomes()) {
    for (Level level : AllowedLevels(problem, targets, Mode::kHard, o)) {
      dp.allowed[o] |= 1 << static_cast<int>(level);
    }
  }
  dp.category_range.resize(model.category_count());
  dp.function_range.resize(model.function_count());
  for (int i : targets) {
    const Target& target = problem.request->targets[i];
    const int index = target.scope.index;
    switch (target.scope.kind) {
      case ScopeKind::kOutcome:
        break;
      case ScopeKind::kCategory:
        dp.category_range[index] = MetRange(target, model.category_scale(index));
        break;
      case ScopeKind::kFunction:
        dp.function_range[index] = MetRange(target, model.function_scale(index));
        break;
      case ScopeKind::kAsset:
        dp.asset_range = MetRange(target, model.asset_scale());
        break;
    }
  }
  return dp;
}

// Runs the dynamic programme on `targets` as hard constraints; nullopt if it gave up.
absl::StatusOr<std::optional<DpResult>> SolveHardByDp(const Problem& problem,
                                                      const std::vector<int>& targets,
                                                      bool feasibility_only) {
  if (!problem.options.dynamic_programme) return std::nullopt;
  const DpProblem dp = ToDpProblem(problem, targets);
  DpOptions options;
  options.work_limit = problem.options.dp_work_limit;
  options.feasibility_only = feasibility_only;
  options.deadline = problem.deadline;
  absl::StatusOr<DpResult> result = SolveByDp(dp, options);
  if (!result.ok()) return result.status();
  ++problem.trace->dp_calls;
  problem.trace->dp_work += result->work;
  if (result->verdict == DpVerdict::kGaveUp) {
    ++problem.trace->dp_gave_up;
    return std::nullopt;
  }
  return *std::move(result);
}

// Whether some status meets every target in `targets` (and keeps the locks).
absl::StatusOr<bool> Achievable(const Problem& problem, const std::vector<int>& targets) {
  absl::StatusOr<std::optional<DpResult>> dp = SolveHardByDp(problem, targets, true);
  if (!dp.ok()) return dp.status();
  if (dp->has_value()) return (*dp)->verdict == DpVerdict::kOptimal;
  Program program(problem, targets, Mode::kHard);
  absl::StatusOr<std::optional<double>> found = program.Optimize(LinearExpr(), GLP_MIN);
  if (!found.ok()) return found.status();
  return found->has_value();
}

// A deletion filter: drops each target in turn and keeps it out while the rest still
// cannot be met. What remains cannot be met, and dropping any one target of it would
// make it achievable (an irreducible infeasible subset).
absl::StatusOr<std::vector<int>> FindConflict(const Problem& problem) {
  std::vector<int> conflict = AllTargets(problem);
  for (int i : AllTargets(problem)) {
    std::vector<int> rest;
    for (int k : conflict) {
      if (k != i) rest.push_back(k);
    }
    absl::StatusOr<bool> achievable = Achievable(problem, rest);
    if (!achievable.ok()) return achievable.status();
    if (!*achievable) conflict = std::move(rest);
  }
  return conflict;
}

// Solves the stages changes, increase, decrease in turn, each bounded by the optimum of
// the ones before. All three objectives are integers, so "bounded by the optimum" is the
// exact row obj <= optimum (GLPK rounds nothing here: the optimum is an integer).
absl::StatusOr<bool> SolveLexicographic(Program& program) {
  for (const LinearExpr& objective : {program.Changes(), program.Increase(), program.Decrease()}) {
    absl::StatusOr<std::optional<double>> best = program.Optimize(objective, GLP_MIN);
    if (!best.ok()) return best.status();
    if (!best->has_value()) return false;
    program.Constrain(objective, -HUGE_VAL, std::round(**best));
  }
  return true;
}

// Fills in the counts and coverage of `plan` from its status, checking the status against
// the exact scorer.
absl::Status Finish(const Problem& problem, Plan& plan) {
  const ScoringModel& model = *problem.model;
  for (int o : model.applicable_outcomes()) {
    const int delta = LevelHundredths(plan.target_status[o]) - Hundredths(problem, o);
    if (delta == 0) continue;
    if (problem.locked[o]) {
      return absl::InternalError(
          absl::StrCat("planner changed locked outcome ", problem.catalog->outcomes()[o].id));
    }
    ++plan.changed;
    if (delta > 0) plan.increase += problem.effort[o] * delta;
    if (delta < 0) plan.decrease -= delta;
  }
  const AssetValues values = AssetScore(model, plan.target_status).Values();
  const TargetsReport report =
      EvaluateTargets(problem.request->targets, values, plan.target_status);
  plan.coverage = report.coverage;
  if (plan.feasible && !report.all_met) {
    return absl::InternalError("planned status does not meet every target when re-scored");
  }
  return absl::OkStatus();
}

// The infeasible case: the conflict, and the best-coverage status.
absl::Status PlanBestCoverage(const Problem& problem, Plan& plan) {
  absl::StatusOr<std::vector<int>> conflict = FindConflict(problem);
  if (!conflict.ok()) return conflict.status();
  plan.conflict = *std::move(conflict);
  Program program(problem, AllTargets(problem), Mode::kSoft);
  absl::StatusOr<std::optional<double>> best = program.Optimize(program.credit(), GLP_MAX);
  if (!best.ok()) return best.status();
  if (!best->has_value()) return absl::InternalError("coverage program has no solution");
  // Credits are not integers: keep the best coverage to within solver tolerance.
  program.Constrain(program.credit(), **best - 1e-7, HUGE_VAL);
  absl::StatusOr<bool> solved = SolveLexicographic(program);
  if (!solved.ok()) return solved.status();
  if (!*solved) return absl::InternalError("coverage program lost its solution");
  absl::StatusOr<std::vector<Level>> status = program.Status();
  if (!status.ok()) return status.status();
  plan.target_status = *std::move(status);
  return absl::OkStatus();
}

// The feasible case's optimum into `plan`, or plan.feasible = false.
absl::Status PlanFeasible(const Problem& problem, Plan& plan) {
  absl::StatusOr<std::optional<DpResult>> dp = SolveHardByDp(problem, AllTargets(problem), false);
  if (!dp.ok()) return dp.status();
  if (dp->has_value()) {
    plan.feasible = (*dp)->verdict == DpVerdict::kOptimal;
    if (plan.feasible) plan.target_status = std::move((*dp)->status);
    return absl::OkStatus();
  }
  Program program(problem, AllTargets(problem), Mode::kHard);
  absl::StatusOr<bool> solved = SolveLexicographic(program);
  if (!solved.ok()) return solved.status();
  plan.feasible = *solved;
  if (!plan.feasible) return absl::OkStatus();
  absl::StatusOr<std::vector<Level>> status = program.Status();
  if (!status.ok()) return status.status();
  plan.target_status = *std::move(status);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Plan> PlanTargetStatusWith(const Catalog& catalog, const PlanRequest& request,
                                          const PlannerOptions& options, PlannerTrace* trace) {
  PlannerTrace ignored;
  absl::StatusOr<Problem> problem =
      CheckRequest(catalog, request, options, trace != nullptr ? trace : &ignored);
  if (!problem.ok()) return problem.status();
  Plan plan;
  if (absl::Status s = PlanFeasible(*problem, plan); !s.ok()) return s;
  if (!plan.feasible) {
    if (absl::Status s = PlanBestCoverage(*problem, plan); !s.ok()) return s;
  }
  if (absl::Status s = Finish(*problem, plan); !s.ok()) return s;
  return plan;
}

absl::StatusOr<Plan> PlanTargetStatus(const Catalog& catalog, const PlanRequest& request) {
  return PlanTargetStatusWith(catalog, request, PlannerOptions(), nullptr);
}

absl::StatusOr<std::vector<int64_t>> EffortByFunctionalArea(const Catalog& catalog,
                                                            absl::Span<const int64_t> area_effort) {
  if (area_effort.size() != catalog.functional_areas().size()) {
    return absl::InvalidArgumentError(absl::StrCat("got ", area_effort.size(),
                                                   " area efforts; the catalog has ",
                                                   catalog.functional_areas().size(), " areas"));
  }
  for (std::size_t a = 0; a < area_effort.size(); ++a) {
    if (area_effort[a] < 1 || area_effort[a] > kMaxOutcomeEffort) {
      return absl::InvalidArgumentError(absl::StrCat("effort of ", catalog.functional_areas()[a].id,
                                                     " is ", area_effort[a], "; allowed: 1 to ",
                                                     kMaxOutcomeEffort));
    }
  }
  std::vector<int64_t> effort;
  for (const CatalogOutcome& outcome : catalog.outcomes()) {
    effort.push_back(area_effort[outcome.functional_area]);
  }
  return effort;
}

}  // namespace postura
