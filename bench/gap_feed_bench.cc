// What gap tracking (issue 18, item 4; collector/scoring/gap_feed.h) adds to live
// scoring, per cell change, on the scoring thread: ScoreTable::SetCell alone, the same with
// GapFeed's two threshold checks when the level moves without crossing, and with a
// crossing queued to a real HistoryRecorder every change (handed over every 1,024 changes,
// as LiveScorer does once per lock). 10,000 IG2 assets, each with one outcome target and
// one asset target; the changes rotate over assets and outcomes. SetCell alone is the
// in-run baseline. Then what a remediation query reads at that size.
//
//   build/bin/gap_feed_bench

#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "collector/history/duration_quantiles.h"
#include "collector/history/gap_log.h"
#include "collector/history/history_recorder.h"
#include "collector/scoring/gap_feed.h"
#include "collector/scoring/score_table.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

constexpr int kAssets = 10000;
constexpr int kChangesPerHandOver = 1024;

// The table, every applicable cell at level 1, and the cells the changes rotate over.
struct Fixture {
  Fixture() : table(Catalog::Builtin()) {
    const Catalog& catalog = Catalog::Builtin();
    const std::vector<int>& outcomes =
        catalog.model(ImplementationGroup::kIG2).applicable_outcomes();
    for (int a = 0; a < kAssets; ++a) {
      AssetDefinition asset{.id = "asset-" + std::to_string(a),
                            .group = ImplementationGroup::kIG2,
                            .department_id = "",
                            .supplier_id = "",
                            .dependency_ids = {},
                            .targets = {}};
      asset.targets.push_back(
          Target{.scope = {.kind = ScopeKind::kOutcome, .index = outcomes[a % outcomes.size()]},
                 .op = TargetOperator::kGreaterOrEqual,
                 .threshold = 0.67});
      asset.targets.push_back(Target{.scope = {.kind = ScopeKind::kAsset, .index = 0},
                                     .op = TargetOperator::kGreaterOrEqual,
                                     .threshold = 0.5});
      table.PutAsset(asset);
      const int slot = *table.FindSlot(asset.id);
      for (int o : outcomes) table.SetCell(slot, o, Cell{Level::kDli100, CellState::kLive, false});
      cells.emplace_back(slot, outcomes[(a * 7) % outcomes.size()]);
    }
    table.TakeChanged();
  }

  ScoreTable table;
  std::vector<std::pair<int, int>> cells;  // (slot, outcome), one per asset.
};

Fixture& Shared() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

// Alternates each cell between `a` and `b`, as LiveScorer::SetCell does with `feed`.
void Run(benchmark::State& state, Level a, Level b, bool with_feed) {
  Fixture& f = Shared();
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  std::unique_ptr<EvidenceStore> store =
      EvidenceStore::Open({.path = "/store", .env = env.get()}).value();
  std::unique_ptr<HistoryRecorder> recorder =
      HistoryRecorder::Start(*store, Clock::GetRealClock(), {}).value();
  GapFeed feed(Catalog::Builtin(), recorder.get());
  if (!feed.Start(f.table, *store, 1).ok()) state.SkipWithError("cannot start the feed");
  size_t i = 0;
  int64_t changes = 0;
  for (auto _ : state) {
    const auto [slot, outcome] = f.cells[i++ % f.cells.size()];
    const Cell before = f.table.cell(slot, outcome);
    const Level after = before.level == a ? b : a;
    f.table.SetCell(slot, outcome, Cell{after, CellState::kLive, false});
    if (with_feed) {
      feed.OnCellChanged(f.table, slot, outcome, before, ++changes);
      if (changes % kChangesPerHandOver == 0) feed.HandOver();
      if (changes % (1 << 18) == 0) {
        state.PauseTiming();  // Keep the recorder's queue under its bound.
        recorder->Flush();
        state.ResumeTiming();
      }
    }
    if (i % kChangesPerHandOver == 0) f.table.TakeChanged();
  }
  feed.HandOver();
  recorder->Flush();
  state.counters["gaps_opened"] = static_cast<double>(recorder->Stats().gaps_opened);
  // Back to level 1 everywhere for the next benchmark.
  for (const auto& [slot, outcome] : f.cells) {
    f.table.SetCell(slot, outcome, Cell{Level::kDli100, CellState::kLive, false});
  }
  f.table.TakeChanged();
}

