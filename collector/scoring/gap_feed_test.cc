// Gap episodes as live scoring detects them, through the real scorer, history recorder and
// RocksDB: falls, recoveries, flaps, target thresholds against level 1, outcomes without
// evidence, registry changes, and what a restart keeps.

#include "collector/scoring/gap_feed.h"

#include <map>
#include <memory>
#include <vector>

#include "collector/history/gap_log.h"
#include "collector/scoring/live_scorer.h"
#include "collector/store/store_keys.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);
const char kOutcome[] = "ID_AM_CSC_1_1";
const char kOther[] = "ID_AM_CSC_2_2";

int64_t Nanos(absl::Time time) { return absl::ToUnixNanos(time); }

Target OutcomeTarget(const std::string& outcome, double threshold) {
  return Target{
      .scope = {.kind = ScopeKind::kOutcome, .index = *Catalog::Builtin().FindOutcome(outcome)},
      .op = TargetOperator::kGreaterOrEqual,
      .threshold = threshold};
}

class GapFeedTest : public testing::Test {
 protected:
  void SetUp() override { Start(); }
  void TearDown() override { Stop(); }

  void Start() {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path() / "store", .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder =
        HistoryRecorder::Start(*store_, clock_, {});
    ASSERT_TRUE(recorder.ok()) << recorder.status();
    recorder_ = *std::move(recorder);
    scorer_ = std::make_unique<LiveScorer>(*store_, Catalog::Builtin(), clock_, recorder_.get());
    for (const auto& [id, asset] : assets_) scorer_->OnAssetPut(asset, targets_[id]);
    ASSERT_TRUE(scorer_->Start().ok());
  }

  void Stop() {
    scorer_.reset();
    recorder_.reset();
    store_.reset();
  }

  void PutAsset(const std::string& id, std::vector<Target> targets = {}) {
    assets_[id] = TestAsset(id, v1::IG1);
    targets_[id] = targets;
    scorer_->OnAssetPut(assets_[id], targets);
    Settle();
  }

  // Stores one report as the ingest writer would and hands it to the scorer.
  void Report(const std::string& asset, const std::string& outcome, v1::Level level,
              absl::Duration lifetime = absl::Hours(24), bool to_scorer = true) {
    const std::string agent = "host";
    v1::Batch batch;
    batch.set_sequence(++sequence_);
    v1::Evidence& item = *batch.add_items();
    item = TestEvidence(asset, outcome, clock_.TimeNow(), level);
    item.set_expires_at_unix_nanos(Nanos(clock_.TimeNow() + lifetime));
    EncodedBatch encoded = EncodeBatch(agent, batch, {true}, clock_.TimeNow());
    ASSERT_TRUE(store_->Commit({{&agent, &encoded, {sequence_, 0, 1}}}).ok());
    if (!to_scorer) return;
    std::vector<SourceUpdate> updates;
    for (EncodedBatch::Entry& entry : encoded.entries) {
      updates.push_back({std::move(entry.state_key), entry.level, entry.attested,
                         entry.observed_at_unix_nanos, entry.expires_at_unix_nanos});
    }
    scorer_->OnCommitted(std::move(updates));
    Settle();
  }

  // Waits until scoring and the recorder wrote everything handed over.
  void Settle() {
    scorer_->Flush();
    recorder_->Flush();
  }

  // The open episode of (asset, outcome): its open time, or nullopt.
  std::optional<absl::Time> OpenSince(const std::string& asset, const std::string& outcome) {
    Settle();
    std::optional<absl::Time> since;
    EXPECT_TRUE(ForEachOpenGap(*store_, [&](const GapEpisode& episode) {
                  if (episode.asset_id == asset && episode.outcome_id == outcome) {
                    since = absl::FromUnixNanos(episode.opened_unix_nanos);
                  }
                  return true;
                }).ok());
    return since;
  }

