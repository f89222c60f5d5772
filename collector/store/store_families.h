#ifndef POSTURA_COLLECTOR_STORE_STORE_FAMILIES_H_
#define POSTURA_COLLECTOR_STORE_STORE_FAMILIES_H_

// The evidence store's RocksDB layout: its column families, the options each is opened
// with, and the RocksDB plug-ins they use (the retention compaction filter, the state
// family's prefix extractor). Only EvidenceStore::Open (and tests) include this header:
// it names RocksDB types, and RocksDB stays a private dependency of the collector.
//
// Threading: the plug-ins are called by RocksDB from its own threads at once and are
// safe for that (const, no state but the borrowed clock); the functions are pure.

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/base/clock.h"
#include "rocksdb/cache.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/write_buffer_manager.h"

namespace postura::collector {

// The column families, by their position in the list StoreColumnFamilies returns (and in
// the handles RocksDB opens them into). The key layouts are in store_keys.h.
enum StoreFamily : int {
  kDefaultFamily = 0,    // Unused; RocksDB requires it.
  kEvidenceFamily = 1,   // The immutable evidence log, with retention.
  kStateFamily = 2,      // The latest report of each source.
  kRegistryFamily = 3,   // Tenants, departments, assets, targets, agents, credentials.
  kProgressFamily = 4,   // Per-agent progress records.
  kExpiryFamily = 5,     // When each report stops counting.
  kHistoryFamily = 6,    // Score history, by subject then time (collector/history).
  kAlertsFamily = 7,     // Alerts' state and outbox (collector/alerting).
  kRequestsFamily = 8,   // Evidence requests' events and audit trail (collector/requests).
  kDocumentsFamily = 9,  // Documents attached to answers, in chunks (collector/requests).
  kSealsFamily = 10,     // Signed batches' seals, by agent and sequence, with retention.
};

// Drops evidence observed before now - retention whenever RocksDB compacts it. Keys that
// are not evidence keys are kept. `clock` is borrowed and must outlive the filter.
class RetentionFilter : public rocksdb::CompactionFilter {
 public:
  RetentionFilter(Clock& clock, absl::Duration retention) : clock_(clock), retention_(retention) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return "postura.EvidenceRetention"; }

 private:
  Clock& clock_;
  absl::Duration retention_;
};

// Drops seals (postura.v1.BatchSealRecord) of batches received before now - retention,
// the evidence log's retention: by then the items they prove are gone, or going; and
// agent certificates that expired that long ago, which can have sealed nothing younger.
// Records that do not parse are kept. `clock` is borrowed and must outlive the filter.
class SealRetentionFilter : public rocksdb::CompactionFilter {
 public:
  SealRetentionFilter(Clock& clock, absl::Duration retention)
      : clock_(clock), retention_(retention) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& value,
              std::string* new_value, bool* value_changed) const override;
  const char* Name() const override { return "postura.SealRetention"; }

 private:
  Clock& clock_;
  absl::Duration retention_;
};

// Groups the state column family by (asset, outcome): the key up to its second '\0'. Live
// scoring reads one group per update, so the memtable hashes groups (an insert stays
// cheap) and keeps each group sorted.
class AssetOutcomePrefix : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "postura.AssetOutcomePrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override;
  bool InDomain(const rocksdb::Slice& key) const override;
};

// The RocksDB objects that hold a store to its memory budget (EvidenceStoreOptions),
// shared by all its families: memtables of all families together, those being flushed
// included, within `memtable_bytes` (writes wait for a flush rather than go past it), and
// one block cache for data, index and filter blocks alike, so that the index's memory
// grows with the cache and not with the size of the store.
struct StoreMemory {
  std::shared_ptr<rocksdb::Cache> block_cache;
  std::shared_ptr<rocksdb::WriteBufferManager> memtables;
  uint64_t memtable_bytes = 0;
};
StoreMemory MakeStoreMemory(uint64_t memtable_bytes, uint64_t block_cache_bytes);

// Database-wide options: created if missing, statistics into `statistics`, `env` unless
// null (the real filesystem), memtables within `memory`.
rocksdb::DBOptions StoreDbOptions(rocksdb::Env* env,
                                  std::shared_ptr<rocksdb::Statistics> statistics,
                                  const StoreMemory& memory);

// Every column family with its options, in StoreFamily order. The evidence family
// filters with `retention`, the seals family with `seal_retention`; both must outlive the
// database. Each family's memtable is a
// share of `memory`'s budget, and all read through its block cache.
std::vector<rocksdb::ColumnFamilyDescriptor> StoreColumnFamilies(
    const rocksdb::CompactionFilter* retention, const rocksdb::CompactionFilter* seal_retention,
    const StoreMemory& memory);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_STORE_FAMILIES_H_
