#ifndef POSTURA_COMMON_TRANSPORT_CERTIFICATE_ISSUER_H_
#define POSTURA_COMMON_TRANSPORT_CERTIFICATE_ISSUER_H_

// Issues the local certificate authority's certificates with OpenSSL: EC P-256 keys, a
// self-signed CA that may sign server certificates only, and server certificates signed
// by it for localhost, the loopback addresses and the operator's server names, and the
// building blocks agent_certificate.cc shares. Internal:
// local_ca.cc calls it and decides when to issue and where the results go (its header,
// common/local_ca.h, spells out the certificates' contents). The functions keep no
// state, so any thread may call them.

#include <openssl/x509v3.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/transport/x509_pem.h"

namespace postura::tls_internal {

using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslFree<GENERAL_NAMES_free>>;

// A new EC P-256 key. Internal if OpenSSL fails.
absl::StatusOr<PkeyPtr> GenerateP256Key();

// Gives `certificate` a random 128-bit serial number. Internal if OpenSSL fails.
absl::Status SetRandomSerial(X509* certificate);

// An extension in openssl.cnf syntax, e.g. {NID_key_usage, "critical,digitalSignature"}.
struct ExtensionText {
  int nid;
  const char* value;
};

// Adds `extensions` to `certificate`; `issuer` supplies the authority key identifier.
// Internal naming the extension if OpenSSL refuses one.
absl::Status AddExtensions(X509* certificate, X509* issuer,
                           std::initializer_list<ExtensionText> extensions);

// Signs `certificate` with `key` over SHA-256. Internal if OpenSSL fails.
absl::Status Sign(X509* certificate, EVP_PKEY* key);

// A key and the certificate for it.
struct Identity {
  PkeyPtr key;
  X509Ptr certificate;
};

// The subjectAltName of the server certificate: localhost and the loopback addresses,
// then each of `server_names` not already listed.
// InvalidArgument naming an entry that is neither a DNS name nor an IP address;
// Internal if OpenSSL fails.
absl::StatusOr<GeneralNamesPtr> SubjectAltNames(const std::vector<std::string>& server_names);

// A new self-signed CA, allowed to sign server certificates only (pathlen 0).
// Internal if OpenSSL fails to generate or sign.
absl::StatusOr<Identity> IssueCertificateAuthority();

// A new server certificate for `names`, signed by `ca`.
// Internal if OpenSSL fails to generate or sign.
absl::StatusOr<Identity> IssueServerCertificate(const Identity& ca, GENERAL_NAMES* names);

}  // namespace postura::tls_internal

#endif  // POSTURA_COMMON_TRANSPORT_CERTIFICATE_ISSUER_H_
