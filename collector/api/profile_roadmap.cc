#include "collector/api/profile_roadmap.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <tuple>

#include "common/model/asset_score.h"

namespace postura::collector {
namespace {

int TotalWeight(absl::Span<const RoadmapAsset> assets) {
  int total = 0;
  for (const RoadmapAsset& asset : assets) total += asset.weight;
  return total;
}

// What raising (or lowering) one outcome of one asset adds to the index.
double IndexRise(const RoadmapAsset& asset, int outcome, int total_weight) {
  const int64_t hundredths =
      LevelHundredths(asset.target[outcome]) - LevelHundredths(asset.current[outcome]);
  const double asset_rise = static_cast<double>(asset.model->units(outcome).asset) *
                            static_cast<double>(hundredths) / asset.model->asset_scale();
  return asset_rise * asset.weight / total_weight;
}

// A changed (asset, outcome) with the keys that order it.
struct Candidate {
  int asset = 0;
  int outcome = 0;
  int phase = 1;
  double area_share = 0;
  int area = 0;
  double rise = 0;
};

bool ComesFirst(const Candidate& a, const Candidate& b) {
  if (a.phase != b.phase) return a.phase < b.phase;
  if (a.area_share != b.area_share) return a.area_share > b.area_share;
  if (a.area != b.area) return a.area < b.area;
  if (a.rise != b.rise) return a.rise > b.rise;
  return std::tie(a.asset, a.outcome) < std::tie(b.asset, b.outcome);
}

}  // namespace

int IndexWeight(ImplementationGroup group) { return IndexOf(group) + 1; }

double WeightedIndex(absl::Span<const RoadmapAsset> assets, bool use_target) {
  const int total = TotalWeight(assets);
  if (total == 0) return 0;
  double sum = 0;
  for (const RoadmapAsset& asset : assets) {
    const AssetScore score(*asset.model, use_target ? asset.target : asset.current);
    sum += asset.weight * score.asset_value();
  }
  return sum / total;
}

std::vector<AreaGap> AreaGaps(const Catalog& catalog, absl::Span<const RoadmapAsset> assets) {
  const int total_weight = TotalWeight(assets);
  std::map<int, AreaGap> by_area;
  std::map<int, double> current_sum, target_sum;
  for (const RoadmapAsset& asset : assets) {
    for (int o : asset.model->applicable_outcomes()) {
      const int area = catalog.outcomes()[o].functional_area;
      AreaGap& gap = by_area[area];
      gap.area = area;
      ++gap.outcome_count;
      current_sum[area] += LevelValue(asset.current[o]);
      target_sum[area] += LevelValue(asset.target[o]);
      if (asset.current[o] != asset.target[o]) {
        ++gap.action_count;
        gap.gap += IndexRise(asset, o, total_weight);
      }
    }
  }
  double total_gap = 0;
  for (const auto& [area, gap] : by_area) total_gap += gap.gap;
  std::vector<AreaGap> gaps;
  for (auto& [area, gap] : by_area) {
    gap.current_level = current_sum[area] / gap.outcome_count;
    gap.target_level = target_sum[area] / gap.outcome_count;
    gap.share_of_gap = total_gap > 0 ? gap.gap / total_gap : 0;
    gaps.push_back(gap);
  }
  std::stable_sort(gaps.begin(), gaps.end(), [](const AreaGap& a, const AreaGap& b) {
    return a.share_of_gap > b.share_of_gap;
  });
  return gaps;
}

std::vector<RoadmapStep> OrderRoadmap(const Catalog& catalog, absl::Span<const RoadmapAsset> assets,
                                      absl::Span<const AreaGap> gaps) {
  std::map<int, double> share_of_area;
  for (const AreaGap& gap : gaps) share_of_area[gap.area] = gap.share_of_gap;
  const int total_weight = TotalWeight(assets);
  std::vector<Candidate> candidates;
  for (int a = 0; a < static_cast<int>(assets.size()); ++a) {
    const RoadmapAsset& asset = assets[a];
    for (int o : asset.model->applicable_outcomes()) {
      if (asset.current[o] == asset.target[o]) continue;
      const int area = catalog.outcomes()[o].functional_area;
      candidates.push_back({.asset = a,
                            .outcome = o,
                            .phase = catalog.outcomes()[o].min_ig,
                            .area_share = share_of_area[area],
                            .area = area,
                            .rise = IndexRise(asset, o, total_weight)});
    }
  }
  std::sort(candidates.begin(), candidates.end(), ComesFirst);

  // Walk the steps on live scores, starting from the current levels. The index is summed
  // afresh at each step (in asset order), so the last step's equals WeightedIndex's.
  std::vector<AssetScore> scores;
  std::vector<double> values;
  for (const RoadmapAsset& asset : assets) {
    scores.emplace_back(*asset.model, asset.current);
    values.push_back(scores.back().asset_value());
  }
  std::vector<RoadmapStep> steps;
  for (const Candidate& candidate : candidates) {
    const RoadmapAsset& asset = assets[candidate.asset];
    AssetScore& score = scores[candidate.asset];
    score.SetLevel(candidate.outcome, asset.target[candidate.outcome]);
    values[candidate.asset] = score.asset_value();
    double weighted_sum = 0;
    for (size_t a = 0; a < assets.size(); ++a) weighted_sum += assets[a].weight * values[a];
    RoadmapStep step;
    step.asset = candidate.asset;
    step.outcome = candidate.outcome;
    step.from = asset.current[candidate.outcome];
    step.to = asset.target[candidate.outcome];
    step.phase = candidate.phase;
    step.asset_value_reached = values[candidate.asset];
    step.asset_targets_met = EvaluateTargets(asset.targets, score.Values(), score.levels()).all_met;
    step.index_reached = weighted_sum / total_weight;
    steps.push_back(step);
  }
  return steps;
}

}  // namespace postura::collector
