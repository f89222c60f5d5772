#ifndef POSTURA_COMMON_TRANSPORT_TLS_FILES_H_
#define POSTURA_COMMON_TRANSPORT_TLS_FILES_H_

// TLS material in PEM files: the certificate, key and pinned CA an operator provides,
// checked when loaded, and what the binaries read off a certificate (its end date, its
// public-key pin). The collector, the agent, the collector channel and the tests call it;
// the collector's own CA is common/local_ca.h. The functions keep no state, so any
// thread may call them.

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace postura {

// PEM texts of a TLS identity and the CA that clients should trust.
struct TlsMaterial {
  std::string ca_certificate_pem;     // the CA clients pin
  std::string certificate_chain_pem;  // the server's certificate
  std::string private_key_pem;        // the server's private key
};

// Loads operator-provided PEM files: certificate chain, private key, and the CA file
// clients pin (ca_file may be empty: then ca_certificate_pem is left empty). Checks that
// each parses and that key and certificate match; errors name the file.
// The key is the first certificate's; encrypted keys are refused, never prompted for.
// The chain is not verified against the CA file. NotFound if a file does not exist (the
// errno's code for other read failures), InvalidArgument if one does not parse or the
// key does not match.
absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& certificate_file,
                                            const std::filesystem::path& key_file,
                                            const std::filesystem::path& ca_file);

// Reads a PEM file that must contain at least one X.509 certificate (e.g. a pinned CA);
// error names the file and says what is wrong. Returns the file's text unchanged.
// NotFound if it does not exist (the errno's code for other read failures),
// InvalidArgument if it holds no valid certificate.
absl::StatusOr<std::string> ReadCertificateFile(const std::filesystem::path& file);

// The end of the validity period (notAfter) of the first certificate in
// `certificate_pem`. InvalidArgument if it holds no certificate.
absl::StatusOr<absl::Time> CertificateNotAfter(const std::string& certificate_pem);

// base64(SHA-256(SubjectPublicKeyInfo DER)) of the first certificate in `certificate_pem`
// — the form Chromium's --ignore-certificate-errors-spki-list takes. 44 characters.
// InvalidArgument if `certificate_pem` holds no valid certificate.
absl::StatusOr<std::string> SpkiSha256Base64(const std::string& certificate_pem);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_TLS_FILES_H_
