#include "collector/store/evidence_records.h"

#include "absl/strings/str_cat.h"
#include "collector/store/store_keys.h"

namespace postura::collector {

uint64_t EncodedBatch::bytes() const {
  uint64_t total = sizeof(*this) + entries.capacity() * sizeof(Entry) + seal_key.capacity() +
                   seal_value.capacity() + certificate_key.capacity() +
                   certificate_value.capacity();
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

namespace {

constexpr size_t kLegacyProgressBytes = 24;
constexpr size_t kProgressHeadBytes = 40;
constexpr size_t kAppliedBatchBytes = 8 + 32;

void PutBigEndian(uint64_t value, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

uint64_t BigEndianAt(absl::string_view bytes, size_t at) {
  uint64_t value = 0;
  for (size_t i = at; i < at + 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

std::string EncodeLogPosition(uint64_t position) {
  std::string out;
  PutBigEndian(position, out);
  return out;
}

std::optional<uint64_t> DecodeLogPosition(absl::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return BigEndianAt(bytes, 0);
}

std::string EncodeProgress(const AgentProgress& progress) {
  std::string out;
  out.reserve(kProgressHeadBytes + progress.recent.size() * kAppliedBatchBytes);
  for (uint64_t value :
       {progress.last_sequence, progress.dropped_items_total, progress.items_stored,
        progress.sequence_conflicts, static_cast<uint64_t>(progress.last_conflict_unix_nanos)}) {
    PutBigEndian(value, out);
  }
  for (const AppliedBatch& batch : progress.recent) {
    PutBigEndian(batch.sequence, out);
    out.append(reinterpret_cast<const char*>(batch.digest.data()), batch.digest.size());
  }
  return out;
}

std::optional<AgentProgress> DecodeProgress(absl::string_view bytes) {
  const bool legacy = bytes.size() == kLegacyProgressBytes;
  if (!legacy && (bytes.size() < kProgressHeadBytes ||
                  (bytes.size() - kProgressHeadBytes) % kAppliedBatchBytes != 0)) {
    return std::nullopt;
  }
  AgentProgress progress;
  progress.last_sequence = BigEndianAt(bytes, 0);
  progress.dropped_items_total = BigEndianAt(bytes, 8);
  progress.items_stored = BigEndianAt(bytes, 16);
  if (legacy) return progress;
  progress.sequence_conflicts = BigEndianAt(bytes, 24);
  progress.last_conflict_unix_nanos = static_cast<int64_t>(BigEndianAt(bytes, 32));
  for (size_t at = kProgressHeadBytes; at < bytes.size(); at += kAppliedBatchBytes) {
    AppliedBatch& batch = progress.recent.emplace_back();
    batch.sequence = BigEndianAt(bytes, at);
    bytes.substr(at + 8, batch.digest.size())
        .copy(reinterpret_cast<char*>(batch.digest.data()), batch.digest.size());
  }
  return progress;
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
