#include "common/model/asset_score.h"

#include "glog/logging.h"

namespace postura {

AssetScore::AssetScore(const ScoringModel& model)
    : model_(&model),
      levels_(model.outcome_count(), Level::kDli0),
      category_sums_(model.category_count(), 0),
      function_sums_(model.function_count(), 0) {}

AssetScore::AssetScore(const ScoringModel& model, absl::Span<const Level> levels)
    : AssetScore(model) {
  CHECK_EQ(static_cast<int>(levels.size()), model.outcome_count());
  for (int o : model.applicable_outcomes()) SetLevel(o, levels[o]);
}

void AssetScore::SetLevel(int outcome, Level level) {
  const int32_t delta = LevelHundredths(level) - LevelHundredths(levels_[outcome]);
  levels_[outcome] = level;
  const ScoringModel::OutcomeUnits& units = model_->units(outcome);
  category_sums_[model_->category_of(outcome)] += units.category * delta;
  function_sums_[model_->function_of(outcome)] += units.function * delta;
  asset_sum_ += units.asset * delta;
}

double AssetScore::asset_value() const {
  return static_cast<double>(asset_sum_) / model_->asset_scale();
}

double AssetScore::function_value(int function) const {
  return static_cast<double>(function_sums_[function]) / model_->function_scale(function);
}

double AssetScore::category_value(int category) const {
  return static_cast<double>(category_sums_[category]) / model_->category_scale(category);
}

AssetValues AssetScore::Values() const {
  AssetValues values;
  values.asset = asset_value();
  values.functions.assign(model_->function_count(), 0.0);
  values.categories.assign(model_->category_count(), 0.0);
  for (int f : model_->applicable_functions()) values.functions[f] = function_value(f);
  for (int c : model_->applicable_categories()) values.categories[c] = category_value(c);
  return values;
}

}  // namespace postura