  // The durations of the closed episodes of (asset, outcome), oldest closing first.
  std::vector<absl::Duration> ClosedDurations(const std::string& asset,
                                              const std::string& outcome) {
    Settle();
    std::vector<absl::Duration> durations;
    EXPECT_TRUE(ForEachClosedGap(*store_, 0, INT64_MAX, [&](const GapEpisode& episode) {
                  if (episode.asset_id == asset && episode.outcome_id == outcome) {
                    durations.push_back(
                        absl::Nanoseconds(episode.closed_unix_nanos - episode.opened_unix_nanos));
                  }
                }).ok());
    return durations;
  }

  test::TempDir dir_;  // A real RocksDB lives here.
  FakeClock clock_{kStart};
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<HistoryRecorder> recorder_;
  std::unique_ptr<LiveScorer> scorer_;
  std::map<std::string, v1::Asset> assets_;
  std::map<std::string, std::vector<Target>> targets_;
  uint64_t sequence_ = 0;
};

TEST_F(GapFeedTest, AGapOpensWithTheFirstReportBelowLevelOneNotAtRegistration) {
  PutAsset("web");
  // Without evidence an outcome is a hole in coverage, not a shortfall: no gap yet.
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  EXPECT_EQ(OpenSince("web", kOther), std::nullopt);
  clock_.Advance(absl::Minutes(30));
  Report("web", kOutcome, v1::DLI_0);  // Evidence at level 0: the level did not move.
  EXPECT_EQ(OpenSince("web", kOutcome), kStart + absl::Minutes(30));
  clock_.Advance(absl::Minutes(30));
  Report("web", kOutcome, v1::DLI_67);  // Better, still below level 1.
  EXPECT_EQ(OpenSince("web", kOutcome), kStart + absl::Minutes(30));
  clock_.Advance(absl::Minutes(30));
  Report("web", kOutcome, v1::DLI_100);
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  EXPECT_EQ(ClosedDurations("web", kOutcome), std::vector<absl::Duration>{absl::Hours(1)});
  EXPECT_EQ(OpenSince("web", kOther), std::nullopt);  // Others untouched.
}

TEST_F(GapFeedTest, AFirstReportAtTheThresholdOpensNothing) {
  PutAsset("web");
  Report("web", kOutcome, v1::DLI_100);
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  EXPECT_TRUE(ClosedDurations("web", kOutcome).empty());
}

TEST_F(GapFeedTest, FlappingRecordsOneEpisodePerFall) {
  PutAsset("web");
  Report("web", kOutcome, v1::DLI_100);
  for (int minutes : {5, 10}) {
    clock_.Advance(absl::Minutes(1));
    Report("web", kOutcome, v1::DLI_33);
    EXPECT_EQ(OpenSince("web", kOutcome), clock_.TimeNow());
    clock_.Advance(absl::Minutes(minutes));
    Report("web", kOutcome, v1::DLI_100);
  }
  EXPECT_EQ(ClosedDurations("web", kOutcome),
            (std::vector<absl::Duration>{absl::Minutes(5), absl::Minutes(10)}));
}

TEST_F(GapFeedTest, AnOutcomeTargetSetsTheThresholdInsteadOfLevelOne) {
  PutAsset("web", {OutcomeTarget(kOutcome, 0.67)});
  Report("web", kOutcome, v1::DLI_67);
  Report("web", kOther, v1::DLI_67);
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);  // Meets its target.
  EXPECT_EQ(OpenSince("web", kOther), kStart);          // No target: level 1.
  clock_.Advance(absl::Minutes(7));
  Report("web", kOutcome, v1::DLI_33);
  EXPECT_EQ(OpenSince("web", kOutcome), clock_.TimeNow());
  clock_.Advance(absl::Minutes(3));
  // Lowering the target to what the outcome has closes the gap at once.
  PutAsset("web", {OutcomeTarget(kOutcome, 0.33)});
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  EXPECT_EQ(ClosedDurations("web", kOutcome).back(), absl::Minutes(3));
}

