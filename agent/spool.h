#ifndef POSTURA_AGENT_SPOOL_H_
#define POSTURA_AGENT_SPOOL_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::agent {

struct SpoolOptions {
  std::filesystem::path directory;  // Created if missing.
  // Bytes of unacknowledged batches kept on disk. Past it the oldest segments are dropped
  // (their items counted in dropped_items_total), never the batch just appended.
  uint64_t max_bytes = 64 << 20;
  // A segment file is closed and a new one started past this size.
  uint64_t segment_bytes = 4 << 20;
};

// The agent's durable outbox: evidence batches waiting for the collector's
// acknowledgement, in segment files of checksummed records.
//
// Append gives each batch the agent's next sequence number and returns only once the
// batch is on disk (fdatasync), so a crash at any moment, SIGKILL included, loses no batch
// whose Append returned; a torn record at the end of a segment is detected by its length
// and checksum and cut off at the next Open. Sequence numbers survive restarts, also when
// everything has been acknowledged and no segment is left. Thread-safe.
class Spool {
 public:
  // Opens the spool in options.directory, recovering what is there.
  static absl::StatusOr<std::unique_ptr<Spool>> Open(const SpoolOptions& options);

  // Writes a batch of `items` with the next sequence number, durably; returns that number.
  // Unavailable if the disk write fails (nothing is then recorded).
  absl::StatusOr<uint64_t> Append(std::vector<v1::Evidence> items);

  // Up to `max_batches` unacknowledged batches with sequence above `after`, oldest first,
  // each with dropped_items_total set to the spool's current count.
  absl::StatusOr<std::vector<v1::Batch>> Read(uint64_t after, std::size_t max_batches) const;

  // Everything up to `sequence` is stored by the collector: forget it and delete segments
  // that hold nothing else. Acknowledging an older sequence than before does nothing.
  absl::Status Acknowledge(uint64_t sequence);

  uint64_t acknowledged() const;
  uint64_t next_sequence() const;
  uint64_t dropped_items_total() const;
  // Unacknowledged batches and their bytes on disk.
  std::size_t pending_batches() const;
  uint64_t pending_bytes() const;

 private:
  struct Record {
    uint64_t sequence = 0;
    uint64_t offset = 0;  // Of the record's header in its segment.
    uint32_t size = 0;    // Payload bytes.
    uint32_t items = 0;
  };
  struct Segment {
    std::filesystem::path path;
    uint64_t bytes = 0;
    std::vector<Record> records;  // In sequence order.
  };

  explicit Spool(const SpoolOptions& options) : options_(options) {}
  absl::Status Recover() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status LoadSegment(const std::filesystem::path& path) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteState() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DropOldestPastCap() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DeleteSegment(std::size_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SpoolOptions options_;
  mutable absl::Mutex mu_;
  std::vector<Segment> segments_ ABSL_GUARDED_BY(mu_);  // Oldest first; the last is appended to.
  uint64_t acknowledged_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t dropped_items_total_ ABSL_GUARDED_BY(mu_) = 0;
};

// CRC-32C (Castagnoli) of `data`, as the spool's records carry it.
uint32_t Crc32c(std::string_view data);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_SPOOL_H_
