#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_ENGINE_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_ENGINE_H_

// The alert engine: evaluates the configured rules against live scoring and the agents'
// last batches, records each transition (after its hold-down) in the store's durable
// outbox together with the alert's state, and hands the outbox to one delivery thread per
// sink. Built by the collector's composition root after the live scorer and stopped
// before it; the API renders Stats() on /metrics.
//
// Threading: thread-safe. The engine's own thread evaluates; OnBatchesCommitted is called
// on the ingest writer's thread and only notes the time; Stats from any thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "collector/alerting/alert_config.h"
#include "collector/alerting/alert_delivery.h"
#include "collector/alerting/alert_outbox.h"
#include "collector/alerting/alert_rules.h"
#include "collector/alerting/alert_sector.h"
#include "collector/alerting/alert_sink.h"
#include "collector/alerting/alert_tracker.h"
#include "collector/alerting/alert_workflow.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"

namespace postura::collector {

// What the engine exposes for /metrics (collector/api renders it; it knows no format).
struct AlertingStats {
  // Alerts firing now, by rule name (every configured rule present, 0 when none fire).
  std::map<std::string, uint64_t> firing_by_rule;
  // Transitions ever recorded, by rule name, since start.
  std::map<std::string, uint64_t> transitions_by_rule;
  // Per sink (by AlertSink::name()).
  struct Sink {
    uint64_t outbox_depth = 0;              // Transitions waiting for this sink.
    uint64_t deliveries_ok = 0;             // Since start.
    uint64_t deliveries_failed = 0;         // Failed attempts since start (each retry counts).
    uint64_t deliveries_dropped = 0;        // Given up after max_attempts, since start.
    int64_t oldest_waiting_unix_nanos = 0;  // Of the oldest waiting transition; 0 if none.
  };
  std::map<std::string, Sink> sinks;
  // Transitions waiting in the outbox for at least one sink.
  uint64_t outbox_depth = 0;
  // Failed writes of the outbox (the engine retries them).
  uint64_t outbox_write_errors = 0;
};

// When agents were last heard, for agent_silent. A reload hands it from the engine it stops
// to the one it starts, so silence keeps counting from the same instants.
struct AgentSilenceBaseline {
  absl::Time counted_from;  // For agents not heard from since (the first engine's start).
  absl::flat_hash_map<std::string, absl::Time> last_batch;  // By agent id.
};

// Where the engine reads what its workflow and sector rules watch (SetSources).
struct AlertSources {
  WorkflowSource workflow = {};  // The evidence workflow's deadlines.
  SectorSource sector = {};      // In sector mode: the sector's degraded outcomes.
};

// A sink and how its delivery thread retries it.
struct AlertSinkEntry {
  std::unique_ptr<AlertSink> sink;
  DeliveryPolicy policy;
};

// `store`, `scorer`, `registry`, `catalog` and `clock` are borrowed and must outlive the
// engine; the engine must be stopped (or destroyed) before the scorer stops.
class AlertEngine {
 public:
  // Opens the outbox, restores the alerts that were firing, subscribes to live scoring
  // and starts the engine's thread and one delivery thread per sink. Call after the
  // scorer started. Unavailable / DataLoss if the outbox could not be read. Agents'
  // silence counts from `baseline` when given (a reload), else from now.
  static absl::StatusOr<std::unique_ptr<AlertEngine>> Start(
      EvidenceStore& store, LiveScorer& scorer, const Registry& registry, const Catalog& catalog,
      Clock& clock, const AlertingOptions& options, std::vector<AlertSinkEntry> sinks,
      std::optional<AgentSilenceBaseline> baseline = std::nullopt);
  ~AlertEngine();  // Stops.

  // Stops evaluating and delivering; waits for a delivery in progress (at most its sink's
  // timeout). What is in the outbox stays there for the next start.
  void Stop();

  // Where the rules whose subjects alerting does not hold read them: the evidence
  // workflow's deadlines (alert_workflow.h) and the sector's degraded outcomes
  // (alert_sector.h). Called on the engine's thread every evaluate_every; without a source
  // its rules observe nothing. Setting others (or none) waits for a call in progress.
  void SetSources(AlertSources sources) ABSL_LOCKS_EXCLUDED(source_mu_);

