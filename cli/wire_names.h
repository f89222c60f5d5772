#ifndef POSTURA_CLI_WIRE_NAMES_H_
#define POSTURA_CLI_WIRE_NAMES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "common/model/implementation_group.h"
#include "common/model/level.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::cli {

// How the commands show wire enums to people. Unspecified or unknown values show as "?".

// "0", "0.33", "0.67" or "1".
std::string LevelText(v1::Level level);
// "live", "stale" or "no evidence".
absl::string_view OutcomeStateText(v1::OutcomeState state);
// "IG1", "IG2" or "IG3".
absl::string_view GroupText(v1::ImplementationGroup group);
// "organization" or "supplier".
absl::string_view TenantKindText(v1::TenantKind kind);
// "observed" or "attested".
absl::string_view EvidenceKindText(v1::EvidenceKind kind);

// Between the wire and the engine's types; nullopt for an unspecified or unknown value.
std::optional<Level> LevelFromWire(v1::Level level);
v1::ImplementationGroup GroupToWire(ImplementationGroup group);
std::optional<ImplementationGroup> GroupFromWire(v1::ImplementationGroup group);

}  // namespace postura::cli

#endif  // POSTURA_CLI_WIRE_NAMES_H_
