#include "collector/access/credential_store.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collector/store/store_keys.h"
#include "common/transport/token_text.h"
#include "glog/logging.h"
#include "openssl/crypto.h"
#include "openssl/sha.h"

namespace postura::collector {
namespace {

std::string Sha256(absl::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

absl::Status Refused() {
  // One message for every reason, so that a caller learns nothing about which tokens exist.
  return absl::UnauthenticatedError("credential unknown, expired, used up or revoked");
}

v1::Credential WithoutSecret(v1::Credential credential) {
  credential.clear_secret_sha256();
  return credential;
}

}  // namespace

bool IsExpired(const v1::Credential& credential, int64_t now_unix_seconds) {
  return credential.expires_unix_seconds() != 0 &&
         now_unix_seconds >= credential.expires_unix_seconds();
}

absl::StatusOr<std::unique_ptr<CredentialStore>> CredentialStore::Load(EvidenceStore& store,
                                                                       Clock& clock) {
  std::unique_ptr<CredentialStore> credentials(new CredentialStore(store, clock));
  absl::MutexLock lock(&credentials->mu_);
  absl::Status loaded = store.ForEachRegistryRecord(
      kCredentialKeyPrefix, [&](absl::string_view id, absl::string_view value) {
        v1::Credential credential;
        if (!credential.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
            credential.id() != id) {
          return absl::DataLossError(
              absl::StrCat("corrupt registry record ", kCredentialKeyPrefix, id.substr(0, 64)));
        }
        credentials->credentials_.emplace(credential.id(), std::move(credential));
        return absl::OkStatus();
      });
  if (!loaded.ok()) return loaded;
  return credentials;
}

absl::StatusOr<IssuedToken> CredentialStore::Issue(v1::Credential credential) {
  return IssueAs(std::move(credential), NewTokenText());
}

absl::StatusOr<IssuedToken> CredentialStore::IssueAs(v1::Credential credential,
                                                     absl::string_view token) {
  std::optional<TokenParts> parts = ParseTokenText(token);
  if (!parts) return absl::InvalidArgumentError("credential: not a token text");
  credential.set_id(std::string(parts->id));
  credential.set_secret_sha256(Sha256(parts->secret));
  credential.set_created_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow()));
  v1::RegistryChange change;
  *change.mutable_put_credential() = credential;
  if (absl::Status put = Change(change); !put.ok()) return put;
  return IssuedToken{WithoutSecret(std::move(credential)), std::string(token)};
}

absl::Status CredentialStore::RecordAgentCertificate(v1::Credential record) {
  if (record.kind() != v1::AGENT_CERTIFICATE) {
    return absl::InvalidArgumentError("credential: not an agent certificate record");
  }
  record.set_created_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow()));
  v1::RegistryChange change;
  *change.mutable_record_agent_certificate() = std::move(record);
  return Change(change);
}

std::optional<v1::Credential> CredentialStore::FindAgentCertificate(
    absl::string_view agent_id, absl::string_view key_sha256) const {
  absl::ReaderMutexLock lock(&mu_);
  const int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
  for (const auto& [id, credential] : credentials_) {
    if (credential.kind() == v1::AGENT_CERTIFICATE && credential.agent_id() == agent_id &&
        !key_sha256.empty() && credential.secret_sha256() == key_sha256 &&
        !IsExpired(credential, now)) {
      return WithoutSecret(credential);
    }
  }
  return std::nullopt;
}

absl::StatusOr<v1::Credential> CredentialStore::FindLive(absl::string_view token,
                                                         v1::CredentialKind kind) const {
  std::optional<TokenParts> parts = ParseTokenText(token);
  if (!parts) return Refused();
  auto it = credentials_.find(parts->id);
  if (it == credentials_.end() || it->second.kind() != kind) return Refused();
  const v1::Credential& credential = it->second;
  const std::string hash = Sha256(parts->secret);
  if (credential.secret_sha256().size() != hash.size() ||
      CRYPTO_memcmp(hash.data(), credential.secret_sha256().data(), hash.size()) != 0) {
    return Refused();
  }
  if (IsExpired(credential, absl::ToUnixSeconds(clock_.TimeNow()))) return Refused();
  if (kind == v1::ENROLLMENT_TOKEN && credential.uses_left() == 0) return Refused();
  return credential;
}

