#include "collector/history/history_recorder.h"

#include <stdlib.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "collector/history/history_keys.h"
#include "collector/history/history_reader.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);

v1::HistoryPoint Figures(double value, bool targets_met = true) {
  v1::HistoryPoint point;
  point.set_value(value);
  point.set_adjusted_value(value / 2);
  point.set_coverage(0.5);
  point.set_targets_met(targets_met);
  return point;
}

int64_t Nanos(absl::Time time) { return absl::ToUnixNanos(time); }
absl::Time TimeOf(const v1::HistoryPoint& point) {
  return absl::FromUnixSeconds(point.time().seconds()) + absl::Nanoseconds(point.time().nanos());
}

class HistoryRecorderTest : public testing::Test {
 protected:
  std::unique_ptr<EvidenceStore> OpenStore() {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path() / "store", .clock = &clock_});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::unique_ptr<HistoryRecorder> StartRecorder(EvidenceStore& store) {
    absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder =
        HistoryRecorder::Start(store, clock_, {});
    EXPECT_TRUE(recorder.ok()) << recorder.status();
    return recorder.ok() ? *std::move(recorder) : nullptr;
  }

  test::TempDir dir_;  // A real RocksDB lives here.
  FakeClock clock_{kStart};
};

TEST_F(HistoryRecorderTest, RecordedChangesSurviveARestartInTimeOrder) {
  {
    std::unique_ptr<EvidenceStore> store = OpenStore();
    std::unique_ptr<HistoryRecorder> recorder = StartRecorder(*store);
    recorder->Record(AssetSubject("web"), Nanos(kStart + absl::Seconds(2)), Figures(0.2));
    recorder->Record(AssetSubject("db"), Nanos(kStart + absl::Seconds(1)), Figures(0.9));
    recorder->Flush();
    recorder->Record(AssetSubject("web"), Nanos(kStart + absl::Seconds(3)), Figures(0.3, false));
    recorder->Flush();
    EXPECT_EQ(recorder->Stats().points_written, 3u);
  }
  clock_.Advance(absl::Hours(5));
  std::unique_ptr<EvidenceStore> store = OpenStore();
  std::unique_ptr<HistoryRecorder> recorder = StartRecorder(*store);
  EXPECT_EQ(recorder->began(), kStart) << "the history began at the first start";
  HistoryReader reader(*store);
  absl::StatusOr<v1::ScoreHistory> web =
      reader.Points(AssetSubject("web"), absl::UnixEpoch(), clock_.TimeNow(), 100);
  ASSERT_TRUE(web.ok()) << web.status();
  ASSERT_EQ(web->points_size(), 2);
  EXPECT_EQ(TimeOf(web->points(0)), kStart + absl::Seconds(2));
  EXPECT_DOUBLE_EQ(web->points(0).value(), 0.2);
  EXPECT_DOUBLE_EQ(web->points(1).value(), 0.3);
  EXPECT_FALSE(web->points(1).targets_met());
  // "asset/web" and "asset/db" do not mix, and a subject that is a prefix of another
  // does not see the other's points.
  recorder->Record(AssetSubject("we"), Nanos(kStart), Figures(0.1));
  recorder->Flush();
  absl::StatusOr<v1::ScoreHistory> we =
      reader.Points(AssetSubject("we"), absl::UnixEpoch(), clock_.TimeNow(), 100);
  ASSERT_TRUE(we.ok());
  EXPECT_EQ(we->points_size(), 1);
}

TEST_F(HistoryRecorderTest, ChangesOfOneSubjectWaitingTogetherAreCoalescedToTheLast) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder = HistoryRecorder::Start(
      *store, clock_, {.retention = {}, .write_interval = absl::Seconds(30)});
  ASSERT_TRUE(recorder.ok());
  for (int i = 1; i <= 100; ++i) {
    (*recorder)->Record(OrganizationSubject(), Nanos(kStart + absl::Milliseconds(i)),
                        Figures(i / 100.0));
  }
  (*recorder)->Flush();
  absl::StatusOr<v1::ScoreHistory> org =
      HistoryReader(*store).Points(OrganizationSubject(), kStart, kStart + absl::Seconds(1), 100);
  ASSERT_TRUE(org.ok());
  ASSERT_EQ(org->points_size(), 1);
  EXPECT_DOUBLE_EQ(org->points(0).value(), 1.0);
  EXPECT_EQ(TimeOf(org->points(0)), kStart + absl::Milliseconds(100));
}

