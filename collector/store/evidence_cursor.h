#ifndef POSTURA_COLLECTOR_STORE_EVIDENCE_CURSOR_H_
#define POSTURA_COLLECTOR_STORE_EVIDENCE_CURSOR_H_

// Reads of the evidence log that share one RocksDB iterator. Creating an iterator sorts
// the log's memtable (a vector: ingest appends, see store_families.cc), which at its full
// size costs tens of milliseconds, far more than the reads that follow; so a reader of
// many assets (as-of the organisation) makes one cursor and reads every asset with it.
// Made by EvidenceStore::NewEvidenceCursor; sees the store as it was then.
//
// Threading: one thread at a time; must not outlive its store.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "postura/v1/evidence.pb.h"

namespace rocksdb {
class Iterator;
}  // namespace rocksdb

namespace postura::collector {

class EvidenceCursor {
 public:
  // Takes an iterator over the evidence family.
  explicit EvidenceCursor(std::unique_ptr<rocksdb::Iterator> iterator);
  ~EvidenceCursor();
  EvidenceCursor(const EvidenceCursor&) = delete;
  EvidenceCursor& operator=(const EvidenceCursor&) = delete;

  // For each of `outcomes` in turn, the asset's evidence about it observed at or before
  // `observed_at_most`, the newest first, until `visit` (given the outcome's index in
  // `outcomes`) returns false. DataLoss for a corrupt record.
  absl::Status ForEachOutcomeEvidenceBackward(
      absl::string_view asset, const std::vector<std::string>& outcomes, int64_t observed_at_most,
      const std::function<bool(size_t outcome, const v1::StoredEvidence&)>& visit);

 private:
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_EVIDENCE_CURSOR_H_
