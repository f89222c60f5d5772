#include "common/model/implementation_group.h"

namespace postura {

absl::string_view ImplementationGroupName(ImplementationGroup group) {
  switch (group) {
    case ImplementationGroup::kIG1:
      return "IG1";
    case ImplementationGroup::kIG2:
      return "IG2";
    case ImplementationGroup::kIG3:
      return "IG3";
  }
  return "IG?";
}

std::optional<ImplementationGroup> ParseImplementationGroup(absl::string_view name) {
  for (ImplementationGroup group : kAllImplementationGroups) {
    if (name == ImplementationGroupName(group)) return group;
  }
  return std::nullopt;
}

}  // namespace postura
