#ifndef POSTURA_CLI_TIME_TEXT_H_
#define POSTURA_CLI_TIME_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::cli {

// How long ago, in its largest whole unit: "45s", "12m", "3h", "9d". A negative age (a
// clock ahead of ours) shows as "0s".
std::string AgeText(absl::Duration age);

// A wire time (nanoseconds since the Unix epoch) in UTC, "2024-05-01T12:00:03Z"; "-" for 0.
std::string UnixNanosText(int64_t unix_nanos);

// Parses a --since duration: Go-style ("90m", "1h30m", "45s") or whole days ("7d").
// InvalidArgument saying how to write one for anything else, or a negative duration.
absl::StatusOr<absl::Duration> ParseSince(absl::string_view text);
// The same for any option, named `flag` in the messages ("--step").
absl::StatusOr<absl::Duration> ParseDurationFlag(absl::string_view flag, absl::string_view text);

// Parses an RFC 3339 time ("2024-05-01T12:00:00Z", "2024-05-01T14:00:00+02:00").
// InvalidArgument with an example otherwise.
absl::StatusOr<absl::Time> ParseRfc3339(absl::string_view text);

// Parses an instant given to option `flag`: an RFC 3339 time, or a duration back from
// `now` ("7d": seven days ago). InvalidArgument naming the option otherwise.
absl::StatusOr<absl::Time> ParseInstant(absl::string_view flag, absl::string_view text,
                                        absl::Time now);

}  // namespace postura::cli

#endif  // POSTURA_CLI_TIME_TEXT_H_
