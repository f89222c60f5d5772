#ifndef POSTURA_COLLECTOR_HISTORY_HISTORY_RECORDER_H_
#define POSTURA_COLLECTOR_HISTORY_HISTORY_RECORDER_H_

// Records score history off the scoring path. Live scoring hands each change of an asset's
// or a rollup's figures to Record, and each gap crossing to RecordGaps (gap_log.h), which
// only append to a queue; the recorder's thread writes what queued every write_interval, and
// downsamples the history every downsample_interval (history_downsampler.h). Built and owned by the
// collector's composition root; LiveScorer records, queries read through HistoryReader.
//
// Threading: Record, RecordGaps, Flush and Stats from any thread; everything else is the recorder's
// own thread.

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/history/gap_log.h"
#include "collector/history/history_downsampler.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

struct HistoryRecorderOptions {
  HistoryRetention retention;
  // How long changes may wait in the queue before they are written. Changes of one
  // subject within one interval are coalesced: the last one is written, so history keeps
  // every change at this resolution.
  absl::Duration write_interval = absl::Seconds(1);
  // How often the history is downsampled (by the clock passed to Start).
  absl::Duration downsample_interval = absl::Hours(1);
  // Memory the two queues (changes and gap crossings, QueuedBytes) take at most; past it,
  // further changes and crossings are counted and dropped until the thread catches up (the
  // evidence log keeps the scores recomputable; a restart reconciles the gap episodes).
  size_t max_queued_bytes = 16 << 20;
  // Gap crossings written per store write: bounds the memory of one write.
  size_t gap_events_per_write = 4096;
};

// One change of a subject's figures (history_keys.h names the subjects).
struct HistoryChange {
  std::string subject;
  int64_t unix_nanos = 0;
  v1::HistoryPoint figures;
};

struct HistoryRecorderStats {
  uint64_t points_written = 0;
  uint64_t points_dropped = 0;  // Over max_queued_bytes.
  uint64_t write_errors = 0;
  uint64_t points_downsampled = 0;  // Deleted by downsampling.
  uint64_t gaps_opened = 0;         // Gap episodes written open (gap_log.h).
  uint64_t gaps_closed = 0;
  uint64_t gap_events_dropped = 0;  // Over max_queued_bytes; a restart reconciles the episodes.
  uint64_t gaps_pruned = 0;         // Closed episodes deleted by downsampling.
  // Waiting now: changes (one per subject at most), gap crossings, and their QueuedBytes.
  uint64_t queued_changes = 0;
  uint64_t queued_gap_events = 0;
  uint64_t queued_bytes = 0;
};

// The memory one waiting change or gap crossing takes in the recorder's queues: the entry,
// the heap its strings and figures hold, and for a change its index entry.
size_t QueuedBytes(const HistoryChange& change);
size_t QueuedBytes(const GapEvent& event);

// `store` and `clock` are borrowed and must outlive the recorder.
class HistoryRecorder {
 public:
  // Notes when the history began (on the store's first start with history), then starts
  // the thread, which downsamples once at once. Unavailable if the store failed;
  // InvalidArgument for bad retention.
  static absl::StatusOr<std::unique_ptr<HistoryRecorder>> Start(EvidenceStore& store, Clock& clock,
                                                                HistoryRecorderOptions options);
  ~HistoryRecorder();  // Writes what is queued, then stops.

  // Queues one change of `subject` (history_keys.h) at `unix_nanos`, replacing the
  // subject's change still waiting, if any. Never waits on disk; O(1).
  void Record(std::string subject, int64_t unix_nanos, const v1::HistoryPoint& figures);
  // The same for several changes, under one hold of the queue's lock.
  void Record(std::vector<HistoryChange> changes);
  // Queues gap crossings, written in order (never coalesced) by the recorder's thread.
  // Never waits on disk; O(events).
  void RecordGaps(std::vector<GapEvent> events);
  // Returns once everything recorded before the call is written (or failed to be).
  void Flush();

  // When the history began.
  absl::Time began() const { return began_; }
  HistoryRecorderStats Stats() const;

 private:
  using Change = HistoryChange;

  HistoryRecorder(EvidenceStore& store, Clock& clock, HistoryRecorderOptions options)
      : store_(store), clock_(clock), options_(options) {}
  // Queues one change. REQUIRES mu_.
  void Queue(Change change) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run();
  void Write(std::vector<Change>& changes);
  // Writes the crossings in order, gap_events_per_write at a time.
  void WriteGaps(const std::vector<GapEvent>& events);
  void Downsample();

  EvidenceStore& store_;
  Clock& clock_;
  const HistoryRecorderOptions options_;
  absl::Time began_;
  absl::Time last_downsample_ = absl::InfinitePast();  // The thread's own.

  mutable absl::Mutex mu_;
  std::vector<Change> queue_ ABSL_GUARDED_BY(mu_);
  // Where each subject's change waits in queue_.
  absl::flat_hash_map<std::string, size_t> queued_at_ ABSL_GUARDED_BY(mu_);
  std::vector<GapEvent> gap_queue_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;     // QueuedBytes of both queues.
  uint64_t queued_total_ ABSL_GUARDED_BY(mu_) = 0;   // Changes ever queued or dropped.
  uint64_t written_total_ ABSL_GUARDED_BY(mu_) = 0;  // Of those, handled by the thread.
  int flushes_waiting_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  HistoryRecorderStats stats_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_HISTORY_HISTORY_RECORDER_H_
