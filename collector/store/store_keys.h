#ifndef POSTURA_COLLECTOR_STORE_STORE_KEYS_H_
#define POSTURA_COLLECTOR_STORE_STORE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace postura::collector {

// Key layouts of the store's column families. Ids never contain '\0' (the registry and
// ingest validation allow only [A-Za-z0-9._-] and catalog ids), so '\0' separates them,
// and integers are big-endian so that keys sort in numeric order.

// evidence: asset \0 outcome \0 observed_at(8) agent \0 sequence(8) index(4).
// All evidence of one (asset, outcome) is contiguous and in observed order.
std::string EvidenceKey(absl::string_view asset, absl::string_view outcome,
                        int64_t observed_at_unix_nanos, absl::string_view agent, uint64_t sequence,
                        uint32_t index);
// The prefix shared by every evidence key of (asset, outcome).
std::string EvidencePrefix(absl::string_view asset, absl::string_view outcome);
// The observed time in an evidence key; nullopt if `key` is not one.
std::optional<int64_t> EvidenceKeyObservedAt(absl::string_view key);

// state: asset \0 outcome \0 agent \0 check. One entry per evidence source.
std::string StateKey(absl::string_view asset, absl::string_view outcome, absl::string_view agent,
                     absl::string_view check);

// The ids in a state key; they view the key's bytes. nullopt if `key` is not one.
struct StateKeyParts {
  absl::string_view asset, outcome, agent, check;
};
std::optional<StateKeyParts> ParseStateKey(absl::string_view key);
// The prefix shared by every state key of (asset, outcome), and of one asset.
std::string StatePrefix(absl::string_view asset, absl::string_view outcome);
std::string AssetStatePrefix(absl::string_view asset);

// expiry: expires_at(8) state key. One entry per report, in expiry order, so that a timer
// finds what stops counting next. Entries of reports since replaced are left to expire.
std::string ExpiryKey(int64_t expires_at_unix_nanos, absl::string_view state_key);
struct ExpiryKeyParts {
  int64_t expires_at_unix_nanos = 0;
  absl::string_view state_key;
};
std::optional<ExpiryKeyParts> ParseExpiryKey(absl::string_view key);

// seals: agent \0 sequence(8, big-endian) -> v1::BatchSealRecord, one per signed batch;
// "certificate/" serial -> v1::AgentCertificateRecord, each agent certificate that sealed
// ('/' is in no agent id, so the two never meet).
std::string SealKey(absl::string_view agent, uint64_t sequence);
inline constexpr absl::string_view kCertificateKeyPrefix = "certificate/";
std::string CertificateKey(absl::string_view serial);

// progress: agent id -> its progress record (EncodeProgress); and "log/position" -> the
// replicated log's position of the last committed batch in cluster mode
// (EncodeLogPosition; '/' is in no agent id).
inline constexpr absl::string_view kLogPositionKey = "log/position";

// registry: one record per key; the id follows a prefix naming the record's kind.
// "tenant/" id -> v1::Tenant, "department/" id -> v1::Department, "asset/" id -> v1::Asset,
// "targets/" asset -> v1::PutTargetsRequest (the asset's targets), "agent/" id -> v1::Agent,
// "credential/" id -> v1::Credential (collector/credential_store.h).
// No prefix is a prefix of another.
inline constexpr absl::string_view kTenantKeyPrefix = "tenant/";
inline constexpr absl::string_view kDepartmentKeyPrefix = "department/";
inline constexpr absl::string_view kAssetKeyPrefix = "asset/";
inline constexpr absl::string_view kTargetsKeyPrefix = "targets/";
inline constexpr absl::string_view kAgentKeyPrefix = "agent/";
inline constexpr absl::string_view kCredentialKeyPrefix = "credential/";
std::string TenantKey(absl::string_view tenant);
std::string DepartmentKey(absl::string_view department);
std::string AssetKey(absl::string_view asset);
std::string CredentialKey(absl::string_view credential);
std::string TargetsKey(absl::string_view asset);
std::string AgentKey(absl::string_view agent);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_STORE_STORE_KEYS_H_
