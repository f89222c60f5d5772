#include "collector/config_keys.h"

#include "common/config/yaml_config.h"

namespace postura::collector {

absl::Status KeyError(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

absl::Status Duration(absl::string_view key, const std::string& text, absl::Duration& out) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> duration = ParseConfigDuration(text);
  if (!duration.ok()) return KeyError(key, duration.status().message());
  out = *duration;
  return absl::OkStatus();
}

absl::Status BoundedDuration(absl::string_view key, const std::string& text, absl::Duration low,
                             absl::Duration high, absl::Duration& out) {
  absl::Duration parsed = out;
  if (absl::Status s = Duration(key, text, parsed); !s.ok()) return s;
  if (parsed < low || parsed > high) {
    return KeyError(key, absl::StrCat("must be between ", absl::FormatDuration(low), " and ",
                                      absl::FormatDuration(high)));
  }
  out = parsed;
  return absl::OkStatus();
}

}  // namespace postura::collector
