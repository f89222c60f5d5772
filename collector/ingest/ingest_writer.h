#ifndef POSTURA_COLLECTOR_INGEST_INGEST_WRITER_H_
#define POSTURA_COLLECTOR_INGEST_INGEST_WRITER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/ingest/batch_sink.h"
#include "collector/store/evidence_store.h"
#include "common/base/latency_histogram.h"
#include "postura/v1/admin.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::collector {

// A validated, encoded batch waiting to be made durable.
struct QueuedBatch {
  std::string agent_id;
  uint64_t sequence = 0;
  uint64_t dropped_items_total = 0;       // As the agent reported it in the batch.
  std::array<uint8_t, 32> digest{};       // BatchDigest of the items as the agent sent them.
  std::string peer;                       // Where the stream comes from, for the log.
  EncodedBatch encoded;                   // The valid items.
  std::vector<v1::Rejection> rejections;  // Reported in the Ack.
  // Called on the writer thread once the batch is durable (or found to be a resend),
  // with the Ack to send; or, unstored, with ResourceExhausted if the disk is full,
  // Unavailable if the store failed otherwise, or Aborted for a sequence conflict. Must
  // not block.
  absl::AnyInvocable<void(absl::StatusOr<v1::Ack>)> done;
  // Memory the batch holds while queued; set by Enqueue.
  uint64_t bytes = 0;
  // In cluster mode, the batch's sequence in the replicated log: committed with it, so
  // that a collector reads the log on from the last batch it made durable. 0 otherwise.
  uint64_t log_position = 0;
};

// A batch refused because its sequence was taken by another batch of the same agent.
struct SequenceConflict {
  std::string agent_id;
  std::string peer;
  uint64_t sequence = 0;
  uint64_t last_sequence = 0;    // The agent's highest stored sequence.
  uint64_t agent_conflicts = 0;  // The agent's conflicts so far, this one included.
  absl::Time at;
};

struct IngestWriterOptions {
  // How many of each agent's latest applied batches keep their digest (durably, in its
  // progress record), so that a resend within them is told from a conflict. At least
  // twice the streams' max_unacknowledged_batches.
  uint32_t recent_batches = 64;
  // Memory of queued batches, all agents together, beyond which Enqueue refuses.
  uint64_t max_queued_bytes = 16 << 20;
  // One commit takes queued batches up to this much memory (at least one batch), which
  // bounds the size of a RocksDB write and the wait of the batches behind it.
  uint64_t max_commit_bytes = 4 << 20;
  // Called on the writer thread after each successful commit with the reports it made
  // durable, in commit order; must not block. Null: nobody listens.
  std::function<void(std::vector<SourceUpdate>)> on_committed;
  // Called on the writer thread after each successful commit (or group of resends) with
  // the agents whose batches it acknowledged, each once; must not block. Null: nobody
  // listens. Alerting's agent_silent rules learn from it when each agent was last heard.
  std::function<void(const std::vector<std::string>&)> on_agents_heard;
  // Called on the writer thread for each sequence conflict once it is durably counted;
  // must not block. Null: nobody listens (the writer logs each conflict itself).
  std::function<void(const SequenceConflict&)> on_conflict = nullptr;
  // After a failed write the writer refuses batches and asks the store to resume after
  // this delay, doubling up to the maximum while the store stays unwritable.
  absl::Duration first_resume_delay = absl::Milliseconds(100);
  absl::Duration max_resume_delay = absl::Seconds(5);
};

