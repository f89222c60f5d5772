#include "common/crosswalk/control_standing.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::crosswalk {
namespace {

using ::testing::ElementsAre;

const Catalog& Uleo() { return Catalog::Builtin(); }
int OutcomeAt(absl::string_view id) { return *Uleo().FindOutcome(id); }

// An asset where every outcome applies and has no evidence yet.
AssetReadings Asset(const std::string& id) {
  return AssetReadings{
      .asset_id = id,
      .outcomes = std::vector<OutcomeReading>(
          Uleo().outcomes().size(),
          OutcomeReading{
              .state = EvidenceState::kNoEvidence, .level = Level::kDli0, .attested = false})};
}

void SetLive(AssetReadings& asset, absl::string_view outcome, Level level, bool attested = false) {
  asset.outcomes[OutcomeAt(outcome)] =
      OutcomeReading{.state = EvidenceState::kLive, .level = level, .attested = attested};
}

// Two controls: C-1 maps two outcomes, C-2 one; C-3 is known with no outcome.
Crosswalk SmallCrosswalk() {
  Crosswalk crosswalk(Framework::kSp80053r5, Uleo());
  const std::string text =
      absl::StrCat(kMappingHeader, "\n", "PR_AC_CSC_5_2\tx\tC-1\tFirst\tref\trel\tme\n",
                   "ID_AM_CSC_1_1\tx\tC-1\tFirst\tref\trel\tme\n",
                   "ID_AM_CSC_1_1\tx\tC-2\t\tref\trel\tme\n", "\tx\tC-3\tThird\tref\trel\tme\n");
  absl::Status added = crosswalk.AddTsv(text, "small.tsv");
  EXPECT_TRUE(added.ok()) << added;
  return crosswalk;
}

TEST(ControlStandingTest, LowestEvaluatedLevelWithCoverage) {
  const Crosswalk crosswalk = SmallCrosswalk();
  AssetReadings web = Asset("web");
  SetLive(web, "PR_AC_CSC_5_2", Level::kDli100);
  const FrameworkStanding standing = StandFramework(crosswalk, {web});
  ASSERT_EQ(standing.mapped.size(), 2u);
  const Standing& first = standing.mapped[0].standing;
  EXPECT_EQ(standing.mapped[0].control->id, "C-1");
  EXPECT_EQ(first.applicable, 2);
  EXPECT_EQ(first.evaluated, 1);
  EXPECT_DOUBLE_EQ(first.coverage(), 0.5);
  EXPECT_FALSE(first.complete());
  // Only the evaluated outcome decides: an upper bound while coverage is below 1.
  EXPECT_EQ(first.level, Level::kDli100);
  EXPECT_EQ(first.status, ControlStatus::kImplemented);
  ASSERT_EQ(first.outcomes.size(), 2u);
  EXPECT_EQ(standing.mapped[1].standing.status, ControlStatus::kNoEvidence);
  EXPECT_EQ(standing.mapped[1].standing.level, std::nullopt);
  ASSERT_EQ(standing.unmapped.size(), 1u);
  EXPECT_EQ(standing.unmapped[0]->id, "C-3");
  EXPECT_EQ(standing.known_controls(), 3);
  EXPECT_EQ(standing.outcomes_not_mapped.size(), Uleo().outcomes().size() - 2);
}

TEST(ControlStandingTest, TheWeakestAssetAndOutcomeDecide) {
  const Crosswalk crosswalk = SmallCrosswalk();
  AssetReadings web = Asset("web"), db = Asset("db");
  SetLive(web, "PR_AC_CSC_5_2", Level::kDli100);
  SetLive(web, "ID_AM_CSC_1_1", Level::kDli67, /*attested=*/true);
  SetLive(db, "PR_AC_CSC_5_2", Level::kDli33);
  db.outcomes[OutcomeAt("ID_AM_CSC_1_1")].state = EvidenceState::kStale;
  const FrameworkStanding standing = StandFramework(crosswalk, {web, db});
  const Standing& first = standing.mapped[0].standing;
  EXPECT_EQ(first.applicable, 4);
  EXPECT_EQ(first.evaluated, 3);
  EXPECT_EQ(first.level, Level::kDli33);
  EXPECT_EQ(first.weakest_asset, "db");
  EXPECT_EQ(first.status, ControlStatus::kPartially);
  // Per outcome: catalog order, ID_AM before PR_AC.
  ASSERT_EQ(first.outcomes.size(), 2u);
  const OutcomeStanding& inventory = first.outcomes[0];
  EXPECT_EQ(inventory.outcome, OutcomeAt("ID_AM_CSC_1_1"));
  EXPECT_EQ(inventory.applicable, 2);
  EXPECT_EQ(inventory.evaluated, 1);
  EXPECT_EQ(inventory.attested, 1);
  EXPECT_EQ(inventory.stale, 1);
  EXPECT_EQ(inventory.lowest, Level::kDli67);
  EXPECT_EQ(inventory.lowest_asset, "web");
  EXPECT_EQ(standing.mapped[1].standing.status, ControlStatus::kLargely);
}

TEST(ControlStandingTest, OutcomesThatDoNotApplyAreLeftOut) {
  const Crosswalk crosswalk = SmallCrosswalk();
  AssetReadings web = Asset("web");
  web.outcomes[OutcomeAt("ID_AM_CSC_1_1")].state = EvidenceState::kNotApplicable;
  SetLive(web, "PR_AC_CSC_5_2", Level::kDli0);
  const FrameworkStanding standing = StandFramework(crosswalk, {web});
  EXPECT_EQ(standing.mapped[0].standing.applicable, 1);
  EXPECT_TRUE(standing.mapped[0].standing.complete());
  EXPECT_EQ(standing.mapped[0].standing.status, ControlStatus::kNotImplemented);
  EXPECT_EQ(standing.mapped[1].standing.status, ControlStatus::kNotApplicable);
  EXPECT_EQ(standing.mapped[1].standing.coverage(), 0);
}

TEST(ControlStandingTest, NamesForPeople) {
  EXPECT_EQ(ControlStatusName(ControlStatus::kNoEvidence), "no evidence");
  EXPECT_EQ(ControlStatusName(ControlStatus::kImplemented), "implemented");
  EXPECT_EQ(EvidenceStateName(EvidenceState::kStale), "stale");
}

// With no assets in scope, nothing applies: every mapped control reads "not applicable",
// never "implemented".
TEST(ControlStandingTest, AnEmptyScopeClaimsNothing) {
  absl::StatusOr<Crosswalk> csf = Crosswalk::Builtin(Framework::kCsf20, Uleo());
  ASSERT_TRUE(csf.ok());
  const FrameworkStanding standing = StandFramework(*csf, {});
  ASSERT_FALSE(standing.mapped.empty());
  for (const ControlStanding& control : standing.mapped) {
    EXPECT_EQ(control.standing.status, ControlStatus::kNotApplicable) << control.control->id;
  }
  EXPECT_THAT(standing.unmapped, ElementsAre());
}

}  // namespace
}  // namespace postura::crosswalk
