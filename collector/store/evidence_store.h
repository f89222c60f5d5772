#ifndef POSTURA_COLLECTOR_STORE_EVIDENCE_STORE_H_
#define POSTURA_COLLECTOR_STORE_EVIDENCE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/store/evidence_cursor.h"
#include "collector/store/evidence_records.h"
#include "collector/store/store_backup.h"
#include "common/base/clock.h"
#include "google/protobuf/message_lite.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/evidence_proof.pb.h"

namespace rocksdb {
class Cache;
class ColumnFamilyHandle;
class DB;
struct ReadOptions;
class Env;
class Statistics;
}  // namespace rocksdb

namespace postura::collector {

// The least memtable budget a store opens with: each column family's memtable must
// start well below its share of the budget.
inline constexpr uint64_t kMinMemtableBytes = 8 << 20;

struct EvidenceStoreOptions {
  // Directory of the database; created if missing.
  std::string path;
  // Evidence observed longer ago than this is dropped when RocksDB compacts it.
  absl::Duration retention = absl::Hours(24 * 90);
  // Time source for retention. Must outlive the store.
  Clock* clock = &Clock::GetRealClock();
  // Filesystem; null for the real one. Tests pass rocksdb::NewMemEnv. Must outlive the store.
  rocksdb::Env* env = nullptr;
  // Memory RocksDB may hold (the collector's store.* config keys). Memtables: all column
  // families together, those being flushed included; past it, commits wait for a flush.
  // At least kMinMemtableBytes.
  uint64_t memtable_bytes = 16 << 20;
  // Blocks read back from table files, index and filter blocks included.
  uint64_t block_cache_bytes = 8 << 20;
};

// What RocksDB holds in memory now, in bytes.
struct StoreMemoryUsage {
  uint64_t memtables = 0;      // Mutable and being flushed, all families.
  uint64_t block_cache = 0;    // Data, index and filter blocks.
  uint64_t table_readers = 0;  // Other per-table-file memory outside the cache.
};

// The collector's embedded RocksDB. Column families: "evidence" (immutable log keyed by
// asset, outcome and observed time, with retention), "state" (latest evidence per
// source), "registry" (tenants, departments, assets, targets, agents) and "progress"
// (per-agent sequence numbers), "expiry" (when each report stops counting), "history"
// (score history, collector/history), "alerts" (alerts' state and outbox,
// collector/alerting), "requests" and "documents" (evidence requests, collector/requests),
// "seals" (signed batches' seals);
// their options are in store_families.h, the records' encoding in
// evidence_records.h.
// Every write is synced to the WAL before it returns. Thread-safe.
class EvidenceStore {
 public:
  // Opens the store, creating it if needed. A failed open yields no object.
  static absl::StatusOr<std::unique_ptr<EvidenceStore>> Open(const EvidenceStoreOptions& options);
  ~EvidenceStore();

  // Applies every batch in one synced write: all of them become durable, or none.
  // ResourceExhausted if the disk is full, Unavailable if the write failed otherwise.
  // After a failed write the store refuses every write (RocksDB's background error)
  // until it recovers (see Resume); reads go on. In cluster mode `log_position` (not 0) is
  // the replicated log's sequence of the last batch, kept with them (ReadLogPosition).
  absl::Status Commit(const std::vector<BatchToApply>& batches, uint64_t log_position = 0);
  // The log position of the last commit that had one; 0 if none did.
  absl::StatusOr<uint64_t> ReadLogPosition() const;

  // Registry records (tenants, departments, assets, targets, agents), keyed as
  // store_keys.h describes. Each change is one synced write; Unavailable if it failed.
  //
  // Stores `record` under `key`, replacing any record there.
  absl::Status PutRegistryRecord(absl::string_view key,
                                 const google::protobuf::MessageLite& record);
  // Deletes the records under `keys` together; absent keys are ignored.
  absl::Status DeleteRegistryRecords(const std::vector<std::string>& keys);
  // Deletes the asset's record, its targets record and its current state (every "state"
  // entry of the asset) together. Its evidence log stays: evidence is immutable.
  absl::Status DeleteAsset(absl::string_view asset_id);
  // Calls `visit` with the id (the key after `prefix`) and the value of each registry record
  // whose key starts with `prefix`, in key order. Returns the first error `visit` returns.
  absl::Status ForEachRegistryRecord(
      absl::string_view prefix,
      const std::function<absl::Status(absl::string_view id, absl::string_view value)>& visit)
      const;

  // Every agent's stored progress. DataLoss if a record is corrupt.
  absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> LoadProgress() const;

