#ifndef POSTURA_COLLECTOR_API_ACCESS_SERVICE_H_
#define POSTURA_COLLECTOR_API_ACCESS_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/registry/registry.h"
#include "common/base/clock.h"
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

// Agents trade one use of an enrollment token for their own credential. The only call
// that needs no API token or agent credential. Thread-safe; everything borrowed must
// outlive the service.
class EnrollmentService final : public v1::EnrollmentService::CallbackService {
 public:
  EnrollmentService(CredentialStore& credentials, Registry& registry)
      : credentials_(credentials), registry_(registry) {}

  grpc::ServerUnaryReactor* Enroll(grpc::CallbackServerContext* context,
                                   const v1::EnrollRequest* request,
                                   v1::EnrollResponse* response) override;

  // The enrollment itself, for Enroll and tests.
  absl::StatusOr<v1::EnrollResponse> Redeem(const v1::EnrollRequest& request);

 private:
  CredentialStore& credentials_;
  Registry& registry_;
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
