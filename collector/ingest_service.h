#ifndef POSTURA_COLLECTOR_INGEST_SERVICE_H_
#define POSTURA_COLLECTOR_INGEST_SERVICE_H_

#include <atomic>
#include <cstdint>

#include "collector/batch_validator.h"
#include "collector/ingest_writer.h"
#include "collector/registry.h"
#include "common/catalog.h"
#include "common/clock.h"
#include "postura/v1/ingest.grpc.pb.h"

namespace postura::collector {

struct IngestServiceOptions {
  uint32_t max_batch_items = 1000;
  uint32_t max_unacknowledged_batches = 32;
  ValidationLimits validation;
};

// The agents' ingest stream (docs/ingest-protocol.md). Each stream validates its batches
// on gRPC threads, hands them to the IngestWriter and sends each Ack once its batch is
// durable. Flow control: a stream stops reading while its agent has
// max_unacknowledged_batches in the writer, or while the writer's queue is full, so
// overload slows agents down instead of growing memory. Thread-safe. Everything borrowed
// must outlive the service, and the service must outlive the gRPC server.
class IngestService final : public v1::IngestService::CallbackService {
 public:
  IngestService(const Catalog& catalog, const Registry& registry, IngestWriter& writer,
                Clock& clock, const IngestServiceOptions& options)
      : catalog_(catalog), registry_(registry), writer_(writer), clock_(clock), options_(options) {}

  grpc::ServerBidiReactor<v1::AgentMessage, v1::CollectorMessage>* Report(
      grpc::CallbackServerContext* context) override;

  // Streams currently open.
  uint64_t open_streams() const { return open_streams_.load(); }

 private:
  friend class ReportStream;
  const Catalog& catalog_;
  const Registry& registry_;
  IngestWriter& writer_;
  Clock& clock_;
  const IngestServiceOptions options_;
  std::atomic<uint64_t> open_streams_{0};
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_INGEST_SERVICE_H_
