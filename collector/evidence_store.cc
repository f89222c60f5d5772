#include "collector/evidence_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/store_keys.h"
#include "rocksdb/compaction_filter.h"
#include "rocksdb/db.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/write_batch.h"

namespace postura::collector {

// Drops evidence observed before now - retention whenever RocksDB compacts it.
class RetentionFilter : public rocksdb::CompactionFilter {
 public:
  RetentionFilter(Clock& clock, absl::Duration retention) : clock_(clock), retention_(retention) {}

  bool Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& /*value*/,
              std::string* /*new_value*/, bool* /*value_changed*/) const override {
    std::optional<int64_t> observed =
        EvidenceKeyObservedAt(absl::string_view(key.data(), key.size()));
    if (!observed) return false;
    return absl::FromUnixNanos(*observed) < clock_.TimeNow() - retention_;
  }
  const char* Name() const override { return "postura.EvidenceRetention"; }

 private:
  Clock& clock_;
  absl::Duration retention_;
};

namespace {

constexpr char kEvidence[] = "evidence";
constexpr char kState[] = "state";
constexpr char kRegistry[] = "registry";
constexpr char kProgress[] = "progress";

// rocksdb::Status is translated here and nowhere else.
absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  return absl::UnavailableError(message);
}

std::string EncodeProgress(const AgentProgress& progress) {
  std::string out;
  for (uint64_t value :
       {progress.last_sequence, progress.dropped_items_total, progress.items_stored}) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  }
  return out;
}

std::optional<AgentProgress> DecodeProgress(absl::string_view bytes) {
  if (bytes.size() != 24) return std::nullopt;
  uint64_t values[3] = {0, 0, 0};
  for (int i = 0; i < 24; ++i)
    values[i / 8] = (values[i / 8] << 8) | static_cast<unsigned char>(bytes[i]);
  return AgentProgress{values[0], values[1], values[2]};
}

rocksdb::WriteOptions SyncedWrite() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EvidenceStore>> EvidenceStore::Open(
    const EvidenceStoreOptions& options) {
  std::unique_ptr<EvidenceStore> store(new EvidenceStore);
  store->retention_filter_ = std::make_unique<RetentionFilter>(*options.clock, options.retention);
  store->statistics_ = rocksdb::CreateDBStatistics();
  store->statistics_->set_stats_level(rocksdb::StatsLevel::kExceptTimers);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.statistics = store->statistics_;
  db_options.max_background_jobs = 2;
  // Memtables of all column families together; RocksDB flushes to stay under it.
  db_options.db_write_buffer_size = 64 << 20;
  // One writer thread writes everything (group commit), and vector memtables need this.
  db_options.allow_concurrent_memtable_write = false;
  if (options.env != nullptr) db_options.env = options.env;

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
  rocksdb::ColumnFamilyOptions state_options;
  state_options.memtable_factory = evidence_options.memtable_factory;
  state_options.compression = rocksdb::kLZ4Compression;
  evidence_options.compaction_filter = store->retention_filter_.get();
  // Rewrite every file at least daily, so retention applies even to data that is no
  // longer being compacted for size.
  evidence_options.periodic_compaction_seconds = 24 * 3600;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {kEvidence, evidence_options},
      {kState, state_options},
      {kRegistry, rocksdb::ColumnFamilyOptions()},
      {kProgress, rocksdb::ColumnFamilyOptions()}};
  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, options.path, families, &store->handles_, &db);
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("opening store ", options.path));
  store->db_.reset(db);
  store->evidence_ = store->handles_[1];
  store->state_ = store->handles_[2];
  store->registry_ = store->handles_[3];
  store->progress_ = store->handles_[4];
  return store;
}

EvidenceStore::~EvidenceStore() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

uint64_t EncodedBatch::bytes() const {
  uint64_t total = sizeof(*this) + entries.capacity() * sizeof(Entry);
  for (const Entry& entry : entries) {
    total += entry.evidence_key.capacity() + entry.value.capacity() + entry.state_key.capacity() +
             entry.state_value.capacity();
  }
  return total;
}

EncodedBatch EncodeBatch(const std::string& agent_id, v1::Batch& batch,
                         const std::vector<bool>& valid, absl::Time received_at) {
  EncodedBatch encoded;
  v1::StoredEvidence record;
  record.set_agent_id(agent_id);
  record.set_sequence(batch.sequence());
  record.set_received_at_unix_nanos(absl::ToUnixNanos(received_at));
  v1::SourceState state;
  state.set_sequence(batch.sequence());
  for (int i = 0; i < batch.items_size(); ++i) {
    if (!valid[i]) continue;
    v1::Evidence& item = *batch.mutable_items(i);
    EncodedBatch::Entry& entry = encoded.entries.emplace_back();
    entry.evidence_key = EvidenceKey(item.asset_id(), item.outcome_id(),
                                     item.observed_at_unix_nanos(), agent_id, batch.sequence(), i);
    entry.state_key = StateKey(item.asset_id(), item.outcome_id(), agent_id, item.check_id());
    state.set_level(item.level());
    state.set_kind(item.kind());
    state.set_observed_at_unix_nanos(item.observed_at_unix_nanos());
    state.set_expires_at_unix_nanos(item.expires_at_unix_nanos());
    state.set_index(i);
    state.SerializeToString(&entry.state_value);
    record.mutable_evidence()->Swap(&item);
    record.set_index(i);
    record.SerializeToString(&entry.value);
  }
  return encoded;
}