  // Calls `visit` for each stored evidence record, in key order (by asset, outcome, time).
  absl::Status ForEachEvidence(const std::function<void(const v1::StoredEvidence&)>& visit) const;
  // Calls `visit` for each current-state record (the latest report of each source).
  absl::Status ForEachState(const std::function<void(const v1::SourceState&)>& visit) const;

  // Every source's current report on one (asset, outcome), ids filled in, in key order.
  absl::StatusOr<std::vector<v1::SourceState>> ReadSources(absl::string_view asset,
                                                           absl::string_view outcome) const;
  // The same for every outcome of one asset, by outcome id. Sorts the state family's
  // memtable (a hash skiplist, read across prefixes): for rare reads.
  absl::StatusOr<std::vector<v1::SourceState>> ReadAssetSources(absl::string_view asset) const;
  // The same for the asset's outcomes in `outcome_ids` (sorted), by one hashed read per
  // outcome: what scoring uses, which knows the catalog's outcomes.
  absl::StatusOr<std::vector<v1::SourceState>> ReadAssetSources(
      absl::string_view asset, const std::vector<std::string>& outcome_ids) const;
  // One source's current report; nullopt if there is none.
  absl::StatusOr<std::optional<v1::SourceState>> ReadSource(absl::string_view state_key) const;

  // Keys of expiry entries due in [from, now], the earliest first, at most `limit` (see
  // ExpiryKey). Entries before `from` must already be deleted: starting there skips
  // their tombstones, which would otherwise pile up at the front of the family.
  absl::StatusOr<std::vector<std::string>> ReadDueExpiries(int64_t from_unix_nanos,
                                                           int64_t now_unix_nanos,
                                                           size_t limit) const;
  // When the earliest expiry entry at or after `from` is due; nullopt if there is none.
  absl::StatusOr<std::optional<int64_t>> NextExpiry(int64_t from_unix_nanos = 0) const;
  // Removes processed expiry entries. Not synced: an entry a crash brings back is
  // processed again, which is harmless.
  absl::Status DeleteExpiries(const std::vector<std::string>& keys);

  // Evidence of (asset, outcome) observed in [from, to), the oldest first, at most `limit`
  // records; *truncated tells whether more matched.
  absl::StatusOr<std::vector<v1::StoredEvidence>> ReadEvidence(absl::string_view asset,
                                                               absl::string_view outcome,
                                                               int64_t from_unix_nanos,
                                                               int64_t to_unix_nanos, size_t limit,
                                                               bool* truncated) const;

  // A cursor for reading many assets' evidence with one iterator (evidence_cursor.h).
  std::unique_ptr<EvidenceCursor> NewEvidenceCursor() const;

  // Every evidence record of one asset, in key order (by outcome, then observed time).
  absl::Status ForEachAssetEvidence(
      absl::string_view asset, const std::function<void(const v1::StoredEvidence&)>& visit) const;

  // Score history: the "history" family, whose keys and values collector/history defines.
  // Writes are not synced: a crash of the process loses nothing written, a crash of the
  // machine may lose the last moments of history (the evidence log, synced, keeps the
  // scores recomputable).
  struct HistoryWrite {
    std::string key;
    std::string value;
    bool erase = false;  // Delete `key` instead of putting `value`.
  };
  // Applies the writes in order, in one atomic write. Unavailable if it failed.
  absl::Status WriteHistory(const std::vector<HistoryWrite>& writes);
  // The values of `keys` (nullopt where absent), in the order of `keys`, read in one
  // batched lookup. Unavailable if the read failed.
  absl::StatusOr<std::vector<std::optional<std::string>>> ReadHistory(
      const std::vector<std::string>& keys) const;
  // For each of `ends` (ascending) in turn, calls `visit` with its index and the last
  // history record with begin <= key < end, if any (nullptr key and value if none), reading
  // with one iterator: for many instants of one subject.
  absl::Status LastHistoryBefore(
      absl::string_view begin, const std::vector<std::string>& ends,
      const std::function<void(size_t end, const absl::string_view* key,
                               const absl::string_view* value)>& visit) const;
  // Calls `visit` with each history record with begin <= key < end, in key order, or in
  // reverse key order when `backward`, until `visit` returns false.
  absl::Status ScanHistory(
      absl::string_view begin, absl::string_view end, bool backward,
      const std::function<bool(absl::string_view key, absl::string_view value)>& visit) const;

  // Alerts: the "alerts" family, whose keys and values collector/alerting defines (each
  // alert's state and the outbox of transitions to deliver). Every write is synced.
  using AlertWrite = HistoryWrite;
  // Applies the writes in order, in one atomic synced write. ResourceExhausted if the disk
  // is full, Unavailable if the write failed otherwise.
  absl::Status WriteAlerts(const std::vector<AlertWrite>& writes);
  // Calls `visit` with each alerts record whose key starts with `prefix`, in key order,
  // until `visit` returns false.
  absl::Status ScanAlerts(
      absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>& visit) const;

