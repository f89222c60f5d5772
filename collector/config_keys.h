#ifndef POSTURA_COLLECTOR_CONFIG_KEYS_H_
#define POSTURA_COLLECTOR_CONFIG_KEYS_H_

// Checks of single config keys for the collector's config parsers (collector_config.cc,
// federation_config.cc): each error names the key ("limits.max_batch_items: ...").
// Pure functions.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::collector {

// InvalidArgument "key: problem".
absl::Status KeyError(absl::string_view key, absl::string_view problem);

// Sets `out` to `value` if it is non-zero and within [low, high]; keeps the default for 0.
template <typename T>
absl::Status Limit(absl::string_view key, uint64_t value, uint64_t low, uint64_t high, T& out) {
  if (value == 0) return absl::OkStatus();
  if (value < low || value > high) {
    return KeyError(key, absl::StrCat(value, " is outside [", low, ", ", high, "]"));
  }
  out = static_cast<T>(value);
  return absl::OkStatus();
}

// Sets `out` to the duration in `text` unless it is empty.
absl::Status Duration(absl::string_view key, const std::string& text, absl::Duration& out);

// Sets `out` to the duration in `text` unless it is empty; InvalidArgument outside
// [low, high].
absl::Status BoundedDuration(absl::string_view key, const std::string& text, absl::Duration low,
                             absl::Duration high, absl::Duration& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_CONFIG_KEYS_H_
