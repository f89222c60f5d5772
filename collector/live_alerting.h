#ifndef POSTURA_COLLECTOR_LIVE_ALERTING_H_
#define POSTURA_COLLECTOR_LIVE_ALERTING_H_

// Alerting that a reload can change while the collector serves: holds the running alert
// engine (none while no rule is configured) and, when the config's `alerting` section
// changed, replaces it with one built from the new rules and sinks. The engine's state is
// durable (the outbox keeps firing alerts and undelivered transitions), so the successor
// restores it: alerts of rules that remain keep firing, those of removed rules resolve,
// and agents' silence keeps counting from the same instants (from the reload when alerting
// was off before it: batches are not tracked while no engine runs).
//
// A replacement builds the new sinks first: a bad one refuses the reload and the running
// engine keeps going. If the new engine then fails to start, the old rules and sinks are
// started again and the reload is refused.
//
// Built by CollectorServer after the live scorer; the ingest writer's thread calls
// OnBatchesCommitted, /metrics calls Stats, a reload calls Replace. Threading: all methods
// from any thread; Replace waits for calls in progress and holds new ones while the
// engines change (milliseconds: the old engine waits out a delivery in progress, at most
// its sink's timeout).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collector/alerting/alert_config.h"
#include "collector/alerting/alert_engine.h"
#include "collector/registry/registry.h"
#include "collector/scoring/live_scorer.h"
#include "collector/store/evidence_store.h"
#include "common/base/clock.h"
#include "common/model/catalog.h"

namespace postura::collector {

// The sinks `alerting` configures: its webhooks, then its syslog receivers.
// InvalidArgument naming the entry for a bad syslog receiver.
absl::StatusOr<std::vector<AlertSinkEntry>> BuildAlertSinks(const AlertingOptions& alerting);

// The borrowed parts must outlive LiveAlerting, which must be destroyed before the scorer
// stops.
class LiveAlerting {
 public:
  // Starts the engine for `options` (none when it has no rules).
  static absl::StatusOr<std::unique_ptr<LiveAlerting>> Start(EvidenceStore& store,
                                                             LiveScorer& scorer,
                                                             const Registry& registry,
                                                             const Catalog& catalog, Clock& clock,
                                                             const AlertingOptions& options);
  ~LiveAlerting();  // Stops the engine.

  // Runs the engine for `options` from now on: a line saying what changed. The old engine
  // keeps running if the new sinks cannot be built; FailedPrecondition then.
  absl::StatusOr<std::string> Replace(const AlertingOptions& options);

  // True if a webhook of `options` signs with another secret than the running one of the
  // same name (the secret files were read again, the config itself may be unchanged).
  bool WebhookSecretsDiffer(const AlertingOptions& options) const;

  // Forwards to the engine, if one runs.
  void OnBatchesCommitted(const std::vector<std::string>& agent_ids);
  void OnSequenceConflict(const AgentConflict& conflict);
  // What the workflow's and the sector's rules watch (AlertEngine::SetSources), for the
  // running engine and every one a reload starts.
  void SetSources(AlertSources sources) ABSL_LOCKS_EXCLUDED(mu_, sources_mu_);
  // The engine's figures; nothing while no rule is configured.
  std::optional<AlertingStats> Stats() const;
  // Evaluates now, if an engine runs (tests).
  void EvaluateNow();

 private:
  LiveAlerting(EvidenceStore& store, LiveScorer& scorer, const Registry& registry,
               const Catalog& catalog, Clock& clock)
      : store_(store), scorer_(scorer), registry_(registry), catalog_(catalog), clock_(clock) {}
  // A started engine for `options`, or null when it has no rules.
  absl::StatusOr<std::unique_ptr<AlertEngine>> StartEngine(
      const AlertingOptions& options, std::vector<AlertSinkEntry> sinks,
      std::optional<AgentSilenceBaseline> baseline);

  EvidenceStore& store_;
  LiveScorer& scorer_;
  const Registry& registry_;
  const Catalog& catalog_;
  Clock& clock_;
  mutable absl::Mutex mu_;  // Readers forward to the engine; Replace writes.
  std::unique_ptr<AlertEngine> engine_ ABSL_GUARDED_BY(mu_);
  AlertingOptions options_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex sources_mu_;
  AlertSources sources_ ABSL_GUARDED_BY(sources_mu_);
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_LIVE_ALERTING_H_
