#include "collector/scoring/score_wire.h"

#include <algorithm>
#include <optional>
#include <string>

namespace postura::collector {
namespace {

v1::ImplementationGroup ToWire(ImplementationGroup group) {
  return static_cast<v1::ImplementationGroup>(IndexOf(group) + 1);
}

void AddSetRollup(const Rollups& rollups, const SetSums& set, const std::string& key,
                  google::protobuf::RepeatedPtrField<v1::Rollup>* out) {
  if (set.total_count() == 0) return;
  v1::Rollup& rollup = *out->Add();
  rollup.set_key(key);
  rollup.set_asset_count(set.total_count());
  rollup.set_index(rollups.Index(set));
  rollup.set_adjusted_index(rollups.AdjustedIndex(set));
}

}  // namespace

Level LevelFromWire(v1::Level level) {
  return static_cast<Level>(std::clamp(static_cast<int>(level) - 1, 0, 3));
}

std::vector<std::string> SortedOutcomeIds(const Catalog& catalog) {
  std::vector<std::string> ids;
  for (const CatalogOutcome& outcome : catalog.outcomes()) ids.push_back(outcome.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Cell CellFromSources(const std::vector<v1::SourceState>& sources, int64_t now_unix_nanos) {
  if (sources.empty()) return Cell{Level::kDli0, CellState::kNoEvidence, false};
  std::optional<Level> minimum;
  bool attested = true;
  for (const v1::SourceState& source : sources) {
    if (source.expires_at_unix_nanos() <= now_unix_nanos) continue;
    const Level level = LevelFromWire(source.level());
    const bool source_attested = source.kind() == v1::ATTESTED;
    if (!minimum || level < *minimum) {
      minimum = level;
      attested = source_attested;
    } else if (level == *minimum) {
      attested = attested && source_attested;
    }
  }
  if (!minimum) return Cell{Level::kDli0, CellState::kStale, false};
  return Cell{*minimum, CellState::kLive, attested};
}

v1::AssetSummary SummaryFromTable(const ScoreTable& table, int slot) {
  const AssetHeadline headline = table.Headline(slot);
  v1::AssetSummary summary;
  summary.set_asset_id(table.id(slot));
  summary.set_implementation_group(ToWire(table.group(slot)));
  summary.set_department_id(table.department_id(slot));
  summary.set_supplier_id(table.supplier_id(slot));
  summary.set_value(headline.value);
  summary.set_adjusted_value(headline.adjusted_value);
  if (headline.limiting_slot >= 0) {
    summary.set_limiting_asset_id(table.id(headline.limiting_slot));
    summary.set_limiting_supplier_id(table.supplier_id(headline.limiting_slot));
  }
  summary.set_coverage(
      headline.applicable == 0 ? 0 : static_cast<double>(headline.live) / headline.applicable);
  summary.set_outcomes_live(headline.live);
  summary.set_outcomes_stale(headline.stale);
  summary.set_outcomes_no_evidence(headline.no_evidence);
  summary.set_outcomes_observed(headline.live - headline.attested);
  summary.set_outcomes_attested(headline.attested);
  summary.set_target_count(static_cast<uint32_t>(table.targets(slot).size()));
  summary.set_targets_met(headline.targets_met);
  summary.set_target_coverage(headline.target_coverage);
  summary.set_last_evidence_observed_at_unix_nanos(headline.last_evidence_unix_nanos);
  return summary;
}

v1::OrganizationScore OrganizationFromTable(const ScoreTable& table, const Catalog& catalog) {
  const Rollups& rollups = table.rollups();
  const SetSums& organization = rollups.organization();
  v1::OrganizationScore score;
  score.set_asset_count(organization.total_count());
  score.set_index(rollups.Index(organization));
  score.set_adjusted_index(rollups.AdjustedIndex(organization));
  for (ImplementationGroup group : kAllImplementationGroups) {
    v1::Rollup& tier = *score.add_implementation_groups();
    tier.set_key(std::string(ImplementationGroupName(group)));
    tier.set_asset_count(organization.count[IndexOf(group)]);
    tier.set_index(rollups.GroupIndex(organization, group));
    tier.set_adjusted_index(rollups.GroupAdjustedIndex(organization, group));
  }
  for (size_t i = 0; i < rollups.departments().size(); ++i) {
    AddSetRollup(rollups, rollups.departments()[i], table.department_ids()[i],
                 score.mutable_departments());
  }
  for (size_t i = 0; i < rollups.suppliers().size(); ++i) {
    AddSetRollup(rollups, rollups.suppliers()[i], table.supplier_ids()[i],
                 score.mutable_suppliers());
  }
  // By id: the same answer whatever order the assets were announced in.
  for (auto* sets : {score.mutable_departments(), score.mutable_suppliers()}) {
    std::sort(sets->begin(), sets->end(),
              [](const v1::Rollup& a, const v1::Rollup& b) { return a.key() < b.key(); });
  }
  for (size_t f = 0; f < catalog.functions().size(); ++f) {
    int assets = 0;
    const double mean = rollups.FunctionMean(static_cast<int>(f), &assets);
    if (assets == 0) continue;
    v1::Rollup& rollup = *score.add_functions();
    rollup.set_key(catalog.functions()[f].id);
    rollup.set_name(catalog.functions()[f].name);
    rollup.set_asset_count(assets);
    rollup.set_index(mean);
  }
  for (size_t c = 0; c < catalog.categories().size(); ++c) {
    int assets = 0;
    const double mean = rollups.CategoryMean(static_cast<int>(c), &assets);
    if (assets == 0) continue;
    v1::Rollup& rollup = *score.add_categories();
    rollup.set_key(catalog.categories()[c].id);
    rollup.set_name(catalog.categories()[c].name);
    rollup.set_asset_count(assets);
    rollup.set_index(mean);
  }
  for (size_t a = 0; a < catalog.functional_areas().size(); ++a) {
    int open_gaps = 0;
    const double achievement = rollups.AreaAchievement(static_cast<int>(a), &open_gaps);
    if (achievement < 0) continue;
    v1::FunctionalAreaRollup& area = *score.add_functional_areas();
    area.set_id(catalog.functional_areas()[a].id);
    area.set_name(catalog.functional_areas()[a].name);
    area.set_achievement(achievement);
    area.set_open_gaps(open_gaps);
  }
  score.set_assets_with_targets(static_cast<uint32_t>(organization.with_targets));
  score.set_assets_meeting_targets(static_cast<uint32_t>(organization.targets_met));
  if (organization.with_targets > 0) {
    score.set_share_meeting_targets(static_cast<double>(organization.targets_met) /
                                    organization.with_targets);
  }
  score.set_coverage(rollups.Coverage());
  return score;
}

}  // namespace postura::collector
