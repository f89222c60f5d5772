// Past scores recomputed from the evidence log equal what live scoring published then:
// a random run of reports, expiries and registry changes is scored live (a watcher and the
// history record what was published, and when), then PastScorer recomputes the scores at
// random instants in between.

#include "collector/scoring/past_scorer.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>

#include "collector/history/history_keys.h"
#include "collector/history/history_reader.h"
#include "collector/testing/test_evidence.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using google::protobuf::util::MessageDifferencer;

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);
// Outcomes of IG1 the run reports on.
const char* const kOutcomes[] = {"ID_AM_CSC_1_1", "PR_AC_CSC_5_2", "ID_AM_CSC_2_1",
                                 "PR_DS_CSC_3_4"};
const char* const kAssets[] = {"platform", "web", "mail"};
const char* const kAgents[] = {"host-a", "host-b", "host-c"};

class PastScorerTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/past_scorer_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_ + "/store", .clock = &clock_});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<HistoryRecorder>> recorder =
        HistoryRecorder::Start(*store_, clock_, {});
    ASSERT_TRUE(recorder.ok()) << recorder.status();
    recorder_ = *std::move(recorder);
    scorer_ = std::make_unique<LiveScorer>(*store_, Catalog::Builtin(), clock_, recorder_.get());
    ASSERT_TRUE(scorer_->Start().ok());
    watcher_ = scorer_->Watch(WatchFilter(), nullptr);
  }

  void TearDown() override {
    scorer_.reset();
    recorder_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void PutAsset(const std::string& id, const std::string& department,
                std::vector<std::string> dependencies, double target) {
    v1::Asset asset = TestAsset(id, v1::IG1);
    asset.set_department_id(department);
    for (const std::string& dependency : dependencies) asset.add_dependency_ids(dependency);
    std::vector<Target> targets;
    if (target > 0) {
      targets.push_back(
          Target{TargetScope{ScopeKind::kAsset, 0}, TargetOperator::kGreaterOrEqual, target});
    }
    scorer_->OnAssetPut(asset, targets);
  }

  // Stores one report received now, as the ingest writer would, and hands it over. It was
  // observed `observed_ago` before (a spooled report: up to an hour), but never before the
  // source's previous report, as an agent observes in order. A `legacy_state` report's
  // state record lacks its receipt time, as records written before it was kept do.
  void Report(const std::string& agent, const std::string& asset, const std::string& outcome,
              v1::Level level, absl::Duration lifetime, v1::EvidenceKind kind,
              absl::Duration observed_ago = absl::Seconds(5), bool legacy_state = false) {
    v1::Batch batch;
    batch.set_sequence(++sequence_[agent]);
    v1::Evidence& item = *batch.add_items();
    const std::string check = absl::StrCat("check.", outcome.size() % 2);
    absl::Time& last_observed = last_observed_[absl::StrCat(agent, "/", asset, "/", outcome)];
    const absl::Time observed =
        std::max(clock_.TimeNow() - observed_ago, last_observed + absl::Nanoseconds(1));
    last_observed = observed;
    item = TestEvidence(asset, outcome, observed, level);
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(clock_.TimeNow() + lifetime));
    item.set_kind(kind);
    item.set_check_id(check);
    EncodedBatch encoded = EncodeBatch(agent, batch, {true}, clock_.TimeNow());
    if (legacy_state) {
      v1::SourceState state;
      ASSERT_TRUE(state.ParseFromString(encoded.entries[0].state_value));
      state.clear_received_at_unix_nanos();
      state.SerializeToString(&encoded.entries[0].state_value);
    }
    ASSERT_TRUE(store_->Commit({{&agent, &encoded, {sequence_[agent], 0, 1}}}).ok());
    std::vector<SourceUpdate> updates;
    for (EncodedBatch::Entry& entry : encoded.entries) {
      updates.push_back({std::move(entry.state_key), entry.level, entry.attested,
                         entry.observed_at_unix_nanos, entry.expires_at_unix_nanos});
    }
    scorer_->OnCommitted(std::move(updates));
  }

  // Lets scoring finish the step and notes what it published, and when.
  void Publish() {
    scorer_->Flush();
    recorder_->Flush();
    while (std::optional<v1::ScoreUpdate> update = watcher_->TryTake()) {
      published_[update->summary().asset_id()][update->computed_at_unix_nanos()] =
          update->summary();
    }
    organization_[absl::ToUnixNanos(clock_.TimeNow())] = scorer_->Organization();
  }

  // The latest entry of `by_time` at or before `at`.
  template <typename T>
  static const T* Latest(const std::map<int64_t, T>& by_time, int64_t at) {
    auto it = by_time.upper_bound(at);
    return it == by_time.begin() ? nullptr : &std::prev(it)->second;
  }

  std::string dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<HistoryRecorder> recorder_;
  std::unique_ptr<LiveScorer> scorer_;
  std::shared_ptr<Watcher> watcher_;
  std::map<std::string, uint64_t> sequence_;
  std::map<std::string, absl::Time> last_observed_;  // By agent/asset/outcome.
  std::map<std::string, std::map<int64_t, v1::AssetSummary>> published_;
  std::map<int64_t, v1::OrganizationScore> organization_;
};

