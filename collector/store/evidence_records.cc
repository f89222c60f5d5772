#include "collector/store/evidence_records.h"

#include "absl/strings/str_cat.h"
#include "collector/store/store_keys.h"

namespace postura::collector {

uint64_t EncodedBatch::bytes() const {
  uint64_t total = sizeof(*this) + entries.capacity() * sizeof(Entry) + seal_key.capacity() +
                   seal_value.capacity();
  for (const Entry& entry : entries) {
    total += entry.evidence_key.capacity() + entry.value.capacity() + entry.state_key.capacity() +
             entry.state_value.capacity();
  }
  return total;
}

EncodedBatch EncodeBatch(const std::string& agent_id, v1::Batch& batch,
                         const std::vector<bool>& valid, absl::Time received_at) {
  EncodedBatch encoded;
  v1::StoredEvidence record;
  record.set_agent_id(agent_id);
  record.set_sequence(batch.sequence());
  record.set_received_at_unix_nanos(absl::ToUnixNanos(received_at));
  v1::SourceState state;
  state.set_sequence(batch.sequence());
  state.set_received_at_unix_nanos(record.received_at_unix_nanos());
  for (int i = 0; i < batch.items_size(); ++i) {
    if (!valid[i]) continue;
    v1::Evidence& item = *batch.mutable_items(i);
    EncodedBatch::Entry& entry = encoded.entries.emplace_back();
    entry.evidence_key = EvidenceKey(item.asset_id(), item.outcome_id(),
                                     item.observed_at_unix_nanos(), agent_id, batch.sequence(), i);
    entry.state_key = StateKey(item.asset_id(), item.outcome_id(), agent_id, item.check_id());
    state.set_level(item.level());
    state.set_kind(item.kind());
    state.set_observed_at_unix_nanos(item.observed_at_unix_nanos());
    state.set_expires_at_unix_nanos(item.expires_at_unix_nanos());
    state.set_index(i);
    state.SerializeToString(&entry.state_value);
    entry.level = item.level();
    entry.attested = item.kind() == v1::ATTESTED;
    entry.observed_at_unix_nanos = item.observed_at_unix_nanos();
    entry.expires_at_unix_nanos = item.expires_at_unix_nanos();
    record.mutable_evidence()->Swap(&item);
    record.set_index(i);
    record.SerializeToString(&entry.value);
  }
  return encoded;
}

std::string EncodeProgress(const AgentProgress& progress) {
  std::string out;
  for (uint64_t value :
       {progress.last_sequence, progress.dropped_items_total, progress.items_stored}) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
  }
  return out;
}

std::optional<AgentProgress> DecodeProgress(absl::string_view bytes) {
  if (bytes.size() != 24) return std::nullopt;
  uint64_t values[3] = {0, 0, 0};
  for (int i = 0; i < 24; ++i)
    values[i / 8] = (values[i / 8] << 8) | static_cast<unsigned char>(bytes[i]);
  return AgentProgress{values[0], values[1], values[2]};
}

absl::StatusOr<v1::SourceState> ParseStateRecord(absl::string_view key, absl::string_view value) {
  v1::SourceState state;
  std::optional<StateKeyParts> parts = ParseStateKey(key);
  if (!parts || !state.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(
        absl::StrCat("corrupt state record (key of ", key.size(), " bytes)"));
  }
  state.set_asset_id(std::string(parts->asset));
  state.set_outcome_id(std::string(parts->outcome));
  state.set_agent_id(std::string(parts->agent));
  state.set_check_id(std::string(parts->check));
  return state;
}

}  // namespace postura::collector
