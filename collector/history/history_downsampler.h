#ifndef POSTURA_COLLECTOR_HISTORY_HISTORY_DOWNSAMPLER_H_
#define POSTURA_COLLECTOR_HISTORY_HISTORY_DOWNSAMPLER_H_

// Thins the score history with age: every change while it is young, then the last point of
// each hour, then the last point of each day, then nothing; closed gap episodes are kept
// as long as hourly points. HistoryRecorder runs it on its
// own thread every hour; tests run it directly.
//
// Threading: one run at a time per store (the recorder's thread); reads and writes the
// store's history family, which is thread-safe.

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "collector/store/evidence_store.h"

namespace postura::collector {

// How long history keeps each resolution (collector config `history`).
struct HistoryRetention {
  absl::Duration every_change = absl::Hours(24 * 7);  // Every recorded change.
  absl::Duration hourly = absl::Hours(24 * 90);       // Then the last point of each hour.
  absl::Duration daily = absl::Hours(24 * 730);       // Then of each day; older is deleted.
};

// InvalidArgument naming the field unless 1h <= every_change <= hourly <= daily.
absl::Status ValidateHistoryRetention(const HistoryRetention& retention);

// Figures of one run.
struct DownsampleStats {
  int subjects = 0;
  int64_t points_deleted = 0;
  int64_t gap_episodes_deleted = 0;  // Closed before now - hourly (gap_log.h).
};

// Thins every subject's history as of `now`, and deletes the gap episodes (gap_log.h) that
// closed before now - retention.hourly. A point is kept at the resolution of its age,
// and the last point of each hour or day is the one kept, so the figures at each kept
// instant are exact. Resumes from the previous run's time (kept in the store), so a run
// reads only what aged into a coarser resolution since; the first run reads everything.
// Unavailable if the store failed (the next run completes the work).
absl::StatusOr<DownsampleStats> DownsampleHistory(EvidenceStore& store,
                                                  const HistoryRetention& retention,
                                                  absl::Time now);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_HISTORY_HISTORY_DOWNSAMPLER_H_
