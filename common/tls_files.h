#ifndef POSTURA_COMMON_TLS_FILES_H_
#define POSTURA_COMMON_TLS_FILES_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace postura {

// PEM texts of a TLS identity and the CA that clients should trust.
struct TlsMaterial {
  std::string ca_certificate_pem;     // the CA clients pin
  std::string certificate_chain_pem;  // the server's certificate
  std::string private_key_pem;        // the server's private key
};

// Makes sure `directory` holds a local certificate authority and a server certificate
// signed by it: ca.crt, ca.key, server.crt, server.key. On first call (none of the four
// exist) it creates the directory (mode 0700) and the files: EC P-256 keys, a CA
// certificate (basicConstraints CA:TRUE critical with pathlen 0, keyUsage
// keyCertSign+cRLSign, 10 years, subject CN "Postura local CA <random hex>"), a server
// certificate (CN "Postura server", CA:FALSE, keyUsage digitalSignature,
// extendedKeyUsage serverAuth, subjectAltName DNS:localhost, IP:127.0.0.1, IP:::1 plus
// every entry of `server_names` (IP address if it parses as one, DNS name otherwise),
// 2 years, random 128-bit serial, signed SHA-256 by the CA).
// Both start an hour in the past, to tolerate clients whose clocks run behind.
// Key files are written with mode 0600, each file written to a temp name then renamed
// so a crash never leaves a half-written file. If all four exist it loads and returns
// them (checking that the server certificate's key matches the server key and that the
// server certificate verifies against the CA; a clear error otherwise). If only some
// exist, it is an error naming the missing ones (never overwrite an operator's files).
// Concurrent callers on the same directory are serialized with flock(2), so they agree
// on one CA. Entries of `server_names` that an existing certificate lacks are not added:
// they are logged as a warning. A server certificate that expires within `renew_within`
// (or has expired) is renewed from the kept CA key, for the same names and with a new
// key, and written over server.crt and server.key; the CA files, which clients pin, stay.
// Errors: InvalidArgument for a malformed entry of `server_names` or a file that does
// not parse, match or verify; FailedPrecondition if only some files exist; the errno's
// code for I/O failures; Internal if OpenSSL fails to generate or sign.
absl::StatusOr<TlsMaterial> EnsureLocalCertificateAuthority(
    const std::filesystem::path& directory, const std::vector<std::string>& server_names,
    absl::Duration renew_within = absl::Hours(24 * 30));

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

#endif  // POSTURA_COMMON_TLS_FILES_H_
