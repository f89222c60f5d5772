// The arithmetic of the current -> target -> gap -> roadmap profile (docs/metrics.md,
// "Profile and roadmap"), free of the collector: given assets' current and target levels,
// the gap each functional area owns and the planner's changes ordered into phases, each
// step with the values reached once it and the steps before it are done (recomputed with
// the exact scoring model). Called by profile_queries.cc for one asset and for the
// organisation, and by its tests. Pure functions: safe from any thread; the catalog and
// models are borrowed for the call.
#ifndef POSTURA_COLLECTOR_API_PROFILE_ROADMAP_H_
#define POSTURA_COLLECTOR_API_PROFILE_ROADMAP_H_

#include <vector>

#include "absl/types/span.h"
#include "common/model/catalog.h"
#include "common/model/level.h"
#include "common/model/scoring_model.h"
#include "common/model/target.h"

namespace postura::collector {

// One asset as the roadmap sees it.
struct RoadmapAsset {
  const ScoringModel* model = nullptr;
  std::vector<Level> current;  // By catalog outcome position.
  std::vector<Level> target;   // The target profile, indexed like `current`.
  std::vector<Target> targets;
  // The asset's weight in the organisation index: 1, 2, 3 for IG1, IG2, IG3.
  int weight = 1;
};

// The weight of an asset of `group` in the organisation index (IG1 = 1 ... IG3 = 3).
int IndexWeight(ImplementationGroup group);

// What one functional area owns of the gap, over the given assets.
struct AreaGap {
  int area = 0;              // Index into Catalog::functional_areas().
  int outcome_count = 0;     // Applicable (asset, outcome) pairs it leads.
  double current_level = 0;  // Mean level of those pairs now,
  double target_level = 0;   // and in the target profile.
  // The rise of the index (the weighted mean of asset values; for one asset, its value)
  // that its changes bring: sum over its pairs of weight * units * hundredths raised /
  // (asset scale * total weight). Lowered outcomes count negatively.
  double gap = 0;
  double share_of_gap = 0;  // gap / the sum of all areas' gaps; 0 when that is not > 0.
  int action_count = 0;     // Changed pairs it leads.
};

// One AreaGap per functional area that leads at least one applicable outcome of some
// asset; the largest share first, then catalog order.
std::vector<AreaGap> AreaGaps(const Catalog& catalog, absl::Span<const RoadmapAsset> assets);

// One step of a roadmap.
struct RoadmapStep {
  int asset = 0;    // Index into the assets given.
  int outcome = 0;  // Catalog position.
  Level from = Level::kDli0;
  Level to = Level::kDli0;
  int phase = 1;  // The outcome's minimum IG.
  double asset_value_reached = 0;
  bool asset_targets_met = false;
  double index_reached = 0;
};

// Every (asset, outcome) whose target level differs from its current one, in phases:
// outcomes of minimum IG1 first, then IG2, then IG3; within a phase, the functional area
// with the larger share of the gap (`gaps`, from AreaGaps) first (ties: catalog order of
// the area), then the step that adds more to the index, then asset order, then catalog
// order. Each step carries its asset's value and target status, and the index, once it
// and every step before it are done.
std::vector<RoadmapStep> OrderRoadmap(const Catalog& catalog, absl::Span<const RoadmapAsset> assets,
                                      absl::Span<const AreaGap> gaps);

// The weighted mean of the assets' values (`use_target`: of their target profiles); 0
// with no assets.
double WeightedIndex(absl::Span<const RoadmapAsset> assets, bool use_target);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_PROFILE_ROADMAP_H_