TEST_F(PastScorerTest, RecomputationAtRandomPastInstantsEqualsWhatWasPublished) {
  PutAsset("platform", "infra", {}, 0.3);
  PutAsset("web", "sales", {"platform"}, 0.5);
  PutAsset("mail", "sales", {}, 0);
  Publish();
  std::mt19937 random(20261204);
  const v1::Level levels[] = {v1::DLI_0, v1::DLI_33, v1::DLI_67, v1::DLI_100};
  // Whole minutes only: the clock moves a minute per step and lifetimes are whole
  // minutes, so evidence expires exactly at a step, when the live scorer applies it.
  for (int step = 0; step < 240; ++step) {
    const int reports = static_cast<int>(random() % 4);
    for (int r = 0; r < reports; ++r) {
      // A quarter of the reports were spooled for up to an hour; a quarter have state
      // records without their receipt time.
      const absl::Duration observed_ago =
          random() % 4 == 0 ? absl::Seconds(random() % 3600) : absl::Seconds(5);
      Report(kAgents[random() % 3], kAssets[random() % 3], kOutcomes[random() % 4],
             levels[random() % 4], absl::Minutes(1 + random() % 20),
             random() % 4 == 0 ? v1::ATTESTED : v1::OBSERVED, observed_ago, random() % 4 == 0);
    }
    Publish();
    clock_.Advance(absl::Minutes(1));
  }
  Publish();
  const absl::Time end = clock_.TimeNow();

  PastScorer past(*store_, Catalog::Builtin());
  HistoryReader history(*store_);
  std::uniform_int_distribution<int64_t> instant(absl::ToUnixNanos(kStart), absl::ToUnixNanos(end));
  int compared = 0;
  for (int sample = 0; sample < 60; ++sample) {
    const int64_t at = instant(random);
    for (const char* asset_id : kAssets) {
      absl::StatusOr<PastAsset> recomputed =
          past.Asset(scorer_->Definitions(asset_id), absl::FromUnixNanos(at));
      ASSERT_TRUE(recomputed.ok()) << recomputed.status();
      const v1::AssetSummary* was = Latest(published_[asset_id], at);
      ASSERT_NE(was, nullptr);
      // The newest evidence time moves without a change being published: not compared.
      v1::AssetSummary summary = recomputed->snapshot.summary;
      summary.set_last_evidence_observed_at_unix_nanos(was->last_evidence_observed_at_unix_nanos());
      EXPECT_TRUE(MessageDifferencer::Equals(summary, *was))
          << asset_id << " at " << absl::FromUnixNanos(at) << "\nrecomputed "
          << recomputed->snapshot.summary.ShortDebugString() << "\npublished  "
          << was->ShortDebugString();
      absl::StatusOr<std::optional<v1::HistoryPoint>> recorded =
          history.At(AssetSubject(asset_id), absl::FromUnixNanos(at));
      ASSERT_TRUE(recorded.ok());
      ASSERT_TRUE(recorded->has_value());
      EXPECT_EQ((*recorded)->value(), was->value());
      EXPECT_EQ((*recorded)->adjusted_value(), was->adjusted_value());
      EXPECT_EQ((*recorded)->coverage(), was->coverage());
      EXPECT_EQ((*recorded)->targets_met(), was->targets_met());
      ++compared;
    }
    absl::StatusOr<PastOrganization> organization =
        past.Organization(scorer_->Definitions(), absl::FromUnixNanos(at));
    ASSERT_TRUE(organization.ok()) << organization.status();
    const v1::OrganizationScore* was = Latest(organization_, at);
    ASSERT_NE(was, nullptr);
    std::string differences;
    MessageDifferencer differ;
    differ.ReportDifferencesToString(&differences);
    EXPECT_TRUE(differ.Compare(organization->score, *was))
        << "organisation at " << absl::FromUnixNanos(at) << ": " << differences;
    absl::StatusOr<std::optional<v1::HistoryPoint>> recorded =
        history.At(OrganizationSubject(), absl::FromUnixNanos(at));
    ASSERT_TRUE(recorded.ok());
    ASSERT_TRUE(recorded->has_value());
    EXPECT_EQ((*recorded)->value(), was->index());
    EXPECT_EQ((*recorded)->adjusted_value(), was->adjusted_index());
    EXPECT_DOUBLE_EQ((*recorded)->coverage(), was->coverage());
  }
  EXPECT_EQ(compared, 180);
  // The run did move: some asset was published more than a few times.
  EXPECT_GT(published_["web"].size(), 20u);
}

