#include "collector/api/past_queries.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/api/time_wire.h"
#include "collector/history/history_keys.h"
#include "common/model/implementation_group.h"

namespace postura::collector {
namespace {

absl::Status NoAsset(absl::string_view asset_id) {
  return absl::NotFoundError(absl::StrCat("no asset '", asset_id, "'"));
}

// Every outcome of an asset's score, by id.
std::map<std::string, const v1::OutcomeScore*> OutcomesOf(const v1::AssetScore& score) {
  std::map<std::string, const v1::OutcomeScore*> outcomes;
  for (const v1::FunctionScore& function : score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        outcomes[outcome.id()] = &outcome;
      }
    }
  }
  return outcomes;
}

v1::LevelAndState LevelAndStateOf(const v1::OutcomeScore& outcome) {
  v1::LevelAndState result;
  result.set_level(outcome.level());
  result.set_state(outcome.state());
  return result;
}

}  // namespace

PastQueries::PastQueries(const PastQueriesSources& sources)
    : sources_(sources), past_(*sources.store, *sources.catalog), history_(*sources.store) {}

PastWindow PastQueries::Window() const {
  const absl::Time now = sources_.clock->TimeNow();
  return PastWindow{
      .began = sources_.began,
      .earliest = std::min(now, std::max(sources_.began, now - sources_.evidence_retention)),
      .now = now};
}

absl::StatusOr<absl::Time> PastQueries::PastInstant(absl::string_view field, int64_t unix_nanos,
                                                    bool within_retention) const {
  if (unix_nanos <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, " must be a time after 1970"));
  }
  const absl::Time at = absl::FromUnixNanos(unix_nanos);
  const absl::Time now = sources_.clock->TimeNow();
  if (at > now) {
    return absl::InvalidArgumentError(absl::StrCat(field, " ", TimeText(at),
                                                   " is in the future (the collector's time is ",
                                                   TimeText(now), ")"));
  }
  if (at < sources_.began) {
    return absl::InvalidArgumentError(absl::StrCat(field, " ", TimeText(at),
                                                   " is before the store began recording, at ",
                                                   TimeText(sources_.began)));
  }
  if (within_retention && at < now - sources_.evidence_retention) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", TimeText(at), " is older than the evidence retention (",
                     absl::FormatDuration(sources_.evidence_retention),
                     "): evidence from then may be deleted, so the score cannot be recomputed"));
  }
  return at;
}

absl::StatusOr<std::vector<AssetDefinition>> PastQueries::AssetDefinitions(
    absl::string_view asset_id) const {
  if (!IsValidId(asset_id)) {
    return absl::InvalidArgumentError(
        "asset_id must be 1 to 128 characters from A-Z a-z 0-9 . _ -");
  }
  std::vector<AssetDefinition> definitions = sources_.scorer->Definitions(std::string(asset_id));
  if (definitions.empty()) return NoAsset(asset_id);
  return definitions;
}

absl::StatusOr<v1::AssetScore> PastQueries::AssetScoreAt(
    const std::vector<AssetDefinition>& definitions, absl::Time at) const {
  absl::StatusOr<PastAsset> past = past_.Asset(definitions, at);
  if (!past.ok()) return past.status();
  return sources_.queries->AssetScoreFrom(past->snapshot, std::move(past->sources));
}

absl::StatusOr<v1::AssetScore> PastQueries::GetAssetScore(
    const v1::GetAssetScoreRequest& request) const {
  absl::StatusOr<std::vector<AssetDefinition>> definitions = AssetDefinitions(request.asset_id());
  if (!definitions.ok()) return definitions.status();
  absl::StatusOr<absl::Time> at = PastInstant("as_of", request.as_of_unix_nanos(), true);
  if (!at.ok()) return at.status();
  return AssetScoreAt(*definitions, *at);
}

absl::StatusOr<v1::OrganizationScore> PastQueries::GetOrganizationScore(
    const v1::GetOrganizationScoreRequest& request) const {
  absl::StatusOr<absl::Time> at = PastInstant("as_of", request.as_of_unix_nanos(), true);
  if (!at.ok()) return at.status();
  absl::StatusOr<PastOrganization> past = past_.Organization(sources_.scorer->Definitions(), *at);
  if (!past.ok()) return past.status();
  return sources_.queries->NameRollups(std::move(past->score));
}

