#ifndef POSTURA_COLLECTOR_REPLICATION_REPLICATED_INGEST_H_
#define POSTURA_COLLECTOR_REPLICATION_REPLICATED_INGEST_H_

// Cluster mode's ingest (issue 20, docs/scale.md): the BatchSink the ingest streams hand
// their batches to when collectors share a replicated log.
//
//  - Enqueue: an appender thread appends each batch to the log (JetStreamLog), in the
//    order taken, and acknowledges it to its agent once the log has stored it with the
//    stream's replicas; a batch the log cannot store is refused with Unavailable (the
//    agent's spool keeps it), never acknowledged, and so are the agent's later batches
//    until that one is stored (for 30 s at most): the log never holds a batch of an
//    agent before an earlier one. The log drops a resend within its duplicate window (the
//    Ack then says duplicate).
//  - An applier thread reads the log in order and hands each batch to the local
//    IngestWriter, group by group, with its position in the log, which the writer commits
//    with it. It reads from the position after the last one committed, at start and
//    after any failure, so batches are applied in log order, each once, whatever was
//    killed when: every collector of the cluster stores every batch exactly once (the
//    writer tells resends apart by agent, sequence and digest) and scores it; a collector
//    that was down goes on from its position.
//    A conflicting batch (a sequence taken by other items) is refused by every writer
//    alike and counted there; its agent got the Ack already.
//  - ChangeRegistry: a change of the registry or of the credentials is appended to the
//    same log, and every collector's applier applies it in log order (after the batches
//    before it are durable) and commits its position, so the registries of a cluster
//    agree; the collector where it was made waits for its own applier and answers with
//    what applying gave.
//  - Progress: the local writer's, which may lag behind what the log holds: a resend
//    after a Welcome that lags is told apart as above.
//
// Thread-safe. `log` and `local` are borrowed and must outlive this.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/ingest/batch_sink.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/replication/jetstream_log.h"
#include "postura/v1/replication.pb.h"

namespace postura::collector {

struct ReplicatedIngestOptions {
  std::string node;  // This collector's name: its consumer's.
  // Memory of batches waiting to be appended, beyond which Enqueue refuses.
  uint64_t max_queued_bytes = 16 << 20;
  // Log messages applied to the local store per group, at most.
  int apply_group = 256;
  // Applies a registry change read from the log here (Registry::Apply); without one,
  // registry changes are skipped as malformed.
  std::function<absl::Status(const v1::RegistryChange&)> apply_registry_change = nullptr;
  // How long ChangeRegistry waits for this collector's applier.
  absl::Duration registry_change_wait = absl::Seconds(10);
};

// Figures since start, for /metrics and tests.
struct ReplicationStats {
  uint64_t appended = 0;           // Batches the log stored.
  uint64_t append_duplicates = 0;  // Resends the log dropped.
  uint64_t append_failures = 0;    // Batches refused: the log did not store them.
  uint64_t applied = 0;            // Log messages applied to the local store.
  uint64_t malformed = 0;          // Log messages skipped: not a valid batch.
  uint64_t apply_failures =
      0;                  // Reads or groups that failed (read again from the store's position).
  uint64_t position = 0;  // The log's sequence of the last message applied here.
};

class ReplicatedIngest final : public BatchSink {
 public:
  // Opens this node's reader of the log, from the position `local` committed last, and
  // starts both threads.
  static absl::StatusOr<std::unique_ptr<ReplicatedIngest>> Start(
      JetStreamLog& log, IngestWriter& local, const ReplicatedIngestOptions& options);
  // Appends what is queued (refusing it if the log fails) and stops both threads.
  ~ReplicatedIngest() override;

  bool Enqueue(QueuedBatch& batch, absl::AnyInvocable<void()> on_room) override;
  AgentProgress Progress(const std::string& agent_id) const override {
    return local_.Progress(agent_id);
  }
  void CountSignatureRefusal() override { local_.CountSignatureRefusal(); }

  ReplicationStats stats() const;

  // Appends `change` to the log and waits until this collector's applier applied it:
  // what applying it returned. Unavailable if the log did not store it; DeadlineExceeded
  // if it was not applied here within registry_change_wait (it is still applied, later).
  absl::Status ChangeRegistry(const v1::RegistryChange& change);

 private:
  ReplicatedIngest(JetStreamLog& log, IngestWriter& local, ReplicatedIngestOptions options,
                   std::unique_ptr<LogConsumer> consumer)
      : log_(log), local_(local), options_(std::move(options)), consumer_(std::move(consumer)) {}
  void AppendLoop();
  // Appends `batch` unless `refuse`, or an earlier batch of its agent failed to append
  // and is not stored yet: then Unavailable.
  absl::StatusOr<Appended> AppendInOrder(const QueuedBatch& batch, bool refuse);
  void ApplyLoop();
  // Applies one group of log messages to the local writer and waits until it is durable.
  absl::Status ApplyGroup(std::vector<LogMessage>& messages);
  // Applies a registry change read at `position`, keeps what it gave for ChangeRegistry
  // (the registry's refusal too) and commits `position` to the store. An error if
  // applying failed otherwise (the store): the group then fails and is read again.
  absl::Status ApplyRegistryChange(const v1::RegistryChange& change, uint64_t position);

  JetStreamLog& log_;
  IngestWriter& local_;
  const ReplicatedIngestOptions options_;
  std::unique_ptr<LogConsumer> consumer_;  // Applier thread only; null after a failure.

  mutable absl::Mutex mu_;
  std::deque<QueuedBatch> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<absl::AnyInvocable<void()>> waiting_for_room_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  ReplicationStats stats_ ABSL_GUARDED_BY(mu_);
  // What applying each recent registry change gave, by log position (the newest
  // kKeptRegistryResults), for ChangeRegistry to pick up.
  std::map<uint64_t, absl::Status> registry_results_ ABSL_GUARDED_BY(mu_);
  uint64_t registry_changes_made_ ABSL_GUARDED_BY(mu_) = 0;
  // Appender thread only: per agent, the batch that failed to append, until when later
  // ones are refused.
  struct Unstored {
    uint64_t sequence = 0;
    absl::Time until;
  };
  absl::flat_hash_map<std::string, Unstored> unstored_;
  std::thread appender_;
  std::thread applier_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REPLICATION_REPLICATED_INGEST_H_
