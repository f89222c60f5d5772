#include "collector/alerting/alert_rules.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/model/level.h"

namespace postura::collector {
namespace {

std::string Figure(double value) { return absl::StrFormat("%.4f", value); }

std::optional<Level> LevelFromName(absl::string_view name) {
  for (Level level : kAllLevels) {
    if (LevelName(level) == name) return level;
  }
  return std::nullopt;
}

}  // namespace

AlertRules::AlertRules(const std::vector<AlertRuleOptions>& rules, const Catalog& catalog)
    : rules_(rules), catalog_(catalog), references_(rules.size()) {}

std::string AlertRules::AssetAlertId(absl::string_view rule, absl::string_view asset_id) {
  return absl::StrCat(rule, "/asset/", asset_id);
}

std::string AlertRules::OutcomeAlertId(absl::string_view rule, absl::string_view asset_id,
                                       absl::string_view outcome_id) {
  return absl::StrCat(rule, "/outcome/", asset_id, "/", outcome_id);
}

std::string AlertRules::AgentAlertId(absl::string_view rule, absl::string_view agent_id) {
  return absl::StrCat(rule, "/agent/", agent_id);
}

AssetObservations AlertRules::EvaluateAsset(const AssetSnapshot& snapshot,
                                            const std::string& asset_name,
                                            const AlertTracker& tracker) {
  AssetObservations out;
  for (int rule = 0; rule < static_cast<int>(rules_.size()); ++rule) {
    if (!rules_[rule].Covers(snapshot.summary)) continue;
    switch (rules_[rule].kind) {
      case AlertKind::kTargetMissed:
        TargetMissed(rule, snapshot, asset_name, out);
        break;
      case AlertKind::kEvidenceStale:
        EvidenceStale(rule, snapshot, asset_name, out);
        break;
      case AlertKind::kOutcomeLowered:
        OutcomeLowered(rule, snapshot, asset_name, tracker, out);
        break;
      case AlertKind::kAgentSilent:
      case AlertKind::kEvidenceRequestOverdue:
      case AlertKind::kEvidenceRenewalDue:
      case AlertKind::kExceptionExpiring:
      case AlertKind::kCredentialConflict:
      case AlertKind::kSectorOutcomeDegraded:
        break;
    }
  }
  return out;
}

v1::AlertTransition AlertRules::AssetFacts(int rule, const AssetSnapshot& snapshot,
                                           const std::string& asset_name) const {
  v1::AlertTransition facts;
  facts.set_rule(rules_[rule].name);
  facts.set_kind(std::string(AlertKindName(rules_[rule].kind)));
  facts.set_asset_id(snapshot.summary.asset_id());
  facts.set_asset_name(asset_name);
  facts.set_department_id(snapshot.summary.department_id());
  facts.set_supplier_id(snapshot.summary.supplier_id());
  return facts;
}

void AlertRules::TargetMissed(int rule, const AssetSnapshot& snapshot,
                              const std::string& asset_name, AssetObservations& out) const {
  const v1::AssetSummary& summary = snapshot.summary;
  if (summary.target_count() == 0 || summary.targets_met()) return;
  AlertObservation& observation = out.observations.emplace_back();
  observation.rule = rule;
  observation.condition = true;
  observation.facts = AssetFacts(rule, snapshot, asset_name);
  v1::AlertTransition& facts = observation.facts;
  facts.set_id(AssetAlertId(rules_[rule].name, summary.asset_id()));
  facts.set_summary(absl::StrCat("asset ", summary.asset_id(), " does not meet all of its ",
                                 summary.target_count(), " targets (target coverage ",
                                 Figure(summary.target_coverage()), ")"));
  auto& details = *facts.mutable_details();
  details["targetCount"] = absl::StrCat(summary.target_count());
  details["targetCoverage"] = Figure(summary.target_coverage());
  details["value"] = Figure(summary.value());
  details["adjustedValue"] = Figure(summary.adjusted_value());
}

void AlertRules::EvidenceStale(int rule, const AssetSnapshot& snapshot,
                               const std::string& asset_name, AssetObservations& out) const {
  const ScoringModel& model = catalog_.model(snapshot.group);
  for (int outcome = 0; outcome < static_cast<int>(snapshot.cells.size()); ++outcome) {
    if (snapshot.cells[outcome].state != CellState::kStale || !model.OutcomeApplies(outcome)) {
      continue;
    }
    const std::string& outcome_id = catalog_.outcomes()[outcome].id;
    AlertObservation& observation = out.observations.emplace_back();
    observation.rule = rule;
    observation.condition = true;
    observation.facts = AssetFacts(rule, snapshot, asset_name);
    v1::AlertTransition& facts = observation.facts;
    facts.set_id(OutcomeAlertId(rules_[rule].name, snapshot.summary.asset_id(), outcome_id));
    facts.set_outcome_id(outcome_id);
    facts.set_summary(absl::StrCat("outcome ", outcome_id, " on asset ",
                                   snapshot.summary.asset_id(),
                                   " has no live evidence: its evidence expired"));
  }
}

void AlertRules::OutcomeLowered(int rule, const AssetSnapshot& snapshot,
                                const std::string& asset_name, const AlertTracker& tracker,
                                AssetObservations& out) {
  const ScoringModel& model = catalog_.model(snapshot.group);
  std::vector<int8_t>& references = references_[rule][snapshot.summary.asset_id()];
  references.resize(snapshot.cells.size(), kNoReference);
  for (int outcome = 0; outcome < static_cast<int>(snapshot.cells.size()); ++outcome) {
    if (!model.OutcomeApplies(outcome)) continue;
    const Cell& cell = snapshot.cells[outcome];
    const std::string& outcome_id = catalog_.outcomes()[outcome].id;
    const std::string id =
        OutcomeAlertId(rules_[rule].name, snapshot.summary.asset_id(), outcome_id);
    if (cell.state != CellState::kLive) {
      if (tracker.Knows(id)) out.unknown.insert(id);
      continue;
    }
    const int8_t level = static_cast<int8_t>(cell.level);
    const int8_t reference = references[outcome];
    const bool eligible =
        !rules_[rule].only_from_full || reference == static_cast<int8_t>(Level::kDli100);
    if (reference == kNoReference || level >= reference || !eligible) {
      references[outcome] = level;
      continue;
    }
    AlertObservation& observation = out.observations.emplace_back();
    observation.rule = rule;
    observation.condition = true;
    observation.facts = AssetFacts(rule, snapshot, asset_name);
    v1::AlertTransition& facts = observation.facts;
    facts.set_id(id);
    facts.set_outcome_id(outcome_id);
    const absl::string_view before = LevelName(static_cast<Level>(reference));
    const absl::string_view after = LevelName(cell.level);
    facts.set_summary(absl::StrCat("outcome ", outcome_id, " on asset ",
                                   snapshot.summary.asset_id(), " fell from ", before, " to ",
                                   after));
    (*facts.mutable_details())["levelBefore"] = std::string(before);
    (*facts.mutable_details())["levelAfter"] = std::string(after);
  }
}

void AlertRules::ForgetAsset(const std::string& asset_id) {
  for (auto& by_asset : references_) by_asset.erase(asset_id);
}

void AlertRules::RestoreReference(int rule, const v1::AlertTransition& fired) {
  std::optional<int> outcome = catalog_.FindOutcome(fired.outcome_id());
  auto before = fired.details().find("levelBefore");
  if (!outcome || before == fired.details().end()) return;
  std::optional<Level> level = LevelFromName(before->second);
  if (!level) return;
  std::vector<int8_t>& references = references_[rule][fired.asset_id()];
  references.resize(catalog_.outcomes().size(), kNoReference);
  references[*outcome] = static_cast<int8_t>(*level);
}

std::vector<AlertObservation> AlertRules::EvaluateAgents(const std::vector<AgentLastBatch>& agents,
                                                         absl::Time now,
                                                         const AlertTracker& tracker) const {
  std::vector<AlertObservation> observations;
  for (int rule = 0; rule < static_cast<int>(rules_.size()); ++rule) {
    if (rules_[rule].kind != AlertKind::kAgentSilent) continue;
    absl::flat_hash_set<std::string> seen;
    for (const AgentLastBatch& agent : agents) {
      AlertObservation& observation = observations.emplace_back();
      observation.rule = rule;
      v1::AlertTransition& facts = observation.facts;
      facts.set_id(AgentAlertId(rules_[rule].name, agent.agent_id));
      seen.insert(facts.id());
      const absl::Duration silent = now - agent.last_batch;
      observation.condition = silent >= rules_[rule].silent_for;
      facts.set_rule(rules_[rule].name);
      facts.set_kind(std::string(AlertKindName(AlertKind::kAgentSilent)));
      facts.set_agent_id(agent.agent_id);
      facts.set_summary(absl::StrCat("agent ", agent.agent_id, " sent no batch for ",
                                     absl::FormatDuration(absl::Trunc(silent, absl::Seconds(1))),
                                     " (rule: ", absl::FormatDuration(rules_[rule].silent_for),
                                     ")"));
      (*facts.mutable_details())["lastBatchAt"] =
          absl::FormatTime(absl::RFC3339_sec, agent.last_batch, absl::UTCTimeZone());
    }
    for (const std::string& id : tracker.AlertsOfRule(rule)) {
      if (seen.contains(id)) continue;
      AlertObservation& gone = observations.emplace_back();  // The agent was deleted.
      gone.rule = rule;
      gone.condition = false;
      gone.facts = *tracker.Facts(id);
    }
  }
  return observations;
}

std::vector<AlertObservation> AlertRules::EvaluateConflicts(
    const std::vector<AgentConflict>& conflicts, absl::Time now,
    const AlertTracker& tracker) const {
  std::vector<AlertObservation> observations;
  for (int rule = 0; rule < static_cast<int>(rules_.size()); ++rule) {
    if (rules_[rule].kind != AlertKind::kCredentialConflict) continue;
    absl::flat_hash_set<std::string> seen;
    for (const AgentConflict& conflict : conflicts) {
      if (now - conflict.last_at >= kCredentialConflictSpan) continue;
      AlertObservation& observation = observations.emplace_back();
      observation.rule = rule;
      observation.condition = true;
      v1::AlertTransition& facts = observation.facts;
      facts.set_id(AgentAlertId(rules_[rule].name, conflict.agent_id));
      seen.insert(facts.id());
      facts.set_rule(rules_[rule].name);
      facts.set_kind(std::string(AlertKindName(AlertKind::kCredentialConflict)));
      facts.set_agent_id(conflict.agent_id);
      const std::string at =
          absl::FormatTime(absl::RFC3339_sec, conflict.last_at, absl::UTCTimeZone());
      facts.set_summary(absl::StrCat(
          "agent ", conflict.agent_id, ": a batch was refused as a sequence conflict at ", at,
          conflict.peer.empty() ? "" : absl::StrCat(" from ", conflict.peer),
          "; another party may hold its credential (revoke it and enroll the agent again)"));
      auto& details = *facts.mutable_details();
      details["lastConflictAt"] = at;
      if (!conflict.peer.empty()) details["peer"] = conflict.peer;
      if (conflict.sequence != 0) details["sequence"] = absl::StrCat(conflict.sequence);
      if (conflict.conflicts != 0) details["conflicts"] = absl::StrCat(conflict.conflicts);
    }
    for (const std::string& id : tracker.AlertsOfRule(rule)) {
      if (seen.contains(id)) continue;
      AlertObservation& clear = observations.emplace_back();  // Quiet for the span.
      clear.rule = rule;
      clear.condition = false;
      clear.facts = *tracker.Facts(id);
    }
  }
  return observations;
}

}  // namespace postura::collector
