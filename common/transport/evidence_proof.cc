#include "common/transport/evidence_proof.h"

#include <cstring>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/evidence_seal.h"
#include "common/transport/x509_pem.h"

namespace postura {
namespace {

// An agent certificate of the proof, read once.
struct KnownCertificate {
  std::string pem;
  std::optional<EvidenceVerifier> verifier;  // Empty if its key does not parse.
};

// What one seal proves: the digests it signed, or why it proves nothing.
struct SealOutcome {
  std::vector<EvidenceDigest> digests;
  std::string failure;  // Empty when the seal holds.
};

std::string SealName(const v1::BatchSealRecord& seal) {
  return absl::StrCat("batch ", seal.sequence(), " of agent ", seal.agent_id());
}

absl::StatusOr<std::vector<EvidenceDigest>> SplitDigests(absl::string_view bytes) {
  if (bytes.size() % sizeof(EvidenceDigest) != 0) {
    return absl::InvalidArgumentError("its digests are not a whole number of 32-byte digests");
  }
  std::vector<EvidenceDigest> digests(bytes.size() / sizeof(EvidenceDigest));
  for (size_t i = 0; i < digests.size(); ++i) {
    std::memcpy(digests[i].data(), bytes.data() + i * sizeof(EvidenceDigest),
                sizeof(EvidenceDigest));
  }
  return digests;
}

class ProofChecker {
 public:
  ProofChecker(const v1::EvidenceProof& proof, std::string ca_pem)
      : proof_(proof), ca_pem_(std::move(ca_pem)) {}

  void ReadCertificates() {
    for (const std::string& pem : proof_.agent_certificates_pem()) {
      // Only read here: each seal verifies it against the CA at the time its batch arrived.
      absl::StatusOr<std::vector<tls_internal::X509Ptr>> parsed =
          tls_internal::ParseCertificates(pem, "an agent certificate");
      if (!parsed.ok()) continue;  // Seals naming it will say it is not in the proof.
      const std::string serial = tls_internal::SerialHex(parsed->front().get());
      absl::StatusOr<EvidenceVerifier> verifier = EvidenceVerifier::FromCertificatePem(pem);
      certificates_[serial] = KnownCertificate{
          pem, verifier.ok() ? std::optional<EvidenceVerifier>(*verifier) : std::nullopt};
    }
  }

  void CheckSeals() {
    for (const v1::BatchSealRecord& seal : proof_.seals()) {
      seals_[{seal.agent_id(), seal.sequence()}] = CheckSeal(seal);
    }
  }

  ProofReport CheckItems(absl::Time since) const {
    ProofReport report;
    for (int i = 0; i < proof_.items_size(); ++i) {
      const v1::StoredEvidence& item = proof_.items(i);
      if (absl::FromUnixNanos(item.received_at_unix_nanos()) < since) continue;
      auto seal = seals_.find(std::make_pair(item.agent_id(), item.sequence()));
      if (seal == seals_.end()) {
        ++report.unsigned_items;
        report.findings.push_back({i, ItemVerdict::kUnsigned, "no seal for its batch"});
        continue;
      }
      std::string failure = seal->second.failure;
      if (failure.empty()) failure = MatchItem(item, seal->second.digests);
      if (failure.empty()) {
        ++report.verified;
      } else {
        ++report.failed;
        report.findings.push_back({i, ItemVerdict::kFailed, std::move(failure)});
      }
    }
    return report;
  }

 private:
  SealOutcome CheckSeal(const v1::BatchSealRecord& seal) const {
    const std::string name = SealName(seal);
    absl::StatusOr<std::vector<EvidenceDigest>> digests = SplitDigests(seal.item_digests());
    if (!digests.ok())
      return {{},
              absl::StrCat("the seal of ", name, " is malformed: ", digests.status().message())};
    auto known = certificates_.find(seal.certificate_serial());
    if (known == certificates_.end() || !known->second.verifier) {
      return {{},
              absl::StrCat("the certificate ", seal.certificate_serial(), " that sealed ", name,
                           " is not in the proof")};
    }
    const absl::Time received = absl::FromUnixNanos(seal.received_at_unix_nanos());
    absl::StatusOr<AgentCertificateFacts> facts =
        VerifyAgentCertificate(known->second.pem, ca_pem_, received);
    if (!facts.ok()) {
      return {{},
              absl::StrCat("the certificate ", seal.certificate_serial(), " that sealed ", name,
                           " was not good when the batch arrived: ", facts.status().message())};
    }
    if (facts->agent_id != seal.agent_id()) {
      return {{},
              absl::StrCat("the certificate ", seal.certificate_serial(), " that sealed ", name,
                           " names agent ", facts->agent_id)};
    }
    BatchSeal signed_seal{seal.agent_id(), seal.sequence(), *digests};
    if (absl::Status match = known->second.verifier->Verify(signed_seal, seal.signature());
        !match.ok()) {
      return {{}, std::string(match.message())};
    }
    return {*std::move(digests), ""};
  }

  static std::string MatchItem(const v1::StoredEvidence& item,
                               const std::vector<EvidenceDigest>& digests) {
    if (item.index() >= digests.size()) {
      return absl::StrCat("batch ", item.sequence(), " of agent ", item.agent_id(),
                          " sealed no item ", item.index());
    }
    if (DigestOfEvidence(item.evidence()) != digests[item.index()]) {
      return absl::StrCat("the item differs from item ", item.index(), " of batch ",
                          item.sequence(), " that agent ", item.agent_id(), " signed");
    }
    return "";
  }

  const v1::EvidenceProof& proof_;
  const std::string ca_pem_;
  absl::flat_hash_map<std::string, KnownCertificate> certificates_;
  absl::flat_hash_map<std::pair<std::string, uint64_t>, SealOutcome> seals_;
};

}  // namespace

absl::StatusOr<ProofReport> VerifyEvidenceProof(const v1::EvidenceProof& proof,
                                                absl::string_view trusted_ca_pem,
                                                absl::Time since) {
  const std::string ca_pem =
      std::string(trusted_ca_pem.empty() ? proof.agent_ca_certificate_pem() : trusted_ca_pem);
  if (ca_pem.empty()) {
    return absl::InvalidArgumentError(
        "no agent CA to check against: the proof names none, and none was given");
  }
  if (absl::StatusOr<std::vector<tls_internal::X509Ptr>> ca =
          tls_internal::ParseCertificates(ca_pem, "the agent CA's certificate");
      !ca.ok()) {
    return ca.status();
  }
  ProofChecker checker(proof, ca_pem);
  checker.ReadCertificates();
  checker.CheckSeals();
  ProofReport report = checker.CheckItems(since);
  report.ca_differs = !trusted_ca_pem.empty() && trusted_ca_pem != proof.agent_ca_certificate_pem();
  return report;
}

}  // namespace postura