TEST_F(PastScorerTest, TheSourcesOfAPastInstantAreThoseCurrentThenWithExpiryAsOfThen) {
  PutAsset("web", "sales", {}, 0);
  Publish();
  Report("host-a", "web", kOutcomes[0], v1::DLI_100, absl::Minutes(10), v1::OBSERVED);
  Publish();
  const absl::Time first = clock_.TimeNow();
  clock_.Advance(absl::Minutes(5));
  Report("host-a", "web", kOutcomes[0], v1::DLI_33, absl::Minutes(10), v1::OBSERVED);
  Publish();
  const absl::Time second = clock_.TimeNow();
  const int outcome = *Catalog::Builtin().FindOutcome(kOutcomes[0]);

  absl::StatusOr<PastAsset> at_first =
      PastScorer(*store_, Catalog::Builtin()).Asset(scorer_->Definitions("web"), first);
  ASSERT_TRUE(at_first.ok());
  ASSERT_EQ(at_first->sources.size(), 1u);
  EXPECT_EQ(at_first->sources[0].level(), v1::DLI_100) << "the later report was not in yet";
  EXPECT_EQ(at_first->snapshot.cells[outcome], (Cell{Level::kDli100, CellState::kLive, false}));

  absl::StatusOr<PastAsset> later =
      PastScorer(*store_, Catalog::Builtin())
          .Asset(scorer_->Definitions("web"), second + absl::Minutes(10));
  ASSERT_TRUE(later.ok());
  ASSERT_EQ(later->sources.size(), 1u);
  EXPECT_EQ(later->sources[0].level(), v1::DLI_33);
  EXPECT_EQ(later->snapshot.cells[outcome], (Cell{Level::kDli0, CellState::kStale, false}))
      << "expired as of then";

  absl::StatusOr<PastAsset> before =
      PastScorer(*store_, Catalog::Builtin())
          .Asset(scorer_->Definitions("web"), kStart - absl::Seconds(1));
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->sources.empty());
  EXPECT_EQ(before->snapshot.cells[outcome].state, CellState::kNoEvidence);
}

}  // namespace
}  // namespace postura::collector
