#include "collector/api/tier_queries.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "collector/api/time_wire.h"
#include "collector/history/history_keys.h"
#include "collector/history/history_reader.h"
#include "common/model/level.h"

namespace postura::collector {
namespace {

using crosswalk::TierFacts;

constexpr double kSecondsPerDay = 86400;

// Adds one applicable (asset, outcome) pair to `facts`.
void AddPair(const Cell& cell, TierFacts& facts) {
  ++facts.applicable;
  if (cell.state == CellState::kStale) ++facts.stale;
  if (cell.state != CellState::kLive) return;
  ++facts.live;
  facts.level_hundredths += LevelHundredths(cell.level);
}

// The facts as the wire carries them.
v1::TierFigures FiguresOf(const TierFacts& facts) {
  v1::TierFigures figures;
  figures.set_applicable(static_cast<uint32_t>(facts.applicable));
  figures.set_live(static_cast<uint32_t>(facts.live));
  figures.set_stale(static_cast<uint32_t>(facts.stale));
  figures.set_level_hundredths(static_cast<uint32_t>(facts.level_hundredths));
  figures.set_assets(static_cast<uint32_t>(facts.assets));
  figures.set_assets_with_targets(static_cast<uint32_t>(facts.assets_with_targets));
  if (facts.gaps_closed) figures.set_gaps_closed(static_cast<uint32_t>(*facts.gaps_closed));
  if (facts.p90_days) figures.set_p90_days(*facts.p90_days);
  if (facts.oldest_open_days) figures.set_oldest_open_days(*facts.oldest_open_days);
  if (facts.index_then) figures.set_index_then(*facts.index_then);
  if (facts.index_now) figures.set_index_now(*facts.index_now);
  return figures;
}

void AddScope(std::string scope, std::string name, const TierFacts& facts,
              v1::TiersAnswer& answer) {
  const crosswalk::TierDecision decision = crosswalk::DecideTier(facts);
  v1::ScopeTier& tier = *answer.add_tiers();
  tier.set_scope(std::move(scope));
  tier.set_name(std::move(name));
  tier.set_tier(static_cast<int>(decision.tier));
  tier.set_tier_name(std::string(crosswalk::TierName(decision.tier)));
  for (const std::string& fact : decision.facts) tier.add_facts(fact);
  *tier.mutable_figures() = FiguresOf(facts);
}

}  // namespace

absl::Status TierQueries::AddAssets(const Principal& principal, TierScopes& scopes) const {
  absl::StatusOr<v1::ListAssetScoresResponse> visible =
      sources_.queries->ListAssetScores(principal, v1::ListAssetScoresRequest());
  if (!visible.ok()) return visible.status();
  const Catalog& catalog = *sources_.catalog;
  for (const v1::AssetSummary& summary : visible->assets()) {
    // An asset deleted since the list was taken is no longer counted.
    std::optional<AssetSnapshot> snapshot = sources_.scorer->Snapshot(summary.asset_id());
    if (!snapshot) continue;
    ++scopes.organization.assets;
    if (!snapshot->targets.empty()) ++scopes.organization.assets_with_targets;
    for (int o : catalog.model(snapshot->group).applicable_outcomes()) {
      AddPair(snapshot->cells[o], scopes.organization);
      AddPair(snapshot->cells[o], scopes.functions[catalog.outcomes()[o].function]);
    }
  }
  // Targets are set per asset, so every function shares the organisation's figure.
  for (auto& [function, facts] : scopes.functions) {
    facts.assets = scopes.organization.assets;
    facts.assets_with_targets = scopes.organization.assets_with_targets;
  }
  return absl::OkStatus();
}

absl::Status TierQueries::AddRemediation(const Principal& principal, absl::Time now,
                                         TierScopes& scopes) const {
  v1::GetRemediationRequest request;
  request.set_by("outcome");
  request.set_until_unix_nanos(absl::ToUnixNanos(now));
  absl::StatusOr<v1::Remediation> remediation =
      sources_.remediation->GetRemediation(principal, request);
  if (!remediation.ok()) return remediation.status();
  TierFacts& organization = scopes.organization;
  organization.gaps_closed = static_cast<int>(remediation->total().closed());
  organization.p90_days = remediation->total().p90_seconds() / kSecondsPerDay;
  organization.oldest_open_days = remediation->total().oldest_open_seconds() / kSecondsPerDay;
  for (auto& [function, facts] : scopes.functions) {
    facts.gaps_closed = 0;
    facts.p90_days = 0;
    facts.oldest_open_days = 0;
  }
  // A function's figure is the longest among its outcomes: an upper bound of its own p90.
  const Catalog& catalog = *sources_.catalog;
  for (const v1::RemediationGroup& group : remediation->groups()) {
    std::optional<int> outcome = catalog.FindOutcome(group.key());
    if (!outcome) continue;
    auto it = scopes.functions.find(catalog.outcomes()[*outcome].function);
    if (it == scopes.functions.end()) continue;
    TierFacts& facts = it->second;
    *facts.gaps_closed += static_cast<int>(group.closed());
    facts.p90_days = std::max(*facts.p90_days, group.p90_seconds() / kSecondsPerDay);
    facts.oldest_open_days =
        std::max(*facts.oldest_open_days, group.oldest_open_seconds() / kSecondsPerDay);
  }
  return absl::OkStatus();
}

absl::Status TierQueries::AddTrend(const Principal& principal, absl::Time now,
                                   TierScopes& scopes) const {
  // The rollup of what the principal sees: the organisation, its department or its tenant.
  const v1::OrganizationScore live = sources_.scorer->Organization();
  std::string subject;
  std::optional<double> index_now;
  auto find = [&](const google::protobuf::RepeatedPtrField<v1::Rollup>& rollups,
                  const std::string& key) {
    for (const v1::Rollup& rollup : rollups) {
      if (rollup.key() == key) index_now = rollup.index();
    }
  };
  if (principal.SeesAllTenants()) {
    subject = OrganizationSubject();
    index_now = live.index();
  } else if (principal.role == v1::ROLE_DEPARTMENT) {
    subject = DepartmentSubject(principal.department_id);
    find(live.departments(), principal.department_id);
  } else {
    subject = SupplierSubject(principal.tenant_id);
    find(live.suppliers(), principal.tenant_id);
  }
  absl::StatusOr<std::optional<v1::HistoryPoint>> then =
      HistoryReader(*sources_.store).At(subject, now - kTierTrendWindow);
  if (!then.ok()) return then.status();
  // Without a point that far back (a young collector) there is no trend: both stay unset.
  if (!then->has_value() || !index_now) return absl::OkStatus();
  // Per function, the scope's own trend: there is no history per function yet.
  auto set = [&](TierFacts& facts) {
    facts.index_then = (*then)->value();
    facts.index_now = index_now;
  };
  set(scopes.organization);
  for (auto& [function, facts] : scopes.functions) set(facts);
  return absl::OkStatus();
}

absl::StatusOr<TierScopes> TierQueries::GatherFacts(const Principal& principal,
                                                    absl::Time now) const {
  TierScopes scopes;
  if (absl::Status s = AddAssets(principal, scopes); !s.ok()) return s;
  if (absl::Status s = AddRemediation(principal, now, scopes); !s.ok()) return s;
  if (absl::Status s = AddTrend(principal, now, scopes); !s.ok()) return s;
  return scopes;
}

std::string TierQueries::ScopeName(const Principal& principal) const {
  if (principal.SeesAllTenants()) return "the organisation";
  if (principal.role == v1::ROLE_DEPARTMENT) {
    std::optional<v1::Department> department =
        sources_.registry->FindDepartment(principal.department_id);
    return absl::StrCat("the assets of department ",
                        department ? department->name() : principal.department_id);
  }
  std::optional<v1::Tenant> tenant = sources_.registry->FindTenant(principal.tenant_id);
  return absl::StrCat("the assets of ", tenant ? tenant->name() : principal.tenant_id);
}

absl::StatusOr<v1::TiersAnswer> TierQueries::GetTiers(const Principal& principal,
                                                      const v1::GetTiersRequest&) const {
  const absl::Time now = sources_.clock->TimeNow();
  absl::StatusOr<TierScopes> scopes = GatherFacts(principal, now);
  if (!scopes.ok()) return scopes.status();
  v1::TiersAnswer answer;
  *answer.mutable_as_of() = Timestamp(now);
  answer.set_remediation_window_days(
      static_cast<uint32_t>(absl::ToInt64Hours(kDefaultRemediationWindow) / 24));
  answer.set_trend_window_days(static_cast<uint32_t>(absl::ToInt64Hours(kTierTrendWindow) / 24));
  AddScope("organization", ScopeName(principal), scopes->organization, answer);
  const Catalog& catalog = *sources_.catalog;
  for (const auto& [function, facts] : scopes->functions) {
    AddScope(catalog.functions()[function].id, catalog.functions()[function].name, facts, answer);
  }
  return answer;
}

}  // namespace postura::collector
