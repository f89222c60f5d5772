#ifndef POSTURA_COMMON_TRANSPORT_TARGET_PROTO_H_
#define POSTURA_COMMON_TRANSPORT_TARGET_PROTO_H_

#include <optional>

#include "absl/status/statusor.h"
#include "common/model/catalog.h"
#include "common/model/target.h"
#include "postura/v1/admin.pb.h"

namespace postura {

// Converts a wire target to the engine's form, resolving its scope id in `catalog`.
// InvalidArgument naming the problem for an unspecified or unknown scope kind or operator,
// a scope id the catalog does not know (or any scope id on an asset target), or a value
// outside [0, 1] or NaN. Does not check that the scope applies to an implementation group:
// ValidateTargets (common/target.h) does.
absl::StatusOr<Target> TargetFromProto(const Catalog& catalog, const v1::Target& target);

// The wire form of `target`: the scope by catalog id ("PR_AC_CSC_5_2", "PR.AC", "PR"), or
// SCOPE_ASSET with an empty id. REQUIRES: target's scope index is valid in `catalog`.
v1::Target TargetToProto(const Catalog& catalog, const Target& target);

// The wire operator for an engine operator, and back (nullopt for an unspecified one).
v1::TargetOperator OperatorToProto(TargetOperator op);
std::optional<TargetOperator> OperatorFromProto(v1::TargetOperator op);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_TARGET_PROTO_H_
