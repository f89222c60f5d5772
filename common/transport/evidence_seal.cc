#include "common/transport/evidence_seal.h"

#include <openssl/sha.h>

#include <utility>

#include "absl/strings/str_cat.h"

namespace postura {
namespace {

constexpr absl::string_view kEvidenceTag = "postura.evidence.v1";
constexpr absl::string_view kSealTag = "postura.batch-seal.v1";

// Appends the low `width` bytes of `value`, most significant first.
void AppendBigEndian(std::string& out, uint64_t value, int width) {
  for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

void AppendNumber(std::string& out, uint64_t value) { AppendBigEndian(out, value, 8); }
void AppendCount(std::string& out, uint32_t value) { AppendBigEndian(out, value, 4); }

void AppendField(std::string& out, absl::string_view text) {
  AppendCount(out, static_cast<uint32_t>(text.size()));
  out.append(text.data(), text.size());
}

}  // namespace

std::string CanonicalEvidence(const v1::Evidence& item) {
  std::string out;
  out.reserve(128 + item.detail().size());
  AppendField(out, kEvidenceTag);
  AppendField(out, item.asset_id());
  AppendField(out, item.outcome_id());
  AppendNumber(out, static_cast<uint64_t>(item.level()));
  AppendNumber(out, static_cast<uint64_t>(item.observed_at_unix_nanos()));
  AppendNumber(out, static_cast<uint64_t>(item.expires_at_unix_nanos()));
  AppendField(out, item.check_id());
  AppendNumber(out, static_cast<uint64_t>(item.kind()));
  AppendField(out, item.detail());
  AppendField(out, item.content_sha256());
  return out;
}

EvidenceDigest DigestOfEvidence(const v1::Evidence& item) {
  const std::string canonical = CanonicalEvidence(item);
  EvidenceDigest digest;
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), digest.data());
  return digest;
}

BatchSeal SealOfItems(absl::string_view agent_id, uint64_t sequence,
                      const google::protobuf::RepeatedPtrField<v1::Evidence>& items) {
  BatchSeal seal{std::string(agent_id), sequence, {}};
  seal.item_digests.reserve(items.size());
  for (const v1::Evidence& item : items) seal.item_digests.push_back(DigestOfEvidence(item));
  return seal;
}

std::string CanonicalSeal(const BatchSeal& seal) {
  std::string out;
  out.reserve(64 + seal.agent_id.size() + 32 * seal.item_digests.size());
  AppendField(out, kSealTag);
  AppendField(out, seal.agent_id);
  AppendNumber(out, seal.sequence);
  AppendCount(out, static_cast<uint32_t>(seal.item_digests.size()));
  for (const EvidenceDigest& digest : seal.item_digests) {
    out.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  }
  return out;
}

absl::StatusOr<EvidenceSigner> EvidenceSigner::FromKeyPem(absl::string_view key_pem) {
  absl::StatusOr<P256Signer> signer = P256Signer::FromKeyPem(key_pem, "the agent key");
  if (!signer.ok()) return signer.status();
  return EvidenceSigner(*std::move(signer));
}

absl::StatusOr<std::string> EvidenceSigner::Sign(const BatchSeal& seal) const {
  absl::StatusOr<std::string> signature = signer_.Sign(CanonicalSeal(seal));
  if (!signature.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot sign the batch seal: ", signature.status().message()));
  }
  return signature;
}

absl::StatusOr<EvidenceVerifier> EvidenceVerifier::FromCertificatePem(
    absl::string_view certificate_pem) {
  absl::StatusOr<P256Verifier> verifier =
      P256Verifier::FromCertificatePem(certificate_pem, "the agent certificate");
  if (!verifier.ok()) return verifier.status();
  return EvidenceVerifier(*std::move(verifier));
}

absl::Status EvidenceVerifier::Verify(const BatchSeal& seal, absl::string_view signature) const {
  if (verifier_.Matches(CanonicalSeal(seal), signature)) return absl::OkStatus();
  return absl::UnauthenticatedError(absl::StrCat("the signature does not match the seal of batch ",
                                                 seal.sequence, " of agent ", seal.agent_id));
}

}  // namespace postura