absl::StatusOr<std::string> PastQueries::Subject(const v1::GetScoreHistoryRequest& request) const {
  const int subjects = !request.asset_id().empty() + request.organization() +
                       !request.implementation_group().empty() + !request.department_id().empty() +
                       !request.supplier_id().empty();
  if (subjects != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of asset_id, organization, implementation_group, department_id and "
        "supplier_id");
  }
  if (!request.asset_id().empty()) {
    absl::StatusOr<std::vector<AssetDefinition>> asset = AssetDefinitions(request.asset_id());
    if (!asset.ok()) return asset.status();
    return AssetSubject(request.asset_id());
  }
  if (request.organization()) return OrganizationSubject();
  if (!request.implementation_group().empty()) {
    if (!ParseImplementationGroup(request.implementation_group())) {
      return absl::InvalidArgumentError(absl::StrCat("implementation_group '",
                                                     request.implementation_group().substr(0, 16),
                                                     "' is not IG1, IG2 or IG3"));
    }
    return GroupSubject(request.implementation_group());
  }
  if (!request.department_id().empty()) {
    if (!sources_.registry->FindDepartment(request.department_id())) {
      return absl::NotFoundError(
          absl::StrCat("no department '", request.department_id().substr(0, 128), "'"));
    }
    return DepartmentSubject(request.department_id());
  }
  if (!sources_.registry->FindTenant(request.supplier_id())) {
    return absl::NotFoundError(
        absl::StrCat("no supplier '", request.supplier_id().substr(0, 128), "'"));
  }
  return SupplierSubject(request.supplier_id());
}

absl::StatusOr<v1::ScoreHistory> PastQueries::GetScoreHistory(
    const v1::GetScoreHistoryRequest& request) const {
  absl::StatusOr<std::string> subject = Subject(request);
  if (!subject.ok()) return subject.status();
  const absl::Time now = sources_.clock->TimeNow();
  absl::Time since = sources_.began, until = now;
  if (request.since_unix_nanos() != 0) {
    // A window may reach back before the history began ("the last 7 days" of a young
    // store): it starts when the history did. Its end may not.
    const absl::Time given = absl::FromUnixNanos(request.since_unix_nanos());
    if (given > now) {
      return PastInstant("since", request.since_unix_nanos(), false).status();
    }
    since = std::max(given, sources_.began);
  }
  if (request.until_unix_nanos() != 0) {
    absl::StatusOr<absl::Time> given = PastInstant("until", request.until_unix_nanos(), false);
    if (!given.ok()) return given.status();
    until = *given;
  }
  if (until < since) {
    return absl::InvalidArgumentError(
        absl::StrCat("since ", TimeText(since), " is after until ", TimeText(until)));
  }
  if (request.step_nanos() == 0) return history_.Points(*subject, since, until, kMaxHistoryPoints);
  const absl::Duration step = absl::Nanoseconds(request.step_nanos());
  if (step < absl::Seconds(1)) {
    return absl::InvalidArgumentError("step must be at least 1s (or 0 for every change)");
  }
  const int64_t points = (until - since) / step + 1;
  if (points > kMaxHistoryPoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("a step of ", absl::FormatDuration(step), " from ", TimeText(since), " to ",
                     TimeText(until), " gives ", points, " points; at most ", kMaxHistoryPoints,
                     ": give a longer step or a shorter window"));
  }
  return history_.Sampled(*subject, since, until, step);
}

absl::StatusOr<v1::ScoreDiff> PastQueries::GetScoreDiff(
    const v1::GetScoreDiffRequest& request) const {
  if (request.asset_id().empty() == !request.organization()) {
    return absl::InvalidArgumentError("give exactly one of asset_id and organization");
  }
  if (request.from_unix_nanos() == 0) {
    return absl::InvalidArgumentError("from is required: the instant to compare with");
  }
  if (!request.asset_id().empty()) {
    if (absl::Status s = AssetDefinitions(request.asset_id()).status(); !s.ok()) return s;
  }
  absl::StatusOr<absl::Time> from = PastInstant("from", request.from_unix_nanos(), true);
  if (!from.ok()) return from.status();
  absl::Time to = sources_.clock->TimeNow();
  if (request.to_unix_nanos() != 0) {
    absl::StatusOr<absl::Time> given = PastInstant("to", request.to_unix_nanos(), true);
    if (!given.ok()) return given.status();
    to = *given;
  }
  if (to < *from) {
    return absl::InvalidArgumentError(
        absl::StrCat("from ", TimeText(*from), " is after to ", TimeText(to)));
  }
  absl::StatusOr<v1::ScoreDiff> diff = request.organization()
                                           ? OrganizationDiff(*from, to)
                                           : AssetDiff(request.asset_id(), *from, to);
  if (!diff.ok()) return diff.status();
  *diff->mutable_from() = Timestamp(*from);
  *diff->mutable_to() = Timestamp(to);
  return diff;
}

