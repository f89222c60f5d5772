#ifndef POSTURA_COLLECTOR_EVIDENCE_STORE_H_
#define POSTURA_COLLECTOR_EVIDENCE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Env;
class Statistics;
}  // namespace rocksdb

namespace postura::collector {

struct EvidenceStoreOptions {
  // Directory of the database; created if missing.
  std::string path;
  // Evidence observed longer ago than this is dropped when RocksDB compacts it.
  absl::Duration retention = absl::Hours(24 * 90);
  // Time source for retention. Must outlive the store.
  Clock* clock = &Clock::GetRealClock();
  // Filesystem; null for the real one. Tests pass rocksdb::NewMemEnv. Must outlive the store.
  rocksdb::Env* env = nullptr;
};

// How far an agent's ingest has come, as stored.
struct AgentProgress {
  uint64_t last_sequence = 0;        // Highest batch sequence applied.
  uint64_t dropped_items_total = 0;  // Highest drop count the agent reported.
  uint64_t items_stored = 0;         // Items applied over the agent's lifetime.
};

// The records one batch adds to the store, encoded before the commit (on any thread),
// so that the single writer thread only copies bytes into its write.
struct EncodedBatch {
  struct Entry {
    std::string evidence_key;  // In the evidence log.
    std::string value;         // A serialized v1::StoredEvidence.
    std::string state_key;     // In the current state: one entry per source.
    std::string state_value;   // A serialized v1::SourceState, without the key's ids.
  };
  std::vector<Entry> entries;

  // Memory the encoded records hold.
  uint64_t bytes() const;
};

// Encodes the items of `batch` for which valid[i] is true, as reported by `agent_id` and
// received at `received_at`. Consumes those items (they are moved into the records).
// REQUIRES: valid.size() == batch.items_size(); the items passed ingest validation.
EncodedBatch EncodeBatch(const std::string& agent_id, v1::Batch& batch,
                         const std::vector<bool>& valid, absl::Time received_at);

// One batch to apply in a commit, and the agent's progress once it is applied.
struct BatchToApply {
  const std::string* agent_id = nullptr;  // Borrowed; outlives the Commit call.
  const EncodedBatch* encoded = nullptr;  // Borrowed; outlives the Commit call.
  AgentProgress progress;
};

// The collector's embedded RocksDB. Column families: "evidence" (immutable log keyed by
// asset, outcome and observed time, with retention), "state" (latest evidence per
// source), "registry" (assets, agents) and "progress" (per-agent sequence numbers).
// Every write is synced to the WAL before it returns. Thread-safe.
class EvidenceStore {
 public:
  // Opens the store, creating it if needed. A failed open yields no object.
  static absl::StatusOr<std::unique_ptr<EvidenceStore>> Open(const EvidenceStoreOptions& options);
  ~EvidenceStore();

  // Applies every batch in one synced write: all of them become durable, or none.
  // Unavailable if the write failed.
  absl::Status Commit(const std::vector<BatchToApply>& batches);

  // Registry records, each a synced write.
  absl::Status PutAsset(const v1::Asset& asset);
  absl::Status DeleteAsset(const std::string& asset_id);
  absl::Status PutAgent(const v1::Agent& agent);
  absl::Status DeleteAgent(const std::string& agent_id);
  absl::StatusOr<std::vector<v1::Asset>> LoadAssets() const;
  absl::StatusOr<std::vector<v1::Agent>> LoadAgents() const;

  // Every agent's stored progress. DataLoss if a record is corrupt.
  absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> LoadProgress() const;

  // Calls `visit` for each stored evidence record, in key order (by asset, outcome, time).
  absl::Status ForEachEvidence(const std::function<void(const v1::StoredEvidence&)>& visit) const;
  // Calls `visit` for each current-state record (the latest report of each source).
  absl::Status ForEachState(const std::function<void(const v1::SourceState&)>& visit) const;

  // Compacts the evidence log now, which applies retention to all of it.
  absl::Status CompactEvidence();

  // WAL syncs RocksDB has performed since open.
  uint64_t wal_syncs() const;

 private:
  EvidenceStore() = default;
  absl::Status ForEachIn(rocksdb::ColumnFamilyHandle* family,
                         const std::function<absl::Status(absl::string_view key,
                                                          absl::string_view value)>& visit) const;
  absl::Status Put(rocksdb::ColumnFamilyHandle* family, const std::string& key,
                   const std::string& value);

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // Owned; closed in the destructor.
  rocksdb::ColumnFamilyHandle* evidence_ = nullptr;
  rocksdb::ColumnFamilyHandle* state_ = nullptr;
  rocksdb::ColumnFamilyHandle* registry_ = nullptr;
  rocksdb::ColumnFamilyHandle* progress_ = nullptr;
  std::unique_ptr<class RetentionFilter> retention_filter_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_EVIDENCE_STORE_H_
