#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_SECTOR_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_SECTOR_H_

// The sector's alert kind (docs/scale.md, "Sector federation"): sector_outcome_degraded
// fires for an outcome that fell in at least `sector.degraded_min_organisations`
// organisations within `sector.degraded_window`, as the sector collector's view reports
// it, and resolves once it no longer does. Alerting knows no sector: in sector mode the
// composition root hands the engine a SectorSource (collector/sector_federation.h) that
// the engine reads on its thread every evaluate_every.
//
// The view keeps the falls it has seen since the sector collector started. Until it has
// run for a whole window, an outcome it does not list may still have fallen before the
// start, so its alert is then left as it is rather than resolved.
//
// An alert's facts carry the outcome and, in details, the organisations ("organisations",
// comma-separated ids: the sector body's staff see them; members read no alerts) and the
// newest fall ("latestFall", RFC 3339).
//
// Threading: pure functions.

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "collector/alerting/alert_config.h"
#include "collector/alerting/alert_tracker.h"

namespace postura::collector {

// What the sector's view reports now.
struct SectorDegradations {
  struct Outcome {
    std::string outcome_id;
    std::vector<std::string> organisations;  // Where it fell within the window, by id.
    absl::Time latest_fall;
  };
  std::vector<Outcome> outcomes;  // Those that fell in enough organisations.
  // The view has seen every fall of the window (it has run for at least the window).
  bool whole_window = false;
};

using SectorSource = std::function<SectorDegradations()>;

// "<rule>/sector/<outcome_id>": stable across restarts.
std::string SectorAlertId(absl::string_view rule, absl::string_view outcome_id);

// Observations of every sector_outcome_degraded rule of `rules`: true for each outcome
// listed, and, when the view covers the whole window, clear for every other alert the
// tracker knows of the rule.
std::vector<AlertObservation> EvaluateSector(const std::vector<AlertRuleOptions>& rules,
                                             const SectorDegradations& degradations,
                                             const AlertTracker& tracker);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_SECTOR_H_
