#ifndef POSTURA_COMMON_TRANSPORT_EVIDENCE_SEAL_H_
#define POSTURA_COMMON_TRANSPORT_EVIDENCE_SEAL_H_

// Signed evidence (issue 22, item 2): an agent seals each batch with its own key (the key
// of its agent certificate, agent_certificate.h), so that whoever holds the stored items,
// the seal and the agent's certificate can later prove, offline, that each item came
// unchanged from that agent, and nobody (the collector's operator included) can make up
// an agent's or a supplier's evidence.
//
// Canonical forms (docs/security.md, "Signed evidence", states them for other verifiers):
// - An item's canonical bytes: the tag "postura.evidence.v1", then asset_id, outcome_id,
//   the level's number, observed_at_unix_nanos, expires_at_unix_nanos, check_id, the
//   kind's number, detail and content_sha256, each as a field: a string or bytes field is
//   its length (4 bytes, big-endian) and its bytes; a number is 8 bytes, big-endian, two's
//   complement. The item's digest is the SHA-256 of its canonical bytes.
// - A seal's canonical bytes: the tag "postura.batch-seal.v1", the agent id (a string
//   field), the batch sequence (8 bytes), the number of items (4 bytes), then each item's
//   digest (32 bytes), in the batch's order. Every item the agent sent is in the seal,
//   also those the collector later rejects, so a stored item is checked against its digest
//   at its index.
// - The signature: ECDSA with SHA-256 over the seal's canonical bytes, DER-encoded, by
//   the EC P-256 key of the agent's certificate.
//
// Pure functions and immutable objects over OpenSSL; any thread may call them, and one
// signer or verifier may be used by several threads at once.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/transport/p256_signature.h"
#include "postura/v1/evidence.pb.h"

namespace postura {

// SHA-256, 32 bytes.
using EvidenceDigest = std::array<uint8_t, 32>;

// The canonical bytes of one item, and their SHA-256.
std::string CanonicalEvidence(const v1::Evidence& item);
EvidenceDigest DigestOfEvidence(const v1::Evidence& item);

// What an agent signs for one batch.
struct BatchSeal {
  std::string agent_id;
  uint64_t sequence = 0;
  std::vector<EvidenceDigest> item_digests;  // In the batch's order.
};

// The seal of `items`, sent by `agent_id` as batch `sequence`.
BatchSeal SealOfItems(absl::string_view agent_id, uint64_t sequence,
                      const google::protobuf::RepeatedPtrField<v1::Evidence>& items);

// The canonical bytes of a seal.
std::string CanonicalSeal(const BatchSeal& seal);

// Signs seals with an agent's private key. Immutable once made.
class EvidenceSigner {
 public:
  // InvalidArgument if `key_pem` holds no private key or not an EC P-256 one.
  static absl::StatusOr<EvidenceSigner> FromKeyPem(absl::string_view key_pem);

  // The DER-encoded ECDSA signature of the seal's canonical bytes. Internal if OpenSSL
  // fails.
  absl::StatusOr<std::string> Sign(const BatchSeal& seal) const;

 private:
  explicit EvidenceSigner(P256Signer signer) : signer_(std::move(signer)) {}
  P256Signer signer_;
};

// Checks seals against the public key of an agent's certificate. Immutable once made.
class EvidenceVerifier {
 public:
  // The first certificate in `certificate_pem`. InvalidArgument if there is none or its
  // key is not EC P-256. Whether the certificate itself may be trusted (its CA, its
  // validity when the batch arrived) is the caller's question: VerifyAgentCertificate.
  static absl::StatusOr<EvidenceVerifier> FromCertificatePem(absl::string_view certificate_pem);

  // OK if `signature` is the certificate key's signature of the seal. Unauthenticated
  // ("the signature does not match ...") otherwise, also for a signature that is not DER.
  absl::Status Verify(const BatchSeal& seal, absl::string_view signature) const;

 private:
  explicit EvidenceVerifier(P256Verifier verifier) : verifier_(std::move(verifier)) {}
  P256Verifier verifier_;
};

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_EVIDENCE_SEAL_H_
