#include "collector/scoring/live_scorer.h"

#include <map>
#include <random>
#include <tuple>

#include "collector/store/store_keys.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'763'900'000);
const char kOutcome[] = "ID_AM_CSC_1_1";

class LiveScorerTest : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = "/store", .clock = &clock_, .env = env_.get()});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    StartScorer();
  }

  void StartScorer() {
    scorer_ = std::make_unique<LiveScorer>(*store_, Catalog::Builtin(), clock_, nullptr,
                                           max_inbox_bytes_);
    for (const v1::Asset& asset : assets_) scorer_->OnAssetPut(asset, {});
    ASSERT_TRUE(scorer_->Start().ok());
  }

  void PutAsset(const std::string& id, v1::ImplementationGroup group = v1::IG1) {
    assets_.push_back(TestAsset(id, group));
    scorer_->OnAssetPut(assets_.back(), {});
    scorer_->Flush();
  }

  // Stores one report as the ingest writer would and hands it to the scorer.
  void Report(const std::string& agent, const std::string& asset, const std::string& outcome,
              v1::Level level, absl::Duration lifetime = absl::Hours(1),
              v1::EvidenceKind kind = v1::OBSERVED) {
    scorer_->OnCommitted(Store(agent, asset, outcome, level, lifetime, kind));
  }

  // Stores one report as the ingest writer would; returns what the writer hands over.
  std::vector<SourceUpdate> Store(const std::string& agent, const std::string& asset,
                                  const std::string& outcome, v1::Level level,
                                  absl::Duration lifetime = absl::Hours(1),
                                  v1::EvidenceKind kind = v1::OBSERVED) {
    v1::Batch batch;
    batch.set_sequence(++sequence_[agent]);
    v1::Evidence& item = *batch.add_items();
    item = TestEvidence(asset, outcome, clock_.TimeNow(), level);
    item.set_expires_at_unix_nanos(absl::ToUnixNanos(clock_.TimeNow() + lifetime));
    item.set_kind(kind);
    EncodedBatch encoded = EncodeBatch(agent, batch, {true}, clock_.TimeNow());
    EXPECT_TRUE(store_->Commit({{&agent, &encoded, {sequence_[agent], 0, 1}}}).ok());
    std::vector<SourceUpdate> updates;
    for (EncodedBatch::Entry& entry : encoded.entries) {
      updates.push_back({std::move(entry.state_key), entry.level, entry.attested,
                         entry.observed_at_unix_nanos, entry.expires_at_unix_nanos});
    }
    return updates;
  }

  Cell CellOf(const std::string& asset, const std::string& outcome) {
    scorer_->Flush();
    std::optional<AssetSnapshot> snapshot = scorer_->Snapshot(asset);
    EXPECT_TRUE(snapshot.has_value());
    return snapshot ? snapshot->cells[*Catalog::Builtin().FindOutcome(outcome)] : Cell{};
  }

  // The cell recomputed from the stored state alone.
  Cell CellFromStore(const std::string& asset, const std::string& outcome) {
    absl::StatusOr<std::vector<v1::SourceState>> sources = store_->ReadSources(asset, outcome);
    EXPECT_TRUE(sources.ok());
    return CellFromSources(*sources, absl::ToUnixNanos(clock_.TimeNow()));
  }

  FakeClock clock_{kStart};
  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  // Puts assets "a" and "b", then hands the scorer 60 rounds of random reports (from
  // `seed`), checking after each that every cell it touches equals the store's.
  void PlayRandomRoundsCheckingEveryCell(unsigned seed);

  size_t max_inbox_bytes_ = ScoringInbox::kDefaultMaxPendingBytes;
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<LiveScorer> scorer_;
  std::vector<v1::Asset> assets_;
  std::map<std::string, uint64_t> sequence_;
};

TEST_F(LiveScorerTest, LevelIsTheMinimumOverSources) {
  PutAsset("web");
  Report("host-a", "web", kOutcome, v1::DLI_100);
  EXPECT_EQ(CellOf("web", kOutcome), (Cell{Level::kDli100, CellState::kLive, false}));
  Report("host-b", "web", kOutcome, v1::DLI_33);
  EXPECT_EQ(CellOf("web", kOutcome).level, Level::kDli33);
  // The weakest host improves: the other host decides now (this needs the other sources).
  Report("host-b", "web", kOutcome, v1::DLI_100);
  EXPECT_EQ(CellOf("web", kOutcome).level, Level::kDli100);
  Report("host-a", "web", kOutcome, v1::DLI_67);
  EXPECT_EQ(CellOf("web", kOutcome).level, Level::kDli67);
}

