#include "collector/scoring/rollups.h"

#include <cmath>

namespace postura::collector {

int64_t ToFixed(double value) { return std::llround(value * kFixedOne); }

void SetSums::Apply(const AssetContribution& asset, int sign) {
  const int g = IndexOf(asset.group);
  asset_units[g] += sign * int64_t{asset.asset_units};
  adjusted_fixed[g] += sign * asset.adjusted_fixed;
  live_outcomes[g] += sign * int64_t{asset.live_outcomes};
  count[g] += sign;
  if (!asset.has_targets) return;
  with_targets += sign;
  if (asset.targets_met) targets_met += sign;
}

Rollups::Rollups(const Catalog& catalog)
    : catalog_(catalog),
      area_hundredths_(catalog.functional_areas().size(), 0),
      area_pairs_(catalog.functional_areas().size(), 0),
      area_open_(catalog.functional_areas().size(), 0) {
  for (int g = 0; g < kImplementationGroupCount; ++g) {
    function_units_[g].assign(catalog.functions().size(), 0);
    category_units_[g].assign(catalog.categories().size(), 0);
  }
}

namespace {

SetSums& Grow(std::vector<SetSums>& sets, int index) {
  if (static_cast<int>(sets.size()) <= index) sets.resize(index + 1);
  return sets[index];
}

}  // namespace

void Rollups::ApplyAsset(const AssetContribution& asset, int sign) {
  organization_.Apply(asset, sign);
  if (asset.department >= 0) Grow(departments_, asset.department).Apply(asset, sign);
  if (asset.supplier >= 0) Grow(suppliers_, asset.supplier).Apply(asset, sign);
}

void Rollups::ApplyOutcome(ImplementationGroup group, int outcome, int hundredths, int sign) {
  const ScoringModel& model = catalog_.model(group);
  const ScoringModel::OutcomeUnits& units = model.units(outcome);
  const int g = IndexOf(group);
  function_units_[g][model.function_of(outcome)] += sign * int64_t{units.function} * hundredths;
  category_units_[g][model.category_of(outcome)] += sign * int64_t{units.category} * hundredths;
  const int area = catalog_.outcomes()[outcome].functional_area;
  area_hundredths_[area] += sign * hundredths;
  area_pairs_[area] += sign;
  if (hundredths < 100) area_open_[area] += sign;
}

double Rollups::Index(const SetSums& set) const {
  double weighted = 0;
  int64_t weight = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    const int g = IndexOf(group);
    weighted += kGroupWeight[g] *
                (static_cast<double>(set.asset_units[g]) / catalog_.model(group).asset_scale());
    weight += kGroupWeight[g] * set.count[g];
  }
  return weight == 0 ? 0 : weighted / weight;
}

double Rollups::AdjustedIndex(const SetSums& set) const {
  double weighted = 0;
  int64_t weight = 0;
  for (int g = 0; g < kImplementationGroupCount; ++g) {
    weighted += kGroupWeight[g] * (static_cast<double>(set.adjusted_fixed[g]) / kFixedOne);
    weight += kGroupWeight[g] * set.count[g];
  }
  return weight == 0 ? 0 : weighted / weight;
}

double Rollups::GroupIndex(const SetSums& set, ImplementationGroup group) const {
  const int g = IndexOf(group);
  if (set.count[g] == 0) return 0;
  return static_cast<double>(set.asset_units[g]) / catalog_.model(group).asset_scale() /
         set.count[g];
}

double Rollups::GroupAdjustedIndex(const SetSums& set, ImplementationGroup group) const {
  const int g = IndexOf(group);
  if (set.count[g] == 0) return 0;
  return static_cast<double>(set.adjusted_fixed[g]) / kFixedOne / set.count[g];
}

double Rollups::Coverage() const {
  const int32_t assets = organization_.total_count();
  if (assets == 0) return 0;
  double covered = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    const int g = IndexOf(group);
    const auto applicable = catalog_.model(group).applicable_outcomes().size();
    if (applicable > 0) covered += static_cast<double>(organization_.live_outcomes[g]) / applicable;
  }
  return covered / assets;
}

double Rollups::FunctionMean(int function, int* assets) const {
  double sum = 0;
  *assets = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    const ScoringModel& model = catalog_.model(group);
    const int g = IndexOf(group);
    if (!model.FunctionApplies(function) || organization_.count[g] == 0) continue;
    sum += static_cast<double>(function_units_[g][function]) / model.function_scale(function);
    *assets += organization_.count[g];
  }
  return *assets == 0 ? -1 : sum / *assets;
}

double Rollups::CategoryMean(int category, int* assets) const {
  double sum = 0;
  *assets = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    const ScoringModel& model = catalog_.model(group);
    const int g = IndexOf(group);
    if (!model.CategoryApplies(category) || organization_.count[g] == 0) continue;
    sum += static_cast<double>(category_units_[g][category]) / model.category_scale(category);
    *assets += organization_.count[g];
  }
  return *assets == 0 ? -1 : sum / *assets;
}

double Rollups::AreaAchievement(int area, int* open_gaps) const {
  *open_gaps = static_cast<int>(area_open_[area]);
  if (area_pairs_[area] == 0) return -1;
  return static_cast<double>(area_hundredths_[area]) / 100.0 / area_pairs_[area];
}

}  // namespace postura::collector
