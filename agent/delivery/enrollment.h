#ifndef POSTURA_AGENT_DELIVERY_ENROLLMENT_H_
#define POSTURA_AGENT_DELIVERY_ENROLLMENT_H_

// How the agent comes to prove who it is (docs/security.md, "Enrolling agents"): its own
// EC P-256 key, which never leaves the host, and the client certificate the collector's
// agent CA issues for it. Called once by the agent's main at start-up, on its thread.

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/config/agent_config.h"
#include "common/transport/collector_channel.h"

namespace postura::agent {

// How the agent proves who it is: the CA it pins (options.trust.ca_certificate_pem) and
// its key and certificate, or the bearer credential of an agent before certificates.
struct AgentIdentity {
  CollectorTrust trust;           // The CA, and a token only for a bearer credential.
  ClientCertificate certificate;  // Empty for a bearer credential.
};

// The agent's identity:
//  - an agent with a certificate (options.certificate_file): its key (options.key_file,
//    owner-only) and certificate. FailedPrecondition, saying that the agent must enroll
//    again and how, if the certificate has expired or its key is missing or too open;
//  - an agent enrolled before certificates (options.credential_file exists, no
//    certificate): its bearer credential, with a warning that it should move to a key;
//  - otherwise it enrolls: makes its key and saves it owner-only to options.key_file
//    before it asks (a key left by an earlier attempt is used again), sends a signing
//    request for it with the enrollment token in options.enrollment_token_file, and saves
//    the certificate to options.certificate_file. The collector recognises a repeated
//    request for the same key and spends no second use of the token.
// The CA pinned is options.trust.ca_certificate_pem.
//   Unavailable / DeadlineExceeded: the collector could not be reached; try again later.
//   Unauthenticated: the enrollment token is unknown, expired, used up or revoked.
//   FailedPrecondition: no identity and no enrollment token file, or a file is not
//   owner-only. Other codes: the collector's refusal, with its reason.
absl::StatusOr<AgentIdentity> ObtainIdentity(const AgentOptions& options,
                                             absl::Duration timeout = absl::Seconds(10));

}  // namespace postura::agent

#endif  // POSTURA_AGENT_DELIVERY_ENROLLMENT_H_
