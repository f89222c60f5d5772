#include "cli/oscal/assessment_findings.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace postura::oscal {
namespace {

std::string LevelText(v1::Level level) {
  switch (level) {
    case v1::DLI_0:
      return "0";
    case v1::DLI_33:
      return "0.33";
    case v1::DLI_67:
      return "0.67";
    case v1::DLI_100:
      return "1";
    default:
      return "unknown";
  }
}

std::string StateToken(v1::OutcomeState state) {
  switch (state) {
    case v1::LIVE:
      return "live";
    case v1::STALE:
      return "stale";
    case v1::NO_EVIDENCE:
      return "no-evidence";
    default:
      return "unknown";
  }
}

std::string KindToken(v1::EvidenceKind kind) {
  return kind == v1::ATTESTED ? "attested" : kind == v1::OBSERVED ? "observed" : "unknown";
}

std::string OperatorSymbol(v1::TargetOperator op) {
  switch (op) {
    case v1::LESS:
      return "<";
    case v1::LESS_OR_EQUAL:
      return "<=";
    case v1::EQUAL:
      return "=";
    case v1::GREATER:
      return ">";
    default:
      return ">=";
  }
}

std::string Time(int64_t unix_nanos) { return OscalTime(absl::FromUnixNanos(unix_nanos)); }

// The document's SHA-256 of a record, or empty when it carries none (or a malformed one).
std::string DocumentSha256(const v1::StoredEvidence* record) {
  if (record == nullptr || record->evidence().content_sha256().size() != 32) return "";
  return record->evidence().content_sha256();
}

// The method of an observation: an agent's measurement is a TEST; an attestation is an
// EXAMINE when it comes with a document, else an INTERVIEW (a person's declaration).
std::string Method(const v1::SourceEvidence& source, const v1::StoredEvidence* record) {
  if (source.kind() != v1::ATTESTED) return "TEST";
  return DocumentSha256(record).empty() ? "INTERVIEW" : "EXAMINE";
}

// Who produced the evidence: the agent (a tool of the assessment platform) and, for an
// attestation, the tenant that runs the asset and declared it.
Json Origins(const v1::AssetSummary& asset, const v1::SourceEvidence& source) {
  Json actors = Json::array();
  Json tool;
  tool["type"] = "tool";
  tool["actor-uuid"] = AgentComponentUuid(source.agent_id());
  actors.push_back(tool);
  if (source.kind() == v1::ATTESTED) {
    Json attester;
    attester["type"] = "party";
    attester["actor-uuid"] = PartyUuid(asset.supplier_id().empty() ? "org" : asset.supplier_id());
    attester["role-id"] = "attester";
    actors.push_back(attester);
  }
  return Json::array({Json{{"actors", actors}}});
}

std::string ObservationUuid(absl::string_view asset_id, absl::string_view outcome_id,
                            const v1::SourceEvidence& source) {
  return StableUuid(absl::StrCat("observation/", asset_id, "/", outcome_id, "/", source.agent_id(),
                                 "/", source.check_id(), "/", source.observed_at_unix_nanos()));
}

// A back-matter resource naming a supporting document by its hash (RFC 6920 "ni" URI):
// Postura keeps only the hash, the document stays with the attester.
Json DocumentResource(const std::string& sha256) {
  const std::string hex = absl::BytesToHexString(sha256);
  Json resource;
  resource["uuid"] = DocumentResourceUuid(sha256);
  resource["title"] = absl::StrCat("Supporting document, SHA-256 ", hex.substr(0, 16), "...");
  resource["description"] =
      "A document an attester supplied with attested evidence. Postura stores only its "
      "SHA-256; the document itself stays with the attester, who can be asked for the file "
      "with this hash.";
  Json rlink;
  rlink["href"] = absl::StrCat("ni:///sha-256;", absl::WebSafeBase64Escape(sha256));
  rlink["hashes"] = Json::array({Json{{"algorithm", "SHA-256"}, {"value", hex}}});
  resource["rlinks"] = Json::array({rlink});
  return resource;
}

Json Observation(const v1::AssetSummary& asset, const v1::OutcomeScore& outcome,
                 const v1::SourceEvidence& source, const v1::StoredEvidence* record) {
  Json observation;
  observation["uuid"] = ObservationUuid(asset.asset_id(), outcome.id(), source);
  observation["title"] =
      absl::StrCat(source.check_id(), " on ", asset.asset_id(), ": ", outcome.id());
  observation["description"] =
      record != nullptr && !OscalString(record->evidence().detail(), "").empty()
          ? OscalString(record->evidence().detail(), "")
          : absl::StrCat("Check ", source.check_id(), " reported level ", LevelText(source.level()),
                         " for outcome ", outcome.id(), ".");
  Json props =
      Json::array({PosturaProp("asset", asset.asset_id()), PosturaProp("outcome", outcome.id()),
                   PosturaProp("check", source.check_id()), PosturaProp("agent", source.agent_id()),
                   PosturaProp("level", LevelText(source.level())),
                   PosturaProp("evidence-kind", KindToken(source.kind()))});
  if (record != nullptr) {
    props.push_back(PosturaProp("batch-sequence", absl::StrCat(record->sequence())));
    props.push_back(PosturaProp("batch-index", absl::StrCat(record->index())));
    props.push_back(PosturaProp("received", Time(record->received_at_unix_nanos())));
  }
  observation["props"] = props;
  const std::string document = DocumentSha256(record);
  if (!document.empty()) {
    observation["links"] =
        Json::array({Json{{"href", "#" + DocumentResourceUuid(document)}, {"rel", "evidence"}}});
  }
  observation["methods"] = Json::array({Method(source, record)});
  observation["types"] = Json::array({"control-objective"});
  observation["origins"] = Origins(asset, source);
  observation["subjects"] = Json::array(
      {Json{{"subject-uuid", AssetItemUuid(asset.asset_id())}, {"type", "inventory-item"}}});
  Json evidence;
  if (!document.empty()) evidence["href"] = "#" + DocumentResourceUuid(document);
  evidence["description"] = absl::StrCat(
      "The collector's evidence log holds this record: postura evidence ", asset.asset_id(), " ",
      outcome.id(), record == nullptr ? " (no longer in the log: past its retention)" : "");
  observation["relevant-evidence"] = Json::array({evidence});
  observation["collected"] = Time(source.observed_at_unix_nanos());
  observation["expires"] = Time(source.expires_at_unix_nanos());
  return observation;
}

const v1::TargetResult* OutcomeTarget(const v1::AssetScore& score, absl::string_view outcome_id) {
  for (const v1::TargetResult& result : score.targets()) {
    if (result.target().scope() == v1::SCOPE_OUTCOME && result.target().scope_id() == outcome_id) {
      return &result;
    }
  }
  return nullptr;
}

// Whether the outcome meets its target (an outcome target, or else full implementation)
// and, in words, why.
struct Verdict {
  bool satisfied = false;
  std::string target_operator;
  std::string target_level;
  std::string reason;
};

Verdict Judge(const v1::AssetScore& score, const v1::OutcomeScore& outcome) {
  Verdict verdict;
  const v1::TargetResult* target = OutcomeTarget(score, outcome.id());
  verdict.target_operator = target != nullptr ? OperatorSymbol(target->target().operator_()) : ">=";
  verdict.target_level = target != nullptr ? absl::StrCat(target->target().value()) : "1";
  verdict.satisfied = target != nullptr
                          ? target->met()
                          : outcome.state() == v1::LIVE && outcome.level() == v1::DLI_100;
  const std::string wanted =
      absl::StrCat(verdict.target_operator, " ", verdict.target_level,
                   target != nullptr ? " (the asset's outcome target)" : " (full implementation)");
  std::string level;
  switch (outcome.state()) {
    case v1::NO_EVIDENCE:
      level = "No evidence was ever reported for this outcome: it counts as level 0";
      break;
    case v1::STALE:
      level = "All evidence for this outcome expired: it counts as level 0";
      break;
    default:
      level = absl::StrCat("Level ", LevelText(outcome.level()));
      break;
  }
  verdict.reason = absl::StrCat(
      level, verdict.satisfied ? ", which meets the target " : ", which misses the target ", wanted,
      ".");
  return verdict;
}

Json Finding(const v1::AssetScore& score, const v1::OutcomeScore& outcome,
             const std::string& observation_uuid) {
  const v1::AssetSummary& asset = score.summary();
  const Verdict verdict = Judge(score, outcome);
  Json finding;
  finding["uuid"] = StableUuid(absl::StrCat("finding/", asset.asset_id(), "/", outcome.id()));
  finding["title"] = absl::StrCat(outcome.id(), " on ", asset.asset_id());
  finding["description"] =
      absl::StrCat(OscalString(outcome.title(), outcome.id()), " (", outcome.code(), ") on asset ",
                   asset.asset_id(), ". ", verdict.reason);
  finding["props"] = Json::array({PosturaProp("asset", asset.asset_id()),
                                  PosturaProp("level", LevelText(outcome.level())),
                                  PosturaProp("target-operator", verdict.target_operator),
                                  PosturaProp("target-level", verdict.target_level),
                                  PosturaProp("evidence-state", StateToken(outcome.state())),
                                  PosturaProp("functional-area", outcome.functional_area_id())});
  Json status;
  status["state"] = verdict.satisfied ? "satisfied" : "not-satisfied";
  status["reason"] = verdict.satisfied ? "pass" : "fail";
  status["remarks"] = verdict.reason;
  Json target;
  target["type"] = "objective-id";
  target["target-id"] = outcome.id();
  target["status"] = status;
  finding["target"] = target;
  if (!observation_uuid.empty()) {
    finding["related-observations"] = Json::array({Json{{"observation-uuid", observation_uuid}}});
  }
  return finding;
}

void NoteCollected(int64_t unix_nanos, AssessmentParts& parts) {
  if (parts.earliest_collected_unix_nanos == 0 ||
      unix_nanos < parts.earliest_collected_unix_nanos) {
    parts.earliest_collected_unix_nanos = unix_nanos;
  }
  parts.latest_collected_unix_nanos = std::max(parts.latest_collected_unix_nanos, unix_nanos);
}

void AddOutcome(const AssessedAsset& asset, const v1::OutcomeScore& outcome,
                AssessmentParts& parts) {
  std::string observation_uuid;
  if (const v1::SourceEvidence* source = ObservedSource(outcome); source != nullptr) {
    auto found = asset.records.find(outcome.id());
    const v1::StoredEvidence* record = found == asset.records.end() ? nullptr : &found->second;
    Json observation = Observation(asset.score.summary(), outcome, *source, record);
    observation_uuid = observation["uuid"].get<std::string>();
    parts.observations.push_back(std::move(observation));
    parts.agent_ids.insert(source->agent_id());
    NoteCollected(source->observed_at_unix_nanos(), parts);
    const std::string document = DocumentSha256(record);
    if (!document.empty() && parts.document_hashes.insert(document).second) {
      parts.document_resources.push_back(DocumentResource(document));
    }
  }
  parts.findings.push_back(Finding(asset.score, outcome, observation_uuid));
  parts.outcome_ids.insert(outcome.id());
}

}  // namespace

