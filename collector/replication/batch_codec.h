#ifndef POSTURA_COLLECTOR_REPLICATION_BATCH_CODEC_H_
#define POSTURA_COLLECTOR_REPLICATION_BATCH_CODEC_H_

// What the collectors of a cluster carry on their replicated log (v1::ReplicatedBatch):
// ingest batches, with what makes a QueuedBatch durable (its agent, sequence, digest and
// encoded records), not its callbacks nor the rejections its Ack reports; and changes of
// the registry, which every collector applies in log order.

#include <string>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collector/ingest/ingest_writer.h"
#include "postura/v1/replication.pb.h"

namespace postura::collector {

// The log message of `batch`, received by collector `node`.
std::string EncodeReplicatedBatch(const QueuedBatch& batch, absl::string_view node);

// The log message of a registry change made at collector `node`.
std::string EncodeRegistryChange(const v1::RegistryChange& change, absl::string_view node);

// A message of the log: a batch (without callbacks) or a registry change.
using LogEntry = std::variant<QueuedBatch, v1::RegistryChange>;

// The entry of a log message. InvalidArgument, saying what is wrong, for data that is not
// a ReplicatedBatch, a batch that lacks its agent, sequence, digest or an entry's keys,
// or a registry change that names no change.
absl::StatusOr<LogEntry> DecodeLogEntry(absl::string_view data);

// The same for a message that must be a batch.
absl::StatusOr<QueuedBatch> DecodeReplicatedBatch(absl::string_view data);

// The batch's message id in the log: agent, sequence and digest, so that a resend within
// the log's duplicate window is stored once while another batch under a sequence already
// taken is not mistaken for it (the collectors' writers refuse it as a conflict).
std::string ReplicatedBatchId(const QueuedBatch& batch);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REPLICATION_BATCH_CODEC_H_
