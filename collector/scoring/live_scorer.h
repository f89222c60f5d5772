#ifndef POSTURA_COLLECTOR_SCORING_LIVE_SCORER_H_
#define POSTURA_COLLECTOR_SCORING_LIVE_SCORER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/history/history_recorder.h"
#include "collector/registry/registry_observer.h"
#include "collector/scoring/gap_feed.h"
#include "collector/scoring/history_feed.h"
#include "collector/scoring/score_table.h"
#include "collector/scoring/score_wire.h"
#include "collector/scoring/scoring_inbox.h"
#include "collector/scoring/watch_hub.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/base/latency_histogram.h"
#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// An asset's figures and cells at one moment, for building query answers.
struct AssetSnapshot {
  v1::AssetSummary summary;
  AssetValues values;
  std::vector<Cell> cells;  // By catalog outcome position.
  std::vector<Target> targets;
  ImplementationGroup group = ImplementationGroup::kIG1;
  int64_t taken_at_unix_nanos = 0;  // The scorer's clock when the snapshot was taken.
};

// What live scoring exposes of itself, for /metrics (http_api.cc renders it) and logs.
struct LiveScorerStats {
  uint64_t updates_applied = 0;     // Reports applied.
  uint64_t updates_superseded = 0;  // Reports replaced by newer ones before scoring ran.
  uint64_t updates_overflowed = 0;  // Reports that found the inbox full (their assets resynced).
  size_t inbox_bytes = 0;           // Of the reports waiting for scoring (ScoringInbox).
  uint64_t slow_path_reads = 0;     // Reads of a cell's sources (at most one per cell a round).
  uint64_t expiries_applied = 0;
  size_t memory_bytes = 0;  // Of the scoring state (ScoreTable::MemoryBytes).
  int assets = 0;
  int watchers = 0;
  // From a commit's hand-over to its changes reaching the watchers, per scoring round.
  HistogramFigures scoring_delay;
};

// Keeps every asset's score live (METRICS.md sections 6-8). The ingest writer hands it
// each committed report (OnCommitted); a scoring thread applies them in commit order, and
// a timer in the same thread re-scores outcomes whose evidence expires, on time. Each
// report costs the same whatever the number of assets: usually a few table updates
// (a report that keeps or lowers the level), otherwise a read of that outcome's sources,
// once a round however many of the cell's reports the round holds. Registry changes arrive as a
// RegistryObserver and re-score at once. Work is handed to the scoring thread through a
// ScoringInbox; score_wire.h turns the table into answers. The scorer exposes its own figures as
// LiveScorerStats and knows no metrics format. Every change it publishes also goes to `history`
// (history_feed.h), when given, and so does every gap that opens or closes (gap_feed.h).
// Thread-safe. `store`, `catalog`, `clock` and `history` are borrowed and must outlive
// the scorer.
class LiveScorer : public RegistryObserver {
 public:
  // `max_inbox_bytes` bounds the reports waiting for scoring (ScoringInbox).
  LiveScorer(EvidenceStore& store, const Catalog& catalog, Clock& clock,
             HistoryRecorder* history = nullptr,
             size_t max_inbox_bytes = ScoringInbox::kDefaultMaxPendingBytes);
  ~LiveScorer() override;  // Stops the thread; closes watchers.

  // Rebuilds every cell from the stored state (call after the registry announced its
  // assets), then starts the scoring thread. Returns the rebuild's duration.
  absl::StatusOr<absl::Duration> Start();
  void Stop();

  // RegistryObserver.
  void OnAssetPut(const v1::Asset& asset, const std::vector<Target>& targets) override;
  void OnAssetDeleted(const std::string& asset_id) override;

  // Called by the ingest writer once reports are durable. Never blocks on scoring.
  void OnCommitted(std::vector<SourceUpdate> updates);

  // Queries; names are left for the caller to fill in.
  std::optional<v1::AssetSummary> Summary(const std::string& asset_id) const;
  std::vector<v1::AssetSummary> Summaries(const std::string& department_id,
                                          const std::string& supplier_id) const;
  std::optional<AssetSnapshot> Snapshot(const std::string& asset_id) const;
  v1::OrganizationScore Organization() const;
  // The definitions (as scoring knows them) of the asset and of everything it depends on,
  // transitively, dependencies before dependents; empty for an unknown asset. Without an
  // id, of every asset. For recomputing past scores (past_scorer.h).
  std::vector<AssetDefinition> Definitions(const std::string& asset_id = "") const;

  // Subscribes a watcher; it first receives the current summary of every asset it
  // matches, then every change.
  std::shared_ptr<Watcher> Watch(WatchFilter filter, std::function<void()> on_ready);
  void Unwatch(const Watcher* watcher);

  // Blocks until every report handed over before the call is applied (for tests).
  void Flush();
  LiveScorerStats Stats() const;

 private:
  void Run();
  // Applies reports in order, then re-reads the cells whose level they may have raised;
  // takes mu_ itself, a chunk at a time.
  void ApplyUpdates(std::vector<SourceUpdate>& updates);
  // Re-scores outcomes whose evidence expired by now.
  void ApplyExpiries();
  // After a store error: look again in a second rather than spin.
  void RetryExpiriesLater(int64_t now);
  // Re-read the assets' stored reports; ResyncAssets publishes every few assets.
  void ResyncAssets(const std::vector<std::string>& asset_ids);
  void ResyncAsset(const std::string& asset_id);
  // Sets one cell and notes a gap it opens or closes. REQUIRES mu_.
  void SetCell(int slot, int outcome, Cell cell) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Re-reads one cell's sources. REQUIRES mu_.
  void RecomputeCell(int slot, int outcome, absl::string_view asset_id,
                     absl::string_view outcome_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Publishes the changed assets to watchers. REQUIRES mu_.
  void PublishChanges() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  int64_t NowNanos() const;

  EvidenceStore& store_;
  const Catalog& catalog_;
  const std::vector<std::string> outcome_ids_;  // Sorted (SortedOutcomeIds).
  Clock& clock_;
  WatchHub hub_;
  HistoryFeed history_ ABSL_GUARDED_BY(mu_);
  GapFeed gaps_ ABSL_GUARDED_BY(mu_);

  mutable absl::Mutex mu_;  // The table and what is derived from it.
  ScoreTable table_ ABSL_GUARDED_BY(mu_);
  std::vector<bool> published_targets_met_ ABSL_GUARDED_BY(mu_);  // By slot.
  LiveScorerStats stats_ ABSL_GUARDED_BY(mu_);

  ScoringInbox inbox_;
  // Every expiry entry before this time has been processed and deleted (scoring thread).
  int64_t expiry_floor_ = 0;
  LatencyHistogram scoring_delay_{
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}};
  std::thread thread_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_LIVE_SCORER_H_
