#ifndef POSTURA_COLLECTOR_STORE_EVIDENCE_RECORDS_H_
#define POSTURA_COLLECTOR_STORE_EVIDENCE_RECORDS_H_

// The records ingest adds to the evidence store, as bytes: a batch encoded into evidence,
// state and expiry entries, an agent's progress record, and a state record read back
// with the ids its key holds. Ingest (IngestService, on gRPC threads) encodes batches
// before they reach the writer thread; EvidenceStore writes and reads the bytes; live
// scoring receives SourceUpdates. No RocksDB here: this is the format, not the storage.
//
// Threading: plain values and pure functions; any thread.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::collector {

// How far ahead of its receipt an item's observed time may be: ingest refuses items
// observed later than that (clock skew), and as-of reads rely on it to know where in the
// log, which is ordered by observed time, the reports received by an instant end.
inline constexpr absl::Duration kMaxObservedAheadOfReceipt = absl::Minutes(5);

// A batch applied for an agent: its sequence and the SHA-256 of its items as the agent
// sent them (BatchDigest, collector/ingest/batch_validator.h), so that a batch arriving
// again under that sequence is told apart: a resend (same digest) or a conflict.
struct AppliedBatch {
  uint64_t sequence = 0;
  std::array<uint8_t, 32> digest{};
};

// How far an agent's ingest has come, as stored.
struct AgentProgress {
  uint64_t last_sequence = 0;        // Highest batch sequence applied.
  uint64_t dropped_items_total = 0;  // Highest drop count the agent reported.
  uint64_t items_stored = 0;         // Items applied over the agent's lifetime.
  // The most recent applied batches, ascending by sequence (the writer bounds how many).
  // Empty for a record stored before digests were kept.
  std::vector<AppliedBatch> recent = {};
  // Batches refused because their sequence was taken by a batch with other items.
  uint64_t sequence_conflicts = 0;
  int64_t last_conflict_unix_nanos = 0;  // When the last was refused; 0 if never.
};

// The records one batch adds to the store, encoded before the commit (on any thread),
// so that the single writer thread only copies bytes into its write.
struct EncodedBatch {
  struct Entry {
    std::string evidence_key;  // In the evidence log.
    std::string value;         // A serialized v1::StoredEvidence.
    std::string state_key;     // In the current state: one entry per source.
    std::string state_value;   // A serialized v1::SourceState, without the key's ids.
    // What live scoring needs of the item, so that it does not parse the records again.
    v1::Level level = v1::LEVEL_UNSPECIFIED;
    bool attested = false;
    int64_t observed_at_unix_nanos = 0;
    int64_t expires_at_unix_nanos = 0;
  };
  std::vector<Entry> entries;
  // The batch's seal, a serialized v1::BatchSealRecord, and its key in the "seals" family
  // (SealKey); both empty for a batch that came unsigned. Written with the entries.
  std::string seal_key;
  std::string seal_value;
  // The agent certificate whose key signed it, a serialized v1::AgentCertificateRecord, and
  // its key (CertificateKey); empty when the stream stored it with an earlier batch.
  std::string certificate_key;
  std::string certificate_value;

  // Memory the encoded records hold.
  uint64_t bytes() const;
};

// One report just made durable, as live scoring needs it (see LiveScorer).
struct SourceUpdate {
  std::string state_key;  // asset \0 outcome \0 agent \0 check (see StateKey).
  v1::Level level = v1::LEVEL_UNSPECIFIED;
  bool attested = false;
  int64_t observed_at_unix_nanos = 0;
  int64_t expires_at_unix_nanos = 0;
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

// A log position record: the position, big-endian. nullopt if `bytes` is not one.
std::string EncodeLogPosition(uint64_t position);
std::optional<uint64_t> DecodeLogPosition(absl::string_view bytes);

// An agent's progress record, every number big-endian: the three counters (24 bytes),
// the conflict count and last conflict time (16 bytes), then each recent batch's sequence
// and digest (40 bytes each). A record of 24 bytes alone (written before digests were
// kept) reads back with no recent batches and no conflicts.
std::string EncodeProgress(const AgentProgress& progress);
// nullopt if `bytes` is not a progress record.
std::optional<AgentProgress> DecodeProgress(absl::string_view bytes);

// Parses a state record and fills in the ids its key holds. DataLoss if either is corrupt.
absl::StatusOr<v1::SourceState> ParseStateRecord(absl::string_view key, absl::string_view value);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_EVIDENCE_RECORDS_H_
