#include "collector/store/evidence_store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/store/store_families.h"
#include "collector/store/store_format.h"
#include "collector/store/store_keys.h"
#include "collector/store/store_log.h"
#include "collector/store/store_status.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/statistics.h"
#include "rocksdb/write_batch.h"

namespace postura::collector {
absl::StatusOr<std::unique_ptr<EvidenceStore>> EvidenceStore::Open(
    const EvidenceStoreOptions& options) {
  if (options.memtable_bytes < kMinMemtableBytes) {
    return absl::InvalidArgumentError(absl::StrCat("memtable budget of ", options.memtable_bytes,
                                                   " bytes is below the least, ",
                                                   kMinMemtableBytes));
  }
  std::unique_ptr<EvidenceStore> store(new EvidenceStore);
  store->retention_filter_ = std::make_unique<RetentionFilter>(*options.clock, options.retention);
  store->seal_retention_filter_ =
      std::make_unique<SealRetentionFilter>(*options.clock, options.retention);
  store->statistics_ = rocksdb::CreateDBStatistics();
  store->statistics_->set_stats_level(rocksdb::StatsLevel::kExceptTimers);

  const StoreMemory memory = MakeStoreMemory(options.memtable_bytes, options.block_cache_bytes);
  store->block_cache_ = memory.block_cache;
  rocksdb::DBOptions db_options = StoreDbOptions(options.env, store->statistics_, memory);
  if (options.env == nullptr) {
    if (std::shared_ptr<rocksdb::Logger> log = OpenStoreLog(options.path)) {
      db_options.info_log = std::move(log);
    }
  }
  // Before anything writes to it: a store of a newer format is refused untouched.
  absl::StatusOr<std::optional<int>> format = ReadStoreFormat(options.env, options.path);
  if (!format.ok()) return format.status();
  const std::vector<rocksdb::ColumnFamilyDescriptor> families = StoreColumnFamilies(
      store->retention_filter_.get(), store->seal_retention_filter_.get(), memory);
  rocksdb::DB* db = nullptr;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, options.path, families, &store->handles_, &db);
  if (!status.ok()) return FromRocksStatus(status, absl::StrCat("opening store ", options.path));
  store->db_.reset(db);
  absl::StatusOr<int> was = StampStoreFormat(*db, *format, options.path);
  if (!was.ok()) return was.status();
  store->evidence_ = store->handles_[kEvidenceFamily];
  store->state_ = store->handles_[kStateFamily];
  store->registry_ = store->handles_[kRegistryFamily];
  store->progress_ = store->handles_[kProgressFamily];
  store->expiry_ = store->handles_[kExpiryFamily];
  store->history_ = store->handles_[kHistoryFamily];
  store->alerts_ = store->handles_[kAlertsFamily];
  store->requests_ = store->handles_[kRequestsFamily];
  store->documents_ = store->handles_[kDocumentsFamily];
  store->seals_ = store->handles_[kSealsFamily];
  return store;
}

