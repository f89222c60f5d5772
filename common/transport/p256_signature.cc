#include "common/transport/p256_signature.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/transport/x509_pem.h"

namespace postura {
namespace {

using tls_internal::OpenSslError;
using tls_internal::OpenSslFree;
using tls_internal::PkeyPtr;
using DigestContextPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free>>;

const unsigned char* Bytes(absl::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
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

struct P256Signer::Key {
  PkeyPtr pkey;
};

absl::StatusOr<P256Signer> P256Signer::FromKeyPem(absl::string_view key_pem,
                                                  absl::string_view what) {
  absl::StatusOr<PkeyPtr> key = tls_internal::ParsePrivateKey(key_pem, what);
  if (!key.ok()) return key.status();
  if (absl::Status curve = CheckP256(key->get(), what); !curve.ok()) return curve;
  return P256Signer(std::make_shared<const Key>(Key{*std::move(key)}));
}

absl::StatusOr<std::string> P256Signer::Sign(absl::string_view message) const {
  DigestContextPtr context(EVP_MD_CTX_new());
  size_t length = 0;
  if (context == nullptr ||
      EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, Bytes(message), message.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot sign");
  }
  std::string signature(length, '\0');
  if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     Bytes(message), message.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot sign");
  }
  signature.resize(length);
  return signature;
}

absl::StatusOr<std::string> P256Signer::PublicKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key_->pkey.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot write the public key");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

struct P256Verifier::Key {
  PkeyPtr pkey;
};

absl::StatusOr<P256Verifier> P256Verifier::FromCertificatePem(absl::string_view certificate_pem,
                                                              absl::string_view what) {
  absl::StatusOr<std::vector<tls_internal::X509Ptr>> certificates =
      tls_internal::ParseCertificates(certificate_pem, what);
  if (!certificates.ok()) return certificates.status();
  PkeyPtr key(X509_get_pubkey(certificates->front().get()));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat(what, ": the public key does not parse"));
  }
  if (absl::Status curve = CheckP256(key.get(), what); !curve.ok()) return curve;
  return P256Verifier(std::make_shared<const Key>(Key{std::move(key)}));
}

absl::StatusOr<P256Verifier> P256Verifier::FromPublicKeyPem(absl::string_view public_key_pem,
                                                            absl::string_view what) {
  BioPtr bio(BIO_new_mem_buf(public_key_pem.data(), static_cast<int>(public_key_pem.size())));
  PkeyPtr key(bio == nullptr ? nullptr : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat(what, " holds no PEM public key"));
  }
  if (absl::Status curve = CheckP256(key.get(), what); !curve.ok()) return curve;
  return P256Verifier(std::make_shared<const Key>(Key{std::move(key)}));
}

bool P256Verifier::Matches(absl::string_view message, absl::string_view signature) const {
  DigestContextPtr context(EVP_MD_CTX_new());
  const bool matches =
      context != nullptr &&
      EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) == 1 &&
      EVP_DigestVerify(context.get(), Bytes(signature), signature.size(), Bytes(message),
                       message.size()) == 1;
  ERR_clear_error();
  return matches;
}

}  // namespace postura
