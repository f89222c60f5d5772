#ifndef POSTURA_COLLECTOR_HISTORY_GAP_LOG_H_
#define POSTURA_COLLECTOR_HISTORY_GAP_LOG_H_

// Gap episodes in the store's "history" column family: when an (asset, outcome) fell below
// its threshold (an open episode) and when it was back (a closed one). Live scoring detects
// the crossings (collector/scoring/gap_feed.h) and the history recorder writes them on its
// own thread with WriteGapEvents; the downsampler prunes closed episodes with
// PruneClosedGaps; the API reads them (collector/api/remediation_queries.h).
//
// Key layout, apart from the score points (history_keys.h), under "gap/":
//   gap/open/<asset> \0 <outcome>                   -> opened (8 bytes, big-endian nanos)
//   gap/closed/<closed, 8 bytes> <asset> \0 <outcome> -> opened (same encoding)
// Closed episodes sort by the time they closed, so a window and the retention are ranges.
// Ids never hold '\0' (registry and catalog rules).
//
// Threading: pure functions over the store, which is thread-safe. WriteGapEvents reads the
// open records it closes, so one writer at a time (the recorder's thread, or LiveScorer's
// start before that thread sees any gap).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "collector/store/evidence_store.h"

namespace postura::collector {

// Every gap record's key starts with it; no score subject does.
inline constexpr absl::string_view kGapPrefix = "gap/";
// The first key after every gap record.
inline constexpr absl::string_view kGapPrefixEnd = "gap0";

enum class GapTransition : uint8_t {
  kOpened,   // Fell below its threshold.
  kClosed,   // Back at or above it.
  kDropped,  // No longer tracked (asset deleted, outcome no longer applies): forgotten.
};

// One crossing, as live scoring saw it.
struct GapEvent {
  std::string asset_id;
  std::string outcome_id;
  int64_t unix_nanos = 0;
  GapTransition transition = GapTransition::kOpened;
};

// One episode; closed_unix_nanos is 0 while it is open.
struct GapEpisode {
  std::string asset_id;
  std::string outcome_id;
  int64_t opened_unix_nanos = 0;
  int64_t closed_unix_nanos = 0;
};

std::string GapOpenKey(absl::string_view asset_id, absl::string_view outcome_id);
std::string GapClosedKey(int64_t closed_unix_nanos, absl::string_view asset_id,
                         absl::string_view outcome_id);

// What WriteGapEvents did.
struct GapWriteStats {
  int64_t opened = 0;
  int64_t closed = 0;
  int64_t dropped = 0;
  // Events with nothing to do: an opening of an episode already open (it keeps its first
  // time), a closing or dropping of none.
  int64_t ignored = 0;
};

// Applies the events in order in one atomic store write: an opening writes the open
// record; a closing moves it to a closed record (its duration kept as the two times); a
// drop deletes it. Unavailable if the store failed (nothing is written then).
absl::StatusOr<GapWriteStats> WriteGapEvents(EvidenceStore& store,
                                             absl::Span<const GapEvent> events);

// Writes an open record for each of `events` (openings, REQUIRES: none of them open
// now) without reading the store first: LiveScorer's start, which has just read every
// open record, opens the gaps that have none with it. Unavailable if the store failed.
absl::Status WriteNewOpenGaps(EvidenceStore& store, const std::vector<GapEvent>& events);

// Calls `visit` with each open episode, by asset then outcome, until it returns false.
// DataLoss for a corrupt record.
absl::Status ForEachOpenGap(const EvidenceStore& store,
                            const std::function<bool(const GapEpisode&)>& visit);

// Calls `visit` with each episode closed in [since, until], oldest closing first.
// DataLoss for a corrupt record.
absl::Status ForEachClosedGap(const EvidenceStore& store, int64_t since_unix_nanos,
                              int64_t until_unix_nanos,
                              const std::function<void(const GapEpisode&)>& visit);

// Deletes every episode closed before `closed_before`; returns how many.
absl::StatusOr<int64_t> PruneClosedGaps(EvidenceStore& store, int64_t closed_before);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_HISTORY_GAP_LOG_H_
