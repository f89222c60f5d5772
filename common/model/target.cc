#include "common/model/target.h"

#include "absl/strings/str_cat.h"

namespace postura {
namespace {

constexpr TargetOperator kAllOperators[] = {TargetOperator::kLess, TargetOperator::kLessOrEqual,
                                            TargetOperator::kEqual, TargetOperator::kGreater,
                                            TargetOperator::kGreaterOrEqual};

bool ScopeApplies(const ScoringModel& model, const TargetScope& scope) {
  switch (scope.kind) {
    case ScopeKind::kOutcome:
      return model.OutcomeApplies(scope.index);
    case ScopeKind::kCategory:
      return model.CategoryApplies(scope.index);
    case ScopeKind::kFunction:
      return model.FunctionApplies(scope.index);
    case ScopeKind::kAsset:
      return true;
  }
  return false;
}

int ScopeSize(const ScoringModel& model, ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kOutcome:
      return model.outcome_count();
    case ScopeKind::kCategory:
      return model.category_count();
    case ScopeKind::kFunction:
      return model.function_count();
    case ScopeKind::kAsset:
      return 1;
  }
  return 0;
}

// Credit of an unmet target whose value lies below the threshold.
double CreditBelow(double value, double threshold, double factor) {
  return threshold == 0 ? factor : factor * value / threshold;
}

// Credit of an unmet target whose value lies above the threshold.
double CreditAbove(double value, double threshold, double factor) {
  return threshold == 1 ? factor : factor * (1 - value) / (1 - threshold);
}

}  // namespace

absl::string_view TargetOperatorName(TargetOperator op) {
  switch (op) {
    case TargetOperator::kLess:
      return "LESS";
    case TargetOperator::kLessOrEqual:
      return "LESS_OR_EQUAL";
    case TargetOperator::kEqual:
      return "EQUAL";
    case TargetOperator::kGreater:
      return "GREATER";
    case TargetOperator::kGreaterOrEqual:
      return "GREATER_OR_EQUAL";
  }
  return "?";
}

absl::string_view TargetOperatorSymbol(TargetOperator op) {
  switch (op) {
    case TargetOperator::kLess:
      return "<";
    case TargetOperator::kLessOrEqual:
      return "<=";
    case TargetOperator::kEqual:
      return "=";
    case TargetOperator::kGreater:
      return ">";
    case TargetOperator::kGreaterOrEqual:
      return ">=";
  }
  return "?";
}

std::optional<TargetOperator> ParseTargetOperator(absl::string_view name) {
  for (TargetOperator op : kAllOperators) {
    if (name == TargetOperatorName(op)) return op;
  }
  return std::nullopt;
}

absl::string_view ScopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kOutcome:
      return "outcome";
    case ScopeKind::kCategory:
      return "category";
    case ScopeKind::kFunction:
      return "function";
    case ScopeKind::kAsset:
      return "asset";
  }
  return "?";
}

std::string ScopeId(const Catalog& catalog, const TargetScope& scope) {
  switch (scope.kind) {
    case ScopeKind::kOutcome:
      return catalog.outcomes()[scope.index].id;
    case ScopeKind::kCategory:
      return catalog.categories()[scope.index].id;
    case ScopeKind::kFunction:
      return catalog.functions()[scope.index].id;
    case ScopeKind::kAsset:
      return "ASSET";
  }
  return "?";
}

absl::Status ValidateTarget(const Catalog& catalog, ImplementationGroup group,
                            const Target& target) {
  const ScoringModel& model = catalog.model(group);
  const TargetScope& scope = target.scope;
  if (scope.kind != ScopeKind::kAsset &&
      (scope.index < 0 || scope.index >= ScopeSize(model, scope.kind))) {
    return absl::InvalidArgumentError(
        absl::StrCat("no ", ScopeKindName(scope.kind), " at catalog position ", scope.index));
  }
  if (!ScopeApplies(model, scope)) {
    return absl::InvalidArgumentError(absl::StrCat(ScopeKindName(scope.kind), " ",
                                                   ScopeId(catalog, scope), " does not apply to ",
                                                   ImplementationGroupName(group)));
  }
  if (!(target.threshold >= 0 && target.threshold <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold ", target.threshold, " is outside [0, 1]"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTargets(const Catalog& catalog, ImplementationGroup group,
                             absl::Span<const Target> targets) {
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (absl::Status s = ValidateTarget(catalog, group, targets[i]); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("target ", i, ": ", s.message()));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (targets[j].scope == targets[i].scope) {
        return absl::InvalidArgumentError(absl::StrCat(
            "target ", i, ": a second target for ", ScopeKindName(targets[i].scope.kind), " ",
            ScopeId(catalog, targets[i].scope), " (first is target ", j,
            "); a scope takes at most one target"));
      }
    }
  }
  return absl::OkStatus();
}

double ScopeValue(const TargetScope& scope, const AssetValues& values,
                  absl::Span<const Level> levels) {
  switch (scope.kind) {
    case ScopeKind::kOutcome:
      return LevelValue(levels[scope.index]);
    case ScopeKind::kCategory:
      return values.categories[scope.index];
    case ScopeKind::kFunction:
      return values.functions[scope.index];
    case ScopeKind::kAsset:
      return values.asset;
  }
  return 0;
}

TargetResult EvaluateTarget(TargetOperator op, double threshold, double value) {
  TargetResult result{value, false, 0};
  switch (op) {
    case TargetOperator::kLess:
      result.met = value < threshold;
      result.credit = CreditAbove(value, threshold, 0.99);
      break;
    case TargetOperator::kLessOrEqual:
      result.met = value <= threshold;
      result.credit = CreditAbove(value, threshold, 1.0);
      break;
    case TargetOperator::kEqual:
      result.met = value == threshold;
      result.credit = value > threshold ? CreditAbove(value, threshold, 1.0)
                                        : CreditBelow(value, threshold, 1.0);
      break;
    case TargetOperator::kGreater:
      result.met = value > threshold;
      result.credit = CreditBelow(value, threshold, 0.99);
      break;
    case TargetOperator::kGreaterOrEqual:
      result.met = value >= threshold;
      result.credit = CreditBelow(value, threshold, 1.0);
      break;
  }
  if (result.met) result.credit = 1;
  return result;
}

TargetsReport EvaluateTargets(absl::Span<const Target> targets, const AssetValues& values,
                              absl::Span<const Level> levels) {
  TargetsReport report;
  if (targets.empty()) return report;
  double credit_sum = 0;
  for (const Target& target : targets) {
    TargetResult result =
        EvaluateTarget(target.op, target.threshold, ScopeValue(target.scope, values, levels));
    credit_sum += result.credit;
    report.all_met = report.all_met && result.met;
    report.results.push_back(result);
  }
  report.coverage = credit_sum / targets.size();
  return report;
}

}  // namespace postura
