#include "agent/agent_daemon.h"

#include "gtest/gtest.h"

namespace postura::agent {
namespace {

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

TEST(EvidenceFromResultsTest, OneItemPerAssetAndOutcomeExpiringAfterTheTtl) {
  Check check;
  check.id = "ssh";
  check.outcomes = {"PR_AC_CSC_5_2", "PR_AC_PR_AC_1"};
  check.interval = absl::Minutes(10);
  CheckResult result;
  result.check_id = "ssh";
  result.outcomes = check.outcomes;
  result.verdict = Verdict::kPass;
  result.level = Level::kDli67;
  result.detail = "PermitRootLogin is 'no'";
  result.observed_at = kObserved;

  std::vector<v1::Evidence> evidence = EvidenceFromResults({result}, {check}, {"web", "db"}, 3);
  ASSERT_EQ(evidence.size(), 4u);
  EXPECT_EQ(evidence[0].asset_id(), "web");
  EXPECT_EQ(evidence[0].outcome_id(), "PR_AC_CSC_5_2");
  EXPECT_EQ(evidence[3].asset_id(), "db");
  EXPECT_EQ(evidence[0].level(), v1::DLI_67);
  EXPECT_EQ(evidence[0].kind(), v1::OBSERVED);
  EXPECT_EQ(evidence[0].check_id(), "ssh");
  EXPECT_EQ(evidence[0].expires_at_unix_nanos(), absl::ToUnixNanos(kObserved + absl::Minutes(30)));
}

TEST(EvidenceFromResultsTest, ErrorsAndNotApplicableGiveNoEvidence) {
  Check check;
  check.outcomes = {"PR_AC_CSC_5_2"};
  check.interval = absl::Minutes(1);
  CheckResult error;
  error.outcomes = check.outcomes;
  error.verdict = Verdict::kError;  // No level.
  CheckResult not_applicable = error;
  not_applicable.verdict = Verdict::kNotApplicable;
  EXPECT_TRUE(EvidenceFromResults({error, not_applicable}, {check, check}, {"web"}, 3).empty());
}

}  // namespace
}  // namespace postura::agent
