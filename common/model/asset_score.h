#ifndef POSTURA_COMMON_MODEL_ASSET_SCORE_H_
#define POSTURA_COMMON_MODEL_ASSET_SCORE_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "common/model/asset_values.h"
#include "common/model/level.h"
#include "common/model/scoring_model.h"

namespace postura {

// The live score of one asset: its outcome levels and the category, function and asset
// values they give, kept exact and up to date one outcome at a time.
//
// SetLevel costs three integer additions whatever the catalog size; reading a value is one
// division. Values are the exact rational values of METRICS.md section 3 correctly rounded
// to double (see ScoringModel), so they depend only on the current levels, never on the
// order of updates. Not thread-safe; `model` is borrowed and must outlive this object.
class AssetScore {
 public:
  // All applicable outcomes start at DLI_0.
  explicit AssetScore(const ScoringModel& model);

  // Starts from `levels` (indexed by catalog outcome position; levels of outcomes that do
  // not apply are ignored). REQUIRES: levels.size() == model.outcome_count().
  AssetScore(const ScoringModel& model, absl::Span<const Level> levels);

  // Sets one outcome's level and updates its category, function and asset sums.
  // REQUIRES: model().OutcomeApplies(outcome).
  void SetLevel(int outcome, Level level);

  Level level(int outcome) const { return levels_[outcome]; }
  const std::vector<Level>& levels() const { return levels_; }

  // Values in [0, 1]; 0 for items that do not apply to the model's group.
  double asset_value() const;
  double function_value(int function) const;
  double category_value(int category) const;
  AssetValues Values() const;

  const ScoringModel& model() const { return *model_; }

 private:
  const ScoringModel* model_;
  std::vector<Level> levels_;
  // Sums of units * hundredths (see ScoringModel): one per category, per function, and
  // for the asset.
  std::vector<int32_t> category_sums_;
  std::vector<int32_t> function_sums_;
  int32_t asset_sum_ = 0;
};

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_ASSET_SCORE_H_
