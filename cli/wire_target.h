#ifndef POSTURA_CLI_WIRE_TARGET_H_
#define POSTURA_CLI_WIRE_TARGET_H_

#include "absl/status/statusor.h"
#include "common/catalog.h"
#include "common/target.h"
#include "postura/v1/admin.pb.h"

namespace postura::cli {

// The wire form of `target` (postura/v1/admin.proto): the scope by catalog id, or
// SCOPE_ASSET with an empty id. REQUIRES: the target's scope index is valid in `catalog`.
v1::Target TargetToWire(const Catalog& catalog, const Target& target);

// A target the collector sent, resolved in `catalog`. InvalidArgument naming the target
// when its scope, operator or value is not one `catalog` knows (the collector then runs
// another catalog: pass it with --catalog).
absl::StatusOr<Target> TargetFromWire(const Catalog& catalog, const v1::Target& target);

// The wire operator for an engine operator, and back (nullopt for an unspecified one).
v1::TargetOperator OperatorToWire(TargetOperator op);
std::optional<TargetOperator> OperatorFromWire(v1::TargetOperator op);

}  // namespace postura::cli

#endif  // POSTURA_CLI_WIRE_TARGET_H_
