// The credentials' changes: each change method routes its change or applies it
// (credential_store.h, "cluster mode"), and Apply makes it in this collector's store.

#include "absl/strings/str_cat.h"
#include "collector/access/credential_store.h"
#include "collector/registry/registry_rules.h"
#include "collector/store/store_keys.h"
#include "common/transport/token_text.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

std::function<bool(const v1::Credential&)> AgentsCredentials(absl::string_view agent_id) {
  return [agent_id = std::string(agent_id)](const v1::Credential& credential) {
    return (credential.kind() == v1::AGENT_CREDENTIAL ||
            credential.kind() == v1::AGENT_CERTIFICATE) &&
           credential.agent_id() == agent_id;
  };
}

std::function<bool(const v1::Credential&)> TenantsCredentials(absl::string_view tenant_id) {
  return [tenant_id = std::string(tenant_id)](const v1::Credential& credential) {
    return credential.tenant_id() == tenant_id;
  };
}

// The checks of a credential record that came through the log, which its maker made
// (anyone who may write to the cluster's stream can append one: docs/scale.md).
absl::Status CheckRecord(const v1::Credential& credential, bool certificate) {
  if (certificate != (credential.kind() == v1::AGENT_CERTIFICATE)) {
    return absl::InvalidArgumentError(
        certificate ? "credential change: not an agent certificate record"
                    : "credential change: an agent certificate is recorded, not put");
  }
  if (certificate ? credential.id().empty() || credential.id().size() > 128
                  : !ParseTokenText(absl::StrCat("pst.", credential.id(), ".x"))) {
    return absl::InvalidArgumentError("credential change: not a credential id");
  }
  if (credential.kind() == v1::CREDENTIAL_KIND_UNSPECIFIED ||
      !v1::CredentialKind_IsValid(credential.kind()) || !v1::Role_IsValid(credential.role())) {
    return absl::InvalidArgumentError("credential change: no valid kind or role");
  }
  if (credential.secret_sha256().size() != 32) {
    return absl::InvalidArgumentError("credential change: the secret's hash is not 32 bytes");
  }
  return absl::OkStatus();
}

// The organisation's own credentials go with no tenant: its tenant is never deleted.
absl::Status CheckRevokedTenant(absl::string_view tenant_id) {
  if (tenant_id.empty() || tenant_id == kOrganizationTenantId) {
    return absl::InvalidArgumentError(
        "credential change: the organisation's credentials are not revoked as a tenant's");
  }
  return absl::OkStatus();
}

}  // namespace

bool IsCredentialChange(const v1::RegistryChange& change) {
  switch (change.change_case()) {
    case v1::RegistryChange::kPutCredential:
    case v1::RegistryChange::kRevokeCredential:
    case v1::RegistryChange::kRevokeAgentCredentials:
    case v1::RegistryChange::kRevokeTenantCredentials:
    case v1::RegistryChange::kSpendEnrollmentUse:
    case v1::RegistryChange::kRecordAgentCertificate:
      return true;
    default:
      return false;
  }
}

void CredentialStore::RouteChangesThrough(ChangeRouter router) {
  absl::MutexLock lock(&router_mu_);
  router_ = std::move(router);
}

absl::Status CredentialStore::Change(const v1::RegistryChange& change) {
  ChangeRouter router;
  {
    absl::MutexLock lock(&router_mu_);
    router = router_;
  }
  return router ? router(change) : Apply(change);
}

absl::Status CredentialStore::Apply(const v1::RegistryChange& change) {
  switch (change.change_case()) {
    case v1::RegistryChange::kPutCredential:
      return LocalPut(change.put_credential());
    case v1::RegistryChange::kRevokeCredential:
      return LocalRevoke(change.revoke_credential());
    case v1::RegistryChange::kRevokeAgentCredentials:
      return RevokeWhere(AgentsCredentials(change.revoke_agent_credentials())).status();
    case v1::RegistryChange::kRevokeTenantCredentials:
      if (absl::Status s = CheckRevokedTenant(change.revoke_tenant_credentials()); !s.ok()) {
        return s;
      }
      return RevokeWhere(TenantsCredentials(change.revoke_tenant_credentials())).status();
    case v1::RegistryChange::kSpendEnrollmentUse:
      return LocalSpendUse(change.spend_enrollment_use());
    case v1::RegistryChange::kRecordAgentCertificate:
      return LocalRecordAgentCertificate(change.record_agent_certificate());
    default:
      return absl::InvalidArgumentError("not a change of the credentials");
  }
}

absl::Status CredentialStore::Revoke(absl::string_view id) {
  if (!Find(id)) return absl::NotFoundError(absl::StrCat("no credential '", id.substr(0, 64), "'"));
  v1::RegistryChange change;
  change.set_revoke_credential(std::string(id));
  return Change(change);
}

absl::StatusOr<int> CredentialStore::RevokeAgent(absl::string_view agent_id) {
  const int held = CountWhere(AgentsCredentials(agent_id));
  if (held == 0) {
    return absl::NotFoundError(
        absl::StrCat("agent '", agent_id.substr(0, 128), "' holds no credential"));
  }
  v1::RegistryChange change;
  change.set_revoke_agent_credentials(std::string(agent_id));
  if (absl::Status revoked = Change(change); !revoked.ok()) return revoked;
  return held;
}

