#include "collector/api/access_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/transport/grpc_status.h"
#include "common/transport/token_text.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

constexpr int64_t kMaxApiTokenTtlSeconds = int64_t{10} * 366 * 24 * 3600;
constexpr int64_t kMinEnrollmentTtlSeconds = 60;
constexpr int64_t kMaxEnrollmentTtlSeconds = int64_t{30} * 24 * 3600;
constexpr uint32_t kMaxEnrollmentUses = 10000;
constexpr int kMaxEnrollmentAssets = 1000;

grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

absl::Status CheckName(const std::string& name) {
  if (name.size() > 256) return absl::InvalidArgumentError("name: at most 256 bytes");
  return absl::OkStatus();
}

// The tenant id a request names, "org" for empty; NotFound if there is no such tenant.
absl::StatusOr<v1::Tenant> TenantOf(const std::string& tenant_id, const Registry& registry) {
  const std::string id = tenant_id.empty() ? std::string(kOrganizationTenantId) : tenant_id;
  std::optional<v1::Tenant> tenant = registry.FindTenant(id);
  if (!tenant)
    return absl::NotFoundError(absl::StrCat("tenant_id: no tenant '", id.substr(0, 128), "'"));
  return *tenant;
}

absl::Status CheckEnrollmentAssets(const v1::CreateEnrollmentTokenRequest& request,
                                   const v1::Tenant& tenant, const Registry& registry) {
  if (request.asset_ids().empty() || request.asset_ids_size() > kMaxEnrollmentAssets) {
    return absl::InvalidArgumentError(
        absl::StrCat("asset_ids: 1 to ", kMaxEnrollmentAssets, " assets"));
  }
  for (const std::string& asset_id : request.asset_ids()) {
    std::optional<v1::Asset> asset = registry.FindAsset(asset_id);
    if (!asset)
      return absl::NotFoundError(
          absl::StrCat("asset_ids: no asset '", asset_id.substr(0, 128), "'"));
    if (tenant.kind() == v1::SUPPLIER && asset->supplier_id() != tenant.id()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "asset_ids: asset '", asset_id, "' is not operated by supplier '", tenant.id(), "'"));
    }
  }
  return absl::OkStatus();
}

