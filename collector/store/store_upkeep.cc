// EvidenceStore's upkeep: compaction on demand, recovery after a failed write, and the
// figures it reports of itself (memory, WAL syncs). Declared in evidence_store.h.

#include "collector/store/evidence_store.h"
#include "collector/store/store_status.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/statistics.h"

namespace postura::collector {

absl::Status EvidenceStore::CompactEvidence() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (rocksdb::ColumnFamilyHandle* family : {evidence_, seals_}) {
    if (absl::Status s =
            FromRocksStatus(db_->CompactRange(options, family, nullptr, nullptr), "compacting");
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status EvidenceStore::Resume() {
  // RocksDB recovers from a full disk by itself: its SstFileManager (a default one since
  // 7.x) checks the free space every 5 s and resumes once it exceeds the largest
  // memtable, flushing the memtables (the log that failed may be torn). Meanwhile a
  // manual Resume answers Busy; once writes go on it answers OK at once.
  return FromRocksStatus(db_->Resume(), "resuming writes");
}

StoreMemoryUsage EvidenceStore::MemoryUsage() const {
  StoreMemoryUsage usage;
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kSizeAllMemTables, &usage.memtables);
  db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kEstimateTableReadersMem,
                                &usage.table_readers);
  usage.block_cache = block_cache_->GetUsage();
  return usage;
}

uint64_t EvidenceStore::wal_syncs() const {
  return statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED);
}

}  // namespace postura::collector
