// Fuzzes the collector's ingest checks: an input is a serialized v1::Batch, as an agent
// sends it. Every batch must get one verdict per item and one rejection per invalid item,
// and every valid item must encode into store keys that give its ids back.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "collector/ingest/batch_validator.h"
#include "collector/registry/registry.h"
#include "collector/store/evidence_store.h"
#include "collector/store/store_keys.h"
#include "common/model/catalog.h"
#include "postura/v1/ingest.pb.h"

namespace postura::collector {
namespace {

// The seeds in tests/fuzz/corpus/ingest_batch report for these assets.
AgentBinding MakeBinding() {
  AgentBinding binding;
  binding.agent_id = "web-01";
  binding.asset_ids = {"public-web-portal", "db-01"};
  return binding;
}

// Mid-November 2023, as the seeds' observed_at times.
constexpr int64_t kNowUnixSeconds = 1'700'000'000;

void CheckVerdict(const v1::Batch& batch, const BatchVerdict& verdict) {
  if (verdict.valid.size() != static_cast<std::size_t>(batch.items_size())) __builtin_trap();
  std::size_t invalid = 0;
  for (bool valid : verdict.valid) invalid += valid ? 0 : 1;
  if (verdict.rejections.size() != invalid) __builtin_trap();
  int64_t previous = -1;
  for (const v1::Rejection& rejection : verdict.rejections) {
    // In item order, each naming an invalid item and a reason.
    if (static_cast<int64_t>(rejection.index()) <= previous) __builtin_trap();
    if (rejection.index() >= verdict.valid.size()) __builtin_trap();
    if (verdict.valid[rejection.index()]) __builtin_trap();
    if (rejection.reason() == v1::REJECT_REASON_UNSPECIFIED) __builtin_trap();
    previous = rejection.index();
  }
}

// `items` holds copies of the batch's items from before EncodeBatch consumed them.
void CheckEncoded(const std::string& agent_id, const std::vector<v1::Evidence>& items,
                  const std::vector<bool>& valid, const EncodedBatch& encoded) {
  std::size_t next = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!valid[i]) continue;
    if (next >= encoded.entries.size()) __builtin_trap();
    const EncodedBatch::Entry& entry = encoded.entries[next++];
    const v1::Evidence& item = items[i];
    std::optional<StateKeyParts> parts = ParseStateKey(entry.state_key);
    if (!parts || parts->asset != item.asset_id() || parts->outcome != item.outcome_id() ||
        parts->agent != agent_id || parts->check != item.check_id()) {
      __builtin_trap();
    }
    if (EvidenceKeyObservedAt(entry.evidence_key) != item.observed_at_unix_nanos()) {
      __builtin_trap();
    }
    if (entry.level != item.level()) __builtin_trap();
  }
  if (next != encoded.entries.size()) __builtin_trap();
}

void FuzzBatch(const uint8_t* data, std::size_t size) {
  static const AgentBinding& binding = *new AgentBinding(MakeBinding());
  const Catalog& catalog = Catalog::Builtin();
  v1::Batch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return;
  const absl::Time now = absl::FromUnixSeconds(kNowUnixSeconds);
  const BatchVerdict verdict = ValidateBatch(batch, binding, catalog, ValidationLimits(), now);
  CheckVerdict(batch, verdict);

  const std::vector<v1::Evidence> items(batch.items().begin(), batch.items().end());
  const EncodedBatch encoded = EncodeBatch(binding.agent_id, batch, verdict.valid, now);
  CheckEncoded(binding.agent_id, items, verdict.valid, encoded);
}

}  // namespace
}  // namespace postura::collector

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::collector::FuzzBatch(data, size);
  return 0;
}
