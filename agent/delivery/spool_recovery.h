#ifndef POSTURA_AGENT_DELIVERY_SPOOL_RECOVERY_H_
#define POSTURA_AGENT_DELIVERY_SPOOL_RECOVERY_H_

// The spool's index of its segment files (which batch is where, with its items' sources),
// and how Open rebuilds it from the directory after a clean stop or a crash: it adopts or
// discards an unfinished recut, drops an unfinished rewrite, cuts a torn tail, skips or
// sets aside damaged records, and deletes segments that hold nothing unacknowledged.
//
// Called by Spool::Open (agent/delivery/spool.cc) under the spool's lock, before any other
// use of the directory; not thread-safe itself, and two recoveries of one directory must
// not run at once.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/delivery/spool_files.h"
#include "agent/delivery/spool_supersede.h"

namespace postura::agent {

// A batch spooled and not yet acknowledged: where its record is, and what it holds.
struct SpooledRecord {
  uint64_t sequence = 0;
  uint64_t offset = 0;  // Of the record's header in its segment.
  uint32_t size = 0;    // Payload bytes.
  uint32_t items = 0;
  std::vector<uint32_t> sources;  // Each item's source, numbered by the spool's SourceIds.
};

// A segment file and its unacknowledged records.
struct SpoolSegment {
  std::filesystem::path path;
  uint64_t bytes = 0;
  std::vector<SpooledRecord> records;  // In sequence order.
};

// What recovery found in a spool directory.
struct RecoveredSpool {
  std::vector<SpoolSegment> segments;  // Oldest first; each holds a record.
  // Past the state's next_sequence and past every batch found on disk.
  uint64_t next_sequence = 1;
  // Items of the records set aside to `rejected/` while loading, not yet counted in the
  // state file.
  uint64_t set_aside_items = 0;
};

// Recovers the segments in `directory`, whose state file reads `state`, numbering the
// items' sources with `sources`. Unavailable if a file cannot be repaired (renamed,
// truncated).
absl::StatusOr<RecoveredSpool> RecoverSegments(const std::filesystem::path& directory,
                                               const SpoolState& state, SourceIds& sources);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_SPOOL_RECOVERY_H_