const v1::SourceEvidence* ObservedSource(const v1::OutcomeScore& outcome) {
  if (outcome.state() == v1::LIVE && outcome.has_deciding()) return &outcome.deciding();
  if (outcome.state() != v1::STALE) return nullptr;
  const v1::SourceEvidence* newest = nullptr;
  for (const v1::SourceEvidence& source : outcome.sources()) {
    if (newest == nullptr || source.observed_at_unix_nanos() > newest->observed_at_unix_nanos()) {
      newest = &source;
    }
  }
  return newest;
}

std::string PartyUuid(absl::string_view tenant_id) {
  return StableUuid(absl::StrCat("party/", tenant_id));
}
std::string AgentComponentUuid(absl::string_view agent_id) {
  return StableUuid(absl::StrCat("agent/", agent_id));
}
std::string AssetItemUuid(absl::string_view asset_id) {
  return StableUuid(absl::StrCat("asset/", asset_id));
}
std::string PlatformUuid() { return StableUuid("platform/postura-collector"); }
std::string DocumentResourceUuid(absl::string_view sha256) {
  return StableUuid(absl::StrCat("document/", absl::BytesToHexString(sha256)));
}

void AddAssetParts(const AssessedAsset& asset, AssessmentParts& parts) {
  for (const v1::FunctionScore& function : asset.score.functions()) {
    for (const v1::CategoryScore& category : function.categories()) {
      for (const v1::OutcomeScore& outcome : category.outcomes()) {
        AddOutcome(asset, outcome, parts);
      }
    }
  }
}

}  // namespace postura::oscal