  // Notes that batches of these agents were committed now (agent_silent). Cheap; never
  // waits on the engine.
  void OnBatchesCommitted(const std::vector<std::string>& agent_ids);
  // Notes that a batch of the agent was refused as a sequence conflict (credential_conflict).
  // Cheap; never waits on the engine. Called on the ingest writer's thread.
  void OnSequenceConflict(const AgentConflict& conflict);

  // Processes every score change live scoring has published so far and records the
  // transitions due now. The engine's thread does this by itself; tests call it to wait.
  void EvaluateNow();

  AlertingStats Stats() const;

  // What a successor engine needs to count agents' silence on from here.
  AgentSilenceBaseline SilenceBaseline() const;

 private:
  AlertEngine(EvidenceStore& store, LiveScorer& scorer, const Registry& registry,
              const Catalog& catalog, Clock& clock, const AlertingOptions& options,
              absl::Time counted_from);
  absl::Status Restore();
  // Reads the agents' last conflicts from their progress records (credential_conflict).
  absl::Status RestoreConflicts();
  void EvaluateConflicts(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  void Run();
  // One round: the waiting score changes (a bounded number), the agents, then the due
  // transitions. True if score changes are still waiting.
  bool Step(bool force_agents) ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  // Wakes the thread: score changes wait, or Stop.
  void Wake();
  void EvaluateAsset(const std::string& asset_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  void EvaluateAgents(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  // The workflow's and the sector's rules, from their sources.
  void EvaluateSources(bool force) ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  void RecordDue() ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  std::vector<AgentLastBatch> AgentsLastBatch() const;
  int RuleIndex(const std::string& name) const;

  EvidenceStore& store_;
  LiveScorer& scorer_;
  const Registry& registry_;
  Clock& clock_;
  const AlertingOptions options_;
  const absl::Time started_;

  absl::Mutex step_mu_;  // One Step at a time: the thread's or EvaluateNow's.
  AlertTracker tracker_ ABSL_GUARDED_BY(step_mu_);
  AlertRules rules_ ABSL_GUARDED_BY(step_mu_);
  std::shared_ptr<Watcher> watcher_;  // Null without asset rules.
  absl::Time agents_evaluated_ ABSL_GUARDED_BY(step_mu_) = absl::InfinitePast();     // Real time.
  absl::Time conflicts_evaluated_ ABSL_GUARDED_BY(step_mu_) = absl::InfinitePast();  // Real.
  absl::Time sources_evaluated_ ABSL_GUARDED_BY(step_mu_) = absl::InfinitePast();    // Real.
  mutable absl::Mutex source_mu_;
  AlertSources sources_ ABSL_GUARDED_BY(source_mu_);
  absl::Notification stopping_;
  // The thread sleeps until woken or evaluate_every passes. Changes are taken from the
  // watcher only under step_mu_, so EvaluateNow sees every change published before it.
  absl::Mutex wake_mu_;
  bool woken_ ABSL_GUARDED_BY(wake_mu_) = false;

  mutable absl::Mutex seen_mu_;
  absl::flat_hash_map<std::string, absl::Time> last_batch_ ABSL_GUARDED_BY(seen_mu_);
  // Each agent's latest conflict: seeded from the agents' progress records at start.
  absl::flat_hash_map<std::string, AgentConflict> conflicts_ ABSL_GUARDED_BY(seen_mu_);

  mutable absl::Mutex stats_mu_;
  std::vector<uint64_t> firing_by_rule_ ABSL_GUARDED_BY(stats_mu_);
  std::vector<uint64_t> transitions_by_rule_ ABSL_GUARDED_BY(stats_mu_);
  uint64_t outbox_write_errors_ ABSL_GUARDED_BY(stats_mu_) = 0;

  std::unique_ptr<AlertOutbox> outbox_;
  std::vector<AlertSinkEntry> sinks_;
  std::vector<std::unique_ptr<AlertDelivery>> deliveries_;
  std::thread thread_;
  bool stopped_ = false;  // Stop's own; Stop runs on the owner's thread.
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_ENGINE_H_