EvidenceStore::~EvidenceStore() {
  if (db_ == nullptr) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

absl::Status EvidenceStore::Commit(const std::vector<BatchToApply>& batches,
                                   uint64_t log_position) {
  rocksdb::WriteBatch write;
  if (log_position != 0) {
    write.Put(progress_, std::string(kLogPositionKey), EncodeLogPosition(log_position));
  }
  for (const BatchToApply& apply : batches) {
    for (const EncodedBatch::Entry& entry : apply.encoded->entries) {
      write.Put(evidence_, entry.evidence_key, entry.value);
      write.Put(state_, entry.state_key, entry.state_value);
      write.Put(expiry_, ExpiryKey(entry.expires_at_unix_nanos, entry.state_key), {});
    }
    if (!apply.encoded->seal_key.empty()) {
      write.Put(seals_, apply.encoded->seal_key, apply.encoded->seal_value);
    }
    if (!apply.encoded->certificate_key.empty()) {
      write.Put(seals_, apply.encoded->certificate_key, apply.encoded->certificate_value);
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

absl::Status EvidenceStore::PutRegistryRecord(absl::string_view key,
                                              const google::protobuf::MessageLite& record) {
  return Put(registry_, std::string(key), record.SerializeAsString());
}

absl::Status EvidenceStore::DeleteRegistryRecords(const std::vector<std::string>& keys) {
  rocksdb::WriteBatch write;
  for (const std::string& key : keys) write.Delete(registry_, key);
  return FromRocksStatus(db_->Write(SyncedWrite(), &write), "deleting registry records");
}

absl::Status EvidenceStore::DeleteAsset(absl::string_view asset_id) {
  rocksdb::WriteBatch write;
  write.Delete(registry_, AssetKey(asset_id));
  write.Delete(registry_, TargetsKey(asset_id));
  // Every state key of the asset starts with asset \0 (StateKey), and ids never hold '\0'
  // or '\1', so [asset \0, asset \1) is exactly the asset's state.
  const std::string begin = absl::StrCat(asset_id, absl::string_view("\0", 1));
  const std::string end = absl::StrCat(asset_id, absl::string_view("\1", 1));
  write.DeleteRange(state_, begin, end);
  return FromRocksStatus(db_->Write(SyncedWrite(), &write),
                         absl::StrCat("deleting asset ", asset_id));
}

absl::Status EvidenceStore::ForEachRegistryRecord(
    absl::string_view prefix,
    const std::function<absl::Status(absl::string_view, absl::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), registry_));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (!absl::StartsWith(key, prefix)) break;
    absl::Status s =
        visit(key.substr(prefix.size()), absl::string_view(it->value().data(), it->value().size()));
    if (!s.ok()) return s;
  }
  return FromRocksStatus(it->status(), "scanning the registry");
}

absl::Status EvidenceStore::ForEachIn(
    rocksdb::ColumnFamilyHandle* family,
    const std::function<absl::Status(absl::string_view, absl::string_view)>& visit) const {
  rocksdb::ReadOptions options;
  options.total_order_seek = true;  // Whole column families, whatever their prefixes.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::Status s = visit(absl::string_view(it->key().data(), it->key().size()),
                           absl::string_view(it->value().data(), it->value().size()));
    if (!s.ok()) return s;
  }
  return FromRocksStatus(it->status(), "scanning store");
}

absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> EvidenceStore::LoadProgress()
    const {
  std::vector<std::pair<std::string, AgentProgress>> progress;
  absl::Status s = ForEachIn(progress_, [&](absl::string_view key, absl::string_view value) {
    if (key == kLogPositionKey) return absl::OkStatus();
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
    absl::StatusOr<v1::SourceState> state = ParseStateRecord(key, value);
    if (!state.ok()) return state.status();
    visit(*state);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::SourceState>> EvidenceStore::ReadStateWithPrefix(
    const std::string& prefix, const rocksdb::ReadOptions& options) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, state_));
  std::vector<v1::SourceState> sources;
  for (it->Seek(prefix); it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    absl::StatusOr<v1::SourceState> source = ParseStateRecord(View(it->key()), View(it->value()));
    if (!source.ok()) return source.status();
    sources.push_back(*std::move(source));
  }
  if (absl::Status s = FromRocksStatus(it->status(), "reading state"); !s.ok()) return s;
  return sources;
}

absl::StatusOr<std::vector<v1::SourceState>> EvidenceStore::ReadSources(
    absl::string_view asset, absl::string_view outcome) const {
  rocksdb::ReadOptions options;
  options.prefix_same_as_start = true;
  return ReadStateWithPrefix(StatePrefix(asset, outcome), options);
}

absl::StatusOr<std::vector<v1::SourceState>> EvidenceStore::ReadAssetSources(
    absl::string_view asset) const {
  rocksdb::ReadOptions options;
  options.total_order_seek = true;  // The prefix is shorter than the extractor's.
  return ReadStateWithPrefix(AssetStatePrefix(asset), options);
}

absl::StatusOr<std::vector<v1::SourceState>> EvidenceStore::ReadAssetSources(
    absl::string_view asset, const std::vector<std::string>& outcome_ids) const {
  std::vector<v1::SourceState> sources;
  for (const std::string& outcome : outcome_ids) {
    absl::StatusOr<std::vector<v1::SourceState>> of_outcome = ReadSources(asset, outcome);
    if (!of_outcome.ok()) return of_outcome.status();
    for (v1::SourceState& source : *of_outcome) sources.push_back(std::move(source));
  }
  return sources;
}

