#ifndef POSTURA_COLLECTOR_REPLICATION_BATCH_CODEC_H_
#define POSTURA_COLLECTOR_REPLICATION_BATCH_CODEC_H_

// Ingest batches as the collectors of a cluster carry them on their replicated log
// (v1::ReplicatedBatch): what makes a QueuedBatch durable (its agent, sequence, digest and
// encoded records), not its callbacks nor the rejections its Ack reports.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collector/ingest/ingest_writer.h"

namespace postura::collector {

// The log message of `batch`, received by collector `node`.
std::string EncodeReplicatedBatch(const QueuedBatch& batch, absl::string_view node);

// The batch of a log message, without callbacks. InvalidArgument, saying what is wrong,
// for data that is not a ReplicatedBatch or lacks its agent, sequence, digest or an
// entry's keys.
absl::StatusOr<QueuedBatch> DecodeReplicatedBatch(absl::string_view data);

// The batch's message id in the log: agent, sequence and digest, so that a resend within
// the log's duplicate window is stored once while another batch under a sequence already
// taken is not mistaken for it (the collectors' writers refuse it as a conflict).
std::string ReplicatedBatchId(const QueuedBatch& batch);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REPLICATION_BATCH_CODEC_H_
