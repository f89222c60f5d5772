#include "collector/store/evidence_cursor.h"

#include "absl/strings/match.h"
#include "collector/store/store_keys.h"
#include "collector/store/store_status.h"
#include "rocksdb/iterator.h"

namespace postura::collector {

EvidenceCursor::EvidenceCursor(std::unique_ptr<rocksdb::Iterator> iterator)
    : iterator_(std::move(iterator)) {}

EvidenceCursor::~EvidenceCursor() = default;

absl::Status EvidenceCursor::ForEachOutcomeEvidenceBackward(
    absl::string_view asset, const std::vector<std::string>& outcomes, int64_t observed_at_most,
    const std::function<bool(size_t outcome, const v1::StoredEvidence&)>& visit) {
  rocksdb::Iterator& it = *iterator_;
  // Keys of (asset, outcome) are its prefix, then the observed time, big-endian; the
  // last key before prefix + (observed_at_most + 1) is the newest report in range.
  const uint64_t after = observed_at_most < 0 ? 0 : static_cast<uint64_t>(observed_at_most) + 1;
  v1::StoredEvidence record;
  for (size_t outcome = 0; outcome < outcomes.size(); ++outcome) {
    const std::string prefix = EvidencePrefix(asset, outcomes[outcome]);
    std::string upper = prefix;
    for (int shift = 56; shift >= 0; shift -= 8) upper.push_back(static_cast<char>(after >> shift));
    for (it.SeekForPrev(upper); it.Valid() && absl::StartsWith(View(it.key()), prefix); it.Prev()) {
      if (!record.ParseFromArray(it.value().data(), static_cast<int>(it.value().size()))) {
        return absl::DataLossError("corrupt evidence record");
      }
      if (!visit(outcome, record)) break;
    }
  }
  return FromRocksStatus(it.status(), "reading evidence");
}

}  // namespace postura::collector
