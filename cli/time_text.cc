#include "cli/time_text.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace postura::cli {

std::string AgeText(absl::Duration age) {
  if (age < absl::Seconds(1)) return "0s";
  if (age < absl::Minutes(1)) return absl::StrCat(absl::ToInt64Seconds(age), "s");
  if (age < absl::Hours(1)) return absl::StrCat(absl::ToInt64Minutes(age), "m");
  if (age < absl::Hours(48)) return absl::StrCat(absl::ToInt64Hours(age), "h");
  return absl::StrCat(absl::ToInt64Hours(age) / 24, "d");
}

std::string UnixNanosText(int64_t unix_nanos) {
  if (unix_nanos == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixNanos(unix_nanos),
                          absl::UTCTimeZone());
}

absl::StatusOr<absl::Duration> ParseSince(absl::string_view text) {
  return ParseDurationFlag("--since", text);
}

absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view flag, absl::string_view text) {
  absl::Duration duration;
  int64_t days = 0;
  absl::string_view number = text;
  if (absl::ConsumeSuffix(&number, "d") && absl::SimpleAtoi(number, &days)) {
    duration = absl::Hours(24 * days);
  } else if (!absl::ParseDuration(text, &duration)) {
    return absl::InvalidArgumentError(absl::StrCat(
        flag, " '", text, "' is not a duration; write one like 45s, 90m, 1h30m or 7d"));
  }
  if (duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(flag, " '", text, "' is negative"));
  }
  return duration;
}

absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not an RFC 3339 time (", error,
                                                   "); write one like 2024-05-01T12:00:00Z"));
  }
  return time;
}

absl::StatusOr<absl::Time> ParseInstant(absl::string_view flag, absl::string_view text,
                                        absl::Time now) {
  absl::Time time;
  std::string error;
  bool parsed = absl::ParseTime(absl::RFC3339_full, text, &time, &error);
  if (!parsed) {
    absl::StatusOr<absl::Duration> ago = ParseDurationFlag(flag, text);
    parsed = ago.ok();
    if (parsed) time = now - *ago;
  }
  // The wire carries nanoseconds since 1970 in 64 bits: up to 2262.
  if (parsed && (time < absl::UnixEpoch() || time > absl::FromUnixNanos(INT64_MAX))) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", text, "' is outside the years 1970 to 2262"));
  }
  if (parsed) return time;
  return absl::InvalidArgumentError(
      absl::StrCat(flag, " '", text,
                   "' is neither an RFC 3339 time nor a duration back from now; write one like "
                   "2026-12-01T09:00:00Z or 7d"));
}

}  // namespace postura::cli
