#include "cli/score_text.h"

#include "cli/evidence_text.h"
#include "cli/gaps_text.h"
#include "cli/inert_text_matcher.h"
#include "cli/plan_text.h"
#include "common/model/catalog.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

template <typename Message>
Message Parse(const std::string& text) {
  Message message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);
constexpr int64_t kTenMinutesAgo = (1'700'000'000LL - 600) * 1'000'000'000LL;

v1::AssetScore WebScore() {
  return Parse<v1::AssetScore>(R"pb(
    summary {
      asset_id: "web"
      name: "Web portal"
      implementation_group: IG2
      department_id: "sales"
      value: 0.71
      adjusted_value: 0.42
      limiting_asset_id: "db"
      coverage: 0.5
      outcomes_live: 1
      outcomes_no_evidence: 1
      outcomes_observed: 1
      target_count: 2
      targets_met: false
      target_coverage: 0.8
      last_evidence_observed_at_unix_nanos: 1699999400000000000
    }
    functions {
      id: "PR"
      name: "Protect"
      value: 0.71
      categories {
        id: "PR.AC"
        name: "Identity management"
        value: 0.71
        outcomes {
          id: "PR_AC_CSC_5_2"
          title: "Use unique passwords"
          level: DLI_67
          state: LIVE
          deciding {
            agent_id: "host-1"
            check_id: "ssh.password-auth"
            observed_at_unix_nanos: 1699999400000000000
          }
        }
        outcomes {
          id: "PR_AC_CSC_6_1"
          title: "Establish an access granting process"
          level: DLI_0
          state: NO_EVIDENCE
        }
      }
    }
    targets {
      target { scope: SCOPE_ASSET operator: GREATER_OR_EQUAL value: 0.7 }
      value: 0.71
      met: true
      credit: 1
    }
    targets {
      target { scope: SCOPE_FUNCTION scope_id: "PR" operator: GREATER value: 0.8 }
      value: 0.71
      met: false
      credit: 0.6
    }
  )pb");
}

TEST(AssetScoreTextTest, HeadlinesNameTheAssetItsLimitAndItsTargets) {
  const std::string text = AssetScoreText(WebScore(), /*with_outcomes=*/false, kNow);
  EXPECT_THAT(text, HasSubstr("Asset web (Web portal), IG2, department sales\n"));
  EXPECT_THAT(text, HasSubstr("  Value            ███████░░░ 0.71\n"));
  EXPECT_THAT(text, HasSubstr("Adjusted value   ████░░░░░░ 0.42  limited by dependency db"));
  EXPECT_THAT(text, HasSubstr("1 live, 0 stale, 1 no evidence (1 observed, 0 attested)"));
  EXPECT_THAT(text, HasSubstr("1 of 2 targets met (NOT all met)"));
  EXPECT_THAT(text, HasSubstr("Newest evidence  10m ago (2023-11-14T22:03:20Z)"));
  EXPECT_THAT(text, Not(HasSubstr("Outcomes")));
}

// A supplier is not told which other tenant's asset limits its own (the collector empties
// limiting_asset_id), but still sees that one does.
TEST(AssetScoreTextTest, ALimitTheCallerMayNotSeeIsStillShownAsALimit) {
  v1::AssetScore score = WebScore();
  score.mutable_summary()->clear_limiting_asset_id();
  const std::string text = AssetScoreText(score, /*with_outcomes=*/false, kNow);
  EXPECT_THAT(text, HasSubstr("0.42  limited by a dependency you may not see"));
}

TEST(AssetScoreTextTest, FunctionsCategoriesAndTargetsAreAlignedTables) {
  const std::string text = AssetScoreText(WebScore(), false, kNow);
  EXPECT_THAT(text, HasSubstr("Functions and categories\n"
                              "  ID       NAME                 VALUE\n"
                              "  PR       Protect              ███████░░░ 0.71\n"
                              "    PR.AC  Identity management  ███████░░░ 0.71\n"));
  EXPECT_THAT(text, HasSubstr("Targets\n"
                              "  TARGET        VALUE  STATUS   CREDIT\n"
                              "  asset >= 0.7   0.71  met        1.00\n"
                              "  PR > 0.8       0.71  NOT MET    0.60\n"));
}

TEST(AssetScoreTextTest, OutcomesShowStateDecidingSourceAndAge) {
  const std::string text = AssetScoreText(WebScore(), /*with_outcomes=*/true, kNow);
  EXPECT_THAT(text,
              HasSubstr("PR_AC_CSC_5_2   0.67  live         host-1 / ssh.password-auth  10m"));
  EXPECT_THAT(text, HasSubstr("PR_AC_CSC_6_1      0  no evidence  -"));
}

TEST(AssetScoreTextTest, AnAssetWithoutEvidenceOrTargetsSaysWhatToDo) {
  v1::AssetScore score = Parse<v1::AssetScore>(R"pb(
    summary { asset_id: "new" implementation_group: IG1 limiting_asset_id: "new" }
  )pb");
  const std::string text = AssetScoreText(score, false, kNow);
  EXPECT_THAT(text, HasSubstr("  Value            ░░░░░░░░░░ 0.00\n"));
  EXPECT_THAT(text, HasSubstr("not limited by its dependencies"));
  EXPECT_THAT(text, HasSubstr("none registered (postura targets set)"));
  EXPECT_THAT(text, HasSubstr("none yet (no agent has reported)"));
}

TEST(OrganizationScoreTextTest, ShowsIndexesAndEveryRollup) {
  v1::OrganizationScore score = Parse<v1::OrganizationScore>(R"pb(
    asset_count: 3
    index: 0.5
    adjusted_index: 0.4
    coverage: 0.3
    share_meeting_targets: 0.66
    assets_with_targets: 3
    assets_meeting_targets: 2
    implementation_groups { key: "IG2" name: "IG2" asset_count: 2 index: 0.5 adjusted_index: 0.4 }
    departments { key: "sales" name: "Sales" asset_count: 1 index: 0.2 adjusted_index: 0.2 }
    functions { key: "PR" name: "Protect" asset_count: 3 index: 0.6 }
    functional_areas { id: "FA2" name: "Security operation" achievement: 0.25 open_gaps: 17 }
  )pb");
  const std::string text = OrganizationScoreText(score);
  EXPECT_THAT(text, HasSubstr("Organisation: 3 assets\n"));
  EXPECT_THAT(text, HasSubstr("  Index            █████░░░░░ 0.50"));
  EXPECT_THAT(text, HasSubstr("  Adjusted index   ████░░░░░░ 0.40"));
  EXPECT_THAT(text, HasSubstr("  Meeting targets  ███████░░░ 0.66  2 of 3 assets with targets "
                              "meet them all\n"));
  EXPECT_THAT(text, HasSubstr("  IG2        2  █████░░░░░ 0.50  ████░░░░░░ 0.40"));
  EXPECT_THAT(text, HasSubstr("  sales       Sales       1"));
  EXPECT_THAT(text, HasSubstr("Suppliers\n  none\n"));
  EXPECT_THAT(text, HasSubstr("  PR        Protect       3  ██████░░░░ 0.60"));
  EXPECT_THAT(text, HasSubstr("  FA2   Security operation  ███░░░░░░░ 0.25         17"));
}

TEST(GapsTextTest, GroupsByAreaInTheCollectorsOrderWithShares) {
  v1::Gaps gaps = Parse<v1::Gaps>(R"pb(
    asset_id: "web"
    areas {
      functional_area_id: "FA10"
      name: "Security architecture"
      gaps {
        outcome_id: "PR_AC_CSC_5_2"
        title: "Use unique passwords"
        level: DLI_33
        state: LIVE
        share_of_asset_value: 0.05
        target { scope: SCOPE_OUTCOME scope_id: "PR_AC_CSC_5_2" operator: EQUAL value: 1 }
      }
      gaps {
        outcome_id: "PR_AC_CSC_6_1"
        title: "Access granting"
        level: DLI_0
        state: NO_EVIDENCE
        share_of_asset_value: 0.01
      }
    }
    areas {
      functional_area_id: "FA2"
      name: "Security operation"
      gaps {
        outcome_id: "DE_CM_CSC_13_1"
        title: "Centralise alerting"
        level: DLI_0
        state: STALE
        share_of_asset_value: 0.02
      }
    }
  )pb");
  const std::string text = GapsText(gaps);
  EXPECT_THAT(text, HasSubstr("Gaps of asset web: 3 outcomes in 2 functional areas"));
  const std::size_t fa10 = text.find("FA10  Security architecture: 2 gaps, share 0.060");
  const std::size_t fa2 = text.find("FA2  Security operation: 1 gaps, share 0.020");
  ASSERT_NE(fa10, std::string::npos) << text;
  ASSERT_NE(fa2, std::string::npos) << text;
  EXPECT_LT(fa10, fa2);
  EXPECT_THAT(text, HasSubstr("  PR_AC_CSC_5_2   0.33  live         0.050  PR_AC_CSC_5_2 = 1"));
  EXPECT_THAT(text, HasSubstr("  DE_CM_CSC_13_1      0  stale  0.020"));
}

TEST(GapsTextTest, NoGapsSaysSo) {
  EXPECT_THAT(GapsText(Parse<v1::Gaps>(R"pb(asset_id: "web")pb")),
              HasSubstr("Asset web has no gaps"));
}

TEST(EvidenceHistoryTextTest, ListsRecordsAndHintsWhenTruncated) {
  v1::EvidenceHistory history = Parse<v1::EvidenceHistory>(R"pb(
    truncated: true
    records {
      agent_id: "host-1"
      evidence {
        observed_at_unix_nanos: 1700000000000000000
        level: DLI_100
        kind: OBSERVED
        check_id: "ssh.root"
        expires_at_unix_nanos: 1700003600000000000
        detail: "PermitRootLogin no\nfrom sshd -T"
      }
    }
  )pb");
  const std::string text = EvidenceHistoryText("web", "PR_AC_CSC_5_2", history);
  EXPECT_THAT(text, HasSubstr("Evidence of outcome PR_AC_CSC_5_2 on asset web: 1 records"));
  EXPECT_THAT(text, HasSubstr("2023-11-14T22:13:20Z      1  observed  host-1  ssh.root  "
                              "2023-11-14T23:13:20Z  PermitRootLogin no from sshd -T"));
  EXPECT_THAT(text, HasSubstr("raise --limit"));
}

// What an agent or supplier sends reaches every operator's terminal: a detail that would
// retitle the window (OSC 0) and return the carriage to overwrite the line is shown, not
// obeyed.
TEST(EvidenceHistoryTextTest, ControlCharactersFromAgentsAreShownNotSent) {
  v1::EvidenceHistory history;
  v1::StoredEvidence* record = history.add_records();
  record->set_agent_id("host-1\x1b[8m");
  v1::Evidence* evidence = record->mutable_evidence();
  evidence->set_observed_at_unix_nanos(1700000000000000000);
  evidence->set_level(v1::DLI_100);
  evidence->set_kind(v1::OBSERVED);
  evidence->set_check_id(
      "ssh.root\xC2\x9B"
      "2J");
  evidence->set_detail("ok \x1b]0;pwned\x07 all\rPermitRootLogin no\x08\x7f");
  const std::string text = EvidenceHistoryText("web\r", "PR_AC_CSC_5_2", history);
  EXPECT_THAT(text, IsInertOnATerminal());
  EXPECT_THAT(text, HasSubstr("ok \\x1b]0;pwned\\x07 all\\rPermitRootLogin no\\x08\\u007f"));
  EXPECT_THAT(text, HasSubstr("host-1\\x1b[8m"));
  EXPECT_THAT(text, HasSubstr("ssh.root\\u009b2J"));
  EXPECT_THAT(text, HasSubstr("on asset web\\r:"));
}

TEST(AssetScoreTextTest, ControlCharactersFromAgentsAreShownNotSent) {
  v1::AssetScore score = WebScore();
  score.mutable_summary()->set_name("Web \x1b]0;pwned\x07portal\r");
  score.mutable_summary()->set_supplier_id("acme\xE2\x80\xAE");
  score.mutable_summary()->set_limiting_asset_id("db\x1b[2J");
  v1::OutcomeScore* outcome =
      score.mutable_functions(0)->mutable_categories(0)->mutable_outcomes(0);
  outcome->mutable_deciding()->set_check_id("ssh\x1b]8;;http://evil\x07link");
  outcome->set_title(
      "Use unique \xC2\x9B"
      "31mpasswords");
  score.mutable_functions(0)->set_name(
      "Protect\x08\x08\x08\x08\x08\x08\x08"
      "Detect");
  const std::string text = AssetScoreText(score, /*with_outcomes=*/true, kNow);
  EXPECT_THAT(text, IsInertOnATerminal());
  EXPECT_THAT(text, HasSubstr("Asset web (Web \\x1b]0;pwned\\x07portal\\r), IG2"));
  EXPECT_THAT(text, HasSubstr("supplier acme\\u202e\n"));
  EXPECT_THAT(text, HasSubstr("limited by dependency db\\x1b[2J"));
  EXPECT_THAT(text, HasSubstr("host-1 / ssh\\x1b]8;;http://evil\\x07link"));
}

TEST(GapsAndPlanTextTest, ControlCharactersFromTheCollectorAreShownNotSent) {
  v1::Gaps gaps;
  gaps.set_asset_id("web\x1b[1A");
  v1::FunctionalAreaGaps* area = gaps.add_areas();
  area->set_functional_area_id("FA1\r");
  area->set_name(
      "Area \xC2\x9D"
      "0;x\x07");
  v1::Gap* gap = area->add_gaps();
  gap->set_outcome_id("PR_AC_CSC_5_2\x1b");
  gap->set_title("title\x1b[2K");
  EXPECT_THAT(GapsText(gaps), IsInertOnATerminal());
  EXPECT_THAT(GapsText(gaps), HasSubstr("Gaps of asset web\\x1b[1A:"));

  v1::AssetPlan plan;
  plan.set_asset_id("web\x1b[1A");
  plan.set_feasible(true);
  v1::PlannedChange* change = plan.add_changes();
  change->set_outcome_id("PR_AC_CSC_5_2\r");
  change->set_title("title\x1b[2K");
  change->set_functional_area_id("FA\x07");
  EXPECT_THAT(AssetPlanText(Catalog::Builtin(), plan), IsInertOnATerminal());
}

TEST(AssetPlanTextTest, InfeasiblePlanNamesConflictsAndGroupsChangesByArea) {
  v1::AssetPlan plan = Parse<v1::AssetPlan>(R"pb(
    asset_id: "web"
    feasible: false
    increase_hundredths: 134
    value_before: 0.4
    value_after: 0.55
    coverage_after: 0.9
    conflicting_targets { scope: SCOPE_FUNCTION scope_id: "RS" operator: LESS_OR_EQUAL value: 0 }
    changes {
      outcome_id: "PR_AC_CSC_5_2"
      title: "Use unique passwords"
      functional_area_id: "FA10"
      from: DLI_0
      to: DLI_67
    }
    changes {
      outcome_id: "PR_AC_CSC_6_1"
      title: "Access granting"
      functional_area_id: "FA10"
      from: DLI_33
      to: DLI_100
    }
    changes {
      outcome_id: "DE_CM_CSC_13_1"
      title: "Alerting"
      functional_area_id: "FA2"
      from: DLI_0
      to: DLI_33
    }
    targets_before {
      target { scope: SCOPE_ASSET operator: GREATER_OR_EQUAL value: 0.5 }
      value: 0.4
      met: false
      credit: 0.8
    }
    targets_after {
      target { scope: SCOPE_ASSET operator: GREATER_OR_EQUAL value: 0.5 }
      value: 0.55
      met: true
      credit: 1
    }
  )pb");
  const std::string text = AssetPlanText(Catalog::Builtin(), plan);
  EXPECT_THAT(text, HasSubstr("the targets cannot all be met"));
  EXPECT_THAT(text, HasSubstr("  RS <= 0\n"));
  EXPECT_THAT(text, HasSubstr("Best target coverage 0.90, by changing 3 outcomes (total "
                              "increase 1.34 levels)"));
  EXPECT_THAT(text, HasSubstr("  FA10  Security architecture\n"
                              "    PR_AC_CSC_5_2         0 -> 0.67  Use unique passwords\n"
                              "    PR_AC_CSC_6_1      0.33 -> 1     Access granting\n"
                              "  FA2  Security operation\n"));
  EXPECT_THAT(text, HasSubstr("  asset >= 0.5       0.40   0.55  NOT MET -> met"));
  EXPECT_THAT(text, HasSubstr("  Target coverage    0.80   0.90"));
}

}  // namespace
}  // namespace postura::cli
