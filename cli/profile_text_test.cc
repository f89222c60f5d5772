// The profile's Markdown: names an agent, supplier or operator chose cannot act on a
// terminal or break a table, the phases come with their headings in order, and an asset
// without targets says it has no roadmap.

#include "cli/profile_text.h"

#include "cli/inert_text_matcher.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

v1::RoadmapAction Action(uint32_t phase, const std::string& outcome, double reached) {
  v1::RoadmapAction action;
  action.set_phase(phase);
  action.set_asset_id("web");
  action.set_outcome_id(outcome);
  action.set_title("Title with | a pipe\x1b[2J");
  action.set_functional_area_id("FA10");
  action.set_functional_area_name("Security architecture");
  action.set_supplier_id("acme");
  action.set_supplier_name("ACME\x1b]0;owned\x07 Hosting");
  action.set_from(v1::DLI_0);
  action.set_to(v1::DLI_100);
  action.set_asset_value_reached(reached);
  return action;
}

v1::Profile OneAsset() {
  v1::Profile profile;
  v1::AssetProfile& asset = *profile.add_assets();
  asset.set_asset_id("web");
  asset.set_name("Web\x1b[31m portal");
  asset.set_implementation_group(v1::IG2);
  asset.set_basis(v1::PLANNED);
  asset.set_basis_note("the planner's least-work status meeting every target (2 outcomes change)");
  asset.set_current_value(0.1);
  asset.set_target_value(0.3);
  *asset.add_roadmap() = Action(1, "PR_AC_CSC_5_2", 0.2);
  *asset.add_roadmap() = Action(2, "PR_MA_CSC_12_3", 0.3);
  return profile;
}

TEST(ProfileTextTest, OutsideNamesAreInertAndPhasesComeInOrder) {
  const std::string text = ProfileMarkdown(OneAsset(), absl::UnixEpoch(), "127.0.0.1:4317");
  EXPECT_THAT(text, IsInertOnATerminal());
  EXPECT_THAT(text, Not(HasSubstr("with | a pipe")));  // A pipe would split the cell.
  const size_t phase1 = text.find("#### Phase 1: outcomes of IG1");
  const size_t phase2 = text.find("#### Phase 2: outcomes of IG2");
  ASSERT_NE(phase1, std::string::npos) << text;
  ASSERT_NE(phase2, std::string::npos) << text;
  EXPECT_LT(phase1, phase2);
  EXPECT_THAT(text, HasSubstr("| 2 | PR_MA_CSC_12_3 |"));  // Steps are numbered across phases.
  EXPECT_THAT(text, HasSubstr("Asset value: 0.100 now, 0.300 in the target profile (+0.200)."));
}

TEST(ProfileTextTest, AnAssetWithoutTargetsSaysItHasNoRoadmap) {
  v1::Profile profile;
  v1::AssetProfile& asset = *profile.add_assets();
  asset.set_asset_id("lab");
  asset.set_basis(v1::NO_TARGETS);
  asset.set_basis_note("no targets: the target profile is the current one");
  const std::string text = ProfileMarkdown(profile, absl::UnixEpoch(), "c");
  EXPECT_THAT(text, HasSubstr("No roadmap: nothing to change (no targets)."));
  EXPECT_THAT(text, Not(HasSubstr("Phase")));
}

}  // namespace
}  // namespace postura::cli
