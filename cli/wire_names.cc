#include "cli/wire_names.h"

#include "absl/strings/str_cat.h"

namespace postura::cli {

std::string LevelText(v1::Level level) {
  const std::optional<Level> engine = LevelFromWire(level);
  return engine ? absl::StrCat(LevelValue(*engine)) : "?";
}

absl::string_view OutcomeStateText(v1::OutcomeState state) {
  switch (state) {
    case v1::LIVE:
      return "live";
    case v1::STALE:
      return "stale";
    case v1::NO_EVIDENCE:
      return "no evidence";
    default:
      return "?";
  }
}

absl::string_view GroupText(v1::ImplementationGroup group) {
  switch (group) {
    case v1::IG1:
      return "IG1";
    case v1::IG2:
      return "IG2";
    case v1::IG3:
      return "IG3";
    default:
      return "?";
  }
}

absl::string_view TenantKindText(v1::TenantKind kind) {
  switch (kind) {
    case v1::ORGANIZATION:
      return "organization";
    case v1::SUPPLIER:
      return "supplier";
    default:
      return "?";
  }
}

absl::string_view EvidenceKindText(v1::EvidenceKind kind) {
  switch (kind) {
    case v1::OBSERVED:
      return "observed";
    case v1::ATTESTED:
      return "attested";
    default:
      return "?";
  }
}

std::optional<Level> LevelFromWire(v1::Level level) {
  switch (level) {
    case v1::DLI_0:
      return Level::kDli0;
    case v1::DLI_33:
      return Level::kDli33;
    case v1::DLI_67:
      return Level::kDli67;
    case v1::DLI_100:
      return Level::kDli100;
    default:
      return std::nullopt;
  }
}

v1::ImplementationGroup GroupToWire(ImplementationGroup group) {
  switch (group) {
    case ImplementationGroup::kIG1:
      return v1::IG1;
    case ImplementationGroup::kIG2:
      return v1::IG2;
    case ImplementationGroup::kIG3:
      return v1::IG3;
  }
  return v1::IMPLEMENTATION_GROUP_UNSPECIFIED;
}

std::optional<ImplementationGroup> GroupFromWire(v1::ImplementationGroup group) {
  switch (group) {
    case v1::IG1:
      return ImplementationGroup::kIG1;
    case v1::IG2:
      return ImplementationGroup::kIG2;
    case v1::IG3:
      return ImplementationGroup::kIG3;
    default:
      return std::nullopt;
  }
}

}  // namespace postura::cli
