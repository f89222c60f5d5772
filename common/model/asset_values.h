#ifndef POSTURA_COMMON_MODEL_ASSET_VALUES_H_
#define POSTURA_COMMON_MODEL_ASSET_VALUES_H_

#include <vector>

#include "absl/types/span.h"
#include "common/model/level.h"
#include "common/model/scoring_model.h"

namespace postura {

// The CyberTOMP values of one asset: the asset value and the value of every category and
// function, each in [0, 1]. Indexed by catalog position; items that do not apply to the
// asset's implementation group hold 0.
struct AssetValues {
  double asset = 0;
  std::vector<double> functions;
  std::vector<double> categories;
};

// The reference formula of METRICS.md section 3, written as the framework states it and
// evaluated in double:
//   C(c) = sum of w_o * d_o;  F(f) = sum of min(C(c) * w_c, w_c);
//   A = sum of min(F(f) * w_f, w_f);  C and F reported capped at 1.
// `levels` is indexed by catalog outcome position; levels of outcomes that do not apply
// are ignored. The production path is AssetScore (exact, incremental); this form is its
// oracle in tests and the baseline in benchmarks.
// REQUIRES: levels.size() == model.outcome_count().
AssetValues ComputeAssetValues(const ScoringModel& model, absl::Span<const Level> levels);

}  // namespace postura

#endif  // POSTURA_COMMON_MODEL_ASSET_VALUES_H_
