#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_TRACKER_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_TRACKER_H_

// The hold-down state machine of every alert: which alerts fire, which conditions wait
// out their hold-down, and which transitions are due. The alert engine feeds it each
// observed condition and asks it for due transitions; it records a transition durably
// and only then tells the tracker it happened (MarkFired, MarkResolved), so a failed
// write is simply due again.
//
// An alert fires once its condition has held for the rule's hold-down without a break,
// and resolves once the condition has been clear for the hold-down. A condition that
// breaks during its hold-down starts it again.
//
// Threading: not thread-safe; the engine's thread owns it.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_config.h"
#include "postura/v1/alert.pb.h"

namespace postura::collector {

// One observation of an alert's condition. `facts` describes the alert when the
// condition holds: id, rule, kind, subject (asset, outcome, agent), summary and details;
// its state, times and sequence are the tracker's and the outbox's to fill.
struct AlertObservation {
  int rule = 0;  // Position of the rule in the engine's list.
  bool condition = false;
  v1::AlertTransition facts;
};

class AlertTracker {
 public:
  // `hold_downs`: by rule position.
  explicit AlertTracker(std::vector<absl::Duration> hold_downs);

  // An alert that was firing when the collector stopped (from the store): it fires still,
  // and resolves once its condition is seen clear for the hold-down.
  void RestoreFiring(int rule, const v1::AlertTransition& fired, absl::Time now);

  // Notes the alert's condition at `now`. A clear condition of an alert the tracker does
  // not know is ignored.
  void Observe(const AlertObservation& observation, absl::Time now);

  // Transitions due at `now` (FIRING or RESOLVED), with at_unix_nanos, condition_since and
  // fired_at filled in. They stay due until marked.
  std::vector<v1::AlertTransition> Due(absl::Time now) const;
  // Marks a due transition as recorded: the alert fires, or resolves and is forgotten.
  void MarkRecorded(const v1::AlertTransition& transition);

  // Ids of the alerts known (firing, or waiting for a hold-down) whose asset is `asset_id`.
  std::vector<std::string> AlertsOfAsset(const std::string& asset_id) const;
  // Ids of all known alerts of rule `rule`.
  std::vector<std::string> AlertsOfRule(int rule) const;
  // Whether the alert is known (firing, or its condition waits out a hold-down).
  bool Knows(const std::string& id) const { return alerts_.contains(id); }
  bool Firing(const std::string& id) const;
  // The facts of a known alert (as last observed true, or restored); nullptr if unknown.
  const v1::AlertTransition* Facts(const std::string& id) const;

  // Alerts firing now, by rule position.
  std::vector<uint64_t> FiringByRule() const;
  // When the earliest hold-down ends; InfiniteFuture if none waits.
  absl::Time NextDue() const;

 private:
  struct Alert {
    int rule = 0;
    bool condition = false;
    absl::Time condition_since;  // When `condition` last changed.
    absl::Time first_seen;       // When the condition began before firing.
    bool firing = false;
    int64_t fired_at_unix_nanos = 0;
    v1::AlertTransition facts;
  };
  bool Waiting(const Alert& alert) const { return alert.condition != alert.firing; }
  void Forget(const std::string& id);

  std::vector<absl::Duration> hold_downs_;
  absl::flat_hash_map<std::string, Alert> alerts_;
  absl::flat_hash_set<std::string> waiting_;  // Ids whose condition differs from firing.
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_asset_;
};

// Appends an observation that alert `id` of rule `rule` (configured as `options`) holds,
// with the facts' id, rule and kind set; the caller fills in the rest of them.
v1::AlertTransition& AppendHolding(std::vector<AlertObservation>& out, int rule,
                                   const AlertRuleOptions& options, std::string id);

// Appends a clear observation for every alert of rule `rule` that `tracker` knows and
// `holding` does not list.
void AppendClearedExcept(std::vector<AlertObservation>& out, int rule,
                         const absl::flat_hash_set<std::string>& holding,
                         const AlertTracker& tracker);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_TRACKER_H_
