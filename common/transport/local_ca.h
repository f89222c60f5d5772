#ifndef POSTURA_COMMON_TRANSPORT_LOCAL_CA_H_
#define POSTURA_COMMON_TRANSPORT_LOCAL_CA_H_

// The collector's own certificate authority, for deployments without operator-provided
// certificates: created on first start in a private directory, loaded and checked on
// every later start, its server certificate renewed before it expires. The collector
// (collector_server.cc) calls it at startup; tests call it for throwaway PKIs. Any
// thread or process may call it: callers on one directory are serialized by a file lock.

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/transport/tls_files.h"

namespace postura {

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

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_LOCAL_CA_H_
