#ifndef POSTURA_COLLECTOR_INGEST_BATCH_SINK_H_
#define POSTURA_COLLECTOR_INGEST_BATCH_SINK_H_

// Where ingest streams hand their validated batches: the IngestWriter on a single
// collector, or the replicated log in cluster mode (collector/replication), which
// acknowledges a batch once the log has stored it and applies it to the local writer
// afterwards. Implementations are thread-safe.

#include <string>

#include "absl/functional/any_invocable.h"
#include "collector/store/evidence_store.h"

namespace postura::collector {

struct QueuedBatch;

class BatchSink {
 public:
  virtual ~BatchSink() = default;

  // Takes `batch` (its `done` is called once it is durable, or refused) and returns true;
  // or, when full, returns false without taking it and calls `on_room` once room has
  // freed up. Neither callback may block.
  virtual bool Enqueue(QueuedBatch& batch, absl::AnyInvocable<void()> on_room) = 0;

  // The agent's highest sequence known to be stored, for the Welcome: every batch up to
  // it is safe. It may lag behind what was acknowledged (a resend is then told apart by
  // its digest), never run ahead of it.
  virtual AgentProgress Progress(const std::string& agent_id) const = 0;

  // Counts a batch a stream refused because its signature did not verify.
  virtual void CountSignatureRefusal() = 0;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_INGEST_BATCH_SINK_H_
