#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_RULES_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_RULES_H_

// The rules' conditions: what each kind of rule observes on one asset's live scores
// (target_missed, outcome_lowered, evidence_stale) or on the agents' last batches
// (agent_silent), as AlertObservations for the tracker (alert_tracker.h). The alert
// engine calls it on its thread for each asset live scoring reports changed, and on each
// tick for the agents.
//
// outcome_lowered compares an outcome's live level with its reference: the last live level
// seen while no alert of the rule was known for it. The reference stays put while the
// alert waits out its hold-down or fires, so the alert resolves when the level is back at
// least where it was. While the outcome has no live evidence its alert stays as it is
// (evidence_stale reports that).
//
// Threading: not thread-safe; the engine's thread owns it. `rules` and `catalog` are
// borrowed and must outlive it.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_config.h"
#include "collector/alerting/alert_tracker.h"
#include "collector/scoring/live_scorer.h"
#include "common/model/catalog.h"

namespace postura::collector {

// What the rules found on one asset.
struct AssetObservations {
  std::vector<AlertObservation> observations;
  // Known alerts of the asset whose condition cannot be told now (no live evidence for
  // an outcome_lowered alert): the engine leaves them as they are.
  absl::flat_hash_set<std::string> unknown;
};

// An agent and when it last committed a batch (or when the engine began to look).
struct AgentLastBatch {
  std::string agent_id;
  absl::Time last_batch;
};

// An agent's latest sequence conflict (credential_conflict), as the ingest writer reported
// it or, after a start, as its progress record keeps it (peer and sequence then unknown).
struct AgentConflict {
  std::string agent_id = {};
  absl::Time last_at = {};
  std::string peer = {};   // Empty: unknown.
  uint64_t sequence = 0;   // 0: unknown.
  uint64_t conflicts = 0;  // The agent's conflicts so far; 0: unknown.
};

// How long a credential_conflict alert's condition holds after the agent's last conflict.
inline constexpr absl::Duration kCredentialConflictSpan = absl::Hours(1);

class AlertRules {
 public:
  AlertRules(const std::vector<AlertRuleOptions>& rules, const Catalog& catalog);

  // Observations of every asset rule on `snapshot`. `asset_name` is the registry's name.
  // Conditions that hold are observed true; known alerts whose condition no longer holds
  // are observed clear; the rest is left out.
  AssetObservations EvaluateAsset(const AssetSnapshot& snapshot, const std::string& asset_name,
                                  const AlertTracker& tracker);
  // Forgets the asset's references (it was deleted).
  void ForgetAsset(const std::string& asset_id);
  // Sets the reference of a firing outcome_lowered alert restored from the store.
  void RestoreReference(int rule, const v1::AlertTransition& fired);

  // Observations of every agent_silent rule at `now`; true for each silent agent, clear
  // for each known alert whose agent sent a batch since or is no longer registered.
  std::vector<AlertObservation> EvaluateAgents(const std::vector<AgentLastBatch>& agents,
                                               absl::Time now, const AlertTracker& tracker) const;

  // Observations of every credential_conflict rule at `now`: true for each agent whose
  // last conflict is within kCredentialConflictSpan, clear for each other known alert.
  std::vector<AlertObservation> EvaluateConflicts(const std::vector<AgentConflict>& conflicts,
                                                  absl::Time now,
                                                  const AlertTracker& tracker) const;

  // Alert ids, stable for an alert's life (and across restarts).
  static std::string AssetAlertId(absl::string_view rule, absl::string_view asset_id);
  static std::string OutcomeAlertId(absl::string_view rule, absl::string_view asset_id,
                                    absl::string_view outcome_id);
  static std::string AgentAlertId(absl::string_view rule, absl::string_view agent_id);

 private:
  static constexpr int8_t kNoReference = -1;
  // Facts common to every alert of rule `rule` about `snapshot`'s asset.
  v1::AlertTransition AssetFacts(int rule, const AssetSnapshot& snapshot,
                                 const std::string& asset_name) const;
  void TargetMissed(int rule, const AssetSnapshot& snapshot, const std::string& asset_name,
                    AssetObservations& out) const;
  void EvidenceStale(int rule, const AssetSnapshot& snapshot, const std::string& asset_name,
                     AssetObservations& out) const;
  void OutcomeLowered(int rule, const AssetSnapshot& snapshot, const std::string& asset_name,
                      const AlertTracker& tracker, AssetObservations& out);

  const std::vector<AlertRuleOptions>& rules_;
  const Catalog& catalog_;
  // outcome_lowered: per rule position, per asset, the reference level of each outcome
  // (Level as int8_t, by catalog position; kNoReference before its first live level).
  std::vector<absl::flat_hash_map<std::string, std::vector<int8_t>>> references_;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_RULES_H_
