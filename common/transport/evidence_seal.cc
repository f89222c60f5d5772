#include "common/transport/evidence_seal.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/transport/x509_pem.h"

namespace postura {
namespace {

using tls_internal::OpenSslError;
using tls_internal::OpenSslFree;
using tls_internal::PkeyPtr;
using DigestContextPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree<EVP_MD_CTX_free>>;

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

// OK if `key` is an EC key on the P-256 curve.
absl::Status CheckP256(EVP_PKEY* key, absl::string_view what) {
  char curve[64] = {};
  size_t curve_length = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &curve_length) != 1 ||
      absl::string_view(curve, curve_length) != SN_X9_62_prime256v1) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not an EC P-256 key"));
  }
  return absl::OkStatus();
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

struct EvidenceSigner::Key {
  PkeyPtr pkey;
};

absl::StatusOr<EvidenceSigner> EvidenceSigner::FromKeyPem(absl::string_view key_pem) {
  absl::StatusOr<PkeyPtr> key = tls_internal::ParsePrivateKey(key_pem, "the agent key");
  if (!key.ok()) return key.status();
  if (absl::Status curve = CheckP256(key->get(), "the agent key"); !curve.ok()) return curve;
  return EvidenceSigner(std::make_shared<const Key>(Key{*std::move(key)}));
}

absl::StatusOr<std::string> EvidenceSigner::Sign(const BatchSeal& seal) const {
  const std::string message = CanonicalSeal(seal);
  DigestContextPtr context(EVP_MD_CTX_new());
  size_t length = 0;
  if (context == nullptr ||
      EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot sign the batch seal");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot sign the batch seal");
  }
  signature.resize(length);
  return signature;
}

struct EvidenceVerifier::Key {
  PkeyPtr pkey;
};

absl::StatusOr<EvidenceVerifier> EvidenceVerifier::FromCertificatePem(
    absl::string_view certificate_pem) {
  absl::StatusOr<std::vector<tls_internal::X509Ptr>> certificates =
      tls_internal::ParseCertificates(certificate_pem, "the agent certificate");
  if (!certificates.ok()) return certificates.status();
  PkeyPtr key(X509_get_pubkey(certificates->front().get()));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "the agent certificate's public key does not parse");
  }
  if (absl::Status curve = CheckP256(key.get(), "the agent certificate's key"); !curve.ok()) {
    return curve;
  }
  return EvidenceVerifier(std::make_shared<const Key>(Key{std::move(key)}));
}

absl::Status EvidenceVerifier::Verify(const BatchSeal& seal, absl::string_view signature) const {
  const std::string message = CanonicalSeal(seal);
  DigestContextPtr context(EVP_MD_CTX_new());
  const bool matches =
      context != nullptr &&
      EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
      EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  if (matches) return absl::OkStatus();
  return absl::UnauthenticatedError(absl::StrCat("the signature does not match the seal of batch ",
                                                 seal.sequence, " of agent ", seal.agent_id));
}

}  // namespace postura
