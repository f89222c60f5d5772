#ifndef POSTURA_COLLECTOR_SECTOR_SECTOR_VIEW_H_
#define POSTURA_COLLECTOR_SECTOR_SECTOR_VIEW_H_

// What a sector collector knows of its organisations (issue 20, item 2; docs/scale.md,
// "Sector federation"): the newest summary of each of their assets, and from those the
// sector's figures:
//  - each organisation's standing: its index (the mean of its asset values weighted by
//    implementation group, 1, 2 and 3, as an organisation's own collector computes it),
//    adjusted index, mean coverage and assets meeting their targets;
//  - the sector index: the mean of the organisations' indices, each counting once;
//  - per outcome, how the organisations' mean levels spread (quartiles);
//  - for one organisation, its position against the others as percentile ranks, with no
//    other organisation named;
//  - outcomes that fell in at least N organisations within a window (an asset's level of
//    the outcome lower than in its previous summary).
//
// Summaries are applied in any order: an asset's summary replaces the one held only if
// its version is greater, so replaying a stream changes nothing. The sums behind the
// figures are kept in integers (values in billionths, levels in hundredths), so applying
// and replacing summaries in any order gives exactly the figures of a recount.
//
// Threading: not synchronised; the owner serialises calls (the sector's consumer thread
// applies, queries take the owner's lock).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "postura/v1/sector.pb.h"

namespace postura::collector {

struct SectorViewOptions {
  // An outcome is reported as degrading across the sector once it fell in at least this
  // many organisations within `degraded_window`.
  int degraded_min_organisations = 3;
  absl::Duration degraded_window = absl::Hours(24);
};

struct OrganisationStanding {
  std::string organisation_id;
  uint32_t asset_count = 0;
  double index = 0;           // Weighted mean of asset values; 0 with no assets.
  double adjusted_index = 0;  // The same of adjusted values.
  double coverage = 0;        // Mean of asset coverage.
  uint32_t assets_meeting_targets = 0;
  absl::Time updated = absl::InfinitePast();  // Newest publication applied.
};

// How a figure spreads over the organisations that have it (quartiles interpolated
// linearly between ranks). All 0 when no organisation has it.
struct Spread {
  uint32_t organisations = 0;
  double mean = 0, min = 0, p25 = 0, median = 0, p75 = 0, max = 0;
};

// One organisation against the sector. A percentile rank is the share of organisations
// (itself included) below it, ties counting half, in percent.
struct SectorPosition {
  struct Outcome {
    int outcome = 0;         // Index into the catalog's outcomes.
    double level = 0;        // The organisation's mean level over its assets.
    double sector_mean = 0;  // The mean of the organisations' mean levels.
    double percentile = 0;
  };
  uint32_t organisations = 0;  // With at least one asset, itself included.
  double index = 0;
  double index_percentile = 0;
  double sector_median_index = 0;
  double coverage = 0;
  double coverage_percentile = 0;
  std::vector<Outcome> outcomes;  // Those applicable to at least one of its assets.
};

struct DegradedOutcome {
  int outcome = 0;                         // Index into the catalog's outcomes.
  std::vector<std::string> organisations;  // Where it fell within the window, by id.
  absl::Time latest;                       // The newest fall.
};

class SectorView {
 public:
  // `outcome_count`: the catalog's outcomes, the length of every summary's levels.
  SectorView(size_t outcome_count, SectorViewOptions options);

  // Takes `summary` (one that passed CheckSummary with this outcome count) unless the
  // asset's held version is the same or newer; returns whether it was taken.
  bool Apply(const v1::SectorAssetSummary& summary);

  double Index() const;
  std::vector<OrganisationStanding> Organisations() const;  // By id.
  std::optional<OrganisationStanding> Organisation(const std::string& id) const;
  Spread OutcomeSpread(int outcome) const;
  std::optional<SectorPosition> PositionOf(const std::string& id) const;
  // Outcomes that fell in at least degraded_min_organisations within the window up to
  // `now`, in catalog order.
  std::vector<DegradedOutcome> Degraded(absl::Time now) const;

 private:
  struct Asset {
    uint64_t version = 0;
    bool present = false;  // False once removed: the version still refuses older ones.
    int weight = 0;
    int64_t value = 0, adjusted = 0, coverage = 0;  // Billionths.
    bool targets_met = false;
    std::string levels;
  };
  struct Member {
    absl::flat_hash_map<std::string, Asset> assets;
    uint32_t present = 0;
    int64_t weight = 0, weighted_value = 0, weighted_adjusted = 0, coverage = 0;
    uint32_t meeting_targets = 0;
    std::vector<int64_t> level_sum;     // Hundredths, by outcome.
    std::vector<uint32_t> level_count;  // Assets it applies to, by outcome.
    absl::Time updated = absl::InfinitePast();
  };

  void Count(Member& organisation, const Asset& asset, int sign) const;
  void NoteFalls(const std::string& organisation_id, const Asset& before, const Asset& after,
                 absl::Time when);
  static OrganisationStanding Standing(const std::string& id, const Member& organisation);
  // The organisations' mean levels of `outcome`, of those it applies to.
  std::vector<double> OutcomeLevels(int outcome) const;

  size_t outcome_count_;
  SectorViewOptions options_;
  absl::btree_map<std::string, Member> organisations_;
  // By outcome: each organisation's newest fall of it.
  std::vector<absl::flat_hash_map<std::string, absl::Time>> falls_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_SECTOR_SECTOR_VIEW_H_
