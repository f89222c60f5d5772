#include "common/crosswalk/framework.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace postura::crosswalk {

absl::string_view FrameworkName(Framework framework) {
  switch (framework) {
    case Framework::kCsf20:
      return "csf2.0";
    case Framework::kSp80053r5:
      return "sp800-53r5";
    case Framework::kIso27001v2013:
      return "iso27001-2013";
    case Framework::kIso27001v2022:
      return "iso27001-2022";
  }
  return "";
}

absl::string_view FrameworkTitle(Framework framework) {
  switch (framework) {
    case Framework::kCsf20:
      return "NIST CSF 2.0";
    case Framework::kSp80053r5:
      return "NIST SP 800-53 Rev. 5";
    case Framework::kIso27001v2013:
      return "ISO/IEC 27001:2013 Annex A";
    case Framework::kIso27001v2022:
      return "ISO/IEC 27001:2022 Annex A";
  }
  return "";
}

absl::string_view ControlNoun(Framework framework) {
  return framework == Framework::kCsf20 ? "subcategory" : "control";
}

absl::string_view ControlsNoun(Framework framework) {
  return framework == Framework::kCsf20 ? "subcategories" : "controls";
}

absl::StatusOr<Framework> ParseFramework(absl::string_view name) {
  std::vector<std::string> names;
  for (Framework framework : kAllFrameworks) {
    if (absl::EqualsIgnoreCase(name, FrameworkName(framework))) return framework;
    names.emplace_back(FrameworkName(framework));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown framework '", name, "': expected one of ", absl::StrJoin(names, ", ")));
}

}  // namespace postura::crosswalk
