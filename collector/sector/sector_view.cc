#include "collector/sector/sector_view.h"

#include <algorithm>
#include <cmath>

#include "common/model/level.h"

namespace postura::collector {
namespace {

constexpr double kBillion = 1e9;

int64_t Billionths(double share) { return std::llround(share * kBillion); }

// The level byte of a summary (1 to 4) in hundredths.
int64_t Hundredths(unsigned char level_byte) {
  return LevelHundredths(static_cast<Level>(level_byte - 1));
}

// The value at quantile `q` of `sorted`, interpolated between ranks; 0 if empty.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(rank);
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (rank - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

Spread SpreadOf(std::vector<double> values) {
  Spread spread;
  if (values.empty()) return spread;
  std::sort(values.begin(), values.end());
  spread.organisations = static_cast<uint32_t>(values.size());
  double sum = 0;
  for (double v : values) sum += v;
  spread.mean = sum / static_cast<double>(values.size());
  spread.min = values.front();
  spread.max = values.back();
  spread.p25 = Quantile(values, 0.25);
  spread.median = Quantile(values, 0.5);
  spread.p75 = Quantile(values, 0.75);
  return spread;
}

// Percentile rank of `value` among `values` (which hold it): below, ties counting half.
double PercentileRank(const std::vector<double>& values, double value) {
  if (values.empty()) return 0;
  double below = 0;
  for (double v : values) below += v < value ? 1 : v == value ? 0.5 : 0;
  return 100 * below / static_cast<double>(values.size());
}

}  // namespace

SectorView::SectorView(size_t outcome_count, SectorViewOptions options)
    : outcome_count_(outcome_count), options_(options), falls_(outcome_count) {}

bool SectorView::Apply(const v1::SectorAssetSummary& summary) {
  Member& member = organisations_[summary.organisation_id()];
  if (member.level_sum.empty()) {
    member.level_sum.assign(outcome_count_, 0);
    member.level_count.assign(outcome_count_, 0);
  }
  Asset& held = member.assets[summary.asset_ref()];
  if (summary.version() <= held.version) return false;
  Asset next;
  next.version = summary.version();
  next.present = !summary.removed();
  if (next.present) {
    next.weight = static_cast<int>(summary.implementation_group());
    next.value = Billionths(summary.value());
    next.adjusted = Billionths(summary.adjusted_value());
    next.coverage = Billionths(summary.coverage());
    next.targets_met = summary.targets_met();
    next.levels = summary.outcome_levels();
  }
  const absl::Time published = absl::FromUnixNanos(summary.published_at_unix_nanos());
  if (held.present && next.present) NoteFalls(summary.organisation_id(), held, next, published);
  Count(member, held, -1);
  Count(member, next, +1);
  held = std::move(next);
  member.updated = std::max(member.updated, published);
  return true;
}

void SectorView::Count(Member& member, const Asset& asset, int sign) const {
  if (!asset.present) return;
  member.present += sign;
  member.weight += sign * asset.weight;
  member.weighted_value += sign * asset.weight * asset.value;
  member.weighted_adjusted += sign * asset.weight * asset.adjusted;
  member.coverage += sign * asset.coverage;
  if (asset.targets_met) member.meeting_targets += sign;
  for (size_t i = 0; i < outcome_count_; ++i) {
    const auto level = static_cast<unsigned char>(asset.levels[i]);
    if (level == 0) continue;
    member.level_sum[i] += sign * Hundredths(level);
    member.level_count[i] += sign;
  }
}

void SectorView::NoteFalls(const std::string& organisation_id, const Asset& before,
                           const Asset& after, absl::Time when) {
  for (size_t i = 0; i < outcome_count_; ++i) {
    const auto was = static_cast<unsigned char>(before.levels[i]);
    const auto is = static_cast<unsigned char>(after.levels[i]);
    if (was == 0 || is == 0 || is >= was) continue;
    absl::Time& newest = falls_[i][organisation_id];
    newest = std::max(newest, when);
  }
}

OrganisationStanding SectorView::Standing(const std::string& id, const Member& member) {
  OrganisationStanding standing;
  standing.organisation_id = id;
  standing.asset_count = member.present;
  if (member.present > 0) {
    const double weight = static_cast<double>(member.weight) * kBillion;
    standing.index = static_cast<double>(member.weighted_value) / weight;
    standing.adjusted_index = static_cast<double>(member.weighted_adjusted) / weight;
    standing.coverage =
        static_cast<double>(member.coverage) / (static_cast<double>(member.present) * kBillion);
  }
  standing.assets_meeting_targets = member.meeting_targets;
  standing.updated = member.updated;
  return standing;
}

std::vector<OrganisationStanding> SectorView::Organisations() const {
  std::vector<OrganisationStanding> standings;
  for (const auto& [id, member] : organisations_) standings.push_back(Standing(id, member));
  return standings;
}

std::optional<OrganisationStanding> SectorView::Organisation(const std::string& id) const {
  auto found = organisations_.find(id);
  if (found == organisations_.end()) return std::nullopt;
  return Standing(id, found->second);
}

double SectorView::Index() const {
  double sum = 0;
  int counted = 0;
  for (const auto& [id, member] : organisations_) {
    if (member.present == 0) continue;
    sum += Standing(id, member).index;
    ++counted;
  }
  return counted == 0 ? 0 : sum / counted;
}

std::vector<double> SectorView::OutcomeLevels(int outcome) const {
  std::vector<double> levels;
  for (const auto& [id, member] : organisations_) {
    if (member.level_count.empty() || member.level_count[outcome] == 0) continue;
    levels.push_back(static_cast<double>(member.level_sum[outcome]) /
                     (100.0 * member.level_count[outcome]));
  }
  return levels;
}

Spread SectorView::OutcomeSpread(int outcome) const {
  if (outcome < 0 || static_cast<size_t>(outcome) >= outcome_count_) return {};
  return SpreadOf(OutcomeLevels(outcome));
}

std::optional<SectorPosition> SectorView::PositionOf(const std::string& id) const {
  auto found = organisations_.find(id);
  if (found == organisations_.end() || found->second.present == 0) return std::nullopt;
  const OrganisationStanding own = Standing(id, found->second);
  std::vector<double> indices, coverages;
  for (const auto& [other_id, member] : organisations_) {
    if (member.present == 0) continue;
    const OrganisationStanding standing = Standing(other_id, member);
    indices.push_back(standing.index);
    coverages.push_back(standing.coverage);
  }
  SectorPosition position;
  position.organisations = static_cast<uint32_t>(indices.size());
  position.index = own.index;
  position.index_percentile = PercentileRank(indices, own.index);
  position.sector_median_index = SpreadOf(indices).median;
  position.coverage = own.coverage;
  position.coverage_percentile = PercentileRank(coverages, own.coverage);
  const Member& member = found->second;
  for (size_t i = 0; i < outcome_count_; ++i) {
    if (member.level_count[i] == 0) continue;
    const std::vector<double> levels = OutcomeLevels(static_cast<int>(i));
    SectorPosition::Outcome& outcome = position.outcomes.emplace_back();
    outcome.outcome = static_cast<int>(i);
    outcome.level = static_cast<double>(member.level_sum[i]) / (100.0 * member.level_count[i]);
    outcome.sector_mean = SpreadOf(levels).mean;
    outcome.percentile = PercentileRank(levels, outcome.level);
  }
  return position;
}

std::vector<DegradedOutcome> SectorView::Degraded(absl::Time now) const {
  std::vector<DegradedOutcome> degraded;
  const absl::Time since = now - options_.degraded_window;
  for (size_t i = 0; i < outcome_count_; ++i) {
    DegradedOutcome outcome{static_cast<int>(i), {}, absl::InfinitePast()};
    for (const auto& [organisation_id, when] : falls_[i]) {
      if (when < since || when > now) continue;
      outcome.organisations.push_back(organisation_id);
      outcome.latest = std::max(outcome.latest, when);
    }
    if (static_cast<int>(outcome.organisations.size()) < options_.degraded_min_organisations) {
      continue;
    }
    std::sort(outcome.organisations.begin(), outcome.organisations.end());
    degraded.push_back(std::move(outcome));
  }
  return degraded;
}

}  // namespace postura::collector
