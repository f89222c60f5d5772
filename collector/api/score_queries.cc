#include "collector/api/score_queries.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/model/asset_score.h"
#include "common/planner/planner.h"
#include "common/transport/target_proto.h"

namespace postura::collector {
namespace {

v1::Level ToWire(Level level) { return static_cast<v1::Level>(static_cast<int>(level) + 1); }

v1::OutcomeState ToWire(CellState state) {
  switch (state) {
    case CellState::kLive:
      return v1::LIVE;
    case CellState::kStale:
      return v1::STALE;
    case CellState::kNoEvidence:
      return v1::NO_EVIDENCE;
  }
  return v1::OUTCOME_STATE_UNSPECIFIED;
}

v1::SourceEvidence SourceOf(const v1::SourceState& state, int64_t now) {
  v1::SourceEvidence source;
  source.set_agent_id(state.agent_id());
  source.set_check_id(state.check_id());
  source.set_level(state.level());
  source.set_kind(state.kind());
  source.set_observed_at_unix_nanos(state.observed_at_unix_nanos());
  source.set_expires_at_unix_nanos(state.expires_at_unix_nanos());
  source.set_expired(state.expires_at_unix_nanos() <= now);
  return source;
}

absl::Status CheckAssetId(absl::string_view asset_id) {
  if (IsValidId(asset_id)) return absl::OkStatus();
  return absl::InvalidArgumentError("asset_id must be 1 to 128 characters from A-Z a-z 0-9 . _ -");
}

absl::Status NoAsset(absl::string_view asset_id) {
  return absl::NotFoundError(absl::StrCat("no asset '", asset_id, "'"));
}

}  // namespace

v1::OutcomeScore ScoreQueries::OutcomeOf(int outcome, const Cell& cell,
                                         const std::vector<v1::SourceState>& sources,
                                         int64_t now) const {
  const CatalogOutcome& entry = catalog_.outcomes()[outcome];
  v1::OutcomeScore score;
  score.set_id(entry.id);
  score.set_code(entry.code);
  score.set_title(entry.title);
  score.set_functional_area_id(catalog_.functional_areas()[entry.functional_area].id);
  score.set_level(ToWire(cell.level));
  score.set_state(ToWire(cell.state));
  const v1::SourceState* deciding = nullptr;
  for (const v1::SourceState& source : sources) {
    *score.add_sources() = SourceOf(source, now);
    if (source.expires_at_unix_nanos() <= now) continue;
    // The weakest live report decides; on a tie, an observed one is shown.
    if (deciding == nullptr || source.level() < deciding->level() ||
        (source.level() == deciding->level() && deciding->kind() == v1::ATTESTED &&
         source.kind() == v1::OBSERVED)) {
      deciding = &source;
    }
  }
  if (deciding != nullptr) *score.mutable_deciding() = SourceOf(*deciding, now);
  return score;
}

absl::StatusOr<v1::AssetScore> ScoreQueries::GetAssetScore(
    const v1::GetAssetScoreRequest& request) const {
  if (absl::Status s = CheckAssetId(request.asset_id()); !s.ok()) return s;
  std::optional<AssetSnapshot> snapshot = scorer_.Snapshot(request.asset_id());
  if (!snapshot) return NoAsset(request.asset_id());
  absl::StatusOr<std::vector<v1::SourceState>> sources =
      store_.ReadAssetSources(request.asset_id());
  if (!sources.ok()) return sources.status();
  return AssetScoreFrom(*snapshot, *std::move(sources));
}

v1::AssetScore ScoreQueries::AssetScoreFrom(const AssetSnapshot& snapshot,
                                            std::vector<v1::SourceState> sources) const {
  std::map<std::string, std::vector<v1::SourceState>> by_outcome;
  for (v1::SourceState& source : sources) {
    std::string outcome_id = source.outcome_id();
    by_outcome[std::move(outcome_id)].push_back(std::move(source));
  }
  const int64_t now = snapshot.taken_at_unix_nanos;
  const ScoringModel& model = catalog_.model(snapshot.group);
  v1::AssetScore score;
  *score.mutable_summary() = snapshot.summary;
  AddName(*score.mutable_summary());
  static const std::vector<v1::SourceState> kNone;
  for (int f : model.applicable_functions()) {
    v1::FunctionScore& function = *score.add_functions();
    function.set_id(catalog_.functions()[f].id);
    function.set_name(catalog_.functions()[f].name);
    function.set_value(snapshot.values.functions[f]);
    for (int c : model.categories_of(f)) {
      v1::CategoryScore& category = *function.add_categories();
      category.set_id(catalog_.categories()[c].id);
      category.set_name(catalog_.categories()[c].name);
      category.set_value(snapshot.values.categories[c]);
      for (int o : model.outcomes_of(c)) {
        auto it = by_outcome.find(catalog_.outcomes()[o].id);
        *category.add_outcomes() =
            OutcomeOf(o, snapshot.cells[o], it == by_outcome.end() ? kNone : it->second, now);
      }
    }
  }
  std::vector<Level> levels;
  for (const Cell& cell : snapshot.cells) levels.push_back(cell.level);
  AddTargetResults(snapshot.targets, snapshot.values, levels, score.mutable_targets());
  return score;
}

void ScoreQueries::AddTargetResults(
    const std::vector<Target>& targets, const AssetValues& values, const std::vector<Level>& levels,
    google::protobuf::RepeatedPtrField<v1::TargetResult>* out) const {
  const TargetsReport report = EvaluateTargets(targets, values, levels);
  for (size_t i = 0; i < targets.size(); ++i) {
    v1::TargetResult& result = *out->Add();
    *result.mutable_target() = TargetToProto(catalog_, targets[i]);
    result.set_value(report.results[i].value);
    result.set_met(report.results[i].met);
    result.set_credit(report.results[i].credit);
  }
}

absl::StatusOr<v1::AssetPlan> ScoreQueries::PlanAsset(const v1::PlanAssetRequest& request) const {
  if (absl::Status s = CheckAssetId(request.asset_id()); !s.ok()) return s;
  std::optional<AssetSnapshot> snapshot = scorer_.Snapshot(request.asset_id());
  if (!snapshot) return NoAsset(request.asset_id());
  if (snapshot->targets.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("asset ", request.asset_id(),
                     " has no targets to plan for; set some first (postura targets set)"));
  }
  PlanRequest plan_request;
  plan_request.group = snapshot->group;
  for (const Cell& cell : snapshot->cells) plan_request.current.push_back(cell.level);
  plan_request.targets = snapshot->targets;
  plan_request.time_limit = absl::Seconds(20);
  for (const std::string& outcome_id : request.locked_outcome_ids()) {
    std::optional<int> outcome = catalog_.FindOutcome(outcome_id);
    if (!outcome) {
      return absl::InvalidArgumentError(
          absl::StrCat("locked outcome '", outcome_id.substr(0, 160), "' is not in the catalog"));
    }
    plan_request.locked.push_back(*outcome);
  }
  absl::StatusOr<Plan> plan = PlanTargetStatus(catalog_, plan_request);
  if (!plan.ok()) return plan.status();

