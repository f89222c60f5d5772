#include "common/planner/planner_ip.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <tuple>

#include "absl/status/status.h"

namespace postura::planner_internal {
namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

bool HasOwnTarget(const Problem& problem, const std::vector<int>& targets, int outcome) {
  for (int i : targets) {
    const TargetScope& scope = problem.request->targets[i].scope;
    if (scope.kind == ScopeKind::kOutcome && scope.index == outcome) return true;
  }
  return false;
}

}  // namespace

Program::Program(const Problem& problem, const std::vector<int>& targets, Mode mode)
    : problem_(problem),
      lp_(&problem.trace->integer_programs),
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

int Program::AddColumn(ColumnKind kind, double lo, double hi) {
  const int j = lp_.AddColumn(kind, lo, hi);
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
    const int j =
        size == 1 ? AddColumn(ColumnKind::kBinary, 0, 1) : AddColumn(ColumnKind::kInteger, 0, size);
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
  lp_.Constrain(expr, lo, hi);
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
  const int c = AddColumn(ColumnKind::kContinuous, 0, 1);
  credit_.Add(c, 1);
  const int64_t g = sum.gcd == 0 ? 1 : sum.gcd;
  auto implication = [&](bool at_least) {
    const int z = AddColumn(ColumnKind::kBinary, 0, 1);
    LinearExpr row;
    for (std::size_t k = 0; k < sum.columns.size(); ++k) {
      row.Add(sum.columns[k], static_cast<double>(sum.units[k] / g));
    }
    if (range.empty()) {
      lp_.FixColumn(z, 0);
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
                                                        Direction direction) {
  if (known_infeasible_) return std::nullopt;
  return lp_.Optimize(objective, direction, problem_.deadline);
}

absl::StatusOr<std::vector<Level>> Program::Status() const {
  std::vector<Level> status = fixed_;
  for (const OutcomeClass& outcome_class : classes_) {
    std::size_t next = 0;
    for (int j : outcome_class.columns) {
      for (int64_t n = std::llround(lp_.Value(j)); n > 0; --n) {
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

}  // namespace postura::planner_internal
