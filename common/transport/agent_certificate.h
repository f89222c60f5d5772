#ifndef POSTURA_COMMON_TRANSPORT_AGENT_CERTIFICATE_H_
#define POSTURA_COMMON_TRANSPORT_AGENT_CERTIFICATE_H_

// Agent identity by key, not by bearer secret (issue 22, item 1): the agent makes its own
// EC P-256 key, which never leaves its host, and a certificate signing request naming its
// agent id; the collector's agent CA answers with a short-lived client certificate naming
// the agent and its tenant; whoever later holds the certificate's chain can check it and
// read back who it names.
//
// The certificate: subject CN=<agent id>; subjectAltName URI:urn:postura:agent:<agent id>
// and, when the agent belongs to a supplier, URI:urn:postura:tenant:<tenant id>;
// basicConstraints CA:FALSE, keyUsage digitalSignature, extendedKeyUsage clientAuth; a
// random 128-bit serial; valid from five minutes before issue for the asked lifetime. The
// agent CA (CN "Postura agent CA <random>", pathlen 0) is a CA of its own, separate from
// the one that signs the server's certificate, so that a server certificate can never
// pass as an agent and the other way round.
//
// Enrollment and renewal (collector/api/access_service.cc) issue with it; ingest's
// admission (collector/access/agent_admission.cc) verifies with it; the agent
// (agent/delivery/enrollment.cc) makes its key and requests with it. Pure functions over OpenSSL
// (the error queue they clear is the calling thread's); any thread may call them.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura {

// Longest certificate signing request IssueAgentCertificate reads, bytes of PEM.
inline constexpr size_t kMaxSigningRequestBytes = 4096;
// Bounds on an agent certificate's lifetime.
inline constexpr absl::Duration kMinAgentCertificateLifetime = absl::Minutes(2);
inline constexpr absl::Duration kMaxAgentCertificateLifetime = absl::Hours(24 * 90);

// A new EC P-256 private key, as unencrypted PKCS#8 PEM. Internal if OpenSSL fails.
absl::StatusOr<std::string> NewAgentKeyPem();

// A PKCS#10 request with subject CN=`agent_id`, signed with the key in `key_pem`.
// InvalidArgument if the key does not parse or the id is not a registry id (1-128 of
// A-Za-z0-9._-).
absl::StatusOr<std::string> AgentSigningRequestPem(absl::string_view key_pem,
                                                   absl::string_view agent_id);

// SHA-256 (32 bytes) of the public key (DER SubjectPublicKeyInfo) of the request in
// `request_pem`, after the checks IssueAgentCertificate makes of a request (size, parse,
// own signature, EC P-256, subject CN=`agent_id`); InvalidArgument saying which fails.
absl::StatusOr<std::string> SigningRequestKeySha256(absl::string_view request_pem,
                                                    absl::string_view agent_id);

// The agent CA's certificate and private key, PEM.
struct AgentCertificateAuthority {
  std::string certificate_pem;
  std::string key_pem;
};

// A new agent CA, valid ten years. Internal if OpenSSL fails.
absl::StatusOr<AgentCertificateAuthority> NewAgentCertificateAuthority();

// The client certificate (PEM) for the request in `request_pem`, naming `agent_id` and
// `tenant_id` (empty: the organisation's own agent), valid from `now` minus five minutes
// for `lifetime`. InvalidArgument, saying which, if the request is longer than
// kMaxSigningRequestBytes, does not parse, is not signed by its own key, holds a key that
// is not EC P-256, or names another subject than CN=`agent_id`; if an id is not a registry
// id or `lifetime` is outside [kMinAgentCertificateLifetime, kMaxAgentCertificateLifetime].
// FailedPrecondition if `ca` does not parse or its key is not its certificate's.
absl::StatusOr<std::string> IssueAgentCertificate(const AgentCertificateAuthority& ca,
                                                  absl::string_view request_pem,
                                                  absl::string_view agent_id,
                                                  absl::string_view tenant_id, absl::Time now,
                                                  absl::Duration lifetime);

// What an agent certificate names.
struct AgentCertificateFacts {
  std::string agent_id;
  std::string tenant_id;   // Empty for the organisation's own agents.
  std::string serial;      // Lowercase hex, no leading zeros.
  std::string key_sha256;  // SHA-256 of its public key (DER SubjectPublicKeyInfo), 32 bytes.
  absl::Time not_before;
  absl::Time not_after;
};

// Checks that `certificate_pem` was issued by the agent CA `ca_certificate_pem`, is valid
// at `now` and may serve as a TLS client, and reads what it names. Unauthenticated with
// the reason (expired, not yet valid, another CA, not a client certificate, no agent name)
// otherwise; InvalidArgument if a text does not parse.
absl::StatusOr<AgentCertificateFacts> VerifyAgentCertificate(absl::string_view certificate_pem,
                                                             absl::string_view ca_certificate_pem,
                                                             absl::Time now);

// What `certificate_pem` names, without checking who issued it or when it is valid: for
// the agent reading its own certificate (when to renew). InvalidArgument if it does not
// parse; Unauthenticated if it names no agent.
absl::StatusOr<AgentCertificateFacts> ReadAgentCertificate(absl::string_view certificate_pem);

}  // namespace postura

#endif  // POSTURA_COMMON_TRANSPORT_AGENT_CERTIFICATE_H_
