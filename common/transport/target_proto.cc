#include "common/transport/target_proto.h"

#include <optional>

#include "absl/strings/str_cat.h"

namespace postura {
namespace {

v1::TargetScopeKind ScopeKindToProto(ScopeKind kind) {
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

absl::StatusOr<TargetScope> ScopeFromProto(const Catalog& catalog, const v1::Target& target) {
  const std::string& id = target.scope_id();
  // Ids are echoed in messages, so a hostile one is cut short.
  const absl::string_view shown = absl::string_view(id).substr(0, 128);
  std::optional<int> index;
  ScopeKind kind = ScopeKind::kAsset;
  switch (target.scope()) {
    case v1::SCOPE_OUTCOME:
      kind = ScopeKind::kOutcome;
      index = catalog.FindOutcome(id);
      break;
    case v1::SCOPE_CATEGORY:
      kind = ScopeKind::kCategory;
      index = catalog.FindCategory(id);
      break;
    case v1::SCOPE_FUNCTION:
      kind = ScopeKind::kFunction;
      index = catalog.FindFunction(id);
      break;
    case v1::SCOPE_ASSET:
      if (!id.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("an asset target takes no scope_id (got '", shown, "')"));
      }
      return TargetScope{ScopeKind::kAsset, 0};
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("scope must be SCOPE_OUTCOME, SCOPE_CATEGORY, SCOPE_FUNCTION or "
                       "SCOPE_ASSET (got ",
                       target.scope(), ")"));
  }
  if (!index) {
    return absl::InvalidArgumentError(absl::StrCat("unknown ", ScopeKindName(kind), " '", shown,
                                                   "' in catalog ", catalog.name(), " v",
                                                   catalog.version()));
  }
  return TargetScope{kind, *index};
}

}  // namespace

std::optional<TargetOperator> OperatorFromProto(v1::TargetOperator op) {
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

v1::TargetOperator OperatorToProto(TargetOperator op) {
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

absl::StatusOr<Target> TargetFromProto(const Catalog& catalog, const v1::Target& target) {
  absl::StatusOr<TargetScope> scope = ScopeFromProto(catalog, target);
  if (!scope.ok()) return scope.status();
  std::optional<TargetOperator> op = OperatorFromProto(target.operator_());
  if (!op) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target on ", ScopeKindName(scope->kind), " ", ScopeId(catalog, *scope),
        ": operator must be LESS, LESS_OR_EQUAL, EQUAL, GREATER or GREATER_OR_EQUAL (got ",
        target.operator_(), ")"));
  }
  // Written so that NaN fails too.
  if (!(target.value() >= 0 && target.value() <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("target on ", ScopeKindName(scope->kind), " ",
                                                   ScopeId(catalog, *scope), ": value ",
                                                   target.value(), " is outside [0, 1]"));
  }
  return Target{*scope, *op, target.value()};
}

v1::Target TargetToProto(const Catalog& catalog, const Target& target) {
  v1::Target proto;
  proto.set_scope(ScopeKindToProto(target.scope.kind));
  if (target.scope.kind != ScopeKind::kAsset) proto.set_scope_id(ScopeId(catalog, target.scope));
  proto.set_operator_(OperatorToProto(target.op));
  proto.set_value(target.threshold);
  return proto;
}

}  // namespace postura
