#include "agent/delivery/spool_recovery.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "agent/delivery/spool_record.h"
#include "glog/logging.h"

namespace postura::agent {
namespace {

// A recut's new segment is adopted when the state written after it counts its numbers as
// given; otherwise the recut was unfinished and the old segments stand.
absl::Status AdoptOrDiscardRecut(const std::filesystem::path& directory,
                                 uint64_t state_next_sequence) {
  const std::filesystem::path recut = directory / kRecutFileName;
  if (!std::filesystem::exists(recut)) return absl::OkStatus();
  const std::string bytes = ReadWholeFile(recut);
  std::optional<v1::Batch> first;
  if (std::optional<RecordView> record = RecordAt(bytes, 0); record && record->checksum_ok) {
    first = DecodeBatch(record->payload);
  }
  std::error_code error;
  // The state is written after the recut file and before its rename: a state that counts
  // the recut's numbers as given means the recut was complete and replaces the old batches.
  if (first.has_value() && state_next_sequence > first->sequence()) {
    LOG(WARNING) << "spool: adopting the batches recut before a crash";
    std::filesystem::rename(recut, SegmentPath(directory, first->sequence()), error);
  } else {
    std::filesystem::remove(recut, error);
  }
  if (error) return absl::UnavailableError(absl::StrCat("spool recut: ", error.message()));
  SyncDirectory(directory);
  return absl::OkStatus();
}

// Loads the segment at `path` into `recovered`, cutting a torn tail and setting aside
// damaged records; deletes the segment if nothing in it is unacknowledged.
absl::Status LoadSegment(const std::filesystem::path& directory, const std::filesystem::path& path,
                         uint64_t acknowledged, SourceIds& sources, RecoveredSpool& recovered) {
  const std::string bytes = ReadWholeFile(path);
  SpoolSegment segment{path, 0, {}};
  std::size_t at = 0;
  while (true) {
    const std::optional<RecordView> record = RecordAt(bytes, at);
    if (!record) break;  // Torn: written only in part.
    if (!record->checksum_ok) {
      // Damaged in place. With whole records behind it, skip it and keep them; at the end
      // of the segment it is the torn tail of a crash, cut below.
      const std::optional<RecordView> next = RecordAt(bytes, record->end);
      if (!next || !next->checksum_ok) break;
      recovered.set_aside_items +=
          SetAsideRecord(directory, path, record->payload, 0, 0, "its checksum does not match");
      at = record->end;
      continue;
    }
    bool repaired = false;
    std::optional<v1::Batch> batch = DecodeBatch(record->payload, &repaired);
    if (!batch.has_value()) {
      const DamagedBatchFacts facts = InspectDamagedBatch(record->payload);
      if (facts.sequence == 0 || facts.sequence > acknowledged) {
        recovered.set_aside_items += SetAsideRecord(
            directory, path, record->payload, facts.sequence, facts.items, "it is not a batch");
      }
      recovered.next_sequence = std::max(recovered.next_sequence, facts.sequence + 1);
      at = record->end;
      continue;
    }
    if (batch->sequence() > acknowledged) {
      LOG_IF(WARNING, repaired) << "spool: batch " << batch->sequence()
                                << " held text that is not UTF-8; it is sent repaired";
      segment.records.push_back(
          {batch->sequence(), at, static_cast<uint32_t>(record->payload.size()),
           static_cast<uint32_t>(batch->items_size()), sources.IdsOf(*batch)});
    }
    recovered.next_sequence = std::max(recovered.next_sequence, batch->sequence() + 1);
    at = record->end;
  }
  if (at < bytes.size()) {
    LOG(WARNING) << "spool segment " << path << ": cutting " << bytes.size() - at
                 << " bytes of an incomplete or damaged record at offset " << at;
    if (truncate(path.c_str(), static_cast<off_t>(at)) != 0) {
      return absl::UnavailableError(absl::StrCat("cannot truncate ", path.string()));
    }
  }
  segment.bytes = at;
  if (segment.records.empty()) {
    std::filesystem::remove(path);
    return absl::OkStatus();
  }
  recovered.segments.push_back(std::move(segment));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RecoveredSpool> RecoverSegments(const std::filesystem::path& directory,
                                               const SpoolState& state, SourceIds& sources) {
  RecoveredSpool recovered;
  recovered.next_sequence = state.next_sequence;
  if (absl::Status s = AdoptOrDiscardRecut(directory, state.next_sequence); !s.ok()) return s;
  // An unfinished rewrite: the segment it was to replace is whole.
  std::error_code ignored;
  std::filesystem::remove(directory / kRewriteFileName, ignored);
  for (const std::filesystem::path& path : SegmentFiles(directory)) {
    if (absl::Status s = LoadSegment(directory, path, state.acknowledged, sources, recovered);
        !s.ok()) {
      return s;
    }
  }
  return recovered;
}

}  // namespace postura::agent
