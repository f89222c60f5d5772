#ifndef POSTURA_COLLECTOR_ACCESS_AGENT_ADMISSION_H_
#define POSTURA_COLLECTOR_ACCESS_AGENT_ADMISSION_H_

// Admits agents by their client certificate (issue 22, item 1). The gRPC listener asks
// every client for a certificate but lets the handshake finish without one (people and
// scripts use API tokens on the same port), and does not check it there: this unit does,
// for the calls that need an agent. A certificate admits when it chains to the agent CA,
// is valid now and may serve as a TLS client, and its serial is recorded as a live
// AGENT_CERTIFICATE (not revoked, not expired) for the agent and tenant it names; the
// principal's credential id is the serial, so Gatekeeper::StillAdmitted ends an open
// stream when the certificate is revoked or expires. Agents enrolled before
// certificates still report with their bearer credential while allow_bearer_credentials.
//
// Called by IngestService (Report) and EnrollmentService (RenewCertificate), on gRPC
// threads. Thread-safe; everything borrowed must outlive it.

#include <string>

#include "absl/status/statusor.h"
#include "collector/access/access_policy.h"
#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "common/base/clock.h"
#include "grpcpp/server_context.h"

namespace postura::collector {

struct AgentAdmissionOptions {
  // PEM of the agent CA's certificate. Empty: no certificate admits.
  std::string agent_ca_certificate_pem;
  // Whether agents' bearer credentials still report (agents.allow_bearer_credentials).
  bool allow_bearer_credentials = true;
};

class AgentAdmission {
 public:
  AgentAdmission(const Gatekeeper& gate, const CredentialStore& credentials, Clock& clock,
                 AgentAdmissionOptions options)
      : gate_(gate), credentials_(credentials), clock_(clock), options_(std::move(options)) {}

  // For a stream of evidence: the client certificate if the call presents one, else the
  // bearer agent credential (Gatekeeper::Admit) while those are allowed. Unauthenticated
  // with the reason (another CA, expired, revoked, bearer credentials switched off) or
  // PermissionDenied for a role that may not report.
  absl::StatusOr<Principal> AdmitReport(const grpc::CallbackServerContext& context) const;

  // The client certificate only, checked as above (for renewal: a bearer secret never
  // obtains a certificate). Unauthenticated without one.
  absl::StatusOr<Principal> AdmitCertificate(const grpc::CallbackServerContext& context) const;

  // True while the principal's credential or certificate is live.
  bool StillAdmitted(const Principal& principal) const { return gate_.StillAdmitted(principal); }

  // Records that the principal's credential or certificate was just used from `peer`
  // (gRPC's peer text): its last use, as `postura tokens list` and `agents list` show it.
  // Cheap per batch (in memory; CredentialStore::NoteUse writes the store once a minute).
  void NoteUse(const Principal& principal, absl::string_view peer) const;

 private:
  const Gatekeeper& gate_;
  const CredentialStore& credentials_;
  Clock& clock_;
  const AgentAdmissionOptions options_;
};

// The PEM of the client certificate the call's TLS peer presented; empty if none.
std::string PeerCertificatePem(const grpc::CallbackServerContext& context);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_AGENT_ADMISSION_H_