absl::StatusOr<int> CredentialStore::RevokeTenant(absl::string_view tenant_id) {
  // Routed even when none is held here: another collector may hold some this one has not
  // applied yet. The count is this collector's.
  const int held = CountWhere(TenantsCredentials(tenant_id));
  if (absl::Status s = CheckRevokedTenant(tenant_id); !s.ok()) {
    if (held == 0) return 0;
    return s;
  }
  v1::RegistryChange change;
  change.set_revoke_tenant_credentials(std::string(tenant_id));
  if (absl::Status revoked = Change(change); !revoked.ok()) return revoked;
  return held;
}

absl::Status CredentialStore::LocalPut(v1::Credential credential) {
  if (absl::Status checked = CheckRecord(credential, false); !checked.ok()) return checked;
  absl::MutexLock lock(&mu_);
  if (credentials_.contains(credential.id())) {
    return absl::AlreadyExistsError("credential: that id is taken; make a new token text");
  }
  if (absl::Status stored = store_.PutRegistryRecord(CredentialKey(credential.id()), credential);
      !stored.ok()) {
    return stored;
  }
  credentials_.emplace(credential.id(), std::move(credential));
  return absl::OkStatus();
}

absl::Status CredentialStore::LocalRecordAgentCertificate(v1::Credential record) {
  if (absl::Status checked = CheckRecord(record, true); !checked.ok()) return checked;
  absl::MutexLock lock(&mu_);
  if (credentials_.contains(record.id())) {
    return absl::AlreadyExistsError("credential: that certificate serial is recorded already");
  }
  // A renewed agent leaves one record per certificate; those past their end are of no
  // more use, so each new one takes the expired ones of its agent away (by the new one's
  // time, so every collector of a cluster takes the same ones).
  std::vector<std::string> expired;
  for (const auto& [id, credential] : credentials_) {
    if (credential.kind() == v1::AGENT_CERTIFICATE && credential.agent_id() == record.agent_id() &&
        IsExpired(credential, record.created_unix_seconds())) {
      expired.push_back(CredentialKey(id));
    }
  }
  if (absl::Status stored = store_.PutRegistryRecord(CredentialKey(record.id()), record);
      !stored.ok()) {
    return stored;
  }
  if (!expired.empty()) {
    if (absl::Status deleted = store_.DeleteRegistryRecords(expired); !deleted.ok()) {
      LOG(WARNING) << "expired certificate records of agent " << record.agent_id()
                   << " kept: " << deleted;
    } else {
      for (const std::string& key : expired) {
        credentials_.erase(key.substr(kCredentialKeyPrefix.size()));
      }
    }
  }
  credentials_.emplace(record.id(), std::move(record));
  return absl::OkStatus();
}

absl::Status CredentialStore::LocalSpendUse(const v1::EnrollmentUse& use) {
  absl::MutexLock lock(&mu_);
  auto it = credentials_.find(use.credential_id());
  if (it == credentials_.end() || it->second.kind() != v1::ENROLLMENT_TOKEN) {
    return absl::NotFoundError(
        absl::StrCat("no enrollment token '", use.credential_id().substr(0, 64), "'"));
  }
  if (it->second.uses_left() != use.uses_left_before() || use.uses_left_before() == 0) {
    return absl::AbortedError("the enrollment token was used meanwhile");
  }
  v1::Credential spent = it->second;
  spent.set_uses_left(spent.uses_left() - 1);
  if (absl::Status stored = store_.PutRegistryRecord(CredentialKey(spent.id()), spent);
      !stored.ok()) {
    return stored;
  }
  it->second = std::move(spent);
  return absl::OkStatus();
}

absl::Status CredentialStore::LocalRevoke(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  auto it = credentials_.find(id);
  if (it == credentials_.end()) {
    return absl::NotFoundError(absl::StrCat("no credential '", id.substr(0, 64), "'"));
  }
  if (absl::Status deleted = store_.DeleteRegistryRecords({CredentialKey(id)}); !deleted.ok()) {
    return deleted;
  }
  credentials_.erase(it);
  return absl::OkStatus();
}

int CredentialStore::CountWhere(const Matcher& matches) const {
  absl::ReaderMutexLock lock(&mu_);
  int count = 0;
  for (const auto& [id, credential] : credentials_) count += matches(credential) ? 1 : 0;
  return count;
}

absl::StatusOr<int> CredentialStore::RevokeWhere(const Matcher& matches) {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> keys;
  for (const auto& [id, credential] : credentials_) {
    if (matches(credential)) keys.push_back(CredentialKey(id));
  }
  if (keys.empty()) return 0;
  if (absl::Status deleted = store_.DeleteRegistryRecords(keys); !deleted.ok()) return deleted;
  for (const std::string& key : keys) {
    credentials_.erase(key.substr(kCredentialKeyPrefix.size()));
  }
  return static_cast<int>(keys.size());
}

}  // namespace postura::collector
