#include "collector/api/profile_queries.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/api/profile_roadmap.h"
#include "collector/registry/registry_rules.h"
#include "common/model/asset_score.h"
#include "common/model/catalog_corrections.h"
#include "common/planner/planner.h"
#include "common/transport/target_proto.h"

namespace postura::collector {

// One asset with its target profile decided.
struct ProfileQueries::PlannedAsset {
  AssetSnapshot snapshot;
  RoadmapAsset roadmap;
  v1::TargetBasis basis = v1::TARGET_BASIS_UNSPECIFIED;
  std::string note;
  std::vector<int> conflict;  // Indices into snapshot.targets.
};

namespace {

v1::Level ToWire(Level level) { return static_cast<v1::Level>(static_cast<int>(level) + 1); }

void AddTargetResults(const Catalog& catalog, const std::vector<Target>& targets,
                      const ScoringModel& model, const std::vector<Level>& levels,
                      google::protobuf::RepeatedPtrField<v1::TargetResult>* out) {
  const AssetScore score(model, levels);
  const TargetsReport report = EvaluateTargets(targets, score.Values(), levels);
  for (size_t i = 0; i < targets.size(); ++i) {
    v1::TargetResult& result = *out->Add();
    *result.mutable_target() = TargetToProto(catalog, targets[i]);
    result.set_value(report.results[i].value);
    result.set_met(report.results[i].met);
    result.set_credit(report.results[i].credit);
  }
}

void FillAreaGap(const Catalog& catalog, const AreaGap& gap, v1::FunctionalAreaProfile& out) {
  out.set_functional_area_id(catalog.functional_areas()[gap.area].id);
  out.set_name(catalog.functional_areas()[gap.area].name);
  out.set_outcome_count(gap.outcome_count);
  out.set_current_level(gap.current_level);
  out.set_target_level(gap.target_level);
  out.set_gap(gap.gap);
  out.set_share_of_gap(gap.share_of_gap);
  out.set_action_count(gap.action_count);
}

// The note that says where the target profile comes from.
std::string BasisNote(v1::TargetBasis basis, int changes) {
  switch (basis) {
    case v1::NO_TARGETS:
      return "no targets: the target profile is the current one and there is no roadmap "
             "(set targets with postura targets set)";
    case v1::TARGETS_MET:
      return "every target is met now, so no plan is needed: the target profile is the "
             "current one and each target's threshold is its own minimum";
    case v1::PLANNED:
      return absl::StrCat("the planner's least-work status meeting every target (", changes,
                          changes == 1 ? " outcome changes)" : " outcomes change)");
    case v1::PLANNED_BEST_COVERAGE:
      return "the targets conflict (see conflicting targets): the planner's status of best "
             "coverage, which still misses some";
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ProfileQueries::AssetIds(
    const Principal& principal, const v1::GetProfileRequest& request) const {
  if (request.organization() == !request.asset_id().empty()) {
    return absl::InvalidArgumentError("give exactly one of asset_id and organization");
  }
  if (!request.organization()) {
    if (!IsValidId(request.asset_id())) {
      return absl::InvalidArgumentError(
          "asset_id must be 1 to 128 characters from A-Z a-z 0-9 . _ -");
    }
    if (absl::Status visible = CheckAssetVisible(principal, registry_, request.asset_id());
        !visible.ok()) {
      return visible;
    }
    return std::vector<std::string>{request.asset_id()};
  }
  absl::StatusOr<v1::ListAssetScoresResponse> assets =
      queries_.ListAssetScores(principal, v1::ListAssetScoresRequest());
  if (!assets.ok()) return assets.status();
  std::vector<std::string> ids;
  for (const v1::AssetSummary& asset : assets->assets()) ids.push_back(asset.asset_id());
  return ids;
}

ProfileQueries::PlannedAsset ProfileQueries::PlanFor(AssetSnapshot snapshot) const {
  PlannedAsset planned;
  planned.roadmap.model = &catalog_.model(snapshot.group);
  for (const Cell& cell : snapshot.cells) planned.roadmap.current.push_back(cell.level);
  planned.roadmap.target = planned.roadmap.current;
  planned.roadmap.targets = snapshot.targets;
  planned.roadmap.weight = IndexWeight(snapshot.group);
  if (snapshot.targets.empty()) {
    planned.basis = v1::NO_TARGETS;
  } else if (EvaluateTargets(snapshot.targets, snapshot.values, planned.roadmap.current).all_met) {
    planned.basis = v1::TARGETS_MET;
  } else {
    PlanRequest request;
    request.group = snapshot.group;
    request.current = planned.roadmap.current;
    request.targets = snapshot.targets;
    request.time_limit = kProfilePlanTimeLimit;
    absl::StatusOr<Plan> plan = PlanTargetStatus(catalog_, request);
    if (!plan.ok()) {
      planned.basis = v1::PLAN_FAILED;
      planned.note = absl::StrCat("the planner gave up (", plan.status().message(),
                                  "): the target profile is the current one, no roadmap");
    } else {
      planned.basis = plan->feasible ? v1::PLANNED : v1::PLANNED_BEST_COVERAGE;
      planned.roadmap.target = plan->target_status;
      planned.conflict = plan->conflict;
    }
  }
  if (planned.note.empty()) {
    int changes = 0;
    for (int o : planned.roadmap.model->applicable_outcomes()) {
      changes += planned.roadmap.current[o] != planned.roadmap.target[o];
    }
    planned.note = BasisNote(planned.basis, changes);
  }
  planned.snapshot = std::move(snapshot);
  return planned;
}

void ProfileQueries::FillAction(const PlannedAsset& planned, bool show_department_name,
                                v1::RoadmapAction& action) const {
  const v1::AssetSummary& summary = planned.snapshot.summary;
  action.set_asset_id(summary.asset_id());
  action.set_department_id(summary.department_id());
  action.set_supplier_id(summary.supplier_id());
  if (show_department_name && !summary.department_id().empty()) {
    if (auto department = registry_.FindDepartment(summary.department_id())) {
      action.set_department_name(department->name());
    }
  }
  if (!summary.supplier_id().empty()) {
    if (auto supplier = registry_.FindTenant(summary.supplier_id())) {
      action.set_supplier_name(supplier->name());
    }
  }
}

v1::AssetProfile ProfileQueries::AssetProfileOf(const PlannedAsset& planned,
                                                bool show_department_name) const {
  const AssetSnapshot& snapshot = planned.snapshot;
  const RoadmapAsset& asset = planned.roadmap;
  const ScoringModel& model = *asset.model;
  v1::AssetProfile profile;
  profile.set_asset_id(snapshot.summary.asset_id());
  profile.set_implementation_group(snapshot.summary.implementation_group());
  profile.set_department_id(snapshot.summary.department_id());
  profile.set_supplier_id(snapshot.summary.supplier_id());
  if (auto record = registry_.FindAsset(snapshot.summary.asset_id())) {
    profile.set_name(record->name());
  }
  profile.set_basis(planned.basis);
  profile.set_basis_note(planned.note);
  const AssetScore current(model, asset.current);
  const AssetScore target(model, asset.target);
  profile.set_current_value(current.asset_value());
  profile.set_target_value(target.asset_value());
  AddTargetResults(catalog_, snapshot.targets, model, asset.current,
                   profile.mutable_targets_current());
  AddTargetResults(catalog_, snapshot.targets, model, asset.target,
                   profile.mutable_targets_target());
  for (int index : planned.conflict) {
    *profile.add_conflicting_targets() = TargetToProto(catalog_, snapshot.targets[index]);
  }
  for (int o : model.applicable_outcomes()) {
    const CatalogOutcome& entry = catalog_.outcomes()[o];
    v1::OutcomeProfile& outcome = *profile.add_outcomes();
    outcome.set_outcome_id(entry.id);
    outcome.set_title(std::string(ReportTitle(entry)));
    outcome.set_function_id(catalog_.functions()[entry.function].id);
    outcome.set_functional_area_id(catalog_.functional_areas()[entry.functional_area].id);
    outcome.set_minimum_ig(entry.min_ig);
    outcome.set_current(ToWire(asset.current[o]));
    outcome.set_target(ToWire(asset.target[o]));
  }
  for (int f : model.applicable_functions()) {
    v1::FunctionProfile& function = *profile.add_functions();
    function.set_function_id(catalog_.functions()[f].id);
    function.set_name(catalog_.functions()[f].name);
    function.set_current(current.function_value(f));
    function.set_target(target.function_value(f));
    function.set_gap(target.function_value(f) - current.function_value(f));
    for (const Target& rule : snapshot.targets) {
      if (rule.scope.kind == ScopeKind::kFunction && rule.scope.index == f) {
        *function.mutable_target_rule() = TargetToProto(catalog_, rule);
      }
    }
  }
  const std::vector<RoadmapAsset> one = {asset};
  const std::vector<AreaGap> gaps = AreaGaps(catalog_, one);
  for (const AreaGap& gap : gaps) FillAreaGap(catalog_, gap, *profile.add_functional_areas());
  for (const RoadmapStep& step : OrderRoadmap(catalog_, one, gaps)) {
    v1::RoadmapAction& action = *profile.add_roadmap();
    const CatalogOutcome& entry = catalog_.outcomes()[step.outcome];
    action.set_phase(step.phase);
    action.set_outcome_id(entry.id);
    action.set_title(std::string(ReportTitle(entry)));
    action.set_functional_area_id(catalog_.functional_areas()[entry.functional_area].id);
    action.set_functional_area_name(catalog_.functional_areas()[entry.functional_area].name);
    action.set_from(ToWire(step.from));
    action.set_to(ToWire(step.to));
    action.set_asset_value_reached(step.asset_value_reached);
    action.set_asset_targets_met(step.asset_targets_met);
    FillAction(planned, show_department_name, action);
  }
  return profile;
}

v1::OrganizationProfile ProfileQueries::OrganizationOf(const std::vector<PlannedAsset>& planned,
                                                       bool show_department_name) const {
  std::vector<RoadmapAsset> assets;
  for (const PlannedAsset& asset : planned) assets.push_back(asset.roadmap);
  v1::OrganizationProfile organization;
  organization.set_asset_count(planned.size());
  for (const PlannedAsset& asset : planned) {
    if (asset.snapshot.targets.empty()) continue;
    organization.set_assets_with_targets(organization.assets_with_targets() + 1);
    const AssetScore current(*asset.roadmap.model, asset.roadmap.current);
    const AssetScore target(*asset.roadmap.model, asset.roadmap.target);
    if (EvaluateTargets(asset.roadmap.targets, current.Values(), current.levels()).all_met) {
      organization.set_assets_meeting_targets(organization.assets_meeting_targets() + 1);
    }
    if (EvaluateTargets(asset.roadmap.targets, target.Values(), target.levels()).all_met) {
      organization.set_assets_meeting_targets_after(organization.assets_meeting_targets_after() +
                                                    1);
    }
  }
  organization.set_index_current(WeightedIndex(assets, /*use_target=*/false));
  organization.set_index_target(WeightedIndex(assets, /*use_target=*/true));
  // Function means over the assets where each applies, as the organisation's rollups.
  for (int f = 0; f < static_cast<int>(catalog_.functions().size()); ++f) {
    double current_sum = 0, target_sum = 0;
    int count = 0;
    for (const RoadmapAsset& asset : assets) {
      if (!asset.model->FunctionApplies(f)) continue;
      current_sum += AssetScore(*asset.model, asset.current).function_value(f);
      target_sum += AssetScore(*asset.model, asset.target).function_value(f);
      ++count;
    }
    if (count == 0) continue;
    v1::FunctionProfile& function = *organization.add_functions();
    function.set_function_id(catalog_.functions()[f].id);
    function.set_name(catalog_.functions()[f].name);
    function.set_current(current_sum / count);
    function.set_target(target_sum / count);
    function.set_gap(function.target() - function.current());
    function.set_asset_count(count);
  }
  const std::vector<AreaGap> gaps = AreaGaps(catalog_, assets);
  for (const AreaGap& gap : gaps) FillAreaGap(catalog_, gap, *organization.add_functional_areas());
  for (const RoadmapStep& step : OrderRoadmap(catalog_, assets, gaps)) {
    v1::RoadmapAction& action = *organization.add_roadmap();
    const CatalogOutcome& entry = catalog_.outcomes()[step.outcome];
    action.set_phase(step.phase);
    action.set_outcome_id(entry.id);
    action.set_title(std::string(ReportTitle(entry)));
    action.set_functional_area_id(catalog_.functional_areas()[entry.functional_area].id);
    action.set_functional_area_name(catalog_.functional_areas()[entry.functional_area].name);
    action.set_from(ToWire(step.from));
    action.set_to(ToWire(step.to));
    action.set_asset_value_reached(step.asset_value_reached);
    action.set_asset_targets_met(step.asset_targets_met);
    action.set_index_reached(step.index_reached);
    FillAction(planned[step.asset], show_department_name, action);
  }
  return organization;
}

absl::StatusOr<v1::Profile> ProfileQueries::GetProfile(const Principal& principal,
                                                       const v1::GetProfileRequest& request) const {
  absl::StatusOr<std::vector<std::string>> ids = AssetIds(principal, request);
  if (!ids.ok()) return ids.status();
  std::vector<PlannedAsset> planned;
  for (const std::string& id : *ids) {
    std::optional<AssetSnapshot> snapshot = scorer_.Snapshot(id);
    if (!snapshot) {
      if (request.organization()) continue;  // Deleted since it was listed.
      return absl::NotFoundError(absl::StrCat("no asset '", id, "'"));
    }
    planned.push_back(PlanFor(*std::move(snapshot)));
  }
  // A supplier learns the names of its own records only.
  const bool show_department_name =
      principal.SeesAllTenants() || principal.role == v1::ROLE_DEPARTMENT;
  v1::Profile profile;
  for (const PlannedAsset& asset : planned) {
    *profile.add_assets() = AssetProfileOf(asset, show_department_name);
  }
  if (request.organization()) {
    *profile.mutable_organization() = OrganizationOf(planned, show_department_name);
    if (tiers_ != nullptr) {
      absl::StatusOr<v1::TiersAnswer> tiers = tiers_->GetTiers(principal, v1::GetTiersRequest());
      if (!tiers.ok()) return tiers.status();
      *profile.mutable_organization()->mutable_tiers() = *std::move(tiers);
    }
  }
  profile.set_computed_at_unix_nanos(absl::ToUnixNanos(clock_.TimeNow()));
  return profile;
}

}  // namespace postura::collector