  const ScoringModel& model = catalog_.model(snapshot->group);
  const AssetValues after = AssetScore(model, plan->target_status).Values();
  v1::AssetPlan answer;
  answer.set_asset_id(request.asset_id());
  answer.set_feasible(plan->feasible);
  answer.set_value_before(snapshot->values.asset);
  answer.set_value_after(after.asset);
  answer.set_coverage_after(plan->coverage);
  std::vector<int> changed;
  for (int o : model.applicable_outcomes()) {
    if (plan->target_status[o] != plan_request.current[o]) changed.push_back(o);
  }
  std::stable_sort(changed.begin(), changed.end(), [&](int a, int b) {
    return catalog_.outcomes()[a].functional_area < catalog_.outcomes()[b].functional_area;
  });
  int64_t increase = 0;
  for (int o : changed) {
    v1::PlannedChange& change = *answer.add_changes();
    change.set_outcome_id(catalog_.outcomes()[o].id);
    change.set_title(catalog_.outcomes()[o].title);
    change.set_functional_area_id(
        catalog_.functional_areas()[catalog_.outcomes()[o].functional_area].id);
    change.set_from(ToWire(plan_request.current[o]));
    change.set_to(ToWire(plan->target_status[o]));
    increase += std::max(
        0, LevelHundredths(plan->target_status[o]) - LevelHundredths(plan_request.current[o]));
  }
  answer.set_increase_hundredths(increase);
  AddTargetResults(snapshot->targets, snapshot->values, plan_request.current,
                   answer.mutable_targets_before());
  AddTargetResults(snapshot->targets, after, plan->target_status, answer.mutable_targets_after());
  for (int index : plan->conflict) {
    *answer.add_conflicting_targets() = TargetToProto(catalog_, snapshot->targets[index]);
  }
  return answer;
}

