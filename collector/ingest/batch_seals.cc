#include "collector/ingest/batch_seals.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/store/store_keys.h"
#include "common/transport/agent_certificate.h"

namespace postura::collector {

absl::StatusOr<BatchSealChecker> BatchSealChecker::ForCertificate(absl::string_view certificate_pem,
                                                                  std::string serial) {
  absl::StatusOr<EvidenceVerifier> verifier = EvidenceVerifier::FromCertificatePem(certificate_pem);
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<AgentCertificateFacts> facts = ReadAgentCertificate(certificate_pem);
  if (!facts.ok()) return absl::InvalidArgumentError(facts.status().message());
  v1::AgentCertificateRecord record;
  record.set_certificate_pem(std::string(certificate_pem));
  record.set_not_after_unix_nanos(absl::ToUnixNanos(facts->not_after));
  return BatchSealChecker(*std::move(verifier), std::move(serial), record.SerializeAsString());
}

absl::StatusOr<v1::BatchSealRecord> BatchSealChecker::Check(absl::string_view agent_id,
                                                            const v1::Batch& batch,
                                                            absl::Time received) const {
  if (batch.signature().empty()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "batch ", batch.sequence(),
        " is unsigned: a stream opened with an agent certificate carries signed batches only"));
  }
  BatchSeal seal = SealOfItems(agent_id, batch.sequence(), batch.items());
  if (absl::Status verified = verifier_.Verify(seal, batch.signature()); !verified.ok()) {
    return absl::UnauthenticatedError(
        absl::StrCat(verified.message(),
                     ": its items are not those its agent signed, or another key "
                     "signed them (certificate serial ",
                     serial_, ")"));
  }
  v1::BatchSealRecord record;
  record.set_agent_id(std::string(agent_id));
  record.set_sequence(batch.sequence());
  std::string* digests = record.mutable_item_digests();
  digests->reserve(seal.item_digests.size() * sizeof(EvidenceDigest));
  for (const EvidenceDigest& digest : seal.item_digests) {
    digests->append(reinterpret_cast<const char*>(digest.data()), digest.size());
  }
  record.set_signature(batch.signature());
  record.set_certificate_serial(serial_);
  record.set_received_at_unix_nanos(absl::ToUnixNanos(received));
  return record;
}

void BatchSealChecker::Attach(const v1::BatchSealRecord& seal, bool with_certificate,
                              EncodedBatch& encoded) const {
  encoded.seal_key = SealKey(seal.agent_id(), seal.sequence());
  encoded.seal_value = seal.SerializeAsString();
  if (with_certificate) {
    encoded.certificate_key = CertificateKey(serial_);
    encoded.certificate_value = certificate_value_;
  }
}

}  // namespace postura::collector
