#include "cli/history_commands.h"

#include "cli/time_text.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::cli {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1'764'849'600);  // 2025-12-04T12:00:00Z

v1::HistoryPoint Point(int64_t seconds, double value, bool met) {
  v1::HistoryPoint point;
  point.mutable_time()->set_seconds(seconds);
  point.set_value(value);
  point.set_adjusted_value(value / 2);
  point.set_coverage(0.25);
  point.set_targets_met(met);
  return point;
}

TEST(HistoryCommandsTest, InstantsAreRfc3339OrADurationBackFromNow) {
  EXPECT_EQ(*ParseInstant("--since", "2025-12-01T09:00:00Z", kNow),
            absl::FromUnixSeconds(1'764'579'600));
  EXPECT_EQ(*ParseInstant("--since", "7d", kNow), kNow - absl::Hours(24 * 7));
  EXPECT_EQ(*ParseInstant("--as-of", "90m", kNow), kNow - absl::Minutes(90));
  absl::StatusOr<absl::Time> bad = ParseInstant("--as-of", "yesterday", kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--as-of 'yesterday' is neither"));
  EXPECT_THAT(ParseDurationFlag("--step", "fast").status().message(),
              HasSubstr("--step 'fast' is not a duration"));
  EXPECT_THAT(ParseDurationFlag("--step", "-1h").status().message(), HasSubstr("negative"));
}

TEST(HistoryCommandsTest, HistoryTextListsEachPointWithItsTargets) {
  v1::ScoreHistory history;
  *history.add_points() = Point(1'764'849'600, 0.5, true);
  *history.add_points() = Point(1'764'853'200, 0.25, false);
  const std::string text = ScoreHistoryText("asset web", history);
  EXPECT_THAT(text, HasSubstr("History of asset web:"));
  EXPECT_THAT(text, HasSubstr("2025-12-04T12:00:00Z  0.500     0.250"));
  EXPECT_THAT(text, HasSubstr("met"));
  EXPECT_THAT(text, HasSubstr("missed"));
  EXPECT_THAT(ScoreHistoryText("asset web", v1::ScoreHistory()), HasSubstr("No history"));
}

TEST(HistoryCommandsTest, RollupHistoryCountsOnlyAssetsWithTargets) {
  v1::ScoreHistory history;
  v1::HistoryPoint& point = *history.add_points() = Point(1'764'849'600, 0.5, false);
  point.set_asset_count(5);
  point.set_assets_with_targets(2);
  point.set_assets_meeting_targets(1);
  point.set_share_meeting_targets(0.5);
  EXPECT_THAT(ScoreHistoryText("the organisation", history),
              HasSubstr("1 of 2 with targets (5 assets)"));
}

TEST(HistoryCommandsTest, DiffTextShowsBeforeAfterAndTheEvidence) {
  v1::ScoreDiff diff;
  diff.mutable_from()->set_seconds(1'764'849'600);
  diff.mutable_to()->set_seconds(1'764'853'200);
  v1::ScoreChange& change = *diff.add_changes();
  change.set_asset("web");
  change.set_outcome("PR_AC_CSC_5_2");
  change.mutable_before()->set_level(v1::DLI_100);
  change.mutable_before()->set_state(v1::LIVE);
  change.mutable_after()->set_level(v1::DLI_0);
  change.mutable_after()->set_state(v1::STALE);
  change.mutable_evidence()->set_agent_id("host-a");
  change.mutable_evidence()->set_check_id("ssh-no-root-login");
  const std::string text = ScoreDiffText("asset web", diff);
  EXPECT_THAT(text, HasSubstr("Changes of asset web from 2025-12-04T12:00:00Z to "
                              "2025-12-04T13:00:00Z:"));
  EXPECT_THAT(text, HasSubstr("PR_AC_CSC_5_2  1 live"));
  EXPECT_THAT(text, HasSubstr("0 stale"));
  EXPECT_THAT(text, HasSubstr("host-a ssh-no-root-login"));
  EXPECT_THAT(ScoreDiffText("asset web", v1::ScoreDiff()), HasSubstr("No changes of asset web"));
}

}  // namespace
}  // namespace postura::cli