absl::StatusOr<v1::Credential> CredentialStore::Authenticate(absl::string_view token,
                                                             v1::CredentialKind kind) const {
  absl::ReaderMutexLock lock(&mu_);
  absl::StatusOr<v1::Credential> found = FindLive(token, kind);
  if (!found.ok()) return found.status();
  return WithoutSecret(*std::move(found));
}

absl::StatusOr<v1::Credential> CredentialStore::SpendEnrollmentUse(absl::string_view token) {
  // Another collector of a cluster may spend a use at the same time: the change names the
  // uses it saw, and is made again from what this store then holds.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<v1::Credential> found;
    {
      absl::ReaderMutexLock lock(&mu_);
      found = FindLive(token, v1::ENROLLMENT_TOKEN);
    }
    if (!found.ok()) return found.status();
    v1::RegistryChange change;
    change.mutable_spend_enrollment_use()->set_credential_id(found->id());
    change.mutable_spend_enrollment_use()->set_uses_left_before(found->uses_left());
    absl::Status spent = Change(change);
    if (spent.ok()) return WithoutSecret(*std::move(found));
    if (absl::IsNotFound(spent)) return Refused();  // Revoked meanwhile.
    if (!absl::IsAborted(spent) || attempt == kAttempts) return spent;
  }
}

bool CredentialStore::IsLive(absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = credentials_.find(id);
  return it != credentials_.end() && !IsExpired(it->second, absl::ToUnixSeconds(clock_.TimeNow()));
}

bool CredentialStore::AgentHasCredential(absl::string_view agent_id) const {
  absl::ReaderMutexLock lock(&mu_);
  const int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
  for (const auto& [id, credential] : credentials_) {
    if (credential.agent_id() != agent_id) continue;
    if (credential.kind() == v1::AGENT_CREDENTIAL) return true;
    if (credential.kind() == v1::AGENT_CERTIFICATE && !IsExpired(credential, now)) return true;
  }
  return false;
}

bool CredentialStore::HasLiveAdminToken() const {
  absl::ReaderMutexLock lock(&mu_);
  const int64_t now = absl::ToUnixSeconds(clock_.TimeNow());
  for (const auto& [id, credential] : credentials_) {
    if (credential.kind() == v1::API_TOKEN && credential.role() == v1::ROLE_ADMIN &&
        !IsExpired(credential, now)) {
      return true;
    }
  }
  return false;
}

std::optional<v1::Credential> CredentialStore::Find(absl::string_view id) const {
  absl::ReaderMutexLock lock(&mu_);
  auto it = credentials_.find(id);
  if (it == credentials_.end()) return std::nullopt;
  return WithoutSecret(it->second);
}

std::vector<v1::Credential> CredentialStore::List() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<v1::Credential> list;
  list.reserve(credentials_.size());
  for (const auto& [id, credential] : credentials_) {
    v1::Credential& listed = list.emplace_back(WithoutSecret(credential));
    if (auto use = last_use_.find(id); use != last_use_.end()) {
      listed.set_last_used_unix_seconds(use->second.at_unix_seconds);
      listed.set_last_used_from(use->second.from);
    }
  }
  return list;
}

void CredentialStore::NoteUse(absl::string_view id, absl::string_view peer) const {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&mu_);
  auto credential = credentials_.find(id);
  if (credential == credentials_.end()) return;
  LastUse& use = last_use_[credential->first];
  use.at_unix_seconds = absl::ToUnixSeconds(now);
  use.from = std::string(peer.substr(0, 64));
  if (now - use.stored_at < kLastUseStoreEvery) return;
  // Written under the lock, like every other change of the record, so a revocation or a
  // spent use is never overwritten by an older copy.
  v1::Credential record = credential->second;
  record.set_last_used_unix_seconds(use.at_unix_seconds);
  record.set_last_used_from(use.from);
  if (absl::Status stored = store_.PutRegistryRecord(CredentialKey(record.id()), record);
      !stored.ok()) {
    LOG_EVERY_N(WARNING, 100) << "the last use of credential " << record.id()
                              << " was not stored (tried again at its next use): " << stored;
    return;
  }
  use.stored_at = now;
}

}  // namespace postura::collector
