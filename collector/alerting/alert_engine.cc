#include "collector/alerting/alert_engine.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "glog/logging.h"

namespace postura::collector {
namespace {

constexpr int kMaxAssetsPerStep = 1000;

std::vector<absl::Duration> HoldDowns(const std::vector<AlertRuleOptions>& rules) {
  std::vector<absl::Duration> hold_downs;
  for (const AlertRuleOptions& rule : rules) hold_downs.push_back(rule.hold_down);
  return hold_downs;
}

bool HasAssetRules(const std::vector<AlertRuleOptions>& rules) {
  for (const AlertRuleOptions& rule : rules) {
    if (IsAssetKind(rule.kind)) return true;
  }
  return false;
}

}  // namespace

AlertEngine::AlertEngine(EvidenceStore& store, LiveScorer& scorer, const Registry& registry,
                         const Catalog& catalog, Clock& clock, const AlertingOptions& options,
                         absl::Time counted_from)
    : store_(store),
      scorer_(scorer),
      registry_(registry),
      clock_(clock),
      options_(options),
      started_(counted_from),
      tracker_(HoldDowns(options_.rules)),
      rules_(options_.rules, catalog),
      firing_by_rule_(options_.rules.size(), 0),
      transitions_by_rule_(options_.rules.size(), 0) {}

absl::StatusOr<std::unique_ptr<AlertEngine>> AlertEngine::Start(
    EvidenceStore& store, LiveScorer& scorer, const Registry& registry, const Catalog& catalog,
    Clock& clock, const AlertingOptions& options, std::vector<AlertSinkEntry> sinks,
    std::optional<AgentSilenceBaseline> baseline) {
  std::unique_ptr<AlertEngine> engine(
      new AlertEngine(store, scorer, registry, catalog, clock, options,
                      baseline ? baseline->counted_from : clock.TimeNow()));
  if (baseline) {
    absl::MutexLock lock(&engine->seen_mu_);
    engine->last_batch_ = std::move(baseline->last_batch);
  }
  std::vector<std::string> names;
  for (const AlertSinkEntry& entry : sinks) names.push_back(entry.sink->name());
  absl::StatusOr<std::unique_ptr<AlertOutbox>> outbox = AlertOutbox::Open(store, names);
  if (!outbox.ok()) return outbox.status();
  engine->outbox_ = *std::move(outbox);
  engine->sinks_ = std::move(sinks);
  {
    absl::MutexLock lock(&engine->step_mu_);
    if (absl::Status s = engine->Restore(); !s.ok()) return s;
    if (absl::Status s = engine->RestoreConflicts(); !s.ok()) return s;
  }
  if (HasAssetRules(options.rules)) {
    engine->watcher_ = scorer.Watch(WatchFilter{}, [raw = engine.get()] { raw->Wake(); });
  }
  for (AlertSinkEntry& entry : engine->sinks_) {
    engine->deliveries_.push_back(
        std::make_unique<AlertDelivery>(*engine->outbox_, *entry.sink, entry.policy));
  }
  engine->thread_ = std::thread([raw = engine.get()] { raw->Run(); });
  LOG(INFO) << "Alerting: " << options.rules.size() << " rules, " << engine->sinks_.size()
            << " sinks, " << engine->outbox_->depth() << " transitions waiting in the outbox, "
            << engine->outbox_->firing_at_open().size() << " alerts firing";
  return engine;
}

AlertEngine::~AlertEngine() { Stop(); }

void AlertEngine::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_.Notify();
  Wake();
  if (watcher_) watcher_->Close();
  if (thread_.joinable()) thread_.join();
  if (watcher_) scorer_.Unwatch(watcher_.get());
  if (outbox_) outbox_->Stop();
  for (std::unique_ptr<AlertDelivery>& delivery : deliveries_) delivery->Join();
}

int AlertEngine::RuleIndex(const std::string& name) const {
  for (int i = 0; i < static_cast<int>(options_.rules.size()); ++i) {
    if (options_.rules[i].name == name) return i;
  }
  return -1;
}

absl::Status AlertEngine::Restore() {
  const absl::Time now = clock_.TimeNow();
  for (const v1::AlertTransition& fired : outbox_->firing_at_open()) {
    const int rule = RuleIndex(fired.rule());
    if (rule >= 0 && AlertKindName(options_.rules[rule].kind) == fired.kind()) {
      tracker_.RestoreFiring(rule, fired, now);
      if (options_.rules[rule].kind == AlertKind::kOutcomeLowered) {
        rules_.RestoreReference(rule, fired);
      }
      continue;
    }
    // Its rule is gone from the config: resolve it, so receivers do not wait forever.
    v1::AlertTransition resolved = fired;
    resolved.set_state(v1::AlertTransition::RESOLVED);
    resolved.set_at_unix_nanos(absl::ToUnixNanos(now));
    resolved.set_fired_at_unix_nanos(fired.at_unix_nanos());
    resolved.set_summary(absl::StrCat("rule ", fired.rule(), " (", fired.kind(),
                                      ") is no longer configured; was: ", fired.summary()));
    if (absl::Status s = outbox_->Record(resolved); !s.ok()) return s;
  }
  // Assets deleted while the collector was down: their alerts resolve.
  for (const v1::AlertTransition& fired : outbox_->firing_at_open()) {
    if (!fired.asset_id().empty() && tracker_.Knows(fired.id())) EvaluateAsset(fired.asset_id());
  }
  return absl::OkStatus();
}

