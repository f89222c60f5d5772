// Fuzzes the signature paths of signed evidence (issue 22, item 7): an input is a
// serialized v1::Batch as an agent's stream delivers it, signature included. The collector
// checks it against the stream's certificate (collector/ingest/batch_seals.h): with the
// input's own signature the check must refuse as Unauthenticated, never crash. Signed
// properly with the certificate's key, the same items must pass, and the proof made of
// them must verify offline (common/transport/evidence_proof.h); one item changed under
// that signature must fail both checks.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "collector/testing/signing_agent.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/evidence_proof.h"
#include "common/transport/evidence_seal.h"
#include "postura/v1/evidence_proof.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura {
namespace {

constexpr char kAgent[] = "web-01";

// The agent CA, the agent's key and the checker of its certificate, made once; batches
// arrive at `now`, when the CA (made with the real clock) and the certificate are valid.
const collector::SigningAgent& Agent() {
  static const collector::SigningAgent* const agent = new collector::SigningAgent(kAgent);
  return *agent;
}

// A proof of `batch`'s items under `seal`, as the collector would export it.
v1::EvidenceProof ProofOf(const v1::Batch& batch, const v1::BatchSealRecord& seal) {
  v1::EvidenceProof proof;
  for (int i = 0; i < batch.items_size(); ++i) {
    v1::StoredEvidence* stored = proof.add_items();
    *stored->mutable_evidence() = batch.items(i);
    stored->set_agent_id(kAgent);
    stored->set_sequence(batch.sequence());
    stored->set_index(i);
    stored->set_received_at_unix_nanos(absl::ToUnixNanos(Agent().now));
  }
  *proof.add_seals() = seal;
  proof.add_agent_certificates_pem(Agent().certificate_pem);
  proof.set_agent_ca_certificate_pem(Agent().ca.certificate_pem);
  return proof;
}

}  // namespace
}  // namespace postura

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postura;  // NOLINT: the fuzzer's entry point lives outside the namespace.
  v1::Batch batch;
  if (!batch.ParseFromArray(data, static_cast<int>(size))) return 0;
  const collector::SigningAgent& agent = Agent();
  absl::StatusOr<v1::BatchSealRecord> as_sent = agent.checker.Check(kAgent, batch, agent.now);
  if (!as_sent.ok() && as_sent.status().code() != absl::StatusCode::kUnauthenticated) {
    __builtin_trap();
  }
  agent.Sign(batch);
  absl::StatusOr<v1::BatchSealRecord> seal = agent.checker.Check(kAgent, batch, agent.now);
  if (!seal.ok() || seal->item_digests().size() != 32u * batch.items_size()) __builtin_trap();
  absl::StatusOr<ProofReport> report =
      VerifyEvidenceProof(ProofOf(batch, *seal), agent.ca.certificate_pem);
  if (!report.ok() || report->verified != batch.items_size() || report->failed != 0) {
    __builtin_trap();
  }
  if (batch.items_size() == 0) return 0;
  v1::Evidence& changed = *batch.mutable_items(batch.items_size() - 1);
  changed.set_detail(changed.detail() + "!");
  if (agent.checker.Check(kAgent, batch, agent.now).ok()) __builtin_trap();
  report = VerifyEvidenceProof(ProofOf(batch, *seal), agent.ca.certificate_pem);
  if (!report.ok() || report->failed != 1) __builtin_trap();
  return 0;
}
