#include "collector/history/gap_log.h"

#include <memory>
#include <vector>

#include "collector/history/history_downsampler.h"
#include "collector/history/history_keys.h"
#include "collector/history/history_reader.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000 / 86400 * 86400);  // Midnight.

int64_t Nanos(absl::Time time) { return absl::ToUnixNanos(time); }

GapEvent Event(const std::string& asset, const std::string& outcome, absl::Time at,
               GapTransition transition) {
  return GapEvent{
      .asset_id = asset, .outcome_id = outcome, .unix_nanos = Nanos(at), .transition = transition};
}

class GapLogTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path() / "store"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  GapWriteStats Write(const std::vector<GapEvent>& events) {
    absl::StatusOr<GapWriteStats> stats = WriteGapEvents(*store_, events);
    EXPECT_TRUE(stats.ok()) << stats.status();
    return stats.ok() ? *stats : GapWriteStats{};
  }

  std::vector<GapEpisode> Open() {
    std::vector<GapEpisode> open;
    EXPECT_TRUE(ForEachOpenGap(*store_, [&](const GapEpisode& episode) {
                  open.push_back(episode);
                  return true;
                }).ok());
    return open;
  }

  std::vector<GapEpisode> Closed(absl::Time since, absl::Time until) {
    std::vector<GapEpisode> closed;
    EXPECT_TRUE(
        ForEachClosedGap(*store_, Nanos(since), Nanos(until), [&](const GapEpisode& episode) {
          closed.push_back(episode);
        }).ok());
    return closed;
  }

  test::TempDir dir_;  // A real RocksDB lives here.
  std::unique_ptr<EvidenceStore> store_;
};

TEST_F(GapLogTest, AnOpenedEpisodeSurvivesAReopenAndClosesWithItsFirstTime) {
  const absl::Time opened = kNow - absl::Hours(5);
  GapWriteStats first = Write({Event("web", "PR_1", opened, GapTransition::kOpened)});
  EXPECT_EQ(first.opened, 1);
  Reopen();
  ASSERT_EQ(Open().size(), 1u);
  EXPECT_EQ(Open()[0].asset_id, "web");
  EXPECT_EQ(Open()[0].outcome_id, "PR_1");
  EXPECT_EQ(Open()[0].opened_unix_nanos, Nanos(opened));
  // Opening again keeps the first time; the close measures from it.
  GapWriteStats second = Write({Event("web", "PR_1", kNow - absl::Hours(1), GapTransition::kOpened),
                                Event("web", "PR_1", kNow, GapTransition::kClosed)});
  EXPECT_EQ(second.ignored, 1);
  EXPECT_EQ(second.closed, 1);
  EXPECT_TRUE(Open().empty());
  std::vector<GapEpisode> closed = Closed(kNow - absl::Hours(24), kNow);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].opened_unix_nanos, Nanos(opened));
  EXPECT_EQ(closed[0].closed_unix_nanos, Nanos(kNow));
}

TEST_F(GapLogTest, FlappingWithinOneWriteRecordsEveryEpisode) {
  const absl::Time t = kNow - absl::Hours(3);
  GapWriteStats stats = Write({Event("db", "ID_1", t, GapTransition::kOpened),
                               Event("db", "ID_1", t + absl::Minutes(1), GapTransition::kClosed),
                               Event("db", "ID_1", t + absl::Minutes(2), GapTransition::kOpened),
                               Event("db", "ID_1", t + absl::Minutes(5), GapTransition::kClosed),
                               Event("db", "ID_1", t + absl::Minutes(6), GapTransition::kOpened)});
  EXPECT_EQ(stats.opened, 3);
  EXPECT_EQ(stats.closed, 2);
  std::vector<GapEpisode> closed = Closed(t, kNow);
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].closed_unix_nanos - closed[0].opened_unix_nanos,
            absl::ToInt64Nanoseconds(absl::Minutes(1)));
  EXPECT_EQ(closed[1].closed_unix_nanos - closed[1].opened_unix_nanos,
            absl::ToInt64Nanoseconds(absl::Minutes(3)));
  ASSERT_EQ(Open().size(), 1u);
  EXPECT_EQ(Open()[0].opened_unix_nanos, Nanos(t + absl::Minutes(6)));
}

TEST_F(GapLogTest, ClosingOrDroppingNothingIsIgnoredAndDroppingForgets) {
  GapWriteStats stats = Write({Event("web", "PR_1", kNow, GapTransition::kClosed),
                               Event("web", "PR_2", kNow, GapTransition::kOpened),
                               Event("web", "PR_2", kNow, GapTransition::kDropped),
                               Event("web", "PR_3", kNow, GapTransition::kDropped)});
  EXPECT_EQ(stats.ignored, 2);
  EXPECT_EQ(stats.dropped, 1);
  EXPECT_TRUE(Open().empty());
  EXPECT_TRUE(Closed(kNow - absl::Hours(1), kNow).empty());
}

TEST_F(GapLogTest, ClosedWindowIsInclusiveAndSortedByClosingTime) {
  Write({Event("a", "O", kNow - absl::Hours(10), GapTransition::kOpened),
         Event("b", "O", kNow - absl::Hours(9), GapTransition::kOpened),
         Event("c", "O", kNow - absl::Hours(8), GapTransition::kOpened),
         Event("b", "O", kNow - absl::Hours(3), GapTransition::kClosed),
         Event("a", "O", kNow - absl::Hours(2), GapTransition::kClosed),
         Event("c", "O", kNow - absl::Hours(1), GapTransition::kClosed)});
  std::vector<GapEpisode> closed = Closed(kNow - absl::Hours(3), kNow - absl::Hours(2));
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[0].asset_id, "b");
  EXPECT_EQ(closed[1].asset_id, "a");
  EXPECT_EQ(Closed(kNow - absl::Hours(24), kNow).size(), 3u);
}

TEST_F(GapLogTest, DownsamplingPrunesEpisodesClosedBeforeHourlyRetentionAndKeepsPoints) {
  const HistoryRetention retention{.every_change = absl::Hours(24),
                                   .hourly = absl::Hours(24 * 10),
                                   .daily = absl::Hours(24 * 100)};
  Write({Event("old", "O", kNow - absl::Hours(24 * 12), GapTransition::kOpened),
         Event("old", "O", kNow - absl::Hours(24 * 11), GapTransition::kClosed),
         Event("new", "O", kNow - absl::Hours(24 * 9), GapTransition::kOpened),
         Event("new", "O", kNow - absl::Hours(24 * 8), GapTransition::kClosed),
         Event("open", "O", kNow - absl::Hours(24 * 50), GapTransition::kOpened)});
  v1::HistoryPoint point;
  point.set_value(0.5);
  ASSERT_TRUE(store_
                  ->WriteHistory({{.key = HistoryKey(AssetSubject("web"), Nanos(kNow)),
                                   .value = EncodeHistoryPoint(point),
                                   .erase = false}})
                  .ok());
  absl::StatusOr<DownsampleStats> stats = DownsampleHistory(*store_, retention, kNow);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->gap_episodes_deleted, 1);
  EXPECT_EQ(stats->subjects, 1);  // Gap records are no subject.
  std::vector<GapEpisode> closed = Closed(absl::UnixEpoch(), kNow);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].asset_id, "new");
  // An open episode is never pruned, however old.
  ASSERT_EQ(Open().size(), 1u);
  absl::StatusOr<std::optional<v1::HistoryPoint>> kept =
      HistoryReader(*store_).At(AssetSubject("web"), kNow);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
}

}  // namespace
}  // namespace postura::collector