void AlertEngine::Wake() {
  absl::MutexLock lock(&wake_mu_);
  woken_ = true;
}

void AlertEngine::Run() {
  while (!stopping_.HasBeenNotified()) {
    {
      absl::MutexLock lock(&wake_mu_);
      wake_mu_.AwaitWithTimeout(absl::Condition(&woken_), options_.evaluate_every);
      woken_ = false;
    }
    if (stopping_.HasBeenNotified()) return;
    absl::MutexLock lock(&step_mu_);
    if (Step(/*force_agents=*/false)) Wake();
  }
}

void AlertEngine::EvaluateNow() {
  absl::MutexLock lock(&step_mu_);
  while (Step(/*force_agents=*/true)) {
  }
}

bool AlertEngine::Step(bool force_agents) {
  bool more = false;
  if (watcher_) {
    // A bounded round, so that under a flood of score changes the due transitions are
    // still recorded between rounds; what is left waits, coalesced, in the watcher.
    more = true;
    for (int taken = 0; taken < kMaxAssetsPerStep; ++taken) {
      std::optional<v1::ScoreUpdate> update = watcher_->TryTake();
      if (!update) {
        more = false;
        break;
      }
      EvaluateAsset(update->summary().asset_id());
    }
  }
  EvaluateAgents(force_agents);
  EvaluateConflicts(force_agents);
  EvaluateSources(force_agents);
  RecordDue();
  return more;
}

void AlertEngine::EvaluateAsset(const std::string& asset_id) {
  const absl::Time now = clock_.TimeNow();
  AssetObservations found;
  if (std::optional<AssetSnapshot> snapshot = scorer_.Snapshot(asset_id)) {
    std::optional<v1::Asset> asset = registry_.FindAsset(asset_id);
    found = rules_.EvaluateAsset(*snapshot, asset ? asset->name() : "", tracker_);
  } else {
    rules_.ForgetAsset(asset_id);
  }
  absl::flat_hash_set<std::string> seen;
  for (const AlertObservation& observation : found.observations) {
    tracker_.Observe(observation, now);
    seen.insert(observation.facts.id());
  }
  // Known alerts of the asset whose condition was not seen hold no more.
  for (const std::string& id : tracker_.AlertsOfAsset(asset_id)) {
    if (seen.contains(id) || found.unknown.contains(id)) continue;
    AlertObservation clear;
    clear.condition = false;
    clear.facts.set_id(id);
    tracker_.Observe(clear, now);
  }
}

AgentSilenceBaseline AlertEngine::SilenceBaseline() const {
  absl::MutexLock lock(&seen_mu_);
  return {.counted_from = started_, .last_batch = last_batch_};
}

std::vector<AgentLastBatch> AlertEngine::AgentsLastBatch() const {
  std::vector<v1::Agent> agents = registry_.ListAgents();
  std::vector<AgentLastBatch> last;
  last.reserve(agents.size());
  absl::MutexLock lock(&seen_mu_);
  for (const v1::Agent& agent : agents) {
    auto it = last_batch_.find(agent.id());
    // Progress records carry no time: an agent not heard from since start counts from it.
    last.push_back({agent.id(), it == last_batch_.end() ? started_ : it->second});
  }
  return last;
}

void AlertEngine::EvaluateAgents(bool force) {
  bool any = false;
  for (const AlertRuleOptions& rule : options_.rules) any |= rule.kind == AlertKind::kAgentSilent;
  if (!any) return;
  const absl::Time real_now = absl::Now();
  if (!force && real_now - agents_evaluated_ < options_.evaluate_every) return;
  agents_evaluated_ = real_now;
  const absl::Time now = clock_.TimeNow();
  for (const AlertObservation& observation :
       rules_.EvaluateAgents(AgentsLastBatch(), now, tracker_)) {
    tracker_.Observe(observation, now);
  }
}

absl::Status AlertEngine::RestoreConflicts() {
  bool any = false;
  for (const AlertRuleOptions& rule : options_.rules) {
    any |= rule.kind == AlertKind::kCredentialConflict;
  }
  if (!any) return absl::OkStatus();
  absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> progress =
      store_.LoadProgress();
  if (!progress.ok()) return progress.status();
  const absl::Time since = clock_.TimeNow() - kCredentialConflictSpan;
  absl::MutexLock lock(&seen_mu_);
  for (const auto& [agent_id, agent] : *progress) {
    const absl::Time at = absl::FromUnixNanos(agent.last_conflict_unix_nanos);
    if (agent.last_conflict_unix_nanos == 0 || at < since) continue;
    conflicts_[agent_id] = {
        .agent_id = agent_id, .last_at = at, .conflicts = agent.sequence_conflicts};
  }
  return absl::OkStatus();
}

