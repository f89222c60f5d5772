#ifndef POSTURA_COLLECTOR_API_PROOF_EXPORT_H_
#define POSTURA_COLLECTOR_API_PROOF_EXPORT_H_

// Builds evidence proofs (postura/v1/evidence_proof.proto) for QueryService's
// ExportEvidenceProof: the stored items of the assets asked for, as the caller may see
// them, the seals of their batches, the agent certificates that signed those seals and the
// agent CA's certificate. It checks nothing itself: `postura evidence verify` does, on the
// caller's side (common/transport/evidence_proof.h), so that the proof needs no trust in
// the collector.
//
// Called on gRPC threads; reads the store and the registry only. Thread-safe; everything
// borrowed must outlive it.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "collector/access/access_policy.h"
#include "collector/registry/registry.h"
#include "collector/store/evidence_store.h"
#include "postura/v1/evidence_proof.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// Items one export holds when the request names no limit, and at most.
inline constexpr uint32_t kDefaultProofItems = 100'000;
inline constexpr uint32_t kMaxProofItems = 1'000'000;

class ProofExporter {
 public:
  // `agent_ca_certificate_pem`: the agent CA's certificate, copied into each proof; empty
  // when the collector has no agent CA (then nothing is signed).
  ProofExporter(const EvidenceStore& store, const Registry& registry,
                std::string agent_ca_certificate_pem)
      : store_(store),
        registry_(registry),
        agent_ca_certificate_pem_(std::move(agent_ca_certificate_pem)) {}

  // The proof for `request` as `principal` may see it. InvalidArgument for a bad field,
  // NotFound for an asset it may not see, ResourceExhausted past the item limit,
  // Unavailable/DataLoss if the store fails.
  absl::StatusOr<v1::EvidenceProof> Export(const Principal& principal,
                                           const v1::ExportEvidenceProofRequest& request) const;

 private:
  const EvidenceStore& store_;
  const Registry& registry_;
  const std::string agent_ca_certificate_pem_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PROOF_EXPORT_H_