TEST_F(GapFeedTest, ExpiredEvidenceCountsAsLevelZeroAndOpensAGap) {
  PutAsset("web");
  Report("web", kOutcome, v1::DLI_100, absl::Minutes(10));
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  clock_.Advance(absl::Minutes(11));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!OpenSince("web", kOutcome) && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));  // The scorer's own expiry timer.
  }
  ASSERT_TRUE(OpenSince("web", kOutcome).has_value());
  EXPECT_GE(*OpenSince("web", kOutcome), kStart + absl::Minutes(10));
}

TEST_F(GapFeedTest, DeletingAnAssetForgetsItsOpenGapsWithoutClosingThem) {
  PutAsset("web");
  Report("web", kOutcome, v1::DLI_33);
  ASSERT_EQ(OpenSince("web", kOutcome), kStart);
  scorer_->OnAssetDeleted("web");
  assets_.erase("web");
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  EXPECT_TRUE(ClosedDurations("web", kOutcome).empty());
}

TEST_F(GapFeedTest, ARestartKeepsOpenTimesAndClosesWhatRecoveredMeanwhile) {
  PutAsset("web");
  Report("web", kOutcome, v1::DLI_33);
  Report("web", kOther, v1::DLI_33);
  Stop();
  clock_.Advance(absl::Hours(2));
  {
    // While the collector is down, evidence arrives for kOutcome (as replayed at start).
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path() / "store", .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    Report("web", kOutcome, v1::DLI_100, absl::Hours(24), /*to_scorer=*/false);
    store_.reset();
  }
  clock_.Advance(absl::Hours(1));
  Start();
  EXPECT_EQ(OpenSince("web", kOther), kStart);  // Still below: its original time.
  EXPECT_EQ(OpenSince("web", kOutcome), std::nullopt);
  // Closed at the first scoring after the start, not when the evidence came.
  EXPECT_EQ(ClosedDurations("web", kOutcome), std::vector<absl::Duration>{absl::Hours(3)});
}

TEST_F(GapFeedTest, AGapWithoutARecordOpensAtTheFirstScoringAfterTheStart) {
  PutAsset("web");
  Report("web", kOutcome, v1::DLI_33);
  Report("web", kOther, v1::DLI_33);
  Stop();
  {
    // As after a crossing lost to a full queue: the store forgets kOther's open gap.
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path() / "store", .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(WriteGapEvents(**store, {{.asset_id = "web",
                                          .outcome_id = kOther,
                                          .unix_nanos = Nanos(kStart),
                                          .transition = GapTransition::kDropped}})
                    .ok());
  }
  clock_.Advance(absl::Hours(1));
  Start();
  EXPECT_EQ(OpenSince("web", kOther), kStart + absl::Hours(1));
  EXPECT_EQ(OpenSince("web", kOutcome), kStart);
}

TEST(IsGapTest, OutcomesThatDoNotApplyToTheGroupAreNeverGaps) {
  ScoreTable table(Catalog::Builtin());
  table.PutAsset(AssetDefinition{.id = "web",
                                 .group = ImplementationGroup::kIG1,
                                 .department_id = "",
                                 .supplier_id = "",
                                 .dependency_ids = {},
                                 .targets = {}});
  const int slot = *table.FindSlot("web");
  const auto& outcomes = Catalog::Builtin().outcomes();
  int checked = 0;
  for (int o = 0; o < static_cast<int>(outcomes.size()); ++o) {
    const bool applies = outcomes[o].min_ig <= 1;
    EXPECT_EQ(IsGap(table, slot, o, Cell{Level::kDli0, CellState::kLive, false}), applies)
        << outcomes[o].id;
    EXPECT_EQ(IsGap(table, slot, o, Cell{Level::kDli0, CellState::kStale, false}), applies)
        << outcomes[o].id;
    EXPECT_FALSE(IsGap(table, slot, o, Cell{Level::kDli0, CellState::kNoEvidence, false}))
        << outcomes[o].id;
    EXPECT_FALSE(IsGap(table, slot, o, Cell{Level::kDli100, CellState::kLive, false}))
        << outcomes[o].id;
    checked += applies ? 0 : 1;
  }
  EXPECT_GT(checked, 0);  // The catalog has IG2/IG3-only outcomes.
}

}  // namespace
}  // namespace postura::collector
