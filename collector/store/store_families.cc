#include "collector/store/store_families.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "collector/store/store_keys.h"
#include "postura/v1/evidence_proof.pb.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/table.h"

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

// Options every family shares: reads through the shared block cache, with index and
// filter blocks in it (level-0 ones pinned unless not `pin_level0`, as every read consults
// them).
//
// A family read by many small seeks (`point_reads`: the state) instead has a Bloom filter
// per file (10 bits a key, over whole keys and prefixes), so that a seek skips the files
// that cannot hold its key, and keeps index and filter blocks with the open files, outside
// the cache (postura_store_memory_bytes{part="table_readers"}: about 2.5 bytes a key).
// Both choices were measured on scoring_bench's state of 1.67 million sources: without
// filters, each seek decompressed a block of every level-0 file and level (70% of the
// scoring thread in LZ4); with filters in an 8 MiB cache, the filter blocks were evicted
// and read back whole at each seek (55% of the thread).
rocksdb::ColumnFamilyOptions SharedFamilyOptions(const StoreMemory& memory, uint64_t memtable_share,
                                                 bool point_reads = false, bool pin_level0 = true) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = memory.block_cache;
  table.cache_index_and_filter_blocks = !point_reads;
  table.pin_l0_filter_and_index_blocks_in_cache = !point_reads && pin_level0;
  if (point_reads) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions options;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.write_buffer_size = std::max<uint64_t>(memtable_share, 512 << 10);
  // LZ4 costs less CPU than Snappy, RocksDB's default (1.2% of the collector's CPU went to
  // Snappy in the expiry family alone at full ingest).
  options.compression = rocksdb::kLZ4Compression;
  return options;
}

}  // namespace

StoreMemory MakeStoreMemory(uint64_t memtable_bytes, uint64_t block_cache_bytes) {
  StoreMemory memory;
  memory.block_cache = rocksdb::NewLRUCache(block_cache_bytes);
  // allow_stall: past the budget, writes wait for a flush instead of growing memory.
  memory.memtables = std::make_shared<rocksdb::WriteBufferManager>(
      memtable_bytes, /*cache=*/nullptr, /*allow_stall=*/true);
  memory.memtable_bytes = memtable_bytes;
  return memory;
}

bool SealRetentionFilter::Filter(int /*level*/, const rocksdb::Slice& key,
                                 const rocksdb::Slice& value, std::string* /*new_value*/,
                                 bool* /*value_changed*/) const {
  const absl::Time horizon = clock_.TimeNow() - retention_;
  const int size = static_cast<int>(value.size());
  if (absl::StartsWith(absl::string_view(key.data(), key.size()), kCertificateKeyPrefix)) {
    v1::AgentCertificateRecord certificate;
    if (!certificate.ParseFromArray(value.data(), size)) return false;
    return absl::FromUnixNanos(certificate.not_after_unix_nanos()) < horizon;
  }
  v1::BatchSealRecord seal;
  if (!seal.ParseFromArray(value.data(), size)) return false;
  return absl::FromUnixNanos(seal.received_at_unix_nanos()) < horizon;
}

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
                                  std::shared_ptr<rocksdb::Statistics> statistics,
                                  const StoreMemory& memory) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.statistics = std::move(statistics);
  db_options.max_background_jobs = 2;
  // Memtables of all column families together; RocksDB flushes to stay under it.
  db_options.write_buffer_manager = memory.memtables;
  // One writer thread writes everything (group commit), and vector memtables need this.
  db_options.allow_concurrent_memtable_write = false;
  if (env != nullptr) db_options.env = env;
  return db_options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> StoreColumnFamilies(
    const rocksdb::CompactionFilter* retention, const rocksdb::CompactionFilter* seal_retention,
    const StoreMemory& memory) {
  // Shares of the memtable budget: the log takes most writes, the state and expiries
  // one entry per report each, the rest little. A family flushes when its memtable
  // reaches its share, or the largest flushes when all together near the budget.
  const uint64_t budget = memory.memtable_bytes;
  // Ingest writes many keys from all over the key space and reads the memtable only on
  // rare queries, so the evidence log and the state use vector memtables: an insert is an
  // append, and sorting happens once, at flush. (The default skiplist spent a third of
  // the collector's CPU comparing keys.)
  rocksdb::ColumnFamilyOptions evidence_options =
      SharedFamilyOptions(memory, budget / 2, /*point_reads=*/false, /*pin_level0=*/false);
  evidence_options.memtable_factory = std::make_shared<rocksdb::VectorRepFactory>();
  // The log is written once and read rarely: universal compaction rewrites it far less
  // often than levelled compaction would. Its files all stay in level 0 then, so pinning
  // level-0 index blocks would pin the whole log's, growing with it: not pinned.
  evidence_options.compaction_style = rocksdb::kCompactionStyleUniversal;
  // The state is read one (asset, outcome) at a time by live scoring.
  rocksdb::ColumnFamilyOptions state_options =
      SharedFamilyOptions(memory, budget / 4, /*point_reads=*/true);
  state_options.prefix_extractor = std::make_shared<AssetOutcomePrefix>();
  // Its hash buckets (8 bytes each) take a sixteenth of the family's memtable share: a
  // fresh memtable must start well below its flush size.
  const uint64_t state_share = budget / 4;
  state_options.memtable_factory.reset(
      rocksdb::NewHashSkipListRepFactory(std::max<uint64_t>(1024, state_share / 16 / 8)));
  evidence_options.compaction_filter = retention;
  // Rewrite every file at least daily, so retention applies even to data that is no
  // longer being compacted for size.
  evidence_options.periodic_compaction_seconds = 24 * 3600;
  rocksdb::ColumnFamilyOptions expiry_options = SharedFamilyOptions(memory, budget / 8);
  rocksdb::ColumnFamilyOptions small_options = SharedFamilyOptions(memory, budget / 16);
  // Seals: one small record per signed batch, dropped with the evidence they prove.
  rocksdb::ColumnFamilyOptions seal_options = small_options;
  seal_options.compaction_filter = seal_retention;
  seal_options.periodic_compaction_seconds = 24 * 3600;
  // Score history is small, written in batches and read by ranges of one subject.
  const rocksdb::ColumnFamilyOptions& history_options = small_options;
  return {{rocksdb::kDefaultColumnFamilyName, small_options},
          {"evidence", evidence_options},
          {"state", state_options},
          {"registry", small_options},
          {"progress", small_options},
          {"expiry", expiry_options},
          {"history", history_options},
          {"alerts", small_options},
          {"requests", small_options},
          {"documents", small_options},
          {"seals", seal_options}};
}

}  // namespace postura::collector
