// EvidenceStore's side families, "history", "alerts", "requests" and "documents": their
// records belong to the rooms above the store (collector/history, collector/alerting,
// collector/requests), which define keys and values; the store only writes and scans them.
// And "seals", which ingest writes with each signed batch (Commit) and exports read back.
// Declared in evidence_store.h.

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "collector/store/evidence_store.h"
#include "collector/store/store_keys.h"
#include "collector/store/store_status.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace postura::collector {

absl::Status EvidenceStore::WriteHistory(const std::vector<HistoryWrite>& writes) {
  rocksdb::WriteBatch write;
  for (const HistoryWrite& entry : writes) {
    if (entry.erase) {
      write.Delete(history_, entry.key);
    } else {
      write.Put(history_, entry.key, entry.value);
    }
  }
  return FromRocksStatus(db_->Write(rocksdb::WriteOptions(), &write), "writing history");
}

absl::Status EvidenceStore::ScanHistory(
    absl::string_view begin, absl::string_view end, bool backward,
    const std::function<bool(absl::string_view, absl::string_view)>& visit) const {
  const rocksdb::Slice lower(begin.data(), begin.size()), upper(end.data(), end.size());
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, history_));
  if (backward) {
    it->SeekToLast();
  } else {
    it->SeekToFirst();
  }
  for (; it->Valid(); backward ? it->Prev() : it->Next()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  return FromRocksStatus(it->status(), "reading history");
}

absl::StatusOr<uint64_t> EvidenceStore::ReadLogPosition() const {
  std::string value;
  const rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), progress_, std::string(kLogPositionKey), &value);
  if (read.IsNotFound()) return 0;
  if (!read.ok()) return FromRocksStatus(read, "reading the log position");
  std::optional<uint64_t> position = DecodeLogPosition(value);
  if (!position) return absl::DataLossError("corrupt log position record");
  return *position;
}

absl::StatusOr<std::vector<std::optional<std::string>>> EvidenceStore::ReadHistory(
    const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), history_, keys.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<std::optional<std::string>> found(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (absl::Status status = FromRocksStatus(statuses[i], "reading history"); !status.ok()) {
      return status;
    }
    found[i] = values[i].ToString();
  }
  return found;
}

absl::Status EvidenceStore::LastHistoryBefore(
    absl::string_view begin, const std::vector<std::string>& ends,
    const std::function<void(size_t, const absl::string_view*, const absl::string_view*)>& visit)
    const {
  const rocksdb::Slice lower(begin.data(), begin.size());
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, history_));
  for (size_t i = 0; i < ends.size(); ++i) {
    it->SeekForPrev(ends[i]);  // The last key <= end; the key equal to end is not wanted.
    if (it->Valid() && View(it->key()) == ends[i]) it->Prev();
    if (it->Valid()) {
      const absl::string_view key = View(it->key()), value = View(it->value());
      visit(i, &key, &value);
    } else {
      visit(i, nullptr, nullptr);
    }
    if (!it->status().ok()) break;
  }
  return FromRocksStatus(it->status(), "reading history");
}

absl::Status EvidenceStore::WriteAlerts(const std::vector<AlertWrite>& writes) {
  rocksdb::WriteBatch write;
  for (const AlertWrite& entry : writes) {
    if (entry.erase) {
      write.Delete(alerts_, entry.key);
    } else {
      write.Put(alerts_, entry.key, entry.value);
    }
  }
  return FromRocksStatus(db_->Write(SyncedWrite(), &write), "writing alerts");
}

absl::Status EvidenceStore::ScanAlerts(
    absl::string_view prefix,
    const std::function<bool(absl::string_view, absl::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), alerts_));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  return FromRocksStatus(it->status(), "reading alerts");
}

absl::Status EvidenceStore::WriteWorkflow(const std::vector<WorkflowWrite>& writes, bool synced) {
  rocksdb::WriteBatch write;
  for (const WorkflowWrite& entry : writes) {
    rocksdb::ColumnFamilyHandle* family =
        entry.family == WorkflowFamily::kRequests ? requests_ : documents_;
    if (entry.erase) {
      write.Delete(family, entry.key);
    } else {
      write.Put(family, entry.key, entry.value);
    }
  }
  return FromRocksStatus(db_->Write(synced ? SyncedWrite() : rocksdb::WriteOptions(), &write),
                         "writing evidence requests");
}

absl::StatusOr<std::optional<std::string>> EvidenceStore::ReadWorkflow(
    WorkflowFamily family, absl::string_view key) const {
  std::string value;
  const rocksdb::Status read =
      db_->Get(rocksdb::ReadOptions(), family == WorkflowFamily::kRequests ? requests_ : documents_,
               rocksdb::Slice(key.data(), key.size()), &value);
  if (read.IsNotFound()) return std::nullopt;
  if (absl::Status status = FromRocksStatus(read, "reading evidence requests"); !status.ok()) {
    return status;
  }
  return value;
}

absl::Status EvidenceStore::ScanWorkflow(
    WorkflowFamily family, absl::string_view prefix,
    const std::function<bool(absl::string_view, absl::string_view)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(
      rocksdb::ReadOptions(), family == WorkflowFamily::kRequests ? requests_ : documents_));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && absl::StartsWith(View(it->key()), prefix); it->Next()) {
    if (!visit(View(it->key()), View(it->value()))) break;
  }
  return FromRocksStatus(it->status(), "reading evidence requests");
}

absl::Status EvidenceStore::CompactHistory() {
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocksStatus(db_->CompactRange(options, history_, nullptr, nullptr),
                         "compacting history");
}

namespace {

// Reads the record under `key` of `family` into `record`: false if there is none.
// DataLoss naming `what` if it does not parse.
absl::StatusOr<bool> ReadRecord(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family,
                                const std::string& key, google::protobuf::MessageLite& record,
                                absl::string_view what) {
  std::string value;
  const rocksdb::Status read = db.Get(rocksdb::ReadOptions(), family, key, &value);
  if (read.IsNotFound()) return false;
  if (absl::Status status = FromRocksStatus(read, absl::StrCat("reading ", what)); !status.ok()) {
    return status;
  }
  if (!record.ParseFromString(value)) return absl::DataLossError(absl::StrCat(what, " is corrupt"));
  return true;
}

}  // namespace

absl::StatusOr<std::optional<v1::BatchSealRecord>> EvidenceStore::ReadSeal(
    absl::string_view agent_id, uint64_t sequence) const {
  v1::BatchSealRecord seal;
  absl::StatusOr<bool> found =
      ReadRecord(*db_, seals_, SealKey(agent_id, sequence), seal,
                 absl::StrCat("the seal of batch ", sequence, " of agent ", agent_id));
  if (!found.ok()) return found.status();
  if (!*found) return std::nullopt;
  return seal;
}

absl::Status EvidenceStore::PutCertificate(absl::string_view serial,
                                           const v1::AgentCertificateRecord& record) {
  return Put(seals_, CertificateKey(serial), record.SerializeAsString());
}

absl::StatusOr<std::optional<v1::AgentCertificateRecord>> EvidenceStore::ReadCertificate(
    absl::string_view serial) const {
  v1::AgentCertificateRecord certificate;
  absl::StatusOr<bool> found = ReadRecord(*db_, seals_, CertificateKey(serial), certificate,
                                          absl::StrCat("agent certificate ", serial));
  if (!found.ok()) return found.status();
  if (!*found) return std::nullopt;
  return certificate;
}

}  // namespace postura::collector
