// OSCAL building blocks shared by the catalog, profile and assessment-results writers of
// `postura export`: stable name-based UUIDs (version 5), OSCAL date-times, and properties
// in Postura's namespace. Called by the rest of cli/oscal. Pure functions: any thread.

#ifndef POSTURA_CLI_OSCAL_OSCAL_IDS_H_
#define POSTURA_CLI_OSCAL_OSCAL_IDS_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace postura::oscal {

// OSCAL documents keep their keys in the order written (uuid first, as NIST's examples).
using Json = nlohmann::ordered_json;

// The OSCAL release the documents follow.
inline constexpr char kOscalVersion[] = "1.1.2";
// The namespace of Postura's own properties ("ns" of a prop) and the name from which the
// UUID namespace of every Postura identifier is derived.
inline constexpr char kPosturaNamespace[] = "https://postura.dev/ns/oscal";

using UuidBytes = std::array<uint8_t, 16>;

// RFC 4122's namespace for URLs (6ba7b811-9dad-11d1-80b4-00c04fd430c8).
inline constexpr UuidBytes kUrlNamespace = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                            0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

// The name-based UUID (RFC 4122 version 5, SHA-1) of `name` in `name_space`, in its
// lower-case text form.
std::string UuidV5(const UuidBytes& name_space, absl::string_view name);

// UuidV5 in Postura's namespace (itself UuidV5(kUrlNamespace, kPosturaNamespace)): the same
// `name` always gives the same UUID, so re-exports of the same evidence diff cleanly.
// Callers build names as "<kind>/<identity>", e.g. "finding/web/PR_AC_CSC_5_2".
std::string StableUuid(absl::string_view name);

// An OSCAL date-time: RFC 3339 in UTC with a "Z", fractions of seconds only when present.
std::string OscalTime(absl::Time time);

// A property {"name", "ns": kPosturaNamespace, "value"}. `name` must be an OSCAL token
// (a letter or "_", then letters, digits, ".", "-" or "_"); `value` must not be empty nor
// start or end with white space (the schema's string type).
Json PosturaProp(absl::string_view name, absl::string_view value);

// `text` made fit for an OSCAL string (one line): control characters (line ends, tabs)
// become spaces, white space is trimmed at both ends, `fallback` when nothing is left.
std::string OscalString(absl::string_view text, absl::string_view fallback);

}  // namespace postura::oscal

#endif  // POSTURA_CLI_OSCAL_OSCAL_IDS_H_
