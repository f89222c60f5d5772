#ifndef POSTURA_COMMON_TRANSPORT_X509_PEM_H_
#define POSTURA_COMMON_TRANSPORT_X509_PEM_H_

// X.509 certificates and private keys in PEM, through OpenSSL: owning pointers for
// OpenSSL objects, parsing with errors that name where the text came from, checking that
// a key belongs to its certificate and that a chain verifies, reading a certificate's
// end date and public-key digest, and encoding back to PEM. Internal: tls_files.cc,
// local_ca.cc and certificate_issuer.cc call it; everyone else uses common/tls_files.h.
// The functions keep no state, so any thread may call them; the OpenSSL error queue they
// read and clear is the calling thread's own.

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::tls_internal {

// Frees an OpenSSL object with its own free function, for std::unique_ptr.
template <auto kFree>
struct OpenSslFree {
  template <typename T>
  void operator()(T* object) const {
    kFree(object);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslFree<X509_free>>;

// `what`, followed by OpenSSL's account of why.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what);

// Every certificate in `pem`, in order; blocks of other types are skipped.
// InvalidArgument naming `source` if there is none or a certificate block is malformed.
absl::StatusOr<std::vector<X509Ptr>> ParseCertificates(absl::string_view pem,
                                                       absl::string_view source);

// The private key in `pem`. InvalidArgument naming `source` if there is none.
absl::StatusOr<PkeyPtr> ParsePrivateKey(absl::string_view pem, absl::string_view source);

// The certificates in `certificate_pem`, after checking that `key_pem` holds the private
// key of the first. Errors name `certificate_source` and `key_source`.
absl::StatusOr<std::vector<X509Ptr>> ParseMatchingPair(absl::string_view certificate_pem,
                                                       absl::string_view certificate_source,
                                                       absl::string_view key_pem,
                                                       absl::string_view key_source);

// OK if `chain`'s first certificate, with the rest as intermediates, chains to `ca`, is
// valid now and may serve TLS. Otherwise InvalidArgument naming both sources.
absl::Status VerifyServerCertificate(const std::vector<X509Ptr>& chain, X509* ca,
                                     absl::string_view chain_source, absl::string_view ca_source);

// The end of `certificate`'s validity; nullopt if OpenSSL cannot read it.
std::optional<absl::Time> NotAfter(X509* certificate);

// `certificate`'s serial number in lowercase hex without leading zeros; empty if OpenSSL
// cannot read it.
std::string SerialHex(X509* certificate);

// SHA-256 of the DER SubjectPublicKeyInfo of `certificate`, in base64.
absl::StatusOr<std::string> SpkiDigestBase64(X509* certificate);

// `certificate` as PEM. Internal if OpenSSL fails to encode it.
absl::StatusOr<std::string> CertificatePem(X509* certificate);

// `key` as PEM: PKCS#8, unencrypted. Internal if OpenSSL fails to encode it.
absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key);

}  // namespace postura::tls_internal

#endif  // POSTURA_COMMON_TRANSPORT_X509_PEM_H_
