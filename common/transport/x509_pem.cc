#include "common/transport/x509_pem.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/transport/tls_file_io.h"

namespace postura::tls_internal {
namespace {

struct OpenSslBufferFree {
  void operator()(unsigned char* buffer) const { OPENSSL_free(buffer); }
};
struct X509StackFree {  // Frees the stack only: its certificates are borrowed.
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslFree<X509_STORE_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslFree<X509_STORE_free>>;

// Empties OpenSSL's thread-local error queue into one line, so that a failure's text
// never shows up in a later, unrelated error.
std::string TakeOpenSslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    absl::StrAppend(&text, text.empty() ? "" : "; ", buffer);
  }
  return text.empty() ? "no detail recorded" : text;
}

// A read-only memory BIO over `text`, which must outlive it.
absl::StatusOr<BioPtr> ReadOnlyBio(absl::string_view text, absl::string_view source) {
  if (text.size() > kMaxPemBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, " is larger than ", kMaxPemBytes, " bytes: not PEM"));
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return OpenSslError(absl::StatusCode::kInternal, "cannot create a BIO");
  return bio;
}

// True if OpenSSL's last error only says that the PEM input has no further block.
bool PemInputEnded() {
  const unsigned long code = ERR_peek_last_error();
  return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
}

// A password callback that refuses, so that an encrypted key fails instead of OpenSSL
// prompting on the terminal.
int RefusePassphrase(char*, int, int, void*) { return -1; }

// The bytes written so far to the memory BIO `bio`.
std::string MemoryBioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace

absl::Status OpenSslError(absl::StatusCode code, absl::string_view what) {
  return absl::Status(code, absl::StrCat(what, " (OpenSSL: ", TakeOpenSslErrors(), ")"));
}

absl::StatusOr<std::vector<X509Ptr>> ParseCertificates(absl::string_view pem,
                                                       absl::string_view source) {
  absl::StatusOr<BioPtr> bio = ReadOnlyBio(pem, source);
  if (!bio.ok()) return bio.status();
  std::vector<X509Ptr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  if (!PemInputEnded()) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat(source, ": certificate ", certificates.size() + 1,
                                     " is not a valid PEM X.509 certificate"));
  }
  ERR_clear_error();
  if (certificates.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ": no certificate found (expected a \"-----BEGIN CERTIFICATE-----\" block)"));
  }
  return certificates;
}

absl::StatusOr<PkeyPtr> ParsePrivateKey(absl::string_view pem, absl::string_view source) {
  absl::StatusOr<BioPtr> bio = ReadOnlyBio(pem, source);
  if (!bio.ok()) return bio.status();
  PkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, RefusePassphrase, nullptr));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        absl::StrCat(source,
                                     ": no valid unencrypted PEM private key (expected a "
                                     "\"-----BEGIN PRIVATE KEY-----\" block)"));
  }
  ERR_clear_error();
  return key;
}

absl::StatusOr<std::vector<X509Ptr>> ParseMatchingPair(absl::string_view certificate_pem,
                                                       absl::string_view certificate_source,
                                                       absl::string_view key_pem,
                                                       absl::string_view key_source) {
  absl::StatusOr<std::vector<X509Ptr>> chain =
      ParseCertificates(certificate_pem, certificate_source);
  if (!chain.ok()) return chain.status();
  absl::StatusOr<PkeyPtr> key = ParsePrivateKey(key_pem, key_source);
  if (!key.ok()) return key.status();
  if (EVP_PKEY_eq(X509_get0_pubkey(chain->front().get()), key->get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("the private key in ", key_source,
                                                   " does not belong to the certificate in ",
                                                   certificate_source));
  }
  return chain;
}

absl::Status VerifyServerCertificate(const std::vector<X509Ptr>& chain, X509* ca,
                                     absl::string_view chain_source, absl::string_view ca_source) {
  X509StorePtr store(X509_STORE_new());
  X509StackPtr intermediates(sk_X509_new_null());
  X509StoreCtxPtr context(X509_STORE_CTX_new());
  bool ready = store != nullptr && intermediates != nullptr && context != nullptr &&
               X509_STORE_add_cert(store.get(), ca) == 1;
  for (size_t i = 1; ready && i < chain.size(); ++i) {
    ready = sk_X509_push(intermediates.get(), chain[i].get()) > 0;
  }
  if (!ready || X509_STORE_CTX_init(context.get(), store.get(), chain.front().get(),
                                    intermediates.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot set up certificate verification");
  }
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_SERVER);
  if (X509_verify_cert(context.get()) == 1) return absl::OkStatus();
  const int error = X509_STORE_CTX_get_error(context.get());
  ERR_clear_error();
  return absl::InvalidArgumentError(absl::StrCat(chain_source, " does not verify against ",
                                                 ca_source, ": ",
                                                 X509_verify_cert_error_string(error)));
}

std::optional<absl::Time> NotAfter(X509* certificate) {
  std::tm not_after{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &not_after) != 1) return std::nullopt;
  return absl::FromTimeT(timegm(&not_after));
}

std::string SerialHex(X509* certificate) {
  std::unique_ptr<BIGNUM, OpenSslFree<BN_free>> serial(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr));
  if (serial == nullptr) return "";
  char* hex = BN_bn2hex(serial.get());
  if (hex == nullptr) return "";
  std::string text = absl::AsciiStrToLower(hex);
  OPENSSL_free(hex);
  return text;
}

absl::StatusOr<std::string> SpkiDigestBase64(X509* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
  std::unique_ptr<unsigned char, OpenSslBufferFree> owned_der(der);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (length <= 0 || EVP_Digest(der, static_cast<size_t>(length), digest, &digest_length,
                                EVP_sha256(), nullptr) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot hash the certificate's public key");
  }
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), digest_length));
}

absl::StatusOr<std::string> CertificatePem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_X509(bio.get(), certificate) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot encode a certificate as PEM");
  }
  return MemoryBioText(bio.get());
}

absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot encode a private key as PEM");
  }
  return MemoryBioText(bio.get());
}

}  // namespace postura::tls_internal