TEST_F(HistoryRecorderTest, ReaderWindowsLimitsAndSamplesAtSteps) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  std::unique_ptr<HistoryRecorder> recorder = StartRecorder(*store);
  for (int minute : {10, 20, 30}) {
    recorder->Record(AssetSubject("web"), Nanos(kStart + absl::Minutes(minute)),
                     Figures(minute / 100.0));
    recorder->Flush();
  }
  HistoryReader reader(*store);
  absl::StatusOr<v1::ScoreHistory> window = reader.Points(
      AssetSubject("web"), kStart + absl::Minutes(20), kStart + absl::Minutes(30), 10);
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->points_size(), 2) << "both ends are inclusive";
  absl::StatusOr<v1::ScoreHistory> limited =
      reader.Points(AssetSubject("web"), kStart, kStart + absl::Hours(1), 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->points_size(), 2);
  EXPECT_TRUE(limited->truncated());

  // Every 15 minutes from the start: nothing yet at 0, then 0.10 at 15, and 0.30 from 30
  // on (the change at 30 counts at 30).
  absl::StatusOr<v1::ScoreHistory> sampled =
      reader.Sampled(AssetSubject("web"), kStart, kStart + absl::Hours(1), absl::Minutes(15));
  ASSERT_TRUE(sampled.ok());
  ASSERT_EQ(sampled->points_size(), 4);
  EXPECT_EQ(TimeOf(sampled->points(0)), kStart + absl::Minutes(15));
  EXPECT_DOUBLE_EQ(sampled->points(0).value(), 0.10);
  EXPECT_DOUBLE_EQ(sampled->points(1).value(), 0.30);
  EXPECT_DOUBLE_EQ(sampled->points(3).value(), 0.30);

  absl::StatusOr<std::optional<v1::HistoryPoint>> at =
      reader.At(AssetSubject("web"), kStart + absl::Minutes(29));
  ASSERT_TRUE(at.ok());
  ASSERT_TRUE(at->has_value());
  EXPECT_DOUBLE_EQ((*at)->value(), 0.20);
  absl::StatusOr<std::optional<v1::HistoryPoint>> before =
      reader.At(AssetSubject("web"), kStart + absl::Minutes(9));
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(before->has_value());
}

TEST_F(HistoryRecorderTest, AFullQueueDropsAndCountsRatherThanGrow) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  std::vector<HistoryChange> changes;
  for (const char* asset : {"a", "b", "c"}) {
    changes.push_back({AssetSubject(asset), Nanos(kStart), Figures(0.5)});
  }
  changes.push_back({AssetSubject("a"), Nanos(kStart + absl::Seconds(1)), Figures(0.7)});
  absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder = HistoryRecorder::Start(
      *store, clock_,
      {.retention = {},
       .write_interval = absl::Seconds(30),
       .downsample_interval = absl::Hours(1),
       .max_queued_bytes = QueuedBytes(changes[0]) + QueuedBytes(changes[1])});
  ASSERT_TRUE(recorder.ok());
  (*recorder)->Record(std::move(changes));
  EXPECT_EQ((*recorder)->Stats().queued_changes, 2u);
  (*recorder)->Flush();
  const HistoryRecorderStats stats = (*recorder)->Stats();
  EXPECT_EQ(stats.points_written, 2u) << "a (its later change) and b";
  EXPECT_EQ(stats.points_dropped, 1u) << "c found the queue full";
  absl::StatusOr<std::optional<v1::HistoryPoint>> a =
      HistoryReader(*store).At(AssetSubject("a"), kStart + absl::Hours(1));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_DOUBLE_EQ((*a)->value(), 0.7);
}

TEST_F(HistoryRecorderTest, BadRetentionIsRefusedNamingTheKey) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder =
      HistoryRecorder::Start(*store, clock_,
                             {.retention = {.every_change = absl::Hours(48),
                                            .hourly = absl::Hours(24),
                                            .daily = absl::Hours(24 * 700)}});
  ASSERT_FALSE(recorder.ok());
  EXPECT_EQ(recorder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(recorder.status().message().find("history.hourly"), std::string::npos)
      << recorder.status();
}