// A department officer's token names an existing department; no other role takes one.
absl::Status CheckTokenDepartment(const v1::CreateApiTokenRequest& request,
                                  const Registry& registry) {
  const std::string& department_id = request.department_id();
  if (request.role() != v1::ROLE_DEPARTMENT) {
    if (department_id.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(
        "department_id: only the department role is bound to a department");
  }
  if (department_id.empty()) {
    return absl::InvalidArgumentError("department_id: the department role needs a department");
  }
  if (!registry.FindDepartment(department_id)) {
    return absl::NotFoundError(
        absl::StrCat("department_id: no department '", department_id.substr(0, 128), "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Credential> ApiTokenCredential(const v1::CreateApiTokenRequest& request,
                                                  const Registry& registry, int64_t now_unix) {
  const v1::Role role = request.role();
  if (role != v1::ROLE_ADMIN && role != v1::ROLE_OPERATOR && role != v1::ROLE_AUDITOR &&
      role != v1::ROLE_SUPPLIER && role != v1::ROLE_DEPARTMENT) {
    return absl::InvalidArgumentError("role: admin, operator, auditor, supplier or department");
  }
  if (request.ttl_seconds() < 0 || request.ttl_seconds() > kMaxApiTokenTtlSeconds) {
    return absl::InvalidArgumentError("ttl_seconds: 0 (no expiry) to ten years");
  }
  if (absl::Status name = CheckName(request.name()); !name.ok()) return name;
  absl::StatusOr<v1::Tenant> tenant = TenantOf(request.tenant_id(), registry);
  if (!tenant.ok()) return tenant.status();
  if ((role == v1::ROLE_SUPPLIER) != (tenant->kind() == v1::SUPPLIER)) {
    return absl::InvalidArgumentError(
        "tenant_id: the supplier role takes a supplier tenant, the other roles the organisation");
  }
  if (absl::Status department = CheckTokenDepartment(request, registry); !department.ok()) {
    return department;
  }
  v1::Credential credential;
  credential.set_kind(v1::API_TOKEN);
  credential.set_role(role);
  credential.set_tenant_id(tenant->id());
  credential.set_department_id(request.department_id());
  credential.set_name(request.name());
  if (request.ttl_seconds() > 0)
    credential.set_expires_unix_seconds(now_unix + request.ttl_seconds());
  return credential;
}

absl::StatusOr<v1::Credential> EnrollmentTokenCredential(
    const v1::CreateEnrollmentTokenRequest& request, const Registry& registry, int64_t now_unix) {
  if (request.uses() < 1 || request.uses() > kMaxEnrollmentUses) {
    return absl::InvalidArgumentError(absl::StrCat("uses: 1 to ", kMaxEnrollmentUses));
  }
  if (request.ttl_seconds() < kMinEnrollmentTtlSeconds ||
      request.ttl_seconds() > kMaxEnrollmentTtlSeconds) {
    return absl::InvalidArgumentError("ttl_seconds: 60 seconds to 30 days");
  }
  if (absl::Status name = CheckName(request.name()); !name.ok()) return name;
  absl::StatusOr<v1::Tenant> tenant = TenantOf(request.tenant_id(), registry);
  if (!tenant.ok()) return tenant.status();
  if (absl::Status assets = CheckEnrollmentAssets(request, *tenant, registry); !assets.ok()) {
    return assets;
  }
  v1::Credential credential;
  credential.set_kind(v1::ENROLLMENT_TOKEN);
  credential.set_role(v1::ROLE_AGENT);
  credential.set_tenant_id(tenant->id());
  *credential.mutable_asset_ids() = request.asset_ids();
  credential.set_uses_left(request.uses());
  credential.set_name(request.name());
  credential.set_expires_unix_seconds(now_unix + request.ttl_seconds());
  return credential;
}

grpc::ServerUnaryReactor* AccessService::CreateApiToken(grpc::CallbackServerContext* context,
                                                        const v1::CreateApiTokenRequest* request,
                                                        v1::CreatedToken* response) {
  return AnswerIfAdmitted(
      gate_, context, Permission::kManageCredentials, [&](const Principal& principal) {
        const int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
        absl::StatusOr<v1::Credential> credential = ApiTokenCredential(*request, registry_, now);
        if (!credential.ok()) return credential.status();
        absl::StatusOr<IssuedToken> issued = credentials_.Issue(*std::move(credential));
        if (!issued.ok()) return issued.status();
        LOG(INFO) << "API token " << issued->credential.id() << " ("
                  << v1::Role_Name(request->role()) << ") created by credential "
                  << principal.credential_id;
        *response->mutable_credential() = std::move(issued->credential);
        response->set_token(std::move(issued->token));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AccessService::CreateEnrollmentToken(
    grpc::CallbackServerContext* context, const v1::CreateEnrollmentTokenRequest* request,
    v1::CreatedToken* response) {
  return AnswerIfAdmitted(
      gate_, context, Permission::kManageCredentials, [&](const Principal& principal) {
        const int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
        absl::StatusOr<v1::Credential> credential =
            EnrollmentTokenCredential(*request, registry_, now);
        if (!credential.ok()) return credential.status();
        absl::StatusOr<IssuedToken> issued = credentials_.Issue(*std::move(credential));
        if (!issued.ok()) return issued.status();
        LOG(INFO) << "enrollment token " << issued->credential.id() << " for tenant "
                  << issued->credential.tenant_id() << " created by credential "
                  << principal.credential_id;
        *response->mutable_credential() = std::move(issued->credential);
        response->set_token(std::move(issued->token));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AccessService::ListTokens(grpc::CallbackServerContext* context,
                                                    const v1::ListTokensRequest* /*request*/,
                                                    v1::ListTokensResponse* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kManageCredentials, [&](const Principal&) {
    for (v1::Credential& credential : credentials_.List()) {
      *response->add_credentials() = std::move(credential);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AccessService::RevokeToken(grpc::CallbackServerContext* context,
                                                     const v1::RevokeTokenRequest* request,
                                                     v1::RevokeTokenResponse* /*response*/) {
  return AnswerIfAdmitted(gate_, context, Permission::kManageCredentials,
                          [&](const Principal& principal) {
                            absl::Status revoked = credentials_.Revoke(request->id());
                            if (revoked.ok()) {
                              LOG(INFO) << "credential " << request->id()
                                        << " revoked by credential " << principal.credential_id;
                            }
                            return revoked;
                          });
}

grpc::ServerUnaryReactor* AccessService::RevokeAgent(grpc::CallbackServerContext* context,
                                                     const v1::RevokeAgentRequest* request,
                                                     v1::RevokeAgentResponse* response) {
  return AnswerIfAdmitted(
      gate_, context, Permission::kManageCredentials, [&](const Principal& principal) {
        absl::StatusOr<int> revoked = credentials_.RevokeAgent(request->agent_id());
        if (!revoked.ok()) return revoked.status();
        LOG(INFO) << "agent " << request->agent_id() << ": " << *revoked
                  << " credential(s) revoked by credential " << principal.credential_id;
        response->set_revoked(static_cast<uint32_t>(*revoked));
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* AccessService::WhoAmI(grpc::CallbackServerContext* context,
                                                const v1::WhoAmIRequest* /*request*/,
                                                v1::Credential* response) {
  return AnswerIfAdmitted(gate_, context, Permission::kIdentify, [&](const Principal& principal) {
    // Admitted a moment ago, so found unless revoked in between.
    std::optional<v1::Credential> credential = credentials_.Find(principal.credential_id);
    if (!credential) return absl::UnauthenticatedError("this credential has been revoked");
    *response = *std::move(credential);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::EnrollResponse> EnrollmentService::Redeem(const v1::EnrollRequest& request) {
  absl::MutexLock lock(&mu_);
  if (!request.signing_request().empty()) return RedeemWithKey(request);
  // A repeated request whose answer was lost: the agent proves the credential it proposed
  // then, so it is enrolled already; no use is spent again.
  if (!request.credential().empty()) {
    absl::StatusOr<v1::Credential> own =
        credentials_.Authenticate(request.credential(), v1::AGENT_CREDENTIAL);
    std::shared_ptr<const AgentBinding> agent = registry_.FindAgent(request.agent_id());
    if (own.ok() && own->agent_id() == request.agent_id() && agent != nullptr) {
      v1::EnrollResponse response;
      response.set_credential(request.credential());
      response.set_agent_id(request.agent_id());
      response.set_tenant_id(agent->tenant_id);
      std::vector<std::string> assets(agent->asset_ids.begin(), agent->asset_ids.end());
      std::sort(assets.begin(), assets.end());
      for (std::string& asset : assets) response.add_asset_ids(std::move(asset));
      return response;
    }
  }
  // The token first: without a valid one, nothing about the request is looked at.
  absl::StatusOr<v1::Credential> token =
      credentials_.Authenticate(request.token(), v1::ENROLLMENT_TOKEN);
  if (!token.ok()) return token.status();
  if (!IsValidId(request.agent_id())) {
    return absl::InvalidArgumentError("agent_id: 1 to 128 characters from [A-Za-z0-9._-]");
  }
  if (!request.credential().empty() && !ParseTokenText(request.credential())) {
    return absl::InvalidArgumentError("credential: not a token text (pst.<id>.<secret>)");
  }
  if (credentials_.AgentHasCredential(request.agent_id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("agent '", request.agent_id(), "' is enrolled already; revoke it first"));
  }
  if (std::shared_ptr<const AgentBinding> existing = registry_.FindAgent(request.agent_id());
      existing != nullptr && existing->tenant_id != token->tenant_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent '", request.agent_id(), "' is registered for another tenant"));
  }
  v1::Agent agent;
  agent.set_id(request.agent_id());
  agent.set_tenant_id(token->tenant_id());
  *agent.mutable_asset_ids() = token->asset_ids();
  if (absl::Status put = registry_.PutAgent(agent); !put.ok()) return put;
  if (absl::Status spent = credentials_.SpendEnrollmentUse(request.token()).status(); !spent.ok()) {
    return spent;
  }
  v1::Credential own;
  own.set_kind(v1::AGENT_CREDENTIAL);
  own.set_role(v1::ROLE_AGENT);
  own.set_tenant_id(token->tenant_id());
  own.set_agent_id(request.agent_id());
  own.set_name(absl::StrCat("enrolled with token ", token->id()));
  absl::StatusOr<IssuedToken> issued =
      request.credential().empty() ? credentials_.Issue(std::move(own))
                                   : credentials_.IssueAs(std::move(own), request.credential());
  if (!issued.ok()) return issued.status();
  LOG(INFO) << "agent " << request.agent_id() << " enrolled with token " << token->id()
            << "; its credential is " << issued->credential.id();
  v1::EnrollResponse response;
  response.set_credential(std::move(issued->token));
  response.set_agent_id(request.agent_id());
  response.set_tenant_id(token->tenant_id());
  *response.mutable_asset_ids() = token->asset_ids();
  return response;
}

absl::StatusOr<std::string> EnrollmentService::IssueAndRecord(absl::string_view signing_request,
                                                              absl::string_view agent_id,
                                                              absl::string_view tenant_id) {
  const absl::Time now = clock_.TimeNow();
  absl::StatusOr<std::string> certificate = IssueAgentCertificate(
      policy_.ca, signing_request, agent_id, tenant_id, now, policy_.lifetime);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<AgentCertificateFacts> facts =
      VerifyAgentCertificate(*certificate, policy_.ca.certificate_pem, now);
  if (!facts.ok()) {
    return absl::InternalError(
        absl::StrCat("the certificate just issued does not verify: ", facts.status().message()));
  }
  v1::Credential record;
  record.set_id(facts->serial);
  record.set_kind(v1::AGENT_CERTIFICATE);
  record.set_role(v1::ROLE_AGENT);
  record.set_tenant_id(std::string(tenant_id));
  record.set_agent_id(std::string(agent_id));
  record.set_name("agent certificate");
  record.set_expires_unix_seconds(absl::ToUnixSeconds(facts->not_after));
  record.set_secret_sha256(facts->key_sha256);
  if (absl::Status recorded = credentials_.RecordAgentCertificate(std::move(record));
      !recorded.ok()) {
    return recorded;
  }
  LOG(INFO) << "agent " << agent_id << " of tenant " << tenant_id << ": certificate "
            << facts->serial << " issued, valid until " << absl::FormatTime(facts->not_after);
  return certificate;
}

absl::StatusOr<v1::EnrollResponse> EnrollmentService::RedeemWithKey(
    const v1::EnrollRequest& request) {
  if (!request.credential().empty()) {
    return absl::InvalidArgumentError(
        "credential and signing_request: an agent enrolls with one or the other");
  }
  v1::EnrollResponse response;
  response.set_agent_id(request.agent_id());
  response.set_agent_ca_certificate(policy_.ca.certificate_pem);
  const auto answer = [&](const std::string& tenant_id, std::vector<std::string> assets,
                          std::string certificate) {
    response.set_tenant_id(tenant_id);
    std::sort(assets.begin(), assets.end());
    for (std::string& asset : assets) response.add_asset_ids(std::move(asset));
    response.set_certificate(std::move(certificate));
    return response;
  };
  // A repeated request whose answer was lost: the agent's key has a live certificate
  // already, so it gets another for the same key and no use is spent again.
  absl::StatusOr<std::string> key =
      SigningRequestKeySha256(request.signing_request(), request.agent_id());
  std::shared_ptr<const AgentBinding> agent = registry_.FindAgent(request.agent_id());
  if (key.ok() && agent != nullptr &&
      credentials_.FindAgentCertificate(request.agent_id(), *key).has_value()) {
    absl::StatusOr<std::string> certificate =
        IssueAndRecord(request.signing_request(), request.agent_id(), agent->tenant_id);
    if (!certificate.ok()) return certificate.status();
    return answer(agent->tenant_id, {agent->asset_ids.begin(), agent->asset_ids.end()},
                  *std::move(certificate));
  }
  // The token first: without a valid one, nothing else about the request is looked at.
  absl::StatusOr<v1::Credential> token =
      credentials_.Authenticate(request.token(), v1::ENROLLMENT_TOKEN);
  if (!token.ok()) return token.status();
  if (!IsValidId(request.agent_id())) {
    return absl::InvalidArgumentError("agent_id: 1 to 128 characters from [A-Za-z0-9._-]");
  }
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("signing_request: ", key.status().message()));
  }
  if (credentials_.AgentHasCredential(request.agent_id())) {
    return absl::AlreadyExistsError(
        absl::StrCat("agent '", request.agent_id(), "' is enrolled already; revoke it first"));
  }
  if (agent != nullptr && agent->tenant_id != token->tenant_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent '", request.agent_id(), "' is registered for another tenant"));
  }
  v1::Agent registered;
  registered.set_id(request.agent_id());
  registered.set_tenant_id(token->tenant_id());
  *registered.mutable_asset_ids() = token->asset_ids();
  if (absl::Status put = registry_.PutAgent(registered); !put.ok()) return put;
  // Recorded before the use is spent: if spending fails, the agent's next attempt with
  // the same key is recognised above instead of finding the token used up.
  absl::StatusOr<std::string> certificate =
      IssueAndRecord(request.signing_request(), request.agent_id(), token->tenant_id());
  // In cluster mode a record in the log but not applied here yet (DeadlineExceeded) is
  // made, and the agent's next attempt finds it and spends nothing: so it spends now.
  if (!certificate.ok() && !absl::IsDeadlineExceeded(certificate.status())) {
    return certificate.status();
  }
  if (absl::Status spent = credentials_.SpendEnrollmentUse(request.token()).status(); !spent.ok()) {
    return spent;
  }
  if (!certificate.ok()) return certificate.status();
  LOG(INFO) << "agent " << request.agent_id() << " enrolled with token " << token->id()
            << " and its own key";
  return answer(token->tenant_id(), {token->asset_ids().begin(), token->asset_ids().end()},
                *std::move(certificate));
}

absl::StatusOr<std::string> EnrollmentService::Renew(const Principal& principal,
                                                     const v1::RenewCertificateRequest& request) {
  if (registry_.FindAgent(principal.agent_id) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent '", principal.agent_id, "' is no longer registered"));
  }
  if (absl::Status valid =
          SigningRequestKeySha256(request.signing_request(), principal.agent_id).status();
      !valid.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("signing_request: ", valid.message()));
  }
  return IssueAndRecord(request.signing_request(), principal.agent_id, principal.tenant_id);
}

grpc::ServerUnaryReactor* EnrollmentService::RenewCertificate(
    grpc::CallbackServerContext* context, const v1::RenewCertificateRequest* request,
    v1::RenewCertificateResponse* response) {
  absl::StatusOr<Principal> principal = admission_.AdmitCertificate(*context);
  if (!principal.ok()) return Answer(context, principal.status());
  absl::StatusOr<std::string> certificate = Renew(*principal, *request);
  if (certificate.ok()) response->set_certificate(*std::move(certificate));
  return Answer(context, certificate.status());
}

grpc::ServerUnaryReactor* EnrollmentService::Enroll(grpc::CallbackServerContext* context,
                                                    const v1::EnrollRequest* request,
                                                    v1::EnrollResponse* response) {
  absl::StatusOr<v1::EnrollResponse> enrolled = Redeem(*request);
  if (enrolled.ok()) *response = *std::move(enrolled);
  return Answer(context, enrolled.status());
}

}  // namespace postura::collector
