#include "cli/wire_target.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace postura::cli {
namespace {

v1::TargetScopeKind ScopeKindToWire(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kOutcome:
      return v1::SCOPE_OUTCOME;
    case ScopeKind::kCategory:
      return v1::SCOPE_CATEGORY;
    case ScopeKind::kFunction:
      return v1::SCOPE_FUNCTION;
    case ScopeKind::kAsset:
      return v1::SCOPE_ASSET;
  }
  return v1::TARGET_SCOPE_KIND_UNSPECIFIED;
}

absl::StatusOr<TargetScope> ScopeFromWire(const Catalog& catalog, const v1::Target& target) {
  std::optional<int> index;
  ScopeKind kind = ScopeKind::kAsset;
  switch (target.scope()) {
    case v1::SCOPE_ASSET:
      return TargetScope{ScopeKind::kAsset, 0};
    case v1::SCOPE_FUNCTION:
      kind = ScopeKind::kFunction;
      index = catalog.FindFunction(target.scope_id());
      break;
    case v1::SCOPE_CATEGORY:
      kind = ScopeKind::kCategory;
      index = catalog.FindCategory(target.scope_id());
      break;
    case v1::SCOPE_OUTCOME:
      kind = ScopeKind::kOutcome;
      index = catalog.FindOutcome(target.scope_id());
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("a target has an unknown scope kind (", target.scope(), ")"));
  }
  if (!index) {
    return absl::InvalidArgumentError(
        absl::StrCat("the collector has a target on ", ScopeKindName(kind), " '", target.scope_id(),
                     "', which catalog ", catalog.name(), " v", catalog.version(),
                     " does not have; pass the collector's catalog with --catalog"));
  }
  return TargetScope{kind, *index};
}

}  // namespace

v1::TargetOperator OperatorToWire(TargetOperator op) {
  switch (op) {
    case TargetOperator::kLess:
      return v1::LESS;
    case TargetOperator::kLessOrEqual:
      return v1::LESS_OR_EQUAL;
    case TargetOperator::kEqual:
      return v1::EQUAL;
    case TargetOperator::kGreater:
      return v1::GREATER;
    case TargetOperator::kGreaterOrEqual:
      return v1::GREATER_OR_EQUAL;
  }
  return v1::TARGET_OPERATOR_UNSPECIFIED;
}

std::optional<TargetOperator> OperatorFromWire(v1::TargetOperator op) {
  switch (op) {
    case v1::LESS:
      return TargetOperator::kLess;
    case v1::LESS_OR_EQUAL:
      return TargetOperator::kLessOrEqual;
    case v1::EQUAL:
      return TargetOperator::kEqual;
    case v1::GREATER:
      return TargetOperator::kGreater;
    case v1::GREATER_OR_EQUAL:
      return TargetOperator::kGreaterOrEqual;
    default:
      return std::nullopt;
  }
}

v1::Target TargetToWire(const Catalog& catalog, const Target& target) {
  v1::Target wire;
  wire.set_scope(ScopeKindToWire(target.scope.kind));
  if (target.scope.kind != ScopeKind::kAsset) wire.set_scope_id(ScopeId(catalog, target.scope));
  wire.set_operator_(OperatorToWire(target.op));
  wire.set_value(target.threshold);
  return wire;
}

absl::StatusOr<Target> TargetFromWire(const Catalog& catalog, const v1::Target& target) {
  absl::StatusOr<TargetScope> scope = ScopeFromWire(catalog, target);
  if (!scope.ok()) return scope.status();
  std::optional<TargetOperator> op = OperatorFromWire(target.operator_());
  if (!op) {
    return absl::InvalidArgumentError(absl::StrCat("the target on ", ScopeId(catalog, *scope),
                                                   " has an unknown operator (", target.operator_(),
                                                   ")"));
  }
  return Target{*scope, *op, target.value()};
}

}  // namespace postura::cli