void AlertEngine::OnSequenceConflict(const AgentConflict& conflict) {
  absl::MutexLock lock(&seen_mu_);
  conflicts_[conflict.agent_id] = conflict;
}

void AlertEngine::EvaluateConflicts(bool force) {
  bool any = false;
  for (const AlertRuleOptions& rule : options_.rules) {
    any |= rule.kind == AlertKind::kCredentialConflict;
  }
  if (!any) return;
  const absl::Time real_now = absl::Now();
  if (!force && real_now - conflicts_evaluated_ < options_.evaluate_every) return;
  conflicts_evaluated_ = real_now;
  const absl::Time now = clock_.TimeNow();
  std::vector<AgentConflict> conflicts;
  {
    absl::MutexLock lock(&seen_mu_);
    absl::erase_if(conflicts_, [&](const auto& entry) {
      return now - entry.second.last_at >= kCredentialConflictSpan;
    });
    for (const auto& [agent_id, conflict] : conflicts_) conflicts.push_back(conflict);
  }
  for (const AlertObservation& observation : rules_.EvaluateConflicts(conflicts, now, tracker_)) {
    tracker_.Observe(observation, now);
  }
}

void AlertEngine::SetSources(AlertSources sources) {
  absl::MutexLock lock(&source_mu_);
  sources_ = std::move(sources);
}

void AlertEngine::EvaluateSources(bool force) {
  bool any = false;
  for (const AlertRuleOptions& rule : options_.rules) {
    any |= IsWorkflowKind(rule.kind) || rule.kind == AlertKind::kSectorOutcomeDegraded;
  }
  if (!any) return;
  const absl::Time real_now = absl::Now();
  if (!force && real_now - sources_evaluated_ < options_.evaluate_every) return;
  sources_evaluated_ = real_now;
  std::optional<std::vector<WorkflowDeadline>> deadlines;
  std::optional<SectorDegradations> sector;
  {
    // Held while the sources run, so that clearing them waits for a call in progress.
    absl::MutexLock lock(&source_mu_);
    if (sources_.workflow) deadlines = sources_.workflow();
    if (sources_.sector) sector = sources_.sector();
  }
  const absl::Time now = clock_.TimeNow();
  std::vector<AlertObservation> observations;
  if (deadlines) observations = EvaluateWorkflow(options_.rules, *deadlines, now, tracker_);
  if (sector) {
    for (AlertObservation& observation : EvaluateSector(options_.rules, *sector, tracker_)) {
      observations.push_back(std::move(observation));
    }
  }
  for (const AlertObservation& observation : observations) tracker_.Observe(observation, now);
}

void AlertEngine::RecordDue() {
  const absl::Time now = clock_.TimeNow();
  for (v1::AlertTransition& transition : tracker_.Due(now)) {
    if (absl::Status s = outbox_->Record(transition); !s.ok()) {
      absl::MutexLock lock(&stats_mu_);
      ++outbox_write_errors_;
      LOG_EVERY_N(ERROR, 10) << "Alerting: cannot write the outbox (will try again): " << s;
      break;  // Still due: the next round tries again.
    }
    tracker_.MarkRecorded(transition);
    LOG(INFO) << "Alert " << v1::AlertTransition::State_Name(transition.state()) << ": "
              << transition.summary() << " [" << transition.idempotency_key() << "]";
    const int rule = RuleIndex(transition.rule());
    absl::MutexLock lock(&stats_mu_);
    if (rule >= 0) ++transitions_by_rule_[rule];
  }
  std::vector<uint64_t> firing = tracker_.FiringByRule();
  absl::MutexLock lock(&stats_mu_);
  firing_by_rule_ = std::move(firing);
}

void AlertEngine::OnBatchesCommitted(const std::vector<std::string>& agent_ids) {
  const absl::Time now = clock_.TimeNow();
  absl::MutexLock lock(&seen_mu_);
  for (const std::string& agent_id : agent_ids) last_batch_[agent_id] = now;
}

AlertingStats AlertEngine::Stats() const {
  AlertingStats stats;
  {
    absl::MutexLock lock(&stats_mu_);
    for (size_t i = 0; i < options_.rules.size(); ++i) {
      stats.firing_by_rule[options_.rules[i].name] = firing_by_rule_[i];
      stats.transitions_by_rule[options_.rules[i].name] = transitions_by_rule_[i];
    }
    stats.outbox_write_errors = outbox_write_errors_;
  }
  for (const auto& [name, depth] : outbox_->Depths()) {
    stats.sinks[name].outbox_depth = depth.waiting;
    stats.sinks[name].oldest_waiting_unix_nanos = depth.oldest_unix_nanos;
  }
  for (const std::unique_ptr<AlertDelivery>& delivery : deliveries_) {
    const DeliveryCounters counters = delivery->counters();
    AlertingStats::Sink& sink = stats.sinks[delivery->sink_name()];
    sink.deliveries_ok = counters.ok;
    sink.deliveries_failed = counters.failed;
    sink.deliveries_dropped = counters.dropped;
  }
  stats.outbox_depth = outbox_->depth();
  return stats;
}

}  // namespace postura::collector
