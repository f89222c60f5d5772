#include "collector/replication/batch_codec.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "postura/v1/replication.pb.h"

namespace postura::collector {

std::string EncodeReplicatedBatch(const QueuedBatch& batch, absl::string_view node) {
  v1::ReplicatedBatch message;
  message.set_agent_id(batch.agent_id);
  message.set_sequence(batch.sequence);
  message.set_dropped_items_total(batch.dropped_items_total);
  message.set_digest(batch.digest.data(), batch.digest.size());
  message.set_peer(batch.peer);
  message.set_received_by(std::string(node));
  for (const EncodedBatch::Entry& entry : batch.encoded.entries) {
    v1::ReplicatedEntry& out = *message.add_entries();
    out.set_evidence_key(entry.evidence_key);
    out.set_value(entry.value);
    out.set_state_key(entry.state_key);
    out.set_state_value(entry.state_value);
    out.set_level(entry.level);
    out.set_attested(entry.attested);
    out.set_observed_at_unix_nanos(entry.observed_at_unix_nanos);
    out.set_expires_at_unix_nanos(entry.expires_at_unix_nanos);
  }
  message.set_seal_key(batch.encoded.seal_key);
  message.set_seal_value(batch.encoded.seal_value);
  message.set_certificate_key(batch.encoded.certificate_key);
  message.set_certificate_value(batch.encoded.certificate_value);
  return message.SerializeAsString();
}

std::string EncodeRegistryChange(const v1::RegistryChange& change, absl::string_view node) {
  v1::ReplicatedBatch message;
  *message.mutable_registry_change() = change;
  message.set_received_by(std::string(node));
  return message.SerializeAsString();
}

namespace {

absl::StatusOr<QueuedBatch> BatchOf(v1::ReplicatedBatch& message) {
  if (message.agent_id().empty() || message.sequence() == 0) {
    return absl::InvalidArgumentError("a replicated batch without its agent or sequence");
  }
  QueuedBatch batch;
  if (message.digest().size() != batch.digest.size()) {
    return absl::InvalidArgumentError(absl::StrCat("replicated batch ", message.agent_id(), "/",
                                                   message.sequence(), ": its digest has ",
                                                   message.digest().size(), " bytes, not 32"));
  }
  batch.agent_id = message.agent_id();
  batch.sequence = message.sequence();
  batch.dropped_items_total = message.dropped_items_total();
  std::copy(message.digest().begin(), message.digest().end(), batch.digest.begin());
  batch.peer = message.peer();
  for (v1::ReplicatedEntry& entry : *message.mutable_entries()) {
    if (entry.evidence_key().empty() || entry.state_key().empty() ||
        !v1::Level_IsValid(entry.level()) || entry.level() == v1::LEVEL_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("replicated batch ", batch.agent_id, "/",
                                                     batch.sequence,
                                                     ": an entry without its keys or level"));
    }
    batch.encoded.entries.push_back({.evidence_key = std::move(*entry.mutable_evidence_key()),
                                     .value = std::move(*entry.mutable_value()),
                                     .state_key = std::move(*entry.mutable_state_key()),
                                     .state_value = std::move(*entry.mutable_state_value()),
                                     .level = entry.level(),
                                     .attested = entry.attested(),
                                     .observed_at_unix_nanos = entry.observed_at_unix_nanos(),
                                     .expires_at_unix_nanos = entry.expires_at_unix_nanos()});
  }
  if (message.seal_key().empty() != message.seal_value().empty() ||
      message.certificate_key().empty() != message.certificate_value().empty()) {
    return absl::InvalidArgumentError(absl::StrCat("replicated batch ", batch.agent_id, "/",
                                                   batch.sequence,
                                                   ": a seal or certificate without its key"));
  }
  batch.encoded.seal_key = std::move(*message.mutable_seal_key());
  batch.encoded.seal_value = std::move(*message.mutable_seal_value());
  batch.encoded.certificate_key = std::move(*message.mutable_certificate_key());
  batch.encoded.certificate_value = std::move(*message.mutable_certificate_value());
  return batch;
}

}  // namespace

absl::StatusOr<LogEntry> DecodeLogEntry(absl::string_view data) {
  v1::ReplicatedBatch message;
  if (!message.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return absl::InvalidArgumentError("a replicated batch that does not parse");
  }
  if (message.has_registry_change()) {
    if (message.registry_change().change_case() == v1::RegistryChange::CHANGE_NOT_SET) {
      return absl::InvalidArgumentError("a registry change that names no change");
    }
    return std::move(*message.mutable_registry_change());
  }
  absl::StatusOr<QueuedBatch> batch = BatchOf(message);
  if (!batch.ok()) return batch.status();
  return *std::move(batch);
}

absl::StatusOr<QueuedBatch> DecodeReplicatedBatch(absl::string_view data) {
  absl::StatusOr<LogEntry> entry = DecodeLogEntry(data);
  if (!entry.ok()) return entry.status();
  if (QueuedBatch* batch = std::get_if<QueuedBatch>(&*entry)) return std::move(*batch);
  return absl::InvalidArgumentError("a registry change where a batch was expected");
}

std::string ReplicatedBatchId(const QueuedBatch& batch) {
  const absl::string_view digest(reinterpret_cast<const char*>(batch.digest.data()),
                                 batch.digest.size());
  return absl::StrCat(batch.agent_id, "/", batch.sequence, "/", absl::BytesToHexString(digest));
}

}  // namespace postura::collector