absl::StatusOr<std::optional<v1::SourceState>> EvidenceStore::ReadSource(
    absl::string_view state_key) const {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), state_,
                                    rocksdb::Slice(state_key.data(), state_key.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return FromRocksStatus(status, "reading state");
  absl::StatusOr<v1::SourceState> source = ParseStateRecord(state_key, value);
  if (!source.ok()) return source.status();
  return *std::move(source);
}

absl::StatusOr<std::vector<std::string>> EvidenceStore::ReadDueExpiries(int64_t from_unix_nanos,
                                                                        int64_t now_unix_nanos,
                                                                        size_t limit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), expiry_));
  std::vector<std::string> keys;
  for (it->Seek(ExpiryKey(from_unix_nanos, "")); it->Valid() && keys.size() < limit; it->Next()) {
    std::optional<ExpiryKeyParts> parts = ParseExpiryKey(View(it->key()));
    if (parts && parts->expires_at_unix_nanos > now_unix_nanos) break;
    keys.emplace_back(View(it->key()));  // A malformed key is returned to be deleted.
  }
  if (absl::Status s = FromRocksStatus(it->status(), "reading expiries"); !s.ok()) return s;
  return keys;
}

absl::StatusOr<std::optional<int64_t>> EvidenceStore::NextExpiry(int64_t from_unix_nanos) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), expiry_));
  it->Seek(ExpiryKey(from_unix_nanos, ""));
  if (absl::Status s = FromRocksStatus(it->status(), "reading expiries"); !s.ok()) return s;
  if (!it->Valid()) return std::nullopt;
  std::optional<ExpiryKeyParts> parts = ParseExpiryKey(View(it->key()));
  return parts ? parts->expires_at_unix_nanos : 0;
}

absl::Status EvidenceStore::DeleteExpiries(const std::vector<std::string>& keys) {
  rocksdb::WriteBatch write;
  for (const std::string& key : keys) write.Delete(expiry_, key);
  return FromRocksStatus(db_->Write(rocksdb::WriteOptions(), &write), "deleting expiries");
}

absl::StatusOr<std::vector<v1::StoredEvidence>> EvidenceStore::ReadEvidence(
    absl::string_view asset, absl::string_view outcome, int64_t from_unix_nanos,
    int64_t to_unix_nanos, size_t limit, bool* truncated) const {
  const std::string prefix = EvidencePrefix(asset, outcome);
  std::string start = prefix;
  for (int shift = 56; shift >= 0; shift -= 8) {
    start.push_back(static_cast<char>(static_cast<uint64_t>(from_unix_nanos) >> shift));
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), evidence_));
  std::vector<v1::StoredEvidence> records;
  *truncated = false;
  for (it->Seek(start); it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    std::optional<int64_t> observed = EvidenceKeyObservedAt(View(it->key()));
    if (observed && *observed >= to_unix_nanos) break;
    if (records.size() == limit) {
      *truncated = true;
      break;
    }
    v1::StoredEvidence& record = records.emplace_back();
    if (!record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("corrupt evidence record");
    }
  }
  if (absl::Status s = FromRocksStatus(it->status(), "reading evidence"); !s.ok()) return s;
  return records;
}

std::unique_ptr<EvidenceCursor> EvidenceStore::NewEvidenceCursor() const {
  return std::make_unique<EvidenceCursor>(
      std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), evidence_)));
}

absl::Status EvidenceStore::ForEachAssetEvidence(
    absl::string_view asset, const std::function<void(const v1::StoredEvidence&)>& visit) const {
  // Every evidence key of the asset starts with asset \0 (EvidenceKey).
  const std::string prefix = AssetStatePrefix(asset);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), evidence_));
  for (it->Seek(prefix); it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    if (absl::Status s = VisitStored(View(it->key()), View(it->value()), visit); !s.ok()) return s;
  }
  return FromRocksStatus(it->status(), "reading evidence");
}

}  // namespace postura::collector
