#include "collector/alerting/alert_sector.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace postura::collector {

std::string SectorAlertId(absl::string_view rule, absl::string_view outcome_id) {
  return absl::StrCat(rule, "/sector/", outcome_id);
}

std::vector<AlertObservation> EvaluateSector(const std::vector<AlertRuleOptions>& rules,
                                             const SectorDegradations& degradations,
                                             const AlertTracker& tracker) {
  std::vector<AlertObservation> observations;
  for (int rule = 0; rule < static_cast<int>(rules.size()); ++rule) {
    const AlertRuleOptions& options = rules[rule];
    if (options.kind != AlertKind::kSectorOutcomeDegraded) continue;
    absl::flat_hash_set<std::string> seen;
    for (const SectorDegradations::Outcome& outcome : degradations.outcomes) {
      v1::AlertTransition& facts = AppendHolding(observations, rule, options,
                                                 SectorAlertId(options.name, outcome.outcome_id));
      seen.insert(facts.id());
      facts.set_outcome_id(outcome.outcome_id);
      const size_t count = outcome.organisations.size();
      facts.set_summary(absl::StrCat("outcome ", outcome.outcome_id, " fell in ", count,
                                     count == 1 ? " organisation (" : " organisations (",
                                     absl::StrJoin(outcome.organisations, ", "), ")"));
      auto& details = *facts.mutable_details();
      details["organisations"] = absl::StrJoin(outcome.organisations, ",");
      details["latestFall"] =
          absl::FormatTime(absl::RFC3339_sec, outcome.latest_fall, absl::UTCTimeZone());
    }
    if (!degradations.whole_window) continue;  // An unlisted outcome may have fallen before.
    AppendClearedExcept(observations, rule, seen, tracker);
  }
  return observations;
}

}  // namespace postura::collector
