#ifndef POSTURA_AGENT_DELIVERY_SPOOL_H_
#define POSTURA_AGENT_DELIVERY_SPOOL_H_

// The agent's durable outbox of evidence batches: the check thread appends, the uploader
// sends and acknowledges, and nothing whose Append returned is lost to a crash. Recovery
// at open is in spool_recovery.h, the full-spool policy in spool_supersede.h. Thread-safe
// (the class comment below gives the details).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "agent/delivery/spool_record.h"
#include "agent/delivery/spool_recovery.h"
#include "agent/delivery/spool_supersede.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::agent {

struct SpoolOptions {
  std::filesystem::path directory;  // Created if missing.
  // Bytes of unacknowledged batches kept on disk. Past it the spool first drops the items
  // that a newer item of the same check (on the same asset and outcome) supersedes, and
  // only if that is not enough the oldest segments, never the batch just appended. Both
  // are counted in dropped_items_total.
  uint64_t max_bytes = 64 << 20;
  // A segment file is closed and a new one started past this size.
  uint64_t segment_bytes = 4 << 20;
  // How Append cuts evidence into batches until the collector announces its own limits.
  IngestLimits ingest_limits;
};

// The agent's durable outbox: evidence batches waiting for the collector's
// acknowledgement, in segment files of checksummed records (agent/spool_record.h).
//
// Used by the agent's check thread (Append) and its uploader thread (the rest);
// thread-safe.
//
// Append cuts evidence into batches the collector accepts and gives each the agent's next
// sequence number; it returns only once they are on disk (fdatasync), so a crash at any
// moment, SIGKILL included, loses no batch whose Append returned. A torn record at the end
// of a segment is detected by its length and checksum and cut off at the next Open.
// Sequence numbers survive restarts, also when everything has been acknowledged and no
// segment is left.
//
// No single record can block the spool: a record that is damaged in the middle of a
// segment is skipped, one whose strings are not valid UTF-8 is repaired, and a batch the
// collector keeps refusing is set aside (moved to `rejected/` beside the segments); what
// is skipped or set aside is logged and counted in dropped_items_total.
//
// A full spool (options.max_bytes) keeps the newest result of every check: it drops the
// items that newer items of the same check, asset and outcome supersede, and only then,
// if still full, the oldest batches. What it drops is counted, durably before it goes, in
// dropped_items_total, which every batch carries to the collector.
class Spool {
 public:
  // Opens the spool in options.directory, recovering what is there.
  static absl::StatusOr<std::unique_ptr<Spool>> Open(const SpoolOptions& options);

  // Writes `items` durably as one or more batches within the current batch limits, with
  // the next sequence numbers; returns the last number used (or, for no items, the last
  // number given so far). Strings that are not valid UTF-8 are repaired first, and details
  // cut to the limit on a character boundary. Unavailable if a disk write fails: the
  // batches written before it stay, nothing of the failed one is recorded.
  absl::StatusOr<uint64_t> Append(std::vector<v1::Evidence> items);

  // The limits the collector announced; later Appends cut batches to them.
  void SetIngestLimits(const IngestLimits& limits);
  IngestLimits ingest_limits() const;

  // Up to `max_batches` unacknowledged batches with sequence above `after`, oldest first,
  // each with dropped_items_total set to the spool's current count. A record that can no
  // longer be read is set aside (and counted) rather than returned.
  absl::StatusOr<std::vector<v1::Batch>> Read(uint64_t after, std::size_t max_batches);

  // Everything up to `sequence` is stored by the collector: forget it and delete segments
  // that hold nothing else. Acknowledging an older sequence than before does nothing.
  absl::Status Acknowledge(uint64_t sequence);

  // True when the oldest unacknowledged batch is larger than the current batch limits
  // allow (spooled before the collector announced smaller ones).
  bool OldestExceedsLimits() const;

  // Cuts the unacknowledged batches anew within the current limits, when the oldest of them
  // exceeds them: every unacknowledged batch is rewritten, in order, under new sequence
  // numbers, and the old numbers count as done. Only safe while none of them is in flight
  // (the uploader calls it before sending any); crash-safe (the rewrite is adopted
  // whole or not at all). Returns how many batches it wrote, 0 if nothing needed cutting.
  absl::StatusOr<std::size_t> RecutOversizedBatches();

  // Sets the oldest unacknowledged batch aside: its record moves to `rejected/`, its items
  // are counted as dropped and its sequence counts as done. For a batch the collector
  // refuses as a whole, again and again. Returns its sequence (0 if nothing is pending).
  absl::StatusOr<uint64_t> SetAsideOldest(absl::string_view reason);

  uint64_t acknowledged() const;
  uint64_t next_sequence() const;
  uint64_t dropped_items_total() const;
  // Unacknowledged batches and their bytes on disk.
  std::size_t pending_batches() const;
  uint64_t pending_bytes() const;
  // Sequence of the oldest unacknowledged batch, 0 if there is none.
  uint64_t oldest_pending() const;

 private:
  using Record = SpooledRecord;
  using Segment = SpoolSegment;

  explicit Spool(const SpoolOptions& options) : options_(options), limits_(options.ingest_limits) {}
  absl::Status Recover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<uint64_t> AppendBatch(std::vector<v1::Evidence> items)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteState() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t SpooledBytes() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Past max_bytes: drops superseded items, then if need be the oldest segments.
  absl::Status MakeRoom() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rewrites each segment holding superseded items without them (spool_supersede.h),
  // sparing the batches Read has handed out since the uploader last started afresh.
  absl::Status DropSuperseded() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rewrites segments_[index] without its superseded items; the count is durable first.
  absl::Status RewriteSegment(std::size_t index, const NewestBatchOfSource& newest)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DropOldestPastCap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DeleteSegment(std::size_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ForgetThrough(uint64_t sequence) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sets a record aside (SetAsideRecord) and counts its items as dropped.
  void SetAside(const std::filesystem::path& segment, std::string_view payload, uint64_t sequence,
                uint32_t items, absl::string_view reason) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Record* Oldest() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SpoolOptions options_;
  mutable absl::Mutex mu_;
  IngestLimits limits_ ABSL_GUARDED_BY(mu_);
  std::vector<Segment> segments_ ABSL_GUARDED_BY(mu_);  // Oldest first; the last is appended to.
  uint64_t acknowledged_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  // next_sequence as the state file last recorded it: how a recut's adoption is judged.
  uint64_t state_next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t dropped_items_total_ ABSL_GUARDED_BY(mu_) = 0;
  SourceIds sources_ ABSL_GUARDED_BY(mu_);
  // The highest sequence Read returned since it was last asked for what follows the
  // acknowledged batches (a new stream). Batches up to it may be on their way to the
  // collector, so superseded items are not cut out of them.
  uint64_t handed_out_through_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_SPOOL_H_
