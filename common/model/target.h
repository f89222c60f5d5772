#ifndef POSTURA_COMMON_MODEL_TARGET_H_
#define POSTURA_COMMON_MODEL_TARGET_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/model/asset_values.h"
#include "common/model/catalog.h"
#include "common/model/level.h"

namespace postura {

// A strategic target (FLECO's "strategic constraint"): scope, operator and threshold
// (METRICS.md section 5).
enum class TargetOperator { kLess, kLessOrEqual, kEqual, kGreater, kGreaterOrEqual };

// "LESS", "LESS_OR_EQUAL", "EQUAL", "GREATER", "GREATER_OR_EQUAL" (FLECO's names).
absl::string_view TargetOperatorName(TargetOperator op);
std::optional<TargetOperator> ParseTargetOperator(absl::string_view name);
// "<", "<=", "=", ">", ">=".
absl::string_view TargetOperatorSymbol(TargetOperator op);

enum class ScopeKind { kOutcome, kCategory, kFunction, kAsset };

// What a target constrains: one outcome, category or function (by catalog position), or
// the asset itself (index unused).
struct TargetScope {
  ScopeKind kind = ScopeKind::kAsset;
  int index = 0;

  friend bool operator==(const TargetScope& a, const TargetScope& b) {
    return a.kind == b.kind && (a.kind == ScopeKind::kAsset || a.index == b.index);
  }
};

struct Target {
  TargetScope scope;
  TargetOperator op = TargetOperator::kGreaterOrEqual;
  double threshold = 0;  // In [0, 1].

  friend bool operator==(const Target& a, const Target& b) {
    return a.scope == b.scope && a.op == b.op && a.threshold == b.threshold;
  }
};

// "outcome", "category", "function" or "asset".
absl::string_view ScopeKindName(ScopeKind kind);
// The scope's catalog id: "PR_AC_CSC_5_2", "PR.AC", "PR", or "ASSET".
std::string ScopeId(const Catalog& catalog, const TargetScope& scope);

// OK if `target` can apply to an asset of `group`: its scope applies to the group and its
// threshold is in [0, 1]. InvalidArgument saying which otherwise. (FLECO silently drops a
// target on an item of another group; Postura tells the user.)
absl::Status ValidateTarget(const Catalog& catalog, ImplementationGroup group,
                            const Target& target);

// OK if every target is valid for `group` and no two share a scope. InvalidArgument naming
// the offending target's position ("target 3: ...") otherwise.
absl::Status ValidateTargets(const Catalog& catalog, ImplementationGroup group,
                             absl::Span<const Target> targets);

// The current value of a scope: an outcome's level value, or a category, function or
// asset value.
double ScopeValue(const TargetScope& scope, const AssetValues& values,
                  absl::Span<const Level> levels);

// How far one target is met.
struct TargetResult {
  double value = 0;   // The scope's current value.
  bool met = false;   // The comparison holds.
  double credit = 0;  // 1 when met; FLECO's partial credit in [0, 1) otherwise.
};

// Compares `value` with the target and computes FLECO's partial credit when unmet, with v
// the value and t the threshold: LESS 0.99(1-v)/(1-t), LESS_OR_EQUAL (1-v)/(1-t), EQUAL
// (1-v)/(1-t) above and v/t below, GREATER 0.99v/t, GREATER_OR_EQUAL v/t. At the two points
// where FLECO's formulas divide by zero (LESS with v = t = 1, GREATER with v = t = 0) the
// credit is 0.99, as in FLECO.
TargetResult EvaluateTarget(TargetOperator op, double threshold, double value);

// Every target evaluated on one status, and their coverage.
struct TargetsReport {
  std::vector<TargetResult> results;  // Same order as the targets.
  double coverage = 1;                // Mean credit; 1 when there are no targets.
  bool all_met = true;
};

TargetsReport EvaluateTargets(absl::Span<const Target> targets, const AssetValues& values,
                              absl::Span<const Level> levels);

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_TARGET_H_