TEST_F(LiveScorerTest, ObservedEvidenceWinsATieWithAttested) {
  PutAsset("web");
  Report("supplier", "web", kOutcome, v1::DLI_67, absl::Hours(1), v1::ATTESTED);
  EXPECT_TRUE(CellOf("web", kOutcome).attested);
  Report("host", "web", kOutcome, v1::DLI_67);
  EXPECT_FALSE(CellOf("web", kOutcome).attested);
  std::optional<v1::AssetSummary> summary = scorer_->Summary("web");
  EXPECT_EQ(summary->outcomes_observed(), 1u);
  EXPECT_EQ(summary->outcomes_attested(), 0u);
}

TEST_F(LiveScorerTest, ExpiredEvidenceStopsCountingOnTimeWithoutNewEvidence) {
  PutAsset("web");
  Report("host-a", "web", kOutcome, v1::DLI_33, absl::Minutes(10));
  Report("host-b", "web", kOutcome, v1::DLI_100, absl::Minutes(30));
  EXPECT_EQ(CellOf("web", kOutcome).level, Level::kDli33);

  // No query, no flush: the scorer's own timer must notice.
  clock_.Advance(absl::Minutes(11));
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (scorer_->Snapshot("web")->cells[*Catalog::Builtin().FindOutcome(kOutcome)].level !=
             Level::kDli100 &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(CellOf("web", kOutcome), (Cell{Level::kDli100, CellState::kLive, false}));

  clock_.Advance(absl::Minutes(20));
  EXPECT_EQ(CellOf("web", kOutcome), (Cell{Level::kDli0, CellState::kStale, false}));
  EXPECT_EQ(scorer_->Summary("web")->outcomes_stale(), 1u);
  EXPECT_EQ(scorer_->Summary("web")->outcomes_live(), 0u);
}

TEST_F(LiveScorerTest, MoreExpiriesThanOneReadTakesAllExpireOnTime) {
  PutAsset("web", v1::IG3);
  // 5,000 reports (more than one expiry read takes), spread over the catalog and agents.
  const auto& outcomes = Catalog::Builtin().outcomes();
  for (int i = 0; i < 5000; ++i) {
    Report("host-" + std::to_string(i / static_cast<int>(outcomes.size())), "web",
           outcomes[i % outcomes.size()].id, v1::DLI_67, absl::Minutes(1 + i % 5));
  }
  EXPECT_EQ(scorer_->Summary("web")->outcomes_live(), 167u);
  clock_.Advance(absl::Minutes(3));
  scorer_->Flush();
  EXPECT_EQ(scorer_->Summary("web")->outcomes_live(), 167u);  // Later reports still live.
  clock_.Advance(absl::Minutes(3));
  scorer_->Flush();
  EXPECT_EQ(scorer_->Summary("web")->outcomes_live(), 0u);
  EXPECT_EQ(scorer_->Summary("web")->outcomes_stale(), 167u);
  // Every processed entry is gone.
  absl::StatusOr<std::optional<int64_t>> next = store_->NextExpiry();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST_F(LiveScorerTest, AReportThatArrivesExpiredDoesNotCount) {
  PutAsset("web");
  Report("host", "web", kOutcome, v1::DLI_100, absl::Nanoseconds(1));
  clock_.Advance(absl::Seconds(1));
  Report("late", "web", kOutcome, v1::DLI_67, absl::ZeroDuration());
  EXPECT_EQ(CellOf("web", kOutcome).state, CellState::kStale);
}

TEST_F(LiveScorerTest, EvidenceStoredBeforeTheAssetIsRegisteredCountsOnceItIs) {
  Report("host", "late-asset", kOutcome, v1::DLI_67);
  PutAsset("late-asset");
  EXPECT_EQ(CellOf("late-asset", kOutcome).level, Level::kDli67);
}

// Random reports from several hosts, with expiries, through the fast and slow paths: after
// every step each touched cell equals its recomputation from the stored state.
TEST_F(LiveScorerTest, IncrementalCellsEqualRecomputationFromTheStore) {
  PutAsset("a", v1::IG1);
  PutAsset("b", v1::IG3);
  std::mt19937 random(42);
  const std::vector<std::string> outcomes = {"ID_AM_CSC_1_1", "PR_AC_CSC_5_2", "DE_CM_CSC_13_1"};
  const std::vector<v1::Level> levels = {v1::DLI_0, v1::DLI_33, v1::DLI_67, v1::DLI_100};
  for (int step = 0; step < 600; ++step) {
    const std::string asset = random() % 2 ? "a" : "b";
    const std::string& outcome = outcomes[random() % outcomes.size()];
    Report("host-" + std::to_string(random() % 4), asset, outcome, levels[random() % 4],
           absl::Minutes(1 + random() % 20), random() % 5 == 0 ? v1::ATTESTED : v1::OBSERVED);
    if (random() % 10 == 0) clock_.Advance(absl::Minutes(random() % 7));
    for (const char* a : {"a", "b"}) {
      for (const std::string& o : outcomes) {
        const Cell live = CellOf(a, o);
        ASSERT_EQ(live, CellFromStore(a, o)) << "step " << step << " " << a << "/" << o;
      }
    }
  }
}

// Reports handed over together, as when scoring falls behind ingest: each cell whose level
// may rise is read once, after the round's other reports, and ends as the store says.
TEST_F(LiveScorerTest, ARoundReadsEachRaisedCellOnceAndEndsAsTheStoreSays) {
  PutAsset("web");
  for (const char* host : {"host-a", "host-b", "host-c"}) Report(host, "web", kOutcome, v1::DLI_33);
  Report("host-a", "web", "PR_AC_CSC_5_2", v1::DLI_33);
  scorer_->Flush();
  const uint64_t reads_before = scorer_->Stats().slow_path_reads;

  std::vector<SourceUpdate> round;
  for (auto [host, outcome, level] : std::vector<std::tuple<const char*, const char*, v1::Level>>{
           {"host-a", kOutcome, v1::DLI_100},
           {"host-b", kOutcome, v1::DLI_67},
           {"host-c", kOutcome, v1::DLI_100},
           {"host-b", kOutcome, v1::DLI_0},  // Lowers after the raises, in the same round.
           {"host-a", "PR_AC_CSC_5_2", v1::DLI_67}}) {
    for (SourceUpdate& update : Store(host, "web", outcome, level)) round.push_back(update);
  }
  scorer_->OnCommitted(std::move(round));

  EXPECT_EQ(CellOf("web", kOutcome), CellFromStore("web", kOutcome));
  EXPECT_EQ(CellOf("web", kOutcome).level, Level::kDli0);
  EXPECT_EQ(CellOf("web", "PR_AC_CSC_5_2").level, Level::kDli67);
  EXPECT_EQ(scorer_->Stats().slow_path_reads - reads_before, 2u);
}

// The same as above with random rounds of 1 to 40 reports: after each round every cell
// equals its recomputation from the stored state.
TEST_F(LiveScorerTest, CellsAfterRandomRoundsEqualRecomputationFromTheStore) {
  PlayRandomRoundsCheckingEveryCell(7);
  EXPECT_EQ(scorer_->Stats().updates_overflowed, 0u);
}

TEST_F(LiveScorerTest, ReportsThatFindTheInboxFullAreScoredFromTheStoreAllTheSame) {
  max_inbox_bytes_ = 3 * sizeof(SourceUpdate);  // Room for a report or two.
  StartScorer();
  PlayRandomRoundsCheckingEveryCell(11);
  EXPECT_GT(scorer_->Stats().updates_overflowed, 0u);
  EXPECT_EQ(scorer_->Stats().inbox_bytes, 0u) << "everything applied";
}

void LiveScorerTest::PlayRandomRoundsCheckingEveryCell(unsigned seed) {
  PutAsset("a", v1::IG1);
  PutAsset("b", v1::IG3);
  std::mt19937 random(seed);
  const std::vector<std::string> outcomes = {"ID_AM_CSC_1_1", "PR_AC_CSC_5_2", "DE_CM_CSC_13_1"};
  const std::vector<v1::Level> levels = {v1::DLI_0, v1::DLI_33, v1::DLI_67, v1::DLI_100};
  for (int round_number = 0; round_number < 60; ++round_number) {
    std::vector<SourceUpdate> round;
    for (int i = 0, size = 1 + static_cast<int>(random() % 40); i < size; ++i) {
      for (SourceUpdate& update : Store(
               "host-" + std::to_string(random() % 4), random() % 2 ? "a" : "b",
               outcomes[random() % outcomes.size()], levels[random() % 4],
               absl::Minutes(1 + random() % 20), random() % 5 == 0 ? v1::ATTESTED : v1::OBSERVED)) {
        round.push_back(update);
      }
    }
    scorer_->OnCommitted(std::move(round));
    if (random() % 4 == 0) clock_.Advance(absl::Minutes(random() % 7));
    for (const char* a : {"a", "b"}) {
      for (const std::string& o : outcomes) {
        ASSERT_EQ(CellOf(a, o), CellFromStore(a, o))
            << "round " << round_number << " " << a << "/" << o;
      }
    }
  }
}

TEST_F(LiveScorerTest, ScoresAfterARestartEqualThoseBeforeIt) {
  PutAsset("a", v1::IG2);
  PutAsset("b", v1::IG3);
  std::mt19937 random(9);
  for (int i = 0; i < 500; ++i) {
    const CatalogOutcome& outcome =
        Catalog::Builtin().outcomes()[random() % Catalog::Builtin().outcomes().size()];
    Report("host-" + std::to_string(random() % 3), random() % 2 ? "a" : "b", outcome.id,
           static_cast<v1::Level>(1 + random() % 4), absl::Minutes(5 + random() % 60));
  }
  clock_.Advance(absl::Minutes(30));  // Some evidence expires.
  scorer_->Flush();
  std::map<std::string, v1::AssetSummary> before;
  for (const v1::AssetSummary& summary : scorer_->Summaries("", "")) {
    before[summary.asset_id()] = summary;
  }
  scorer_.reset();
  StartScorer();
  for (const v1::AssetSummary& summary : scorer_->Summaries("", "")) {
    EXPECT_EQ(summary.value(), before[summary.asset_id()].value());
    EXPECT_EQ(summary.outcomes_live(), before[summary.asset_id()].outcomes_live());
    EXPECT_EQ(summary.outcomes_stale(), before[summary.asset_id()].outcomes_stale());
    EXPECT_EQ(summary.last_evidence_observed_at_unix_nanos(),
              before[summary.asset_id()].last_evidence_observed_at_unix_nanos());
  }
  for (const CatalogOutcome& outcome : Catalog::Builtin().outcomes()) {
    ASSERT_EQ(CellOf("a", outcome.id), CellFromStore("a", outcome.id)) << outcome.id;
  }

  // And from scratch out of the evidence log alone: each source's latest report (highest
  // batch sequence, then item index), the minimum over the live ones.
  std::map<std::tuple<std::string, std::string, std::string, std::string>, v1::StoredEvidence>
      latest;
  ASSERT_TRUE(store_
                  ->ForEachEvidence([&](const v1::StoredEvidence& record) {
                    const v1::Evidence& e = record.evidence();
                    auto key = std::make_tuple(e.asset_id(), e.outcome_id(), record.agent_id(),
                                               e.check_id());
                    auto it = latest.find(key);
                    if (it == latest.end() ||
                        std::make_pair(record.sequence(), record.index()) >
                            std::make_pair(it->second.sequence(), it->second.index())) {
                      latest[key] = record;
                    }
                  })
                  .ok());
  std::map<std::pair<std::string, std::string>, std::vector<v1::SourceState>> sources;
  for (const auto& [key, record] : latest) {
    v1::SourceState state;
    state.set_level(record.evidence().level());
    state.set_kind(record.evidence().kind());
    state.set_expires_at_unix_nanos(record.evidence().expires_at_unix_nanos());
    sources[{std::get<0>(key), std::get<1>(key)}].push_back(state);
  }
  const int64_t now = absl::ToUnixNanos(clock_.TimeNow());
  for (const char* asset : {"a", "b"}) {
    for (const CatalogOutcome& outcome : Catalog::Builtin().outcomes()) {
      ASSERT_EQ(CellOf(asset, outcome.id), CellFromSources(sources[{asset, outcome.id}], now))
          << asset << "/" << outcome.id;
    }
  }
}

TEST_F(LiveScorerTest, WatchersGetTheSnapshotThenCoalescedChanges) {
  PutAsset("a");
  PutAsset("b");
  WatchFilter filter;
  filter.asset_ids = {"a"};
  std::shared_ptr<Watcher> watcher = scorer_->Watch(filter, nullptr);
  std::optional<v1::ScoreUpdate> snapshot = watcher->TryTake();
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(snapshot->summary().asset_id(), "a");
  EXPECT_FALSE(watcher->TryTake().has_value());  // "b" is filtered out.

  const std::vector<v1::Level> levels = {v1::DLI_33, v1::DLI_67, v1::DLI_100, v1::DLI_0};
  for (int i = 0; i < 40; ++i) {
    Report("host", "a", kOutcome, levels[i % 4]);
    Report("host", "b", kOutcome, levels[i % 4]);
    scorer_->Flush();  // Each change is published on its own.
  }
  scorer_->Flush();
  // The reader never read: it holds one update, the latest.
  std::optional<v1::ScoreUpdate> update = watcher->TryTake();
  ASSERT_TRUE(update.has_value());
  EXPECT_EQ(update->summary().value(), scorer_->Summary("a")->value());
  EXPECT_FALSE(watcher->TryTake().has_value());
  EXPECT_GE(watcher->coalesced(), 30u);
}

}  // namespace
}  // namespace postura::collector
