#ifndef POSTURA_COLLECTOR_SCORING_GAP_FEED_H_
#define POSTURA_COLLECTOR_SCORING_GAP_FEED_H_

// Detects when an (asset, outcome) falls below its threshold (a gap opens) and when it is
// back at or above it (the gap closes), and hands the crossings to the history recorder,
// which writes the episodes (collector/history/gap_log.h) on its own thread. LiveScorer
// calls it where a cell's level (or whether it has evidence) changes and where the registry
// changes an asset; a level change costs two threshold checks (a scan of the asset's few targets)
// and, on a crossing, one queued event; a cell set to its old level costs nothing here.
//
// The threshold of an outcome is the asset's target on that outcome when it has one (the
// gap is open while the target is unmet); otherwise level 1. Targets on categories,
// functions or the asset value set no outcome's threshold. Outcomes that do not apply to
// the asset's group have no gaps. An outcome that never had evidence has no gap either (it
// is a hole in coverage, not a shortfall found): its gap opens with the first report
// below the threshold, so remediation time measures from a shortfall seen to its fix.
// An outcome whose evidence expired is at level 0.
//
// Threading: not thread-safe; LiveScorer's table lock serialises the calls.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "collector/history/gap_log.h"
#include "collector/history/history_recorder.h"
#include "collector/scoring/score_table.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"

namespace postura::collector {

// Whether (slot, outcome) with `cell` is a gap (see above).
bool IsGap(const ScoreTable& table, int slot, int outcome, const Cell& cell);

// `catalog` and `recorder` are borrowed; a null recorder records nothing.
class GapFeed {
 public:
  GapFeed(const Catalog& catalog, HistoryRecorder* recorder)
      : catalog_(catalog), recorder_(recorder) {}

  // The first scoring after start: reconciles the episodes the store holds open with the
  // rebuilt table, writing straight to the store, then starts tracking (nothing is
  // tracked before, while the registry announces assets and the cells are rebuilt). An
  // episode still below its threshold keeps its original open time; one that recovered
  // while the collector was down closes at `now`; one of a deleted asset, or of an outcome
  // that no longer applies, is dropped; a gap without an open episode opens at `now`.
  // Unavailable or DataLoss if the store failed (tracking starts anyway).
  absl::Status Start(const ScoreTable& table, EvidenceStore& store, int64_t now);

  // After a cell changed from `before` to the table's (its level, or whether it has
  // evidence at all).
  void OnCellChanged(const ScoreTable& table, int slot, int outcome, const Cell& before,
                     int64_t now);
  // Every outcome's gap state of one asset, by catalog position: taken before the registry
  // changes or removes it.
  std::vector<bool> AssetGaps(const ScoreTable& table, int slot) const;
  // After the registry put the asset (new: `before` empty; changed group or targets).
  void OnAssetPut(const ScoreTable& table, int slot, const std::vector<bool>& before, int64_t now);
  // After the registry removed the asset: its open gaps are dropped, not closed (nothing
  // was remediated).
  void OnAssetRemoved(const std::string& asset_id, const std::vector<bool>& before, int64_t now);

  // Hands the crossings detected since the last call to the recorder, in one call.
  void HandOver();

 private:
  void Add(const std::string& asset_id, int outcome, int64_t now, GapTransition transition);

  const Catalog& catalog_;
  HistoryRecorder* const recorder_;
  bool tracking_ = false;
  std::vector<GapEvent> pending_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_GAP_FEED_H_
