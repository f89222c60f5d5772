#ifndef POSTURA_COLLECTOR_TESTING_SIGNING_AGENT_H_
#define POSTURA_COLLECTOR_TESTING_SIGNING_AGENT_H_

// For tests, fuzzers and benchmarks of signed evidence: an agent CA made now, an agent's
// key and the certificate the CA issued for it (valid from now for a day), the agent's
// signer, and the collector's checker for that certificate (collector/ingest/batch_seals.h).
// Header-only. Making one costs a few milliseconds of key generation; immutable after.

#include <string>

#include "absl/time/clock.h"
#include "collector/ingest/batch_seals.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/evidence_seal.h"

namespace postura::collector {

struct SigningAgent {
  explicit SigningAgent(std::string id) : agent_id(std::move(id)) {}

  std::string agent_id;
  absl::Time now = absl::Now();
  AgentCertificateAuthority ca = NewAgentCertificateAuthority().value();
  std::string key_pem = NewAgentKeyPem().value();
  std::string certificate_pem =
      IssueAgentCertificate(ca, AgentSigningRequestPem(key_pem, agent_id).value(), agent_id, "",
                            now, absl::Hours(24))
          .value();
  std::string serial = ReadAgentCertificate(certificate_pem).value().serial;
  EvidenceSigner signer = EvidenceSigner::FromKeyPem(key_pem).value();
  BatchSealChecker checker = BatchSealChecker::ForCertificate(certificate_pem, serial).value();

  // Signs `batch` as this agent.
  void Sign(v1::Batch& batch) const {
    batch.set_signature(
        signer.Sign(SealOfItems(agent_id, batch.sequence(), batch.items())).value());
  }
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_TESTING_SIGNING_AGENT_H_
