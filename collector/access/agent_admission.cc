#include "collector/access/agent_admission.h"

#include "absl/strings/str_cat.h"
#include "collector/access/auth_throttle.h"
#include "common/transport/agent_certificate.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"

namespace postura::collector {
namespace {

absl::Status CertificateRefused(absl::string_view reason) {
  return absl::UnauthenticatedError(absl::StrCat("agent certificate refused: ", reason));
}

}  // namespace

std::string PeerCertificatePem(const grpc::CallbackServerContext& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr) return "";
  std::vector<grpc::string_ref> values = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (values.empty()) return "";
  return std::string(values.front().data(), values.front().size());
}

absl::StatusOr<Principal> AgentAdmission::AdmitCertificate(
    const grpc::CallbackServerContext& context) const {
  const std::string pem = PeerCertificatePem(context);
  if (pem.empty()) {
    return absl::UnauthenticatedError(
        "no client certificate: this call needs the agent's certificate (mutual TLS)");
  }
  if (options_.agent_ca_certificate_pem.empty()) {
    return CertificateRefused("this collector has no agent CA");
  }
  absl::StatusOr<AgentCertificateFacts> facts =
      VerifyAgentCertificate(pem, options_.agent_ca_certificate_pem, clock_.TimeNow());
  if (!facts.ok()) return CertificateRefused(facts.status().message());
  std::optional<v1::Credential> record = credentials_.Find(facts->serial);
  if (!record || record->kind() != v1::AGENT_CERTIFICATE || !credentials_.IsLive(facts->serial)) {
    return CertificateRefused(absl::StrCat("serial ", facts->serial,
                                           " is revoked or unknown; the agent must enroll again"));
  }
  if (record->agent_id() != facts->agent_id || record->tenant_id() != facts->tenant_id) {
    return CertificateRefused(
        absl::StrCat("serial ", facts->serial, " was issued to another agent or tenant"));
  }
  Principal principal = PrincipalOf(*record);
  if (absl::Status allowed = Authorize(principal, Permission::kReport); !allowed.ok()) {
    return allowed;
  }
  NoteUse(principal, context.peer());
  return principal;
}

void AgentAdmission::NoteUse(const Principal& principal, absl::string_view peer) const {
  credentials_.NoteUse(principal.credential_id, PeerAddress(peer));
}

absl::StatusOr<Principal> AgentAdmission::AdmitReport(
    const grpc::CallbackServerContext& context) const {
  if (!PeerCertificatePem(context).empty()) return AdmitCertificate(context);
  absl::StatusOr<Principal> bearer = gate_.Admit(context, Permission::kReport);
  if (bearer.ok() && !options_.allow_bearer_credentials) {
    return absl::UnauthenticatedError(
        "bearer agent credentials are switched off on this collector "
        "(agents.allow_bearer_credentials: false): enroll the agent with its own key "
        "(docs/security.md, \"Moving agents to certificates\")");
  }
  return bearer;
}

}  // namespace postura::collector
