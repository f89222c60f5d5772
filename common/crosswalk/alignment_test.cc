#include "common/crosswalk/alignment.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::crosswalk {
namespace {

using ::testing::ElementsAre;

const Catalog& Uleo() { return Catalog::Builtin(); }
int OutcomeAt(absl::string_view id) { return *Uleo().FindOutcome(id); }

Crosswalk Mapping(Framework framework,
                  const std::vector<std::pair<std::string, std::string>>& rows) {
  Crosswalk crosswalk(framework, Uleo());
  std::string text = absl::StrCat(kMappingHeader, "\n");
  for (const auto& [outcome, control] : rows) {
    absl::StrAppend(&text, outcome, "\tx\t", control, "\t\tref\trel\tme\n");
  }
  absl::Status added = crosswalk.AddTsv(text, "test.tsv");
  EXPECT_TRUE(added.ok()) << added;
  return crosswalk;
}

std::vector<std::string> Ids(const std::vector<const Control*>& controls) {
  std::vector<std::string> ids;
  for (const Control* control : controls) ids.push_back(control->id);
  return ids;
}
std::vector<std::string> Ids(const std::vector<ControlStanding>& controls) {
  std::vector<std::string> ids;
  for (const ControlStanding& control : controls) ids.push_back(control.control->id);
  return ids;
}

TEST(AlignmentTest, ControlsMeetThroughSharedOutcomes) {
  // A: A-1 <- {5.2, 1.1}, A-2 <- {3.4}. B: B-1 <- {5.2}, B-2 <- {5.2}, B-3 <- {6.8}.
  const Crosswalk a =
      Mapping(Framework::kCsf20,
              {{"PR_AC_CSC_5_2", "A-1"}, {"ID_AM_CSC_1_1", "A-1"}, {"PR_DS_CSC_3_4", "A-2"}});
  const Crosswalk b =
      Mapping(Framework::kSp80053r5,
              {{"PR_AC_CSC_5_2", "B-2"}, {"PR_AC_CSC_5_2", "B-1"}, {"PR_AC_CSC_6_8", "B-3"}});
  AssetReadings web{.asset_id = "web",
                    .outcomes = std::vector<OutcomeReading>(Uleo().outcomes().size())};
  web.outcomes[OutcomeAt("PR_AC_CSC_5_2")] =
      OutcomeReading{.state = EvidenceState::kLive, .level = Level::kDli67, .attested = false};
  web.outcomes[OutcomeAt("ID_AM_CSC_1_1")] =
      OutcomeReading{.state = EvidenceState::kLive, .level = Level::kDli0, .attested = false};
  const Alignment alignment = Align(a, b, {web});
  EXPECT_EQ(alignment.a, Framework::kCsf20);
  EXPECT_EQ(alignment.b, Framework::kSp80053r5);
  ASSERT_EQ(alignment.shared.size(), 1u);
  const SharedControl& shared = alignment.shared[0];
  EXPECT_EQ(shared.control->id, "A-1");
  EXPECT_THAT(Ids(shared.counterparts), ElementsAre("B-1", "B-2"));
  EXPECT_THAT(shared.shared_outcomes, ElementsAre(OutcomeAt("PR_AC_CSC_5_2")));
  EXPECT_THAT(shared.own_outcomes, ElementsAre(OutcomeAt("ID_AM_CSC_1_1")));
  // The shared status is the shared outcome's, not the whole control's (level 0).
  EXPECT_EQ(shared.shared.level, Level::kDli67);
  EXPECT_EQ(shared.shared.status, ControlStatus::kLargely);
  EXPECT_THAT(Ids(alignment.only_a), ElementsAre("A-2"));
  EXPECT_THAT(Ids(alignment.only_b), ElementsAre("B-3"));
  EXPECT_EQ(alignment.only_a[0].standing.status, ControlStatus::kNotApplicable);
}

TEST(AlignmentTest, ShippedCsfAndSp80053ShareEveryMappedOutcome) {
  absl::StatusOr<Crosswalk> csf = Crosswalk::Builtin(Framework::kCsf20, Uleo());
  absl::StatusOr<Crosswalk> sp = Crosswalk::Builtin(Framework::kSp80053r5, Uleo());
  ASSERT_TRUE(csf.ok() && sp.ok());
  const Alignment alignment = Align(*csf, *sp, {});
  // Both come from the same 93 CSF 1.1 outcomes: every CSF 2.0 subcategory meets SP 800-53.
  EXPECT_EQ(alignment.shared.size(), csf->controls().size());
  EXPECT_TRUE(alignment.only_a.empty());
  EXPECT_TRUE(alignment.only_b.empty());
  for (const SharedControl& shared : alignment.shared) {
    EXPECT_FALSE(shared.counterparts.empty()) << shared.control->id;
    EXPECT_TRUE(shared.own_outcomes.empty()) << shared.control->id;
  }
}

TEST(AlignmentTest, IsoReachesFewerOutcomesThanCsf) {
  absl::StatusOr<Crosswalk> csf = Crosswalk::Builtin(Framework::kCsf20, Uleo());
  absl::StatusOr<Crosswalk> iso = Crosswalk::Builtin(Framework::kIso27001v2022, Uleo());
  ASSERT_TRUE(csf.ok() && iso.ok());
  const Alignment alignment = Align(*csf, *iso, {});
  // 93 outcomes reach CSF 2.0 and 90 reach ISO 27001:2022: the 3 others show as CSF's own.
  int own = 0;
  std::set<int> distinct;
  for (const SharedControl& shared : alignment.shared) {
    distinct.insert(shared.own_outcomes.begin(), shared.own_outcomes.end());
  }
  for (const ControlStanding& only : alignment.only_a) {
    distinct.insert(only.control->outcomes.begin(), only.control->outcomes.end());
  }
  own = static_cast<int>(distinct.size());
  EXPECT_EQ(own, 3);
  EXPECT_TRUE(alignment.only_b.empty());
}

}  // namespace
}  // namespace postura::crosswalk