TEST_F(HistoryRecorderTest, GapCrossingsAreWrittenInOrderOnTheRecordersThread) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  std::unique_ptr<HistoryRecorder> recorder = StartRecorder(*store);
  const int64_t opened = Nanos(kStart + absl::Seconds(1));
  const int64_t closed = Nanos(kStart + absl::Seconds(61));
  recorder->RecordGaps({{.asset_id = "web",
                         .outcome_id = "PR_1",
                         .unix_nanos = opened,
                         .transition = GapTransition::kOpened},
                        {.asset_id = "db",
                         .outcome_id = "PR_1",
                         .unix_nanos = opened,
                         .transition = GapTransition::kOpened}});
  recorder->RecordGaps({{.asset_id = "web",
                         .outcome_id = "PR_1",
                         .unix_nanos = closed,
                         .transition = GapTransition::kClosed}});
  recorder->Flush();
  EXPECT_EQ(recorder->Stats().gaps_opened, 2u);
  EXPECT_EQ(recorder->Stats().gaps_closed, 1u);
  std::vector<GapEpisode> episodes;
  ASSERT_TRUE(ForEachClosedGap(*store, opened, closed, [&](const GapEpisode& episode) {
                episodes.push_back(episode);
              }).ok());
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_EQ(episodes[0].asset_id, "web");
  EXPECT_EQ(episodes[0].closed_unix_nanos - episodes[0].opened_unix_nanos,
            absl::ToInt64Nanoseconds(absl::Minutes(1)));
}

TEST_F(HistoryRecorderTest, GapCrossingsPastTheBudgetAreCountedAndTheQueueStaysWithinIt) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  std::vector<GapEvent> events;
  for (int i = 0; i < 10; ++i) {
    events.push_back({.asset_id = absl::StrCat("asset-with-a-long-identifier-", i),
                      .outcome_id = "PR_1",
                      .unix_nanos = Nanos(kStart),
                      .transition = GapTransition::kOpened});
  }
  const size_t budget = 4 * QueuedBytes(events[0]);
  absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder =
      HistoryRecorder::Start(*store, clock_,
                             {.retention = {},
                              .write_interval = absl::Seconds(30),
                              .downsample_interval = absl::Hours(1),
                              .max_queued_bytes = budget});
  ASSERT_TRUE(recorder.ok());
  (*recorder)->RecordGaps(events);
  HistoryRecorderStats stats = (*recorder)->Stats();
  EXPECT_EQ(stats.queued_gap_events, 4u);
  EXPECT_LE(stats.queued_bytes, budget);
  EXPECT_GT(stats.queued_bytes, 4 * sizeof(GapEvent)) << "the long ids' heap counts";
  (*recorder)->Flush();
  stats = (*recorder)->Stats();
  EXPECT_EQ(stats.gaps_opened, 4u);
  EXPECT_EQ(stats.gap_events_dropped, 6u);
  EXPECT_EQ(stats.queued_gap_events, 0u);
  EXPECT_EQ(stats.queued_bytes, 0u);
}

TEST_F(HistoryRecorderTest, CrossingsWrittenInSeveralWritesKeepTheirOrderAcrossThem) {
  std::unique_ptr<EvidenceStore> store = OpenStore();
  absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder =
      HistoryRecorder::Start(*store, clock_,
                             {.retention = {},
                              .write_interval = absl::Seconds(30),
                              .downsample_interval = absl::Hours(1),
                              .gap_events_per_write = 2});
  ASSERT_TRUE(recorder.ok());
  // Opened, closed, opened again and closed again: the closings fall in other writes
  // than their openings.
  std::vector<GapEvent> events;
  for (int minute = 0; minute < 5; ++minute) {
    events.push_back(
        {.asset_id = "web",
         .outcome_id = "PR_1",
         .unix_nanos = Nanos(kStart + absl::Minutes(minute)),
         .transition = minute % 2 == 0 ? GapTransition::kOpened : GapTransition::kClosed});
  }
  (*recorder)->RecordGaps(events);
  (*recorder)->Flush();
  EXPECT_EQ((*recorder)->Stats().gaps_opened, 3u);
  EXPECT_EQ((*recorder)->Stats().gaps_closed, 2u);
  std::vector<GapEpisode> closed;
  ASSERT_TRUE(ForEachClosedGap(*store, Nanos(kStart), Nanos(kStart + absl::Hours(1)),
                               [&](const GapEpisode& episode) { closed.push_back(episode); })
                  .ok());
  ASSERT_EQ(closed.size(), 2u);
  EXPECT_EQ(closed[1].opened_unix_nanos, Nanos(kStart + absl::Minutes(2)));
  EXPECT_EQ(closed[1].closed_unix_nanos, Nanos(kStart + absl::Minutes(3)));
  std::vector<GapEpisode> open;
  ASSERT_TRUE(ForEachOpenGap(*store, [&](const GapEpisode& episode) {
                open.push_back(episode);
                return true;
              }).ok());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].opened_unix_nanos, Nanos(kStart + absl::Minutes(4)));
}

}  // namespace
}  // namespace postura::collector
