// OpenSCAP outcomes as wire evidence: one item per asset and levelled outcome, observed,
// the profile in the check id, the failing rules as detail; none for not evaluated.

#include "agent/openscap_evidence.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

TEST(EvidenceFromOpenscapTest, OneObservedItemPerAssetAndLevelledOutcome) {
  openscap::XccdfEvidence evidence;
  evidence.source = "openscap:xccdf_org.ssgproject.content_profile_standard";
  evidence.outcomes.push_back({.outcome = "PR_AC_PR_AC_4",
                               .level = Level::kDli67,
                               .passed = 2,
                               .failed = 1,
                               .unresolved = 0,
                               .rules = {"a", "b", "c"},
                               .detail = "1 of 3 rules fail: c (Rule c, high)"});
  evidence.outcomes.push_back({.outcome = "DE_CM_DE_CM_1",
                               .level = std::nullopt,
                               .passed = 1,
                               .failed = 0,
                               .unresolved = 1,
                               .rules = {"d", "e"},
                               .detail = "not evaluated"});
  const absl::Time observed = absl::FromUnixSeconds(1'800'000'000);
  std::vector<v1::Evidence> items =
      EvidenceFromOpenscap(evidence, {"web", "db"}, observed, absl::Hours(48));
  ASSERT_EQ(items.size(), 2u);  // The not evaluated outcome gives none.
  EXPECT_EQ(items[0].asset_id(), "web");
  EXPECT_EQ(items[1].asset_id(), "db");
  for (const v1::Evidence& item : items) {
    EXPECT_EQ(item.outcome_id(), "PR_AC_PR_AC_4");
    EXPECT_EQ(item.level(), v1::DLI_67);
    EXPECT_EQ(item.kind(), v1::OBSERVED);
    EXPECT_EQ(item.check_id(), "openscap:xccdf_org.ssgproject.content_profile_standard");
    EXPECT_EQ(item.detail(), "1 of 3 rules fail: c (Rule c, high)");
    EXPECT_EQ(item.observed_at_unix_nanos(), absl::ToUnixNanos(observed));
    EXPECT_EQ(item.expires_at_unix_nanos(), absl::ToUnixNanos(observed + absl::Hours(48)));
  }
}

}  // namespace
}  // namespace postura::agent