absl::StatusOr<v1::ScoreDiff> PastQueries::AssetDiff(const std::string& asset_id, absl::Time from,
                                                     absl::Time to) const {
  absl::StatusOr<std::vector<AssetDefinition>> definitions = AssetDefinitions(asset_id);
  if (!definitions.ok()) return definitions.status();
  absl::StatusOr<v1::AssetScore> before = AssetScoreAt(*definitions, from);
  if (!before.ok()) return before.status();
  absl::StatusOr<v1::AssetScore> after = AssetScoreAt(*definitions, to);
  if (!after.ok()) return after.status();
  const std::map<std::string, const v1::OutcomeScore*> was = OutcomesOf(*before);
  v1::ScoreDiff diff;
  // In catalog order: the order the score lists its outcomes.
  for (const v1::FunctionScore& function : after->functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& now : category.outcomes()) {
        auto then = was.find(now.id());
        if (then == was.end()) continue;
        if (then->second->level() == now.level() && then->second->state() == now.state()) continue;
        v1::ScoreChange& change = *diff.add_changes();
        change.set_asset(asset_id);
        change.set_outcome(now.id());
        *change.mutable_before() = LevelAndStateOf(*then->second);
        *change.mutable_after() = LevelAndStateOf(now);
        *change.mutable_evidence() = now.has_deciding() ? now.deciding() : then->second->deciding();
      }
    }
  }
  return diff;
}

absl::StatusOr<v1::ScoreDiff> PastQueries::OrganizationDiff(absl::Time from, absl::Time to) const {
  const std::vector<AssetDefinition> definitions = sources_.scorer->Definitions();
  absl::StatusOr<PastOrganization> before = past_.Organization(definitions, from);
  if (!before.ok()) return before.status();
  absl::StatusOr<PastOrganization> after = past_.Organization(definitions, to);
  if (!after.ok()) return after.status();
  v1::ScoreDiff diff;
  // Both hold the same assets, sorted by id.
  for (size_t i = 0; i < after->summaries.size() && i < before->summaries.size(); ++i) {
    const v1::AssetSummary& then = before->summaries[i];
    const v1::AssetSummary& now = after->summaries[i];
    if (then.value() == now.value() && then.adjusted_value() == now.adjusted_value() &&
        then.targets_met() == now.targets_met()) {
      continue;
    }
    v1::ScoreChange& change = *diff.add_changes();
    change.set_asset(now.asset_id());
    change.set_value_before(then.value());
    change.set_value_after(now.value());
    change.set_adjusted_value_before(then.adjusted_value());
    change.set_adjusted_value_after(now.adjusted_value());
    change.set_targets_met_before(then.targets_met());
    change.set_targets_met_after(now.targets_met());
  }
  return diff;
}

bool PastQueries::NeedsOrganization(const v1::GetScoreHistoryRequest& request) {
  return request.asset_id().empty();
}

bool PastQueries::NeedsOrganization(const v1::GetScoreDiffRequest& request) {
  return request.asset_id().empty();
}

absl::StatusOr<v1::AssetScore> PastQueries::GetAssetScore(
    const Principal& principal, const v1::GetAssetScoreRequest& request) const {
  if (absl::Status visible = CheckAssetVisible(principal, *sources_.registry, request.asset_id());
      !visible.ok()) {
    return visible;
  }
  absl::StatusOr<v1::AssetScore> score = GetAssetScore(request);
  if (score.ok()) HideForeignLimit(principal, *score->mutable_summary());
  return score;
}

absl::StatusOr<v1::ScoreHistory> PastQueries::GetScoreHistory(
    const Principal& principal, const v1::GetScoreHistoryRequest& request) const {
  if (!request.asset_id().empty()) {
    if (absl::Status visible = CheckAssetVisible(principal, *sources_.registry, request.asset_id());
        !visible.ok()) {
      return visible;
    }
  }
  return GetScoreHistory(request);
}

absl::StatusOr<v1::ScoreDiff> PastQueries::GetScoreDiff(
    const Principal& principal, const v1::GetScoreDiffRequest& request) const {
  if (!request.asset_id().empty()) {
    if (absl::Status visible = CheckAssetVisible(principal, *sources_.registry, request.asset_id());
        !visible.ok()) {
      return visible;
    }
  }
  return GetScoreDiff(request);
}

}  // namespace postura::collector