// Baseline: the table's own work for a level change.
void BM_SetCell(benchmark::State& state) { Run(state, Level::kDli33, Level::kDli67, false); }
// The level moves but stays below 1 (no crossing; most outcomes have no target): two
// threshold checks.
void BM_SetCellNoCrossing(benchmark::State& state) {
  Run(state, Level::kDli33, Level::kDli67, true);
}
// Every change crosses level 1: two checks and a queued event.
void BM_SetCellEveryChangeCrosses(benchmark::State& state) {
  Run(state, Level::kDli67, Level::kDli100, true);
}
// The same table work without the feed, for the crossing benchmark's baseline.
void BM_SetCellCrossingLevelsNoFeed(benchmark::State& state) {
  Run(state, Level::kDli67, Level::kDli100, false);
}

// What a remediation query reads at 10,000 assets: every open gap (100 per asset, 1M)
// and the episodes closed in its window (100,000), with their durations summarised;
// the registry lookups and grouping of collector/api/remediation_queries.cc come on top.
void BM_ReadEpisodesForAQuery(benchmark::State& state) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  std::unique_ptr<EvidenceStore> store =
      EvidenceStore::Open({.path = "/store", .env = env.get()}).value();
  const std::vector<CatalogOutcome>& outcomes = Catalog::Builtin().outcomes();
  for (int a = 0; a < kAssets; ++a) {
    std::vector<GapEvent> events;
    for (int o = 0; o < 110; ++o) {
      const std::string asset = "asset-" + std::to_string(a);
      events.push_back({.asset_id = asset,
                        .outcome_id = outcomes[o].id,
                        .unix_nanos = 1'000'000'000LL * (a + o),
                        .transition = GapTransition::kOpened});
      if (o >= 100) {  // Ten closed episodes per asset.
        events.push_back({.asset_id = asset,
                          .outcome_id = outcomes[o].id,
                          .unix_nanos = 1'000'000'000LL * (a + o + 3600),
                          .transition = GapTransition::kClosed});
      }
    }
    if (!WriteGapEvents(*store, events).ok()) state.SkipWithError("cannot write episodes");
  }
  for (auto _ : state) {
    int64_t open = 0;
    std::vector<absl::Duration> closed;
    absl::Status read = ForEachOpenGap(*store, [&](const GapEpisode&) {
      ++open;
      return true;
    });
    read.Update(ForEachClosedGap(*store, 0, INT64_MAX, [&](const GapEpisode& episode) {
      closed.push_back(absl::Nanoseconds(episode.closed_unix_nanos - episode.opened_unix_nanos));
    }));
    if (!read.ok()) state.SkipWithError("cannot read episodes");
    benchmark::DoNotOptimize(Summarize(std::move(closed)));
    state.counters["open"] = static_cast<double>(open);
  }
}

// The first start with gap tracking on a fleet whose evidence puts every outcome at level
// 0: every applicable outcome of 10,000 IG2 assets is a gap without a record, opened at
// start (outcomes without evidence are no gaps, so this is the worst case).
void BM_FirstStartOpensEveryGap(benchmark::State& state) {
  ScoreTable table(Catalog::Builtin());
  const std::vector<int>& applicable =
      Catalog::Builtin().model(ImplementationGroup::kIG2).applicable_outcomes();
  for (int a = 0; a < kAssets; ++a) {
    table.PutAsset(AssetDefinition{.id = "asset-" + std::to_string(a),
                                   .group = ImplementationGroup::kIG2,
                                   .department_id = "",
                                   .supplier_id = "",
                                   .dependency_ids = {},
                                   .targets = {}});
    const int slot = *table.FindSlot("asset-" + std::to_string(a));
    for (int o : applicable) table.SetCell(slot, o, Cell{Level::kDli0, CellState::kLive, false});
  }
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    std::unique_ptr<EvidenceStore> store =
        EvidenceStore::Open({.path = "/store", .env = env.get()}).value();
    std::unique_ptr<HistoryRecorder> recorder =
        HistoryRecorder::Start(*store, Clock::GetRealClock(), {}).value();
    GapFeed feed(Catalog::Builtin(), recorder.get());
    state.ResumeTiming();
    if (!feed.Start(table, *store, 1).ok()) state.SkipWithError("cannot start the feed");
    state.PauseTiming();
    int64_t open = 0;
    if (!ForEachOpenGap(*store, [&](const GapEpisode&) { return ++open > 0; }).ok()) {
      state.SkipWithError("cannot read");
    }
    state.counters["opened"] = static_cast<double>(open);
    recorder.reset();
    store.reset();
    state.ResumeTiming();
  }
}

BENCHMARK(BM_SetCell);
BENCHMARK(BM_SetCellNoCrossing);
BENCHMARK(BM_SetCellCrossingLevelsNoFeed);
BENCHMARK(BM_SetCellEveryChangeCrosses);
BENCHMARK(BM_ReadEpisodesForAQuery)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstStartOpensEveryGap)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace postura::collector

BENCHMARK_MAIN();
