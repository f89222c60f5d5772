#include "collector/store/store_keys.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

TEST(StoreKeysTest, EvidenceOfOneOutcomeSortsByObservedTime) {
  const std::string earlier = EvidenceKey("web", "PR_AC_CSC_5_2", 1'000, "zeta", 9, 0);
  const std::string later = EvidenceKey("web", "PR_AC_CSC_5_2", 2'000, "alpha", 1, 0);
  EXPECT_LT(earlier, later);
  EXPECT_EQ(earlier.rfind(EvidencePrefix("web", "PR_AC_CSC_5_2"), 0), 0u);
  EXPECT_NE(later.rfind(EvidencePrefix("web", "PR_AC"), 0), 0u);
}

TEST(StoreKeysTest, ObservedTimeReadsBackFromTheKey) {
  const int64_t observed = 1'763'900'000'123'456'789;
  EXPECT_EQ(EvidenceKeyObservedAt(EvidenceKey("a", "o", observed, "g", 1, 2)), observed);
  EXPECT_EQ(EvidenceKeyObservedAt("no separators"), std::nullopt);
  EXPECT_EQ(EvidenceKeyObservedAt(std::string("a\0o\0short", 10)), std::nullopt);
}

TEST(StoreKeysTest, SequenceAndIndexMakeKeysUnique) {
  EXPECT_NE(EvidenceKey("a", "o", 5, "g", 1, 0), EvidenceKey("a", "o", 5, "g", 1, 1));
  EXPECT_NE(EvidenceKey("a", "o", 5, "g", 1, 0), EvidenceKey("a", "o", 5, "g", 2, 0));
  EXPECT_NE(StateKey("a", "o", "g", "c1"), StateKey("a", "o", "g", "c2"));
}

TEST(StoreKeysTest, StateKeyPartsReadBack) {
  const std::string key = StateKey("web", "PR_AC_CSC_5_2", "host-1", "ssh.root");
  std::optional<StateKeyParts> parts = ParseStateKey(key);  // Views into `key`.
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->asset, "web");
  EXPECT_EQ(parts->outcome, "PR_AC_CSC_5_2");
  EXPECT_EQ(parts->agent, "host-1");
  EXPECT_EQ(parts->check, "ssh.root");
  EXPECT_EQ(ParseStateKey("no-separators"), std::nullopt);
}

TEST(StoreKeysTest, RegistryKeysOfDifferentKindsNeverShareAPrefix) {
  const std::vector<std::string> keys = {TenantKey("x"), DepartmentKey("x"), AssetKey("x"),
                                         TargetsKey("x"), AgentKey("x")};
  const std::vector<absl::string_view> prefixes = {
      kTenantKeyPrefix, kDepartmentKeyPrefix, kAssetKeyPrefix, kTargetsKeyPrefix, kAgentKeyPrefix};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = 0; j < prefixes.size(); ++j) {
      EXPECT_EQ(absl::StartsWith(keys[i], prefixes[j]), i == j) << keys[i] << " " << j;
    }
    EXPECT_EQ(keys[i].substr(prefixes[i].size()), "x");
  }
}

}  // namespace
}  // namespace postura::collector
