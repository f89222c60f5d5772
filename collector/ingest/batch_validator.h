#ifndef POSTURA_COLLECTOR_INGEST_BATCH_VALIDATOR_H_
#define POSTURA_COLLECTOR_INGEST_BATCH_VALIDATOR_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "collector/registry/registry_model.h"
#include "collector/store/evidence_records.h"
#include "common/model/catalog.h"
#include "postura/v1/ingest.pb.h"

namespace postura::collector {

struct ValidationLimits {
  uint32_t max_detail_bytes = 1024;
  // At most kMaxObservedAheadOfReceipt, which as-of reads rely on.
  absl::Duration max_future_skew = kMaxObservedAheadOfReceipt;
};

// The verdict on each item of a batch.
struct BatchVerdict {
  std::vector<bool> valid;                // valid[i]: item i will be stored.
  std::vector<v1::Rejection> rejections;  // One per invalid item, in item order.
};

// Checks every item of `batch` as reported by the agent with `binding`, at time `now`:
// known outcome, known level and kind, observed_at not beyond now + max_future_skew,
// expires_at after observed_at, asset bound to the agent, check id present, detail and
// content hash within limits. Pure; thread-safe.
BatchVerdict ValidateBatch(const v1::Batch& batch, const AgentBinding& binding,
                           const Catalog& catalog, const ValidationLimits& limits, absl::Time now);

// The SHA-256 of the batch's items as the agent sent them, valid or not: over each item's
// deterministic serialization, preceded by its length (8 bytes, big-endian). A resend of
// a batch has the same digest; another batch under the same sequence almost surely not
// (IngestWriter tells the two apart with it). Pure; thread-safe.
std::array<uint8_t, 32> BatchDigest(const v1::Batch& batch);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_INGEST_BATCH_VALIDATOR_H_