absl::Status EvidenceStore::Commit(const std::vector<BatchToApply>& batches) {
  rocksdb::WriteBatch write;
  for (const BatchToApply& apply : batches) {
    for (const EncodedBatch::Entry& entry : apply.encoded->entries) {
      write.Put(evidence_, entry.evidence_key, entry.value);
      write.Put(state_, entry.state_key, entry.state_value);
    }
    write.Put(progress_, *apply.agent_id, EncodeProgress(apply.progress));
  }
  return FromRocksStatus(db_->Write(SyncedWrite(), &write), "committing evidence");
}

absl::Status EvidenceStore::Put(rocksdb::ColumnFamilyHandle* family, const std::string& key,
                                const std::string& value) {
  return FromRocksStatus(db_->Put(SyncedWrite(), family, key, value),
                         absl::StrCat("writing ", key));
}

absl::Status EvidenceStore::PutAsset(const v1::Asset& asset) {
  return Put(registry_, AssetKey(asset.id()), asset.SerializeAsString());
}

absl::Status EvidenceStore::DeleteAsset(const std::string& asset_id) {
  return FromRocksStatus(db_->Delete(SyncedWrite(), registry_, AssetKey(asset_id)),
                         "deleting asset");
}

absl::Status EvidenceStore::PutAgent(const v1::Agent& agent) {
  v1::Agent registration;
  registration.set_id(agent.id());
  *registration.mutable_asset_ids() = agent.asset_ids();
  return Put(registry_, AgentKey(agent.id()), registration.SerializeAsString());
}

absl::Status EvidenceStore::DeleteAgent(const std::string& agent_id) {
  return FromRocksStatus(db_->Delete(SyncedWrite(), registry_, AgentKey(agent_id)),
                         "deleting agent");
}

absl::Status EvidenceStore::ForEachIn(
    rocksdb::ColumnFamilyHandle* family,
    const std::function<absl::Status(absl::string_view, absl::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::Status s = visit(absl::string_view(it->key().data(), it->key().size()),
                           absl::string_view(it->value().data(), it->value().size()));
    if (!s.ok()) return s;
  }
  return FromRocksStatus(it->status(), "scanning store");
}

namespace {

// Parses registry records whose key starts with `prefix` into `out`.
template <typename Record>
absl::Status CollectRecords(absl::string_view prefix, absl::string_view key,
                            absl::string_view value, std::vector<Record>& out) {
  if (!absl::StartsWith(key, prefix)) return absl::OkStatus();
  Record record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("corrupt registry record ", key));
  }
  out.push_back(std::move(record));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<v1::Asset>> EvidenceStore::LoadAssets() const {
  std::vector<v1::Asset> assets;
  absl::Status s = ForEachIn(registry_, [&](absl::string_view key, absl::string_view value) {
    return CollectRecords(kAssetKeyPrefix, key, value, assets);
  });
  if (!s.ok()) return s;
  return assets;
}

absl::StatusOr<std::vector<v1::Agent>> EvidenceStore::LoadAgents() const {
  std::vector<v1::Agent> agents;
  absl::Status s = ForEachIn(registry_, [&](absl::string_view key, absl::string_view value) {
    return CollectRecords(kAgentKeyPrefix, key, value, agents);
  });
  if (!s.ok()) return s;
  return agents;
}

absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> EvidenceStore::LoadProgress()
    const {
  std::vector<std::pair<std::string, AgentProgress>> progress;
  absl::Status s = ForEachIn(progress_, [&](absl::string_view key, absl::string_view value) {
    std::optional<AgentProgress> decoded = DecodeProgress(value);
    if (!decoded)
      return absl::DataLossError(absl::StrCat("corrupt progress record of agent ", key));
    progress.emplace_back(std::string(key), *decoded);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return progress;
}

namespace {

absl::Status VisitStored(absl::string_view key, absl::string_view value,
                         const std::function<void(const v1::StoredEvidence&)>& visit) {
  v1::StoredEvidence record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(
        absl::StrCat("corrupt evidence record (key of ", key.size(), " bytes)"));
  }
  visit(record);
  return absl::OkStatus();
}

}  // namespace

absl::Status EvidenceStore::ForEachEvidence(
    const std::function<void(const v1::StoredEvidence&)>& visit) const {
  return ForEachIn(evidence_, [&](absl::string_view key, absl::string_view value) {
    return VisitStored(key, value, visit);
  });
}

absl::Status EvidenceStore::ForEachState(
    const std::function<void(const v1::SourceState&)>& visit) const {
  return ForEachIn(state_, [&](absl::string_view key, absl::string_view value) {
    v1::SourceState state;
    std::optional<StateKeyParts> parts = ParseStateKey(key);
    if (!parts || !state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      return absl::DataLossError(
          absl::StrCat("corrupt state record (key of ", key.size(), " bytes)"));
    }
    state.set_asset_id(std::string(parts->asset));
    state.set_outcome_id(std::string(parts->outcome));
    state.set_agent_id(std::string(parts->agent));
    state.set_check_id(std::string(parts->check));
    visit(state);
    return absl::OkStatus();
  });
}

absl::Status EvidenceStore::CompactEvidence() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocksStatus(db_->CompactRange(options, evidence_, nullptr, nullptr), "compacting");
}

uint64_t EvidenceStore::wal_syncs() const {
  return statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED);
}

}  // namespace postura::collector