absl::StatusOr<v1::ListAssetScoresResponse> ScoreQueries::ListAssetScores(
    const v1::ListAssetScoresRequest& request) const {
  if (!request.department_id().empty() && !registry_.FindDepartment(request.department_id())) {
    return absl::NotFoundError(absl::StrCat("no department '", request.department_id(), "'"));
  }
  if (!request.supplier_id().empty() && !registry_.FindTenant(request.supplier_id())) {
    return absl::NotFoundError(absl::StrCat("no supplier '", request.supplier_id(), "'"));
  }
  v1::ListAssetScoresResponse response;
  for (v1::AssetSummary& summary :
       scorer_.Summaries(request.department_id(), request.supplier_id())) {
    AddName(summary);
    *response.add_assets() = std::move(summary);
  }
  return response;
}

v1::OrganizationScore ScoreQueries::GetOrganizationScore() const {
  return NameRollups(scorer_.Organization());
}

v1::OrganizationScore ScoreQueries::NameRollups(v1::OrganizationScore score) const {
  for (v1::Rollup& rollup : *score.mutable_departments()) {
    if (auto department = registry_.FindDepartment(rollup.key())) {
      rollup.set_name(department->name());
    }
  }
  for (v1::Rollup& rollup : *score.mutable_suppliers()) {
    if (auto tenant = registry_.FindTenant(rollup.key())) rollup.set_name(tenant->name());
  }
  return score;
}

absl::StatusOr<v1::Gaps> ScoreQueries::GetGaps(const v1::GetGapsRequest& request) const {
  if (absl::Status s = CheckAssetId(request.asset_id()); !s.ok()) return s;
  std::optional<AssetSnapshot> snapshot = scorer_.Snapshot(request.asset_id());
  if (!snapshot) return NoAsset(request.asset_id());
  const ScoringModel& model = catalog_.model(snapshot->group);
  // Unmet outcome targets, by outcome.
  std::map<int, const Target*> unmet_targets;
  for (const Target& target : snapshot->targets) {
    if (target.scope.kind != ScopeKind::kOutcome) continue;
    const double value = LevelValue(snapshot->cells[target.scope.index].level);
    if (!EvaluateTarget(target.op, target.threshold, value).met) {
      unmet_targets[target.scope.index] = &target;
    }
  }
  std::map<int, v1::FunctionalAreaGaps> areas;
  std::map<int, double> area_share;
  for (int o : model.applicable_outcomes()) {
    const Cell& cell = snapshot->cells[o];
    auto target = unmet_targets.find(o);
    if (cell.level == Level::kDli100 && target == unmet_targets.end()) continue;
    const int area = catalog_.outcomes()[o].functional_area;
    v1::Gap& gap = *areas[area].add_gaps();
    gap.set_outcome_id(catalog_.outcomes()[o].id);
    gap.set_title(catalog_.outcomes()[o].title);
    gap.set_level(ToWire(cell.level));
    gap.set_state(ToWire(cell.state));
    const double share = static_cast<double>(model.units(o).asset) *
                         (100 - LevelHundredths(cell.level)) / model.asset_scale();
    gap.set_share_of_asset_value(share);
    if (target != unmet_targets.end())
      *gap.mutable_target() = TargetToProto(catalog_, *target->second);
    area_share[area] += share;
  }
  v1::Gaps gaps;
  gaps.set_asset_id(request.asset_id());
  std::vector<int> order;
  for (auto& [area, group] : areas) {
    group.set_functional_area_id(catalog_.functional_areas()[area].id);
    group.set_name(catalog_.functional_areas()[area].name);
    std::stable_sort(group.mutable_gaps()->begin(), group.mutable_gaps()->end(),
                     [](const v1::Gap& a, const v1::Gap& b) {
                       return a.share_of_asset_value() > b.share_of_asset_value();
                     });
    order.push_back(area);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return area_share[a] > area_share[b]; });
  for (int area : order) *gaps.add_areas() = std::move(areas[area]);
  return gaps;
}

