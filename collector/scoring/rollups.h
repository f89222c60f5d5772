#ifndef POSTURA_COLLECTOR_SCORING_ROLLUPS_H_
#define POSTURA_COLLECTOR_SCORING_ROLLUPS_H_

#include <array>
#include <cstdint>
#include <vector>

#include "common/model/catalog.h"
#include "common/model/implementation_group.h"

namespace postura::collector {

// Fixed-point form of a value in [0, 1] for sums that must not depend on the order of
// updates: value * 2^40, rounded. Summing 10^6 of them cannot overflow.
inline constexpr double kFixedOne = 1099511627776.0;  // 2^40
int64_t ToFixed(double value);

// Criticality weight of a group in organisation means (METRICS.md section 8).
inline constexpr std::array<int64_t, kImplementationGroupCount> kGroupWeight = {1, 2, 3};

// What one asset adds to the means of every set it belongs to.
struct AssetContribution {
  ImplementationGroup group = ImplementationGroup::kIG1;
  int department = -1;      // Interned index; -1 for none.
  int supplier = -1;        // Interned index; -1 for none.
  int32_t asset_units = 0;  // Exact asset sum (ScoringModel units).
  int64_t adjusted_fixed = 0;
  int32_t live_outcomes = 0;
  bool has_targets = false;  // Whether the asset has any target at all.
  bool targets_met = true;   // Whether it meets all of them (true with none).
};

// Sums over one set of assets (the organisation, a department, a supplier), per group,
// from which the criticality-weighted means are read. Exact integer sums, so the means do
// not depend on the order of updates.
struct SetSums {
  std::array<int64_t, kImplementationGroupCount> asset_units{};
  std::array<int64_t, kImplementationGroupCount> adjusted_fixed{};
  std::array<int64_t, kImplementationGroupCount> live_outcomes{};
  std::array<int32_t, kImplementationGroupCount> count{};
  // Assets with targets, and of those the ones meeting all of them: an asset without
  // targets counts in neither, so it never reads as meeting targets (docs/metrics.md).
  int32_t with_targets = 0;
  int32_t targets_met = 0;

  void Apply(const AssetContribution& asset, int sign);
  int32_t total_count() const { return count[0] + count[1] + count[2]; }
};

// The organisation rollups of METRICS.md section 8, kept incrementally: every update
// costs the same whatever the number of assets. Asset-level figures change through
// ApplyAsset (remove the old contribution, add the new), outcome-level figures through
// ApplyOutcome. Not thread-safe. `catalog` is borrowed and must outlive this object.
class Rollups {
 public:
  explicit Rollups(const Catalog& catalog);

  void ApplyAsset(const AssetContribution& asset, int sign);
  // One applicable outcome of an asset of `group` at `hundredths` (0, 33, 67, 100).
  void ApplyOutcome(ImplementationGroup group, int outcome, int hundredths, int sign);

  const SetSums& organization() const { return organization_; }
  // Sums per interned department / supplier index (grown on demand; may hold empty sets).
  const std::vector<SetSums>& departments() const { return departments_; }
  const std::vector<SetSums>& suppliers() const { return suppliers_; }

  // Criticality-weighted mean of asset values (adjusted: of A_eff) over a set; 0 if empty.
  double Index(const SetSums& set) const;
  double AdjustedIndex(const SetSums& set) const;
  // Mean over the assets of one group within a set; 0 if none.
  double GroupIndex(const SetSums& set, ImplementationGroup group) const;
  double GroupAdjustedIndex(const SetSums& set, ImplementationGroup group) const;
  // Mean asset coverage over the organisation; 0 with no assets.
  double Coverage() const;

  // Mean function / category value over the assets where it applies; nullopt-like -1
  // when it applies to none. Also the number of those assets.
  double FunctionMean(int function, int* assets) const;
  double CategoryMean(int category, int* assets) const;

  // Mean level of the (asset, outcome) pairs a functional area leads; -1 with none. Also
  // the number of those pairs below level 1.
  double AreaAchievement(int area, int* open_gaps) const;

 private:
  const Catalog& catalog_;
  SetSums organization_;
  std::vector<SetSums> departments_, suppliers_;
  // Per group: sums of function / category units over assets.
  std::array<std::vector<int64_t>, kImplementationGroupCount> function_units_, category_units_;
  // Per functional area: sum of hundredths, pairs, pairs below 100.
  std::vector<int64_t> area_hundredths_, area_pairs_, area_open_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SCORING_ROLLUPS_H_
