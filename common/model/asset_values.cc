#include "common/model/asset_values.h"

#include <algorithm>

#include "glog/logging.h"

namespace postura {

AssetValues ComputeAssetValues(const ScoringModel& model, absl::Span<const Level> levels) {
  CHECK_EQ(static_cast<int>(levels.size()), model.outcome_count());
  AssetValues values;
  values.functions.assign(model.function_count(), 0.0);
  values.categories.assign(model.category_count(), 0.0);
  for (int f : model.applicable_functions()) {
    double function_value = 0;
    for (int c : model.categories_of(f)) {
      double category_value = 0;
      for (int o : model.outcomes_of(c)) {
        category_value += model.outcome_weight(o) * LevelValue(levels[o]);
      }
      values.categories[c] = std::min(category_value, 1.0);
      const double w_c = model.category_weight(c);
      function_value += std::min(category_value * w_c, w_c);
    }
    values.functions[f] = std::min(function_value, 1.0);
    const double w_f = model.function_weight(f);
    values.asset += std::min(function_value * w_f, w_f);
  }
  return values;
}

}  // namespace postura
