#include "collector/history/history_downsampler.h"

#include <stdlib.h>

#include <memory>
#include <vector>

#include "collector/history/history_keys.h"
#include "collector/history/history_reader.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000 / 86400 * 86400);  // Midnight.

class HistoryDownsamplerTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path() / "store"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Records a point every `every` in [from, to) with the value of its age in hours.
  void RecordEvery(absl::string_view subject, absl::Time from, absl::Time to,
                   absl::Duration every) {
    std::vector<EvidenceStore::HistoryWrite> writes;
    for (absl::Time t = from; t < to; t += every) {
      v1::HistoryPoint point;
      point.set_value(absl::ToDoubleHours(kNow - t));
      writes.push_back({.key = HistoryKey(subject, absl::ToUnixNanos(t)),
                        .value = EncodeHistoryPoint(point),
                        .erase = false});
    }
    ASSERT_TRUE(store_->WriteHistory(writes).ok());
  }

  std::vector<absl::Time> Times(absl::string_view subject) {
    absl::StatusOr<v1::ScoreHistory> history =
        HistoryReader(*store_).Points(subject, absl::UnixEpoch(), kNow, 1'000'000);
    EXPECT_TRUE(history.ok()) << history.status();
    std::vector<absl::Time> times;
    for (const v1::HistoryPoint& p : history->points()) {
      times.push_back(absl::FromUnixSeconds(p.time().seconds()) +
                      absl::Nanoseconds(p.time().nanos()));
    }
    return times;
  }

  test::TempDir dir_;  // A real RocksDB lives here.
  std::unique_ptr<EvidenceStore> store_;
  const HistoryRetention retention_{.every_change = absl::Hours(24 * 7),
                                    .hourly = absl::Hours(24 * 90),
                                    .daily = absl::Hours(24 * 730)};
};

TEST_F(HistoryDownsamplerTest, KeepsEveryChangeThenHourlyThenDailyThenNothing) {
  const absl::Duration day = absl::Hours(24);
  // Every 20 minutes over three years.
  RecordEvery("org", kNow - 3 * 365 * day, kNow, absl::Minutes(20));
  absl::StatusOr<DownsampleStats> stats = DownsampleHistory(*store_, retention_, kNow);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->subjects, 1);

  int raw = 0, hourly = 0, daily = 0;
  absl::Time previous = absl::InfinitePast();
  for (absl::Time t : Times("org")) {
    const absl::Duration age = kNow - t;
    ASSERT_LT(age, 730 * day + day) << "older than two years is gone";
    if (age <= 7 * day) {
      ++raw;
    } else if (age <= 90 * day) {
      ++hourly;
      EXPECT_GE(t - previous, absl::Hours(1) - absl::Minutes(20)) << "at most one an hour";
      // The hour's last point is kept: 40 minutes past the hour.
      EXPECT_EQ(absl::ToInt64Minutes(t - absl::FromUnixSeconds(0)) % 60, 40);
    } else {
      ++daily;
      EXPECT_EQ(absl::ToInt64Minutes(t - absl::FromUnixSeconds(0)) % (24 * 60), 23 * 60 + 40)
          << "the day's last point is kept";
    }
    previous = t;
  }
  EXPECT_EQ(raw, 7 * 24 * 3);
  EXPECT_NEAR(hourly, 83 * 24, 1);
  EXPECT_NEAR(daily, 730 - 90, 1);
}

TEST_F(HistoryDownsamplerTest, ALaterRunThinsOnlyWhatAgedAndLeavesTheRestAsItWas) {
  RecordEvery("asset/web", kNow - absl::Hours(24 * 8), kNow, absl::Minutes(30));
  ASSERT_TRUE(DownsampleHistory(*store_, retention_, kNow).ok());
  const std::vector<absl::Time> first = Times("asset/web");
  // A day later: one more day of points aged past a week and is thinned to hours.
  ASSERT_TRUE(DownsampleHistory(*store_, retention_, kNow + absl::Hours(24)).ok());
  const std::vector<absl::Time> second = Times("asset/web");
  EXPECT_EQ(first.size() - second.size(), 24u) << "48 half-hours became 24 hours";
  // Runs are idempotent.
  ASSERT_TRUE(DownsampleHistory(*store_, retention_, kNow + absl::Hours(24)).ok());
  EXPECT_EQ(Times("asset/web").size(), second.size());
}

TEST_F(HistoryDownsamplerTest, SubjectsAreThinnedApartAndMetaRecordsStay) {
  RecordEvery("asset/a", kNow - absl::Hours(24 * 10), kNow, absl::Minutes(30));
  RecordEvery("asset/a2", kNow - absl::Hours(24 * 10), kNow, absl::Minutes(30));
  ASSERT_TRUE(
      store_
          ->WriteHistory(
              {{.key = std::string(kHistoryBeganKey), .value = EncodeUnixNanos(1), .erase = false}})
          .ok());
  absl::StatusOr<DownsampleStats> stats = DownsampleHistory(*store_, retention_, kNow);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->subjects, 2);
  EXPECT_EQ(Times("asset/a").size(), Times("asset/a2").size());
  EXPECT_EQ(Times("asset/a").size(), 7u * 48 + 3 * 24);
  bool began_kept = false;
  ASSERT_TRUE(store_
                  ->ScanHistory(kHistoryBeganKey, "meta/c", false,
                                [&](absl::string_view, absl::string_view) {
                                  began_kept = true;
                                  return false;
                                })
                  .ok());
  EXPECT_TRUE(began_kept);
}

}  // namespace
}  // namespace postura::collector
