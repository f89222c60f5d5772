#ifndef POSTURA_COLLECTOR_ACCESS_CREDENTIAL_STORE_H_
#define POSTURA_COLLECTOR_ACCESS_CREDENTIAL_STORE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "postura/v1/access.pb.h"
#include "postura/v1/replication.pb.h"

namespace postura::collector {

// A credential's id and the token text that proves it, as handed out once.
struct IssuedToken {
  v1::Credential credential;  // Without its secret hash.
  std::string token;          // "pst.<id>.<secret>"
};

// Every credential the collector knows (postura/v1/access.proto): API tokens, enrollment
// tokens and agent credentials. Each is a registry record in the store, written synced
// before it counts, and a copy in memory for the per-call check. Only the SHA-256 of a
// secret is kept; secrets are 32 random bytes, so an unsalted hash is enough.
//
// In cluster mode the change methods (Issue, IssueAs, RecordAgentCertificate,
// SpendEnrollmentUse, Revoke, RevokeAgent, RevokeTenant) make their change at this
// collector (the id, the secret's hash, the time) and route it through the cluster's log
// like the registry's (RouteChangesThrough), so that every collector holds the same
// credentials and an agent or a person proves itself at any of them. Last uses stay
// local: each collector records the uses it saw.
// Thread-safe. The store and clock are borrowed and must outlive this object.
class CredentialStore {
 public:
  // Loads the stored credentials. DataLoss naming the record if one is corrupt.
  static absl::StatusOr<std::unique_ptr<CredentialStore>> Load(EvidenceStore& store, Clock& clock);

  // Gives `credential` a fresh id, secret and creation time, stores it and returns it with
  // its token text. Unavailable if the store cannot write.
  absl::StatusOr<IssuedToken> Issue(v1::Credential credential);
  // Issue with the id and secret of `token`, a token text its holder made (and saved)
  // first (common/token_text.h). InvalidArgument if it is not a token text, AlreadyExists
  // if its id is taken.
  absl::StatusOr<IssuedToken> IssueAs(v1::Credential credential, absl::string_view token);

  // Stores `record`, an agent certificate (kind AGENT_CERTIFICATE, id its serial), synced,
  // and deletes that agent's certificate records that have expired. AlreadyExists if the
  // id is taken, InvalidArgument for another kind; Unavailable if the store cannot write.
  absl::Status RecordAgentCertificate(v1::Credential record);
  // The agent's live certificate record whose key digest is `key_sha256`; nullopt if none.
  std::optional<v1::Credential> FindAgentCertificate(absl::string_view agent_id,
                                                     absl::string_view key_sha256) const;

  // The live credential of kind `kind` that `token` proves: known, not expired and, for
  // an enrollment token, with uses left. Unauthenticated otherwise; the message never
  // repeats the token.
  absl::StatusOr<v1::Credential> Authenticate(absl::string_view token,
                                              v1::CredentialKind kind) const;

  // Spends one use of the enrollment token `token` (as Authenticate checks it), synced.
  // Returns the token's record as it was before the use.
  absl::StatusOr<v1::Credential> SpendEnrollmentUse(absl::string_view token);

  // True while the credential `id` exists and has not expired; cheap enough to ask per
  // message of an open stream.
  bool IsLive(absl::string_view id) const;
  // True if the agent holds a credential or a live certificate.
  bool AgentHasCredential(absl::string_view agent_id) const;
  // True if some admin API token exists and has not expired.
  bool HasLiveAdminToken() const;

  // Records that credential `id` just authenticated a call from `peer` (an IP address):
  // in memory at once, in the store at most once per kLastUseStoreEvery per credential
  // (a synced write then). Unknown ids are ignored; a failed write is retried at the next
  // use.
  void NoteUse(absl::string_view id, absl::string_view peer) const;

  // The credential `id`, without its secret hash; nullopt if there is none.
  std::optional<v1::Credential> Find(absl::string_view id) const;
  // Every credential, sorted by id, without secret hashes, with its last use.
  std::vector<v1::Credential> List() const;
  // Deletes the credential. NotFound if there is none.
  absl::Status Revoke(absl::string_view id);
  // Deletes every credential and certificate record of the agent and returns how many.
  // NotFound if none.
  absl::StatusOr<int> RevokeAgent(absl::string_view agent_id);
  // Deletes every credential of the tenant (API tokens, enrollment tokens, agents'
  // credentials) and returns how many; 0 if none.
  absl::StatusOr<int> RevokeTenant(absl::string_view tenant_id);

  // Where the change methods above send their change instead of applying it: `router`
  // must have it applied here through Apply (after the cluster's log stored it) and return
  // what Apply returned. Null applies changes directly (the default). Called outside the
  // credentials' lock.
  using ChangeRouter = std::function<absl::Status(const v1::RegistryChange&)>;
  void RouteChangesThrough(ChangeRouter router) ABSL_LOCKS_EXCLUDED(router_mu_);

  // Applies a credential change (IsCredentialChange) here. InvalidArgument for another
  // change or a malformed one; AlreadyExists for an id taken; NotFound for a credential
  // that is gone; Aborted for an enrollment use whose token was used meanwhile.
  absl::Status Apply(const v1::RegistryChange& change);

 private:
  using Matcher = std::function<bool(const v1::Credential&)>;
  CredentialStore(EvidenceStore& store, Clock& clock) : store_(store), clock_(clock) {}
  // Routes `change`, or applies it without a router.
  absl::Status Change(const v1::RegistryChange& change) ABSL_LOCKS_EXCLUDED(router_mu_);
  absl::Status LocalPut(v1::Credential credential);
  absl::Status LocalRecordAgentCertificate(v1::Credential record);
  absl::Status LocalSpendUse(const v1::EnrollmentUse& use);
  absl::Status LocalRevoke(absl::string_view id);
  absl::StatusOr<int> RevokeWhere(const Matcher& matches);
  int CountWhere(const Matcher& matches) const;
  absl::StatusOr<v1::Credential> FindLive(absl::string_view token, v1::CredentialKind kind) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  EvidenceStore& store_;
  Clock& clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, v1::Credential, std::less<>> credentials_ ABSL_GUARDED_BY(mu_);
  // Last uses newer than the stored records, and when each credential's was last stored.
  struct LastUse {
    int64_t at_unix_seconds = 0;
    std::string from;
    absl::Time stored_at = absl::InfinitePast();
  };
  mutable std::map<std::string, LastUse, std::less<>> last_use_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex router_mu_;
  ChangeRouter router_ ABSL_GUARDED_BY(router_mu_);
};

// True for the changes CredentialStore::Apply applies (put_credential and the rest of
// the credentials' fields of RegistryChange).
bool IsCredentialChange(const v1::RegistryChange& change);

// How often at most a credential's last use is written to the store.
inline constexpr absl::Duration kLastUseStoreEvery = absl::Minutes(1);

// True if `credential` is expired at `now_unix_seconds`.
bool IsExpired(const v1::Credential& credential, int64_t now_unix_seconds);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ACCESS_CREDENTIAL_STORE_H_
