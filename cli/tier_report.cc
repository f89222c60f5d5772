#include "cli/tier_report.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/markdown_table.h"
#include "cli/wire_names.h"

namespace postura::cli {
namespace {

using crosswalk::TierFacts;
using Query = v1::QueryService::Stub;

constexpr double kSecondsPerDay = 86400;

// Adds one outcome's state to `facts`.
void AddOutcome(const v1::OutcomeScore& outcome, TierFacts& facts) {
  ++facts.applicable;
  if (outcome.state() == v1::STALE) ++facts.stale;
  if (outcome.state() != v1::LIVE) return;
  ++facts.live;
  facts.level_hundredths += LevelHundredths(LevelFromWire(outcome.level()).value_or(Level::kDli0));
}

// Remediation by outcome folded per function: gaps closed, and the longest p90 and oldest
// open gap among the function's outcomes (an upper bound of the function's own p90).
void AddRemediation(const Catalog& catalog, const v1::Remediation& remediation,
                    std::map<std::string, TierFacts>& by_function) {
  for (auto& [unused, facts] : by_function) {
    facts.gaps_closed = 0;
    facts.p90_days = 0;
    facts.oldest_open_days = 0;
  }
  for (const v1::RemediationGroup& group : remediation.groups()) {
    std::optional<int> outcome = catalog.FindOutcome(group.key());
    if (!outcome) continue;
    const CatalogOutcome& o = catalog.outcomes()[*outcome];
    auto it = by_function.find(catalog.functions()[o.function].id);
    if (it == by_function.end()) continue;
    TierFacts& facts = it->second;
    *facts.gaps_closed += static_cast<int>(group.closed());
    facts.p90_days = std::max(*facts.p90_days, group.p90_seconds() / kSecondsPerDay);
    facts.oldest_open_days =
        std::max(*facts.oldest_open_days, group.oldest_open_seconds() / kSecondsPerDay);
  }
}

// The organisation's index at the start of the window, if the history reaches back to it.
absl::StatusOr<std::optional<double>> IndexAtWindowStart(CommandContext& c, absl::Time now) {
  v1::GetScoreHistoryRequest request;
  request.set_organization(true);
  const absl::Time since = now - kTierWindow;
  request.set_since_unix_nanos(absl::ToUnixNanos(since));
  request.set_until_unix_nanos(absl::ToUnixNanos(now));
  request.set_step_nanos(absl::ToInt64Nanoseconds(kTierWindow));
  absl::StatusOr<v1::ScoreHistory> history =
      c.collector.Call(c.collector.query(), &Query::GetScoreHistory, request);
  if (!history.ok()) return history.status();
  if (history->points().empty()) return std::optional<double>();
  const v1::HistoryPoint& first = history->points(0);
  // Points start at `since` only when the history reaches back that far.
  if (first.time().seconds() > absl::ToUnixSeconds(since) + 60) return std::optional<double>();
  return std::optional<double>(first.value());
}

}  // namespace

absl::StatusOr<std::vector<TierRow>> ReadTiers(CommandContext& c,
                                               const v1::OrganizationScore& organization,
                                               const v1::ListAssetScoresResponse& assets,
                                               absl::Time now) {
  TierFacts org;
  std::map<std::string, TierFacts> by_function;
  for (const v1::AssetSummary& asset : assets.assets()) {
    v1::GetAssetScoreRequest request;
    request.set_asset_id(asset.asset_id());
    absl::StatusOr<v1::AssetScore> score =
        c.collector.Call(c.collector.query(), &Query::GetAssetScore, request);
    if (!score.ok()) return score.status();
    for (const v1::FunctionScore& function : score->functions()) {
      for (const v1::CategoryScore& category : function.categories()) {
        for (const v1::OutcomeScore& outcome : category.outcomes()) {
          AddOutcome(outcome, org);
          AddOutcome(outcome, by_function[function.id()]);
        }
      }
    }
  }
  v1::GetRemediationRequest remediation_request;
  remediation_request.set_by("outcome");
  remediation_request.set_until_unix_nanos(absl::ToUnixNanos(now));
  absl::StatusOr<v1::Remediation> remediation =
      c.collector.Call(c.collector.query(), &Query::GetRemediation, remediation_request);
  if (!remediation.ok()) return remediation.status();
  AddRemediation(c.catalog, *remediation, by_function);
  org.gaps_closed = static_cast<int>(remediation->total().closed());
  org.p90_days = remediation->total().p90_seconds() / kSecondsPerDay;
  org.oldest_open_days = remediation->total().oldest_open_seconds() / kSecondsPerDay;
  absl::StatusOr<std::optional<double>> then = IndexAtWindowStart(c, now);
  if (!then.ok()) return then.status();

  std::vector<TierRow> rows;
  auto add = [&](std::string key, std::string name, TierFacts facts) {
    facts.assets = static_cast<int>(organization.asset_count());
    facts.assets_with_targets = static_cast<int>(organization.assets_with_targets());
    // Per function, the organisation's trend: there is no history per function yet.
    facts.index_then = *then;
    if (*then) facts.index_now = organization.index();
    rows.push_back(TierRow{.key = std::move(key),
                           .name = std::move(name),
                           .facts = facts,
                           .decision = crosswalk::DecideTier(facts)});
  };
  add("organization", "the organisation", org);
  for (const CatalogFunction& function : c.catalog.functions()) {
    auto it = by_function.find(function.id);
    if (it != by_function.end()) add(function.id, function.name, it->second);
  }
  return rows;
}

std::string TiersMarkdown(const std::vector<TierRow>& rows) {
  std::string text = absl::StrCat(
      "## Implementation tiers\n\nNIST CSF tiers from what Postura knows (docs/metrics.md, "
      "\"Implementation tiers\"): Risk Informed needs half the outcomes evaluated, a mean "
      "level of 0.33 and targets on half the assets; Repeatable 80% evaluated and at most 5% "
      "of evidence expired; Adaptive gaps closed within 30 days (p90, and none open longer) "
      "in the last 90 days and an organisation index not lower than 30 days ago. A "
      "function's trend is the organisation's: there is no history per function yet.\n\n",
      MarkdownHeader({"scope", "tier", "facts"}));
  for (const TierRow& row : rows) {
    text += MarkdownRow({row.key == "organization" ? "organisation" : row.key + " " + row.name,
                         absl::StrCat(static_cast<int>(row.decision.tier), " ",
                                      crosswalk::TierName(row.decision.tier)),
                         absl::StrJoin(row.decision.facts, "; ")});
  }
  return text + "\n";
}

nlohmann::ordered_json TiersJson(const std::vector<TierRow>& rows) {
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  for (const TierRow& row : rows) {
    json.push_back({{"scope", row.key},
                    {"name", row.name},
                    {"tier", static_cast<int>(row.decision.tier)},
                    {"tierName", crosswalk::TierName(row.decision.tier)},
                    {"facts", row.decision.facts}});
  }
  return json;
}

}  // namespace postura::cli
