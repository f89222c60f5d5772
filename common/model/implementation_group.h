#ifndef POSTURA_COMMON_MODEL_IMPLEMENTATION_GROUP_H_
#define POSTURA_COMMON_MODEL_IMPLEMENTATION_GROUP_H_

#include <array>
#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace postura {

// CyberTOMP's implementation groups, from an asset's criticality: IG1 (low), IG2
// (medium), IG3 (high). They are part of the framework, not of a catalog: every catalog
// gives one weight per group.
enum class ImplementationGroup : uint8_t { kIG1 = 0, kIG2 = 1, kIG3 = 2 };

inline constexpr int kImplementationGroupCount = 3;
inline constexpr std::array<ImplementationGroup, kImplementationGroupCount>
    kAllImplementationGroups = {ImplementationGroup::kIG1, ImplementationGroup::kIG2,
                                ImplementationGroup::kIG3};

// 0 for IG1, 1 for IG2, 2 for IG3: the position of the group's weight in a catalog row.
inline constexpr int IndexOf(ImplementationGroup group) { return static_cast<int>(group); }

// "IG1", "IG2" or "IG3".
absl::string_view ImplementationGroupName(ImplementationGroup group);

// Parses "IG1".."IG3" (exactly, as FLECO writes them); nullopt for anything else.
std::optional<ImplementationGroup> ParseImplementationGroup(absl::string_view name);

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_IMPLEMENTATION_GROUP_H_
