#ifndef POSTURA_COLLECTOR_INGEST_INGEST_SERVICE_H_
#define POSTURA_COLLECTOR_INGEST_INGEST_SERVICE_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "collector/access/agent_admission.h"
#include "collector/ingest/batch_validator.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/registry/registry.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"
#include "postura/v1/ingest.grpc.pb.h"

namespace postura::collector {

struct IngestServiceOptions {
  uint32_t max_batch_items = 1000;
  uint32_t max_unacknowledged_batches = 32;
  // Streams one agent may have open at once; a further one ends at its Hello with
  // RESOURCE_EXHAUSTED (limits.max_streams_per_agent).
  uint32_t max_streams_per_agent = 2;
  // The gRPC server's receive limit, announced in the Welcome so agents cut batches below it.
  uint32_t max_message_bytes = 4 << 20;
  ValidationLimits validation;
};

// The agents' ingest stream (docs/ingest-protocol.md). Each stream validates its batches
// on gRPC threads, hands them to a BatchSink (the IngestWriter; in cluster mode the replicated log)
// and sends each Ack once its batch is durable. Flow control: a stream stops reading while its
// agent has max_unacknowledged_batches in the writer, or while the writer's queue is full, so
// overload slows agents down instead of growing memory. Only an agent's certificate or
// credential (AgentAdmission) opens a stream, only for its own agent id, and a revoked
// or expired one ends its stream at the next batch. Thread-safe. Everything borrowed
// must outlive the service, and the service must outlive the gRPC server.
class ReportStream;

class IngestService final : public v1::IngestService::CallbackService {
 public:
  IngestService(const AgentAdmission& admission, const Catalog& catalog, const Registry& registry,
                BatchSink& writer, Clock& clock, const IngestServiceOptions& options)
      : admission_(admission),
        catalog_(catalog),
        registry_(registry),
        writer_(writer),
        clock_(clock),
        options_(options) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage>* Report(
      grpc::CallbackServerContext* context) override;

  // Streams currently open.
  uint64_t open_streams() const { return open_streams_.load(); }

  // Stops taking batches, for shutdown: every open stream sends the acknowledgements of
  // the batches it has read and then ends with UNAVAILABLE; new streams end that way at
  // once. Returns without waiting; open_streams() falls to 0 as streams end.
  void Drain();

 private:
  friend class ReportStream;
  // Returns false if draining: the new stream must end at once.
  bool Register(ReportStream* stream);
  void Unregister(ReportStream* stream);

  const AgentAdmission& admission_;
  const Catalog& catalog_;
  const Registry& registry_;
  BatchSink& writer_;
  Clock& clock_;
  const IngestServiceOptions options_;
  std::atomic<uint64_t> open_streams_{0};
  absl::Mutex streams_mu_;
  absl::flat_hash_set<ReportStream*> streams_ ABSL_GUARDED_BY(streams_mu_);
  bool draining_ ABSL_GUARDED_BY(streams_mu_) = false;

  // Counts a stream of `agent_id` in; false if the agent has max_streams_per_agent open.
  bool ClaimAgentStream(const std::string& agent_id);
  void ReleaseAgentStream(const std::string& agent_id);
  // Its own lock: streams claim while holding theirs, and Drain takes streams_mu_ first.
  absl::Mutex agent_streams_mu_;
  absl::flat_hash_map<std::string, uint32_t> agent_streams_ ABSL_GUARDED_BY(agent_streams_mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_INGEST_INGEST_SERVICE_H_
