#ifndef POSTURA_AGENT_DELIVERY_SPOOL_FILES_H_
#define POSTURA_AGENT_DELIVERY_SPOOL_FILES_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace postura::agent {

// The files of the agent's spool directory, apart from the spool's logic (agent/spool.h):
// durable writes, the state file, segment names, and a segment's record layout
// (agent/spool_record.h). Called by Spool under its lock; the functions keep no state and
// are safe from any thread, but two writers of one directory must not run at once.

// Writes all of `data` to `path` (appending, or replacing when `truncate`), mode 0600, and
// syncs it. Unavailable naming the path on error.
absl::Status WriteSynced(const std::filesystem::path& path, std::string_view data, bool truncate);

// A recut's new segment while it is written; adopted or discarded at the next Open.
inline constexpr char kRecutFileName[] = "recut.tmp";
// A segment rewritten without superseded items, before it replaces the segment.
inline constexpr char kRewriteFileName[] = "rewrite.tmp";

// Makes a directory entry change (create, rename, unlink) durable; best effort.
void SyncDirectory(const std::filesystem::path& directory);

// The whole file, or "" if it cannot be read.
std::string ReadWholeFile(const std::filesystem::path& path);

// "segment-<first sequence, 20 digits>.log": names sort in sequence order.
std::filesystem::path SegmentPath(const std::filesystem::path& directory, uint64_t first);
// The segment files in `directory`, oldest first.
std::vector<std::filesystem::path> SegmentFiles(const std::filesystem::path& directory);

// What the "state" file records: how far the collector has acknowledged, the next
// sequence to give, and the items dropped so far.
struct SpoolState {
  uint64_t acknowledged = 0;
  uint64_t next_sequence = 1;
  uint64_t dropped_items_total = 0;
};

// The state in `directory`: defaults if there is none yet, DataLoss if it is corrupt.
absl::StatusOr<SpoolState> ReadSpoolState(const std::filesystem::path& directory);
// Replaces the state atomically (temporary file, sync, rename, sync the directory).
absl::Status WriteSpoolState(const std::filesystem::path& directory, const SpoolState& state);

// A record of a segment's bytes: where its payload is, and whether the payload matches its
// checksum. nullopt if the bytes at `offset` are not a whole record (a torn tail).
struct RecordView {
  std::string_view payload;
  bool checksum_ok = false;
  std::size_t end = 0;  // Offset just past the record.
};
std::optional<RecordView> RecordAt(std::string_view segment, std::size_t offset);

// Sets a record that cannot be sent aside: copies its payload (from the file `segment`) to
// `rejected/` in `directory`, once, and logs why. `sequence` is 0 when unknown. Returns the
// items to count as dropped: `items`, or 0 if the record was set aside before.
uint32_t SetAsideRecord(const std::filesystem::path& directory,
                        const std::filesystem::path& segment, std::string_view payload,
                        uint64_t sequence, uint32_t items, absl::string_view reason);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_SPOOL_FILES_H_
