#ifndef POSTURA_COLLECTOR_API_ACCESS_SERVICE_H_
#define POSTURA_COLLECTOR_API_ACCESS_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "collector/access/agent_admission.h"
#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/registry/registry.h"
#include "common/base/clock.h"
#include "common/transport/agent_certificate.h"
#include "postura/v1/access.grpc.pb.h"

namespace postura::collector {

// Credentials over gRPC (postura/v1/access.proto): admins create, list and revoke API
// tokens, enrollment tokens and agent credentials. Token texts appear only in the
// answer that creates them and are never logged. Thread-safe; everything borrowed must
// outlive the service.
class AccessService final : public v1::AccessService::CallbackService {
 public:
  AccessService(const Gatekeeper& gate, CredentialStore& credentials, const Registry& registry,
                Clock& clock)
      : gate_(gate), credentials_(credentials), registry_(registry), clock_(clock) {}

  grpc::ServerUnaryReactor* CreateApiToken(grpc::CallbackServerContext* context,
                                           const v1::CreateApiTokenRequest* request,
                                           v1::CreatedToken* response) override;
  grpc::ServerUnaryReactor* CreateEnrollmentToken(grpc::CallbackServerContext* context,
                                                  const v1::CreateEnrollmentTokenRequest* request,
                                                  v1::CreatedToken* response) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* context,
                                       const v1::ListTokensRequest* request,
                                       v1::ListTokensResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* context,
                                        const v1::RevokeTokenRequest* request,
                                        v1::RevokeTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeAgent(grpc::CallbackServerContext* context,
                                        const v1::RevokeAgentRequest* request,
                                        v1::RevokeAgentResponse* response) override;
  grpc::ServerUnaryReactor* WhoAmI(grpc::CallbackServerContext* context,
                                   const v1::WhoAmIRequest* request,
                                   v1::Credential* response) override;

 private:
  const Gatekeeper& gate_;
  CredentialStore& credentials_;
  const Registry& registry_;
  Clock& clock_;
};

// The agent CA that signs agents' client certificates, and for how long.
struct AgentCertificatePolicy {
  AgentCertificateAuthority ca;
  absl::Duration lifetime = absl::Hours(24 * 7);
};

// Agents trade one use of an enrollment token for their own client certificate (the
// request carries a signing request for the agent's own key) or, for agents before
// certificates, a bearer credential; enrolled agents renew their certificate over mutual
// TLS. Enroll is the only call that needs no API token, credential or certificate. Each
// certificate issued is recorded (AGENT_CERTIFICATE, its serial) before it is answered,
// so that revocation and expiry reach it. Thread-safe; everything borrowed must outlive
// the service.
class EnrollmentService final : public v1::EnrollmentService::CallbackService {
 public:
  EnrollmentService(CredentialStore& credentials, Registry& registry,
                    const AgentAdmission& admission, Clock& clock, AgentCertificatePolicy policy)
      : credentials_(credentials),
        registry_(registry),
        admission_(admission),
        clock_(clock),
        policy_(std::move(policy)) {}

  grpc::ServerUnaryReactor* Enroll(grpc::CallbackServerContext* context,
                                   const v1::EnrollRequest* request,
                                   v1::EnrollResponse* response) override;
  grpc::ServerUnaryReactor* RenewCertificate(grpc::CallbackServerContext* context,
                                             const v1::RenewCertificateRequest* request,
                                             v1::RenewCertificateResponse* response) override;

  // The enrollment itself, for Enroll and tests.
  absl::StatusOr<v1::EnrollResponse> Redeem(const v1::EnrollRequest& request);
  // A new certificate for the admitted agent `principal`, for RenewCertificate and tests.
  absl::StatusOr<std::string> Renew(const Principal& principal,
                                    const v1::RenewCertificateRequest& request);

 private:
  absl::StatusOr<v1::EnrollResponse> RedeemWithKey(const v1::EnrollRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Issues a certificate for the request's key to the agent and records it.
  absl::StatusOr<std::string> IssueAndRecord(absl::string_view signing_request,
                                             absl::string_view agent_id,
                                             absl::string_view tenant_id);

  CredentialStore& credentials_;
  Registry& registry_;
  const AgentAdmission& admission_;
  Clock& clock_;
  const AgentCertificatePolicy policy_;
  absl::Mutex mu_;  // One enrollment at a time: check, register, spend, issue.
};

// The credential an API token request asks for; InvalidArgument naming the field.
absl::StatusOr<v1::Credential> ApiTokenCredential(const v1::CreateApiTokenRequest& request,
                                                  const Registry& registry, int64_t now_unix);
// The same for an enrollment token request.
absl::StatusOr<v1::Credential> EnrollmentTokenCredential(
    const v1::CreateEnrollmentTokenRequest& request, const Registry& registry, int64_t now_unix);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_ACCESS_SERVICE_H_