  // Evidence requests: the "requests" family (events and audit trail) and the
  // "documents" family (documents and their chunks), whose keys and values
  // collector/requests defines.
  enum class WorkflowFamily { kRequests, kDocuments };
  struct WorkflowWrite {
    WorkflowFamily family = WorkflowFamily::kRequests;
    std::string key;
    std::string value;
    bool erase = false;  // Delete `key` instead of putting `value`.
  };
  // Applies the writes in order, in one atomic write, synced unless `synced` is false (a
  // later synced write makes it durable too: the WAL is synced in order). ResourceExhausted
  // if the disk is full, Unavailable if the write failed otherwise.
  absl::Status WriteWorkflow(const std::vector<WorkflowWrite>& writes, bool synced = true);
  // The value under `key`; nullopt if there is none.
  absl::StatusOr<std::optional<std::string>> ReadWorkflow(WorkflowFamily family,
                                                          absl::string_view key) const;
  // Calls `visit` with each record of `family` whose key starts with `prefix`, in key
  // order, until `visit` returns false.
  absl::Status ScanWorkflow(
      WorkflowFamily family, absl::string_view prefix,
      const std::function<bool(absl::string_view key, absl::string_view value)>& visit) const;

  // The seal stored with batch `sequence` of the agent (BatchToApply's EncodedBatch);
  // nullopt if it came unsigned or retention dropped it. DataLoss if it is corrupt.
  absl::StatusOr<std::optional<v1::BatchSealRecord>> ReadSeal(absl::string_view agent_id,
                                                              uint64_t sequence) const;
  // Keeps the agent certificate `serial` for proofs (synced; again is harmless), and
  // reads it back (nullopt if unknown). Unavailable / DataLoss as the other records.
  absl::Status PutCertificate(absl::string_view serial, const v1::AgentCertificateRecord& record);
  absl::StatusOr<std::optional<v1::AgentCertificateRecord>> ReadCertificate(
      absl::string_view serial) const;

  // Compacts the evidence log and the seals now, which applies retention to all of them.
  absl::Status CompactEvidence();
  // Compacts the history family now, so that what downsampling deleted leaves the disk
  // (otherwise it goes as compaction reaches it).
  absl::Status CompactHistory();

  // A consistent snapshot taken while writes go on, into a new `directory` (store_backup.h).
  absl::StatusOr<StoreSnapshot> Checkpoint(const std::string& directory) const;
  // Whether the store writes again after a failed write. RocksDB recovers from a full
  // disk by itself once enough space is free (it checks every 5 s); this also asks it to
  // recover from other errors. OK if it writes (also when it never failed); Unavailable
  // while its recovery runs or failed, ResourceExhausted while the disk is still full.
  absl::Status Resume();

  // Memory RocksDB holds now. Thread-safe.
  StoreMemoryUsage MemoryUsage() const;

  // WAL syncs RocksDB has performed since open.
  uint64_t wal_syncs() const;

 private:
  EvidenceStore() = default;
  absl::Status ForEachIn(rocksdb::ColumnFamilyHandle* family,
                         const std::function<absl::Status(absl::string_view key,
                                                          absl::string_view value)>& visit) const;
  // The state records whose keys start with `prefix`, ids filled in, in key order.
  absl::StatusOr<std::vector<v1::SourceState>> ReadStateWithPrefix(
      const std::string& prefix, const rocksdb::ReadOptions& options) const;
  absl::Status Put(rocksdb::ColumnFamilyHandle* family, const std::string& key,
                   const std::string& value);

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // Owned; closed in the destructor.
  rocksdb::ColumnFamilyHandle* evidence_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* registry_ = nullptr;
  rocksdb::ColumnFamilyHandle* progress_ = nullptr;
  rocksdb::ColumnFamilyHandle* expiry_ = nullptr;
  rocksdb::ColumnFamilyHandle* history_ = nullptr;
  rocksdb::ColumnFamilyHandle* alerts_ = nullptr;
  rocksdb::ColumnFamilyHandle* requests_ = nullptr;
  rocksdb::ColumnFamilyHandle* documents_ = nullptr;
  rocksdb::ColumnFamilyHandle* seals_ = nullptr;
  std::unique_ptr<class RetentionFilter> retention_filter_;  // See store_families.h.
  std::unique_ptr<class SealRetentionFilter> seal_retention_filter_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_EVIDENCE_STORE_H_
