// The observations and findings of one asset in an OSCAL assessment-results document: an
// observation per evidence item that decides an outcome's level, a finding per applicable
// outcome whose target is the outcome's control in the ULEO OSCAL catalog. Called by
// assessment_results.cc; the CLI calls ObservedSource to know which evidence records to
// fetch. Pure functions of their arguments: any thread.

#ifndef POSTURA_CLI_OSCAL_ASSESSMENT_FINDINGS_H_
#define POSTURA_CLI_OSCAL_ASSESSMENT_FINDINGS_H_

#include <set>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "cli/oscal/oscal_ids.h"
#include "postura/v1/evidence.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::oscal {

// One asset as the collector scored it, with the evidence log's records of the sources its
// observations describe.
struct AssessedAsset {
  v1::AssetScore score;
  // By outcome id: the stored record of ObservedSource(outcome), when the evidence log
  // still holds it (it adds the detail, the batch and a supporting document's SHA-256).
  absl::flat_hash_map<std::string, v1::StoredEvidence> records;
};

// The source an outcome's observation describes: its deciding evidence when the outcome
// is live; for a stale outcome the newest of its expired sources (its expiry is why the
// level is 0); null when no evidence was ever reported.
const v1::SourceEvidence* ObservedSource(const v1::OutcomeScore& outcome);

// Stable UUIDs of the things observations and findings refer to.
std::string PartyUuid(absl::string_view tenant_id);  // "org" is the organisation.
std::string AgentComponentUuid(absl::string_view agent_id);
std::string AssetItemUuid(absl::string_view asset_id);
std::string PlatformUuid();
// The back-matter resource of a supporting document, by its SHA-256 (32 bytes).
std::string DocumentResourceUuid(absl::string_view sha256);

// What the assets add to the document, gathered across assets.
struct AssessmentParts {
  Json observations = Json::array();
  Json findings = Json::array();
  Json document_resources = Json::array();    // Back-matter resources, one per document.
  std::set<std::string> document_hashes;      // SHA-256s already in document_resources.
  std::set<std::string> agent_ids;            // Agents whose evidence is observed.
  std::set<std::string> outcome_ids;          // Outcomes with a finding.
  int64_t earliest_collected_unix_nanos = 0;  // 0 while there is no observation.
  int64_t latest_collected_unix_nanos = 0;
};

// Adds `asset`'s observations, findings and documents to `parts`, in catalog order.
void AddAssetParts(const AssessedAsset& asset, AssessmentParts& parts);

}  // namespace postura::oscal

#endif  // POSTURA_CLI_OSCAL_ASSESSMENT_FINDINGS_H_
