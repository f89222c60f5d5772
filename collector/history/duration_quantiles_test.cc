#include "collector/history/duration_quantiles.h"

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

std::vector<absl::Duration> Minutes(std::initializer_list<int> minutes) {
  std::vector<absl::Duration> durations;
  for (int m : minutes) durations.push_back(absl::Minutes(m));
  return durations;
}

TEST(DurationQuantilesTest, NothingSummarisesToZeroCount) {
  DurationSummary summary = Summarize({});
  EXPECT_EQ(summary.count, 0);
  EXPECT_EQ(summary.median, absl::ZeroDuration());
  EXPECT_EQ(summary.p90, absl::ZeroDuration());
}

TEST(DurationQuantilesTest, OneEpisodeIsItsOwnMedianAndP90) {
  DurationSummary summary = Summarize(Minutes({42}));
  EXPECT_EQ(summary.count, 1);
  EXPECT_EQ(summary.median, absl::Minutes(42));
  EXPECT_EQ(summary.p90, absl::Minutes(42));
}

TEST(DurationQuantilesTest, OfTwoTheMedianIsTheMeanAndP90IsNinetyPercentOfTheWay) {
  DurationSummary summary = Summarize(Minutes({100, 10}));  // Unsorted on purpose.
  EXPECT_EQ(summary.count, 2);
  EXPECT_EQ(summary.median, absl::Minutes(55));
  EXPECT_EQ(summary.p90, absl::Minutes(91));  // 10 + 0.9 * 90.
}

TEST(DurationQuantilesTest, OddCountMedianIsTheMiddleOne) {
  DurationSummary summary = Summarize(Minutes({5, 1, 3, 2, 4}));
  EXPECT_EQ(summary.median, absl::Minutes(3));
  // Position 0.9 * 4 = 3.6: 4 + 0.6 * (5 - 4) minutes.
  EXPECT_EQ(summary.p90, absl::Seconds(4 * 60 + 36));
}

TEST(DurationQuantilesTest, TenEpisodesMatchTheSpreadsheetDefinition) {
  // 1..10 hours: median 5.5 h; p90 at position 8.1, 9 h + 0.1 h.
  std::vector<absl::Duration> hours;
  for (int h = 10; h >= 1; --h) hours.push_back(absl::Hours(h));
  DurationSummary summary = Summarize(hours);
  EXPECT_EQ(summary.count, 10);
  EXPECT_EQ(summary.median, absl::Minutes(330));
  EXPECT_EQ(summary.p90, absl::Minutes(546));
}

TEST(DurationQuantilesTest, QuantileEndsAreTheExtremes) {
  const std::vector<absl::Duration> sorted = Minutes({1, 7, 9});
  EXPECT_EQ(Quantile(sorted, 0), absl::Minutes(1));
  EXPECT_EQ(Quantile(sorted, 1), absl::Minutes(9));
}

}  // namespace
}  // namespace postura::collector
