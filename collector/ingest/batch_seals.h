#ifndef POSTURA_COLLECTOR_INGEST_BATCH_SEALS_H_
#define POSTURA_COLLECTOR_INGEST_BATCH_SEALS_H_

// Signed evidence at ingest (issue 22, item 2). A stream opened with an agent certificate
// carries batches signed by that certificate's key (Batch.signature): each is checked
// before anything of it is queued, and the seal the agent signed goes into the store with
// the batch's items, the certificate beside it (the store's "seals" family), so that
// `postura evidence verify` can later prove, offline, that each stored item came
// unchanged from the agent (common/transport/evidence_proof.h).
//
// One checker per stream, made when the stream opens; it is immutable, and any thread may
// call it.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "collector/store/evidence_records.h"
#include "common/transport/evidence_seal.h"
#include "postura/v1/evidence_proof.pb.h"
#include "postura/v1/ingest.pb.h"

namespace postura::collector {

class BatchSealChecker {
 public:
  // For a stream whose client presented `certificate_pem`, already admitted
  // (AgentAdmission) under `serial`. InvalidArgument if the certificate does not parse or
  // its key is not EC P-256.
  static absl::StatusOr<BatchSealChecker> ForCertificate(absl::string_view certificate_pem,
                                                         std::string serial);

  // Checks the signature of `batch`, received from `agent_id` at `received`, and returns
  // the seal to keep. Unauthenticated, saying which, if the batch is unsigned or its
  // signature is not the certificate key's over these items.
  absl::StatusOr<v1::BatchSealRecord> Check(absl::string_view agent_id, const v1::Batch& batch,
                                            absl::Time received) const;

  // Puts `seal` into `encoded` (seal_key, seal_value) to be stored with the batch, and the
  // certificate too (certificate_key, certificate_value) when `with_certificate`.
  void Attach(const v1::BatchSealRecord& seal, bool with_certificate, EncodedBatch& encoded) const;

  const std::string& serial() const { return serial_; }

 private:
  BatchSealChecker(EvidenceVerifier verifier, std::string serial, std::string certificate_value)
      : verifier_(std::move(verifier)),
        serial_(std::move(serial)),
        certificate_value_(std::move(certificate_value)) {}

  EvidenceVerifier verifier_;
  std::string serial_;
  std::string certificate_value_;  // A serialized v1::AgentCertificateRecord.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_INGEST_BATCH_SEALS_H_
