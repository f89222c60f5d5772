#include "collector/store/store_keys.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace postura::collector {
namespace {

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

}  // namespace

std::string EvidencePrefix(absl::string_view asset, absl::string_view outcome) {
  return absl::StrCat(asset, absl::string_view("\0", 1), outcome, absl::string_view("\0", 1));
}

std::string EvidenceKey(absl::string_view asset, absl::string_view outcome,
                        int64_t observed_at_unix_nanos, absl::string_view agent, uint64_t sequence,
                        uint32_t index) {
  std::string key = EvidencePrefix(asset, outcome);
  AppendBigEndian(key, static_cast<uint64_t>(observed_at_unix_nanos), 8);
  absl::StrAppend(&key, agent, absl::string_view("\0", 1));
  AppendBigEndian(key, sequence, 8);
  AppendBigEndian(key, index, 4);
  return key;
}

std::optional<int64_t> EvidenceKeyObservedAt(absl::string_view key) {
  const std::size_t first = key.find('\0');
  if (first == absl::string_view::npos) return std::nullopt;
  const std::size_t second = key.find('\0', first + 1);
  if (second == absl::string_view::npos || key.size() < second + 1 + 8) return std::nullopt;
  uint64_t value = 0;
  for (std::size_t i = second + 1; i < second + 9; ++i) {
    value = (value << 8) | static_cast<unsigned char>(key[i]);
  }
  return static_cast<int64_t>(value);
}

std::string StateKey(absl::string_view asset, absl::string_view outcome, absl::string_view agent,
                     absl::string_view check) {
  const absl::string_view nul("\0", 1);
  return absl::StrCat(asset, nul, outcome, nul, agent, nul, check);
}

std::optional<StateKeyParts> ParseStateKey(absl::string_view key) {
  std::vector<absl::string_view> parts = absl::StrSplit(key, absl::string_view("\0", 1));
  if (parts.size() != 4) return std::nullopt;
  return StateKeyParts{parts[0], parts[1], parts[2], parts[3]};
}

std::string StatePrefix(absl::string_view asset, absl::string_view outcome) {
  return EvidencePrefix(asset, outcome);
}

std::string AssetStatePrefix(absl::string_view asset) {
  return absl::StrCat(asset, absl::string_view("\0", 1));
}

std::string ExpiryKey(int64_t expires_at_unix_nanos, absl::string_view state_key) {
  std::string key;
  key.reserve(8 + state_key.size());
  AppendBigEndian(key, static_cast<uint64_t>(expires_at_unix_nanos), 8);
  key.append(state_key.data(), state_key.size());
  return key;
}

std::optional<ExpiryKeyParts> ParseExpiryKey(absl::string_view key) {
  if (key.size() <= 8) return std::nullopt;
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(key[i]);
  return ExpiryKeyParts{static_cast<int64_t>(value), key.substr(8)};
}

std::string SealKey(absl::string_view agent, uint64_t sequence) {
  std::string key;
  key.reserve(agent.size() + 9);
  key.append(agent.data(), agent.size());
  key.push_back('\0');
  AppendBigEndian(key, sequence, 8);
  return key;
}

std::string CertificateKey(absl::string_view serial) {
  return absl::StrCat(kCertificateKeyPrefix, serial);
}

std::string TenantKey(absl::string_view tenant) { return absl::StrCat(kTenantKeyPrefix, tenant); }
std::string DepartmentKey(absl::string_view department) {
  return absl::StrCat(kDepartmentKeyPrefix, department);
}
std::string AssetKey(absl::string_view asset) { return absl::StrCat(kAssetKeyPrefix, asset); }
std::string TargetsKey(absl::string_view asset) { return absl::StrCat(kTargetsKeyPrefix, asset); }
std::string AgentKey(absl::string_view agent) { return absl::StrCat(kAgentKeyPrefix, agent); }
std::string CredentialKey(absl::string_view credential) {
  return absl::StrCat(kCredentialKeyPrefix, credential);
}

}  // namespace postura::collector
