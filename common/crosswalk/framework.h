// The frameworks Postura maps its ULEO outcomes to, by the names the CLI takes
// (`postura report --framework csf2.0`). Used by the crosswalk room and the CLI.
// Threading: pure functions over constant data; any thread.
#ifndef POSTURA_COMMON_CROSSWALK_FRAMEWORK_H_
#define POSTURA_COMMON_CROSSWALK_FRAMEWORK_H_

#include <array>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura::crosswalk {

enum class Framework { kCsf20, kSp80053r5, kIso27001v2013, kIso27001v2022 };

inline constexpr std::array<Framework, 4> kAllFrameworks = {
    Framework::kCsf20, Framework::kSp80053r5, Framework::kIso27001v2013, Framework::kIso27001v2022};

// "csf2.0", "sp800-53r5", "iso27001-2013", "iso27001-2022".
absl::string_view FrameworkName(Framework framework);
// "NIST CSF 2.0", "NIST SP 800-53 Rev. 5", "ISO/IEC 27001:2013 Annex A", ...
absl::string_view FrameworkTitle(Framework framework);
// What one control of it is called: "subcategory", "control"; and several of them:
// "subcategories", "controls".
absl::string_view ControlNoun(Framework framework);
absl::string_view ControlsNoun(Framework framework);

// The framework named `name` (as FrameworkName gives it, any case). InvalidArgument naming
// the known frameworks otherwise.
absl::StatusOr<Framework> ParseFramework(absl::string_view name);

}  // namespace postura::crosswalk

#endif  // POSTURA_COMMON_CROSSWALK_FRAMEWORK_H_
