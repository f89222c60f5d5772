#include "agent/agent_daemon.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/base/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

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

std::string PackWith(const std::vector<std::string>& ids) {
  std::string pack = "name: p\ndefault_interval: 1h\nchecks:\n";
  for (const std::string& id : ids) {
    absl::StrAppend(&pack, "  - id: ", id, "\n    title: T\n    outcomes: [PR_AC_CSC_5_2]\n",
                    "    rules:\n      - sysctl: {name: net.ipv4.ip_forward, value: 0}\n");
  }
  return pack;
}

std::vector<std::string> CheckIds(const AgentDaemon& daemon) {
  std::vector<std::string> ids;
  for (const Check& check : daemon.checks()) ids.push_back(check.id);
  return ids;
}

// SIGHUP: new packs replace the old ones; a bad pack is refused and the old checks go on.
TEST(AgentDaemonTest, ReloadTakesGoodPacksAndKeepsTheOldChecksWhenANewOneIsBad) {
  test::TempDir dir;
  const std::string pack = dir.WriteFile("pack.yaml", PackWith({"one"}));
  AgentOptions options;
  options.agent_id = "a";
  options.collector_address = "127.0.0.1:1";  // Never reached: nothing is spooled here.
  options.assets = {"web"};
  options.packs = {pack};
  options.spool_directory = (dir.path() / "spool").string();
  auto daemon = AgentDaemon::Start(options, Catalog::Builtin(), Clock::GetRealClock()).value();
  EXPECT_EQ(CheckIds(*daemon), std::vector<std::string>{"one"});

  dir.WriteFile("pack.yaml", PackWith({"one", "two"}));
  ASSERT_TRUE(daemon->ReloadPacks().ok());
  EXPECT_EQ(CheckIds(*daemon), (std::vector<std::string>{"one", "two"}));

  dir.WriteFile("pack.yaml", "name: p\nchecks:\n  - id: three\n    outcomes: [NOT_AN_OUTCOME]\n");
  absl::Status refused = daemon->ReloadPacks();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("pack.yaml"), absl::string_view::npos) << refused;
  EXPECT_EQ(CheckIds(*daemon), (std::vector<std::string>{"one", "two"}));
}

}  // namespace
}  // namespace postura::agent
