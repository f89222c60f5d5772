#include "collector/scoring/history_feed.h"

#include <utility>

#include "collector/history/history_keys.h"

namespace postura::collector {
namespace {

// Mean asset coverage over `count` assets of one group with `live` live outcomes in all.
double GroupCoverage(const Catalog& catalog, ImplementationGroup group, int64_t live) {
  const auto applicable = catalog.model(group).applicable_outcomes().size();
  return applicable == 0 ? 0 : static_cast<double>(live) / applicable;
}

}  // namespace

v1::HistoryPoint AssetHistoryPoint(const ScoreTable& table, int slot) {
  const AssetHeadline headline = table.Headline(slot);
  v1::HistoryPoint point;
  point.set_value(headline.value);
  point.set_adjusted_value(headline.adjusted_value);
  point.set_coverage(
      headline.applicable == 0 ? 0 : static_cast<double>(headline.live) / headline.applicable);
  point.set_targets_met(headline.targets_met);
  point.set_target_coverage(headline.target_coverage);
  return point;
}

v1::HistoryPoint SetHistoryPoint(const ScoreTable& table, const Catalog& catalog,
                                 const SetSums& set) {
  const Rollups& rollups = table.rollups();
  v1::HistoryPoint point;
  point.set_value(rollups.Index(set));
  point.set_adjusted_value(rollups.AdjustedIndex(set));
  const int32_t count = set.total_count();
  double covered = 0;
  for (ImplementationGroup group : kAllImplementationGroups) {
    covered += GroupCoverage(catalog, group, set.live_outcomes[IndexOf(group)]);
  }
  point.set_coverage(count == 0 ? 0 : covered / count);
  point.set_targets_met(set.targets_met == set.with_targets);
  point.set_share_meeting_targets(
      set.with_targets == 0 ? 0 : static_cast<double>(set.targets_met) / set.with_targets);
  point.set_asset_count(static_cast<uint32_t>(count));
  point.set_assets_with_targets(static_cast<uint32_t>(set.with_targets));
  point.set_assets_meeting_targets(static_cast<uint32_t>(set.targets_met));
  return point;
}

v1::HistoryPoint GroupHistoryPoint(const ScoreTable& table, const Catalog& catalog,
                                   ImplementationGroup group) {
  const Rollups& rollups = table.rollups();
  const SetSums& organization = rollups.organization();
  const int g = IndexOf(group);
  v1::HistoryPoint point;
  point.set_value(rollups.GroupIndex(organization, group));
  point.set_adjusted_value(rollups.GroupAdjustedIndex(organization, group));
  const int32_t count = organization.count[g];
  point.set_coverage(
      count == 0 ? 0 : GroupCoverage(catalog, group, organization.live_outcomes[g]) / count);
  point.set_asset_count(static_cast<uint32_t>(count));
  // The sums keep target status per set, not per tier: the tier's targets stay unset.
  return point;
}

void HistoryFeed::RecordIfMoved(std::string subject, v1::HistoryPoint point, int64_t now) {
  auto [last, inserted] = last_.try_emplace(subject, point);
  if (!inserted) {
    if (SameFigures(last->second, point)) return;
    last->second = point;
  }
  pending_.push_back(HistoryChange{std::move(subject), now, std::move(point)});
}

void HistoryFeed::HandOver() {
  recorder_->Record(std::move(pending_));
  pending_.clear();
}

void HistoryFeed::RecordChanges(const ScoreTable& table, const std::vector<int>& changed,
                                int64_t now) {
  if (recorder_ == nullptr || changed.empty()) return;
  const Rollups& rollups = table.rollups();
  // The sets the changed assets belong to, each once (a round changes few of them).
  std::vector<bool> groups(kImplementationGroupCount, false);
  std::vector<int> departments, suppliers;
  for (int slot : changed) {
    RecordIfMoved(AssetSubject(table.id(slot)), AssetHistoryPoint(table, slot), now);
    groups[IndexOf(table.group(slot))] = true;
    if (std::optional<int> d = table.department_index(slot)) departments.push_back(*d);
    if (std::optional<int> s = table.supplier_index(slot)) suppliers.push_back(*s);
  }
  RecordIfMoved(OrganizationSubject(), SetHistoryPoint(table, catalog_, rollups.organization()),
                now);
  for (ImplementationGroup group : kAllImplementationGroups) {
    if (!groups[IndexOf(group)]) continue;
    RecordIfMoved(GroupSubject(ImplementationGroupName(group)),
                  GroupHistoryPoint(table, catalog_, group), now);
  }
  for (int d : departments) {
    RecordIfMoved(DepartmentSubject(table.department_ids()[d]),
                  SetHistoryPoint(table, catalog_, rollups.departments()[d]), now);
  }
  for (int s : suppliers) {
    RecordIfMoved(SupplierSubject(table.supplier_ids()[s]),
                  SetHistoryPoint(table, catalog_, rollups.suppliers()[s]), now);
  }
  HandOver();
}

void HistoryFeed::RecordAllRollups(const ScoreTable& table, int64_t now) {
  if (recorder_ == nullptr) return;
  const Rollups& rollups = table.rollups();
  RecordIfMoved(OrganizationSubject(), SetHistoryPoint(table, catalog_, rollups.organization()),
                now);
  for (ImplementationGroup group : kAllImplementationGroups) {
    RecordIfMoved(GroupSubject(ImplementationGroupName(group)),
                  GroupHistoryPoint(table, catalog_, group), now);
  }
  for (size_t d = 0; d < rollups.departments().size(); ++d) {
    RecordIfMoved(DepartmentSubject(table.department_ids()[d]),
                  SetHistoryPoint(table, catalog_, rollups.departments()[d]), now);
  }
  for (size_t s = 0; s < rollups.suppliers().size(); ++s) {
    RecordIfMoved(SupplierSubject(table.supplier_ids()[s]),
                  SetHistoryPoint(table, catalog_, rollups.suppliers()[s]), now);
  }
  HandOver();
}

}  // namespace postura::collector
