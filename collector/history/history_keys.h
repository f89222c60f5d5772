#ifndef POSTURA_COLLECTOR_HISTORY_HISTORY_KEYS_H_
#define POSTURA_COLLECTOR_HISTORY_HISTORY_KEYS_H_

// The layout of the store's "history" column family: whose figures a record holds (its
// subject), keys that sort by subject and then by time, and the records' values. The
// recorder writes with it, the downsampler and the reader read with it.
//
// Threading: pure functions and constants; any thread.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// Subjects. Ids never hold '\0' (registry rules), so subject \0 time sorts by subject,
// then time, and no subject's keys interleave with another's.
std::string AssetSubject(absl::string_view asset_id);
std::string OrganizationSubject();
std::string GroupSubject(absl::string_view group_name);  // "IG1".."IG3".
std::string DepartmentSubject(absl::string_view department_id);
std::string SupplierSubject(absl::string_view supplier_id);

// subject \0 time (8 bytes, big-endian). `unix_nanos` must be >= 0.
std::string HistoryKey(absl::string_view subject, int64_t unix_nanos);
struct HistoryKeyParts {
  absl::string_view subject;
  int64_t unix_nanos = 0;
};
// nullopt for a key that is not a point's (the meta records below).
std::optional<HistoryKeyParts> ParseHistoryKey(absl::string_view key);

// Meta records; their keys hold no '\0'. When the history began (the first start of a
// collector that records it): 8 bytes, big-endian Unix nanoseconds.
inline constexpr absl::string_view kHistoryBeganKey = "meta/began";
// When the downsampler last ran to completion, same encoding.
inline constexpr absl::string_view kHistoryDownsampledKey = "meta/downsampled";
std::string EncodeUnixNanos(int64_t unix_nanos);
std::optional<int64_t> DecodeUnixNanos(absl::string_view bytes);

// A point's value: the figures without the time (the key holds it).
std::string EncodeHistoryPoint(const v1::HistoryPoint& point);
// The point with its time from the key; nullopt if `value` is corrupt.
std::optional<v1::HistoryPoint> DecodeHistoryPoint(int64_t unix_nanos, absl::string_view value);

// The same figures, time aside.
bool SameFigures(const v1::HistoryPoint& a, const v1::HistoryPoint& b);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_HISTORY_HISTORY_KEYS_H_