absl::StatusOr<v1::EvidenceHistory> ScoreQueries::GetEvidenceHistory(
    const v1::GetEvidenceHistoryRequest& request) const {
  if (absl::Status s = CheckAssetId(request.asset_id()); !s.ok()) return s;
  if (!catalog_.FindOutcome(request.outcome_id())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "outcome_id '", request.outcome_id().substr(0, 160), "' is not in the catalog"));
  }
  if (!registry_.FindAsset(request.asset_id())) return NoAsset(request.asset_id());
  const int64_t to = request.to_unix_nanos() == 0 ? INT64_MAX : request.to_unix_nanos();
  if (request.from_unix_nanos() < 0 || to < request.from_unix_nanos()) {
    return absl::InvalidArgumentError("from_unix_nanos must be >= 0 and not after to_unix_nanos");
  }
  if (request.limit() > kMaxHistoryRecords) {
    return absl::InvalidArgumentError(absl::StrCat("limit must be at most ", kMaxHistoryRecords));
  }
  const uint32_t limit = request.limit() == 0 ? 1000 : request.limit();
  bool truncated = false;
  absl::StatusOr<std::vector<v1::StoredEvidence>> records = store_.ReadEvidence(
      request.asset_id(), request.outcome_id(), request.from_unix_nanos(), to, limit, &truncated);
  if (!records.ok()) return records.status();
  v1::EvidenceHistory history;
  for (v1::StoredEvidence& record : *records) *history.add_records() = std::move(record);
  history.set_truncated(truncated);
  return history;
}

void ScoreQueries::AddName(v1::AssetSummary& summary) const {
  if (std::optional<v1::Asset> asset = registry_.FindAsset(summary.asset_id())) {
    summary.set_name(asset->name());
  }
}

absl::StatusOr<v1::AssetScore> ScoreQueries::GetAssetScore(
    const Principal& principal, const v1::GetAssetScoreRequest& request) const {
  absl::StatusOr<v1::AssetScore> score =
      IfVisible(principal, request, &ScoreQueries::GetAssetScore);
  if (score.ok()) HideForeignLimit(principal, *score->mutable_summary());
  return score;
}

absl::StatusOr<v1::ListAssetScoresResponse> ScoreQueries::ListAssetScores(
    const Principal& principal, v1::ListAssetScoresRequest request) const {
  if (absl::Status scoped = ScopeRequest(principal, request); !scoped.ok()) return scoped;
  if (!principal.SeesAllTenants() && !registry_.FindTenant(principal.tenant_id)) {
    return v1::ListAssetScoresResponse();  // Its tenant is gone, and with it its assets.
  }
  absl::StatusOr<v1::ListAssetScoresResponse> response = ListAssetScores(request);
  if (response.ok()) {
    for (v1::AssetSummary& summary : *response->mutable_assets()) {
      HideForeignLimit(principal, summary);
    }
  }
  return response;
}

absl::StatusOr<v1::Gaps> ScoreQueries::GetGaps(const Principal& principal,
                                               const v1::GetGapsRequest& request) const {
  return IfVisible(principal, request, &ScoreQueries::GetGaps);
}

absl::StatusOr<v1::EvidenceHistory> ScoreQueries::GetEvidenceHistory(
    const Principal& principal, const v1::GetEvidenceHistoryRequest& request) const {
  return IfVisible(principal, request, &ScoreQueries::GetEvidenceHistory);
}

absl::StatusOr<v1::AssetPlan> ScoreQueries::PlanAsset(const Principal& principal,
                                                      const v1::PlanAssetRequest& request) const {
  return IfVisible(principal, request, &ScoreQueries::PlanAsset);
}

absl::StatusOr<WatchFilter> ScoreQueries::ScopedWatchFilter(const Principal& principal,
                                                            v1::WatchRequest request) const {
  if (absl::Status scoped = ScopeRequest(principal, registry_, request); !scoped.ok()) {
    return scoped;
  }
  return WatchFilter::FromRequest(request);
}

}  // namespace postura::collector
