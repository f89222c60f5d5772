#ifndef POSTURA_COMMON_TRANSPORT_EVIDENCE_PROOF_H_
#define POSTURA_COMMON_TRANSPORT_EVIDENCE_PROOF_H_

// Checks an evidence proof (postura/v1/evidence_proof.proto) offline: that each stored
// item is, byte for byte in its canonical form, an item its agent sealed and signed
// (evidence_seal.h), with a certificate of the agent CA that was valid when the batch
// arrived and that names that agent. `postura evidence verify` runs it on what the
// collector exported, so the check trusts nothing the collector says about itself: only
// the agent CA's certificate, and only when the caller passes its own copy of it.
//
// Pure function; any thread may call it.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postura/v1/evidence_proof.pb.h"

namespace postura {

enum class ItemVerdict {
  kVerified,  // Signed by the agent named, unchanged.
  kUnsigned,  // No seal for its batch: it came over a bearer credential, or the seal is gone.
  kFailed,    // A seal exists but does not prove the item: see the reason.
};

// The verdict on one item that is not verified.
struct ItemFinding {
  int index = 0;  // In EvidenceProof.items.
  ItemVerdict verdict = ItemVerdict::kFailed;
  std::string reason;  // For kFailed: what does not hold, naming the agent and batch.
};

struct ProofReport {
  int verified = 0;
  int unsigned_items = 0;
  int failed = 0;
  std::vector<ItemFinding> findings;  // Unsigned and failed items, in the proof's order.
  // True when the caller gave a CA and the proof names another one.
  bool ca_differs = false;
};

// Checks every item of `proof` issued at or after `since` (InfinitePast: all). The CA is
// `trusted_ca_pem` when given, else the proof's own (which then proves only that the
// items match what the holder of that CA's agents signed). InvalidArgument if the CA does
// not parse; everything wrong with an item, a seal or a certificate is a finding instead.
absl::StatusOr<ProofReport> VerifyEvidenceProof(const v1::EvidenceProof& proof,
                                                absl::string_view trusted_ca_pem,
                                                absl::Time since = absl::InfinitePast());

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_EVIDENCE_PROOF_H_