// Makes batches durable with group commit: one thread takes everything queued, writes it
// as one synced RocksDB write, then acknowledges each batch. A batch whose sequence is not
// above the highest stored for its agent is acknowledged as a duplicate and not applied
// when it is a resend: one of the agent's recent batches (options.recent_batches) had
// that sequence and the same digest. Otherwise it is a conflict (someone else reports
// with the agent's credential, or the agent lost its spool): it is refused with Aborted,
// nothing of it is stored, and the agent's conflict count and time are committed with
// its progress; the writer logs it at WARNING and calls on_conflict.
//
// A failed write (a full disk, typically) stops the store's writes: from then on the
// writer refuses batches at once, unstored and unacknowledged (ResourceExhausted for a full
// disk, Unavailable otherwise), and asks the store to resume with bounded backoff until it
// writes again. Each stop and each recovery is logged once. Thread-safe. `store` is borrowed and
// must outlive the writer.
class IngestWriter final : public BatchSink {
 public:
  // Loads agents' progress from the store and starts the writer thread.
  static absl::StatusOr<std::unique_ptr<IngestWriter>> Start(EvidenceStore& store,
                                                             const IngestWriterOptions& options);
  // Stops after writing and acknowledging everything queued.
  ~IngestWriter();

  // Queues `batch` and returns true; or, when the queue is full, returns false without
  // taking it and calls `on_room` (on the writer thread) once room has freed up.
  bool Enqueue(QueuedBatch& batch, absl::AnyInvocable<void()> on_room) override;

  // Highest stored sequence of the agent, counting only committed writes.
  AgentProgress Progress(const std::string& agent_id) const override;

  // The replicated log's position committed last (QueuedBatch::log_position); 0 if none.
  absl::StatusOr<uint64_t> LogPosition() const { return store_.ReadLogPosition(); }
  // Commits `position` as the log position with no batch: for a log message that was
  // not a batch (a registry change), applied once every batch before it was committed and
  // before any after it is queued; so that a restart does not apply it again.
  absl::Status CommitLogPosition(uint64_t position) { return store_.Commit({}, position); }

  // Counts a batch an ingest stream refused because its signature did not verify; the
  // writer keeps ingest's counters (IngestStats.batches_signature_refused).
  void CountSignatureRefusal() override;

  // Counters since start (open_streams is not the writer's and stays 0).
  v1::IngestStats Stats() const;
  // Duration of each synced commit (one per group of batches).
  const LatencyHistogram& commit_latency() const { return commit_latency_; }

 private:
  IngestWriter(EvidenceStore& store, const IngestWriterOptions& options)
      : store_(store), options_(options) {}
  void Run();
  // Writes one group and acknowledges its batches.
  void CommitGroup(std::deque<QueuedBatch>& group);
  // Records that the store stopped writing because of `error`. A stop lasts until a write
  // succeeds (a resume that fails at the next write continues it) and is logged once.
  void NoteStoreStopped(const absl::Status& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A write succeeded: ends the stop, if any, and logs that ingest resumed.
  void NoteStoreWrote() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Asks a stopped store to resume; on success batches are written again, else the delay
  // before the next try doubles.
  void TryResume();

  EvidenceStore& store_;
  const IngestWriterOptions options_;

  mutable absl::Mutex mu_;
  std::deque<QueuedBatch> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<absl::AnyInvocable<void()>> waiting_for_room_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<std::string, AgentProgress> progress_ ABSL_GUARDED_BY(mu_);
  v1::IngestStats stats_ ABSL_GUARDED_BY(mu_);
  // Why the store cannot write; OK while it can. Set by a failed commit, cleared by Resume.
  absl::Status store_error_ ABSL_GUARDED_BY(mu_);
  absl::Time stopped_since_ ABSL_GUARDED_BY(mu_);
  absl::Time next_resume_ ABSL_GUARDED_BY(mu_);
  absl::Duration resume_delay_ ABSL_GUARDED_BY(mu_);
  uint64_t refused_in_stop_ ABSL_GUARDED_BY(mu_) = 0;  // Batches refused in this stop.
  bool stop_logged_ ABSL_GUARDED_BY(mu_) = false;      // A stop is logged, not yet ended.
  LatencyHistogram commit_latency_{
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}};
  std::thread thread_;
};

// The memory a queued batch holds, as counted against the queue bound.
uint64_t QueuedBytes(const QueuedBatch& batch);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_INGEST_INGEST_WRITER_H_
