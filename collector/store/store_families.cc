#include "collector/store/store_families.h"

#include <optional>
#include <utility>

#include "collector/store/store_keys.h"
#include "rocksdb/memtablerep.h"

namespace postura::collector {
namespace {

// Length up to and including the second '\0'; 0 if there is none.
size_t PrefixLength(const rocksdb::Slice& key) {
  int separators = 0;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\0' && ++separators == 2) return i + 1;
  }
  return 0;
}

// Score history is small, written in batches and read by ranges of one subject.
rocksdb::ColumnFamilyOptions HistoryFamilyOptions() {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kLZ4Compression;
  return options;
}

}  // namespace

bool RetentionFilter::Filter(int /*level*/, const rocksdb::Slice& key,
                             const rocksdb::Slice& /*value*/, std::string* /*new_value*/,
                             bool* /*value_changed*/) const {
  std::optional<int64_t> observed =
      EvidenceKeyObservedAt(absl::string_view(key.data(), key.size()));
  if (!observed) return false;
  return absl::FromUnixNanos(*observed) < clock_.TimeNow() - retention_;
}

rocksdb::Slice AssetOutcomePrefix::Transform(const rocksdb::Slice& key) const {
  return rocksdb::Slice(key.data(), PrefixLength(key));
}

bool AssetOutcomePrefix::InDomain(const rocksdb::Slice& key) const { return PrefixLength(key) > 0; }

rocksdb::DBOptions StoreDbOptions(rocksdb::Env* env,
                                  std::shared_ptr<rocksdb::Statistics> statistics) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.statistics = std::move(statistics);
  db_options.max_background_jobs = 2;
  // Memtables of all column families together; RocksDB flushes to stay under it.
  db_options.db_write_buffer_size = 64 << 20;
  // One writer thread writes everything (group commit), and vector memtables need this.
  db_options.allow_concurrent_memtable_write = false;
  if (env != nullptr) db_options.env = env;
  return db_options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> StoreColumnFamilies(
    const rocksdb::CompactionFilter* retention) {
  // Ingest writes many keys from all over the key space and reads the memtable only on
  // rare queries, so the evidence log and the state use vector memtables: an insert is an
  // append, and sorting happens once, at flush. (The default skiplist spent a third of
  // the collector's CPU comparing keys.)
  rocksdb::ColumnFamilyOptions evidence_options;
  evidence_options.write_buffer_size = 32 << 20;
  evidence_options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  // The log is written once and read rarely: universal compaction rewrites it far less
  // often than levelled compaction would, and LZ4 costs less CPU than Snappy.
  evidence_options.compaction_style = rocksdb::kCompactionStyleUniversal;
  evidence_options.compression = rocksdb::kLZ4Compression;
  // The state is read one (asset, outcome) at a time by live scoring.
  rocksdb::ColumnFamilyOptions state_options;
  state_options.prefix_extractor = std::make_shared<AssetOutcomePrefix>();
  state_options.memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(1 << 17));
  state_options.compression = rocksdb::kLZ4Compression;
  evidence_options.compaction_filter = retention;
  // Rewrite every file at least daily, so retention applies even to data that is no
  // longer being compacted for size.
  evidence_options.periodic_compaction_seconds = 24 * 3600;
  return {{rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
          {"evidence", evidence_options},
          {"state", state_options},
          {"registry", rocksdb::ColumnFamilyOptions()},
          {"progress", rocksdb::ColumnFamilyOptions()},
          {"expiry", rocksdb::ColumnFamilyOptions()},
          {"history", HistoryFamilyOptions()}};
}

}  // namespace postura::collector
