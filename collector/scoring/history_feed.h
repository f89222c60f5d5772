#ifndef POSTURA_COLLECTOR_SCORING_HISTORY_FEED_H_
#define POSTURA_COLLECTOR_SCORING_HISTORY_FEED_H_

// Hands live scoring's changes to the history recorder: after each scoring round, the
// figures of every changed asset and of the rollups it belongs to (the organisation, its
// tier, its department and supplier), each only when they moved. LiveScorer calls it
// with its table lock held; the recorder only queues, so the cost per changed asset is a
// few comparisons and at most five queue appends.
//
// Threading: not thread-safe; LiveScorer's table lock serialises the calls.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "collector/history/history_recorder.h"
#include "collector/scoring/score_table.h"
#include "common/model/catalog.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

// The recorded figures of one asset, and of one set of assets.
v1::HistoryPoint AssetHistoryPoint(const ScoreTable& table, int slot);
v1::HistoryPoint SetHistoryPoint(const ScoreTable& table, const Catalog& catalog,
                                 const SetSums& set);
v1::HistoryPoint GroupHistoryPoint(const ScoreTable& table, const Catalog& catalog,
                                   ImplementationGroup group);

// `catalog` and `recorder` are borrowed; a null recorder records nothing.
class HistoryFeed {
 public:
  HistoryFeed(const Catalog& catalog, HistoryRecorder* recorder)
      : catalog_(catalog), recorder_(recorder) {}

  // Records the assets in `changed` (live slots of `table`) and their rollups at `now`.
  void RecordChanges(const ScoreTable& table, const std::vector<int>& changed, int64_t now);
  // Records every rollup: after a registry change, which may move an asset between sets.
  void RecordAllRollups(const ScoreTable& table, int64_t now);

 private:
  // Adds `point` for `subject` to pending_ unless it is what was last recorded for it.
  void RecordIfMoved(std::string subject, v1::HistoryPoint point, int64_t now);
  // Hands pending_ to the recorder, in one call.
  void HandOver();

  const Catalog& catalog_;
  HistoryRecorder* const recorder_;
  absl::flat_hash_map<std::string, v1::HistoryPoint> last_;  // By subject.
  std::vector<HistoryChange> pending_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_HISTORY_FEED_H_
