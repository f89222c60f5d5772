#include "cli/oscal/assessment_results.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::oscal {
namespace {

using ::testing::HasSubstr;

const absl::Time kObserved = absl::FromUnixSeconds(1'700'000'000);
const absl::Time kNow = kObserved + absl::Hours(2);

v1::SourceEvidence Source(const std::string& agent, const std::string& check, v1::Level level,
                          v1::EvidenceKind kind, absl::Time observed) {
  v1::SourceEvidence source;
  source.set_agent_id(agent);
  source.set_check_id(check);
  source.set_level(level);
  source.set_kind(kind);
  source.set_observed_at_unix_nanos(absl::ToUnixNanos(observed));
  source.set_expires_at_unix_nanos(absl::ToUnixNanos(observed + absl::Hours(1)));
  source.set_expired(observed + absl::Hours(1) < kNow);
  return source;
}

v1::OutcomeScore* AddOutcome(v1::CategoryScore& category, const std::string& id,
                             v1::OutcomeState state, v1::Level level) {
  v1::OutcomeScore* outcome = category.add_outcomes();
  outcome->set_id(id);
  outcome->set_code("CSC-" + id);
  outcome->set_title("Title of " + id);
  outcome->set_functional_area_id("FA2");
  outcome->set_state(state);
  outcome->set_level(level);
  return outcome;
}

// "web", run by supplier "cloudhost": one outcome of each kind of evidence state.
AssessedAsset WebAsset(absl::Time observed) {
  AssessedAsset asset;
  v1::AssetSummary& summary = *asset.score.mutable_summary();
  summary.set_asset_id("web");
  summary.set_name("Web portal");
  summary.set_implementation_group(v1::IG1);
  summary.set_supplier_id("cloudhost");
  v1::CategoryScore& category = *asset.score.add_functions()->add_categories();
  v1::OutcomeScore* tested = AddOutcome(category, "ID_AM_CSC_1_1", v1::LIVE, v1::DLI_100);
  *tested->mutable_deciding() = Source("host-1", "inventory", v1::DLI_100, v1::OBSERVED, observed);
  *tested->add_sources() = tested->deciding();
  v1::OutcomeScore* attested = AddOutcome(category, "ID_AM_CSC_2_2", v1::LIVE, v1::DLI_33);
  *attested->mutable_deciding() = Source("host-1", "attest", v1::DLI_33, v1::ATTESTED, observed);
  v1::StoredEvidence record;
  record.set_agent_id("host-1");
  record.set_sequence(7);
  record.mutable_evidence()->set_detail("Signed policy\non file");
  record.mutable_evidence()->set_content_sha256(std::string(32, '\x5a'));
  asset.records["ID_AM_CSC_2_2"] = record;
  v1::OutcomeScore* stale = AddOutcome(category, "PR_AC_CSC_5_2", v1::STALE, v1::DLI_0);
  *stale->add_sources() =
      Source("host-1", "old", v1::DLI_67, v1::OBSERVED, observed - absl::Hours(5));
  *stale->add_sources() =
      Source("host-2", "older", v1::DLI_67, v1::OBSERVED, observed - absl::Hours(9));
  AddOutcome(category, "DE_CM_CSC_13_1", v1::NO_EVIDENCE, v1::DLI_0);
  v1::TargetResult* target = asset.score.add_targets();
  target->mutable_target()->set_scope(v1::SCOPE_OUTCOME);
  target->mutable_target()->set_scope_id("ID_AM_CSC_2_2");
  target->mutable_target()->set_operator_(v1::GREATER_OR_EQUAL);
  target->mutable_target()->set_value(0.33);
  target->set_met(true);
  return asset;
}

AssessmentInput Input(std::vector<AssessedAsset> assets) {
  AssessmentInput input;
  input.scope = "web";
  input.organization.set_id("org");
  input.organization.set_name("City of Example");
  input.assets = std::move(assets);
  input.collector_address = "127.0.0.1:4317";
  input.generated_at = kNow;
  return input;
}

Json Result(const Json& document) { return document["assessment-results"]["results"][0]; }

std::string Prop(const Json& item, const std::string& name) {
  for (const Json& prop : item["props"]) {
    if (prop["name"] == name) return prop["value"].get<std::string>();
  }
  return "";
}

TEST(AssessmentResultsTest, ObservationsCarryMethodOriginAndTimesOfTheDecidingEvidence) {
  const Json document = AssessmentResultsDocument(Catalog::Builtin(), Input({WebAsset(kObserved)}));
  const Json result = Result(document);
  const Json& observations = result["observations"];
  ASSERT_EQ(observations.size(), 3u);  // Live observed, live attested, stale; none for no evidence.
  EXPECT_EQ(observations[0]["methods"][0], "TEST");
  EXPECT_EQ(observations[0]["origins"][0]["actors"][0]["type"], "tool");
  EXPECT_EQ(observations[0]["collected"], OscalTime(kObserved));
  EXPECT_EQ(observations[0]["expires"], OscalTime(kObserved + absl::Hours(1)));
  // Attested with a document: EXAMINE, the supplier as attester, a link to the document.
  const Json& attested = observations[1];
  EXPECT_EQ(attested["methods"][0], "EXAMINE");
  EXPECT_EQ(attested["description"], "Signed policy on file");
  EXPECT_EQ(attested["origins"][0]["actors"][1]["actor-uuid"], PartyUuid("cloudhost"));
  const std::string document_uuid = DocumentResourceUuid(std::string(32, '\x5a'));
  EXPECT_EQ(attested["links"][0]["href"], "#" + document_uuid);
  const Json& resources = document["assessment-results"]["back-matter"]["resources"];
  ASSERT_EQ(resources.size(), 2u);  // The plan, the document.
  EXPECT_EQ(resources[1]["uuid"], document_uuid);
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "5a";
  EXPECT_EQ(resources[1]["rlinks"][0]["hashes"][0]["value"], hex);
  // Stale: the newest expired source explains the level 0.
  EXPECT_EQ(Prop(observations[2], "check"), "old");
  EXPECT_EQ(result["start"], OscalTime(kObserved - absl::Hours(5)));
  EXPECT_EQ(result["end"], OscalTime(kNow));
}

TEST(AssessmentResultsTest, FindingsJudgeEachOutcomeAgainstItsTargetWithLevelsInProps) {
  const Json result =
      Result(AssessmentResultsDocument(Catalog::Builtin(), Input({WebAsset(kObserved)})));
  const Json& findings = result["findings"];
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0]["target"]["type"], "objective-id");
  EXPECT_EQ(findings[0]["target"]["target-id"], "ID_AM_CSC_1_1");
  EXPECT_EQ(findings[0]["target"]["status"]["state"], "satisfied");
  EXPECT_EQ(findings[0]["related-observations"][0]["observation-uuid"],
            result["observations"][0]["uuid"]);
  // 0.33 meets its outcome target >= 0.33; without one, only full implementation does.
  EXPECT_EQ(findings[1]["target"]["status"]["state"], "satisfied");
  EXPECT_EQ(Prop(findings[1], "level"), "0.33");
  EXPECT_EQ(Prop(findings[1], "target-level"), "0.33");
  EXPECT_EQ(Prop(findings[0], "target-level"), "1");
  EXPECT_EQ(findings[2]["target"]["status"]["state"], "not-satisfied");
  EXPECT_THAT(findings[2]["target"]["status"]["remarks"].get<std::string>(), HasSubstr("expired"));
  EXPECT_EQ(findings[3]["target"]["status"]["state"], "not-satisfied");
  EXPECT_EQ(Prop(findings[3], "evidence-state"), "no-evidence");
  EXPECT_FALSE(findings[3].contains("related-observations"));
  EXPECT_EQ(result["reviewed-controls"]["control-selections"][0]["include-controls"].size(), 4u);
}

TEST(AssessmentResultsTest, SameEvidenceGivesTheSameDocumentNewEvidenceNewObservationUuid) {
  const Json first = AssessmentResultsDocument(Catalog::Builtin(), Input({WebAsset(kObserved)}));
  const Json again = AssessmentResultsDocument(Catalog::Builtin(), Input({WebAsset(kObserved)}));
  EXPECT_EQ(first.dump(), again.dump());
  const Json later = AssessmentResultsDocument(Catalog::Builtin(),
                                               Input({WebAsset(kObserved + absl::Minutes(1))}));
  EXPECT_EQ(first["assessment-results"]["uuid"], later["assessment-results"]["uuid"]);
  EXPECT_EQ(Result(first)["findings"][0]["uuid"], Result(later)["findings"][0]["uuid"]);
  EXPECT_NE(Result(first)["observations"][0]["uuid"], Result(later)["observations"][0]["uuid"]);
}

TEST(AssessmentResultsTest, PartiesAreTheOrganisationAndEverySupplier) {
  AssessmentInput input = Input({WebAsset(kObserved)});
  v1::Tenant other;
  other.set_id("backupco");
  other.set_name("BackupCo");
  input.suppliers.push_back(other);
  const Json metadata =
      AssessmentResultsDocument(Catalog::Builtin(), input)["assessment-results"]["metadata"];
  ASSERT_EQ(metadata["parties"].size(), 3u);
  EXPECT_EQ(metadata["parties"][0]["name"], "City of Example");
  EXPECT_EQ(metadata["parties"][1]["name"], "BackupCo");
  EXPECT_EQ(metadata["parties"][2]["name"], "cloudhost");  // Not listed: named by its id.
  EXPECT_EQ(metadata["oscal-version"], "1.1.2");
  // The plan import resolves inside the document.
  const Json document = AssessmentResultsDocument(Catalog::Builtin(), input)["assessment-results"];
  EXPECT_EQ(document["import-ap"]["href"],
            "#" + document["back-matter"]["resources"][0]["uuid"].get<std::string>());
}

TEST(AssessmentResultsTest, AnAssetWithoutEvidenceHasNoObservationsAndUnsatisfiedFindings) {
  AssessedAsset asset;
  asset.score.mutable_summary()->set_asset_id("empty");
  v1::CategoryScore& category = *asset.score.add_functions()->add_categories();
  AddOutcome(category, "ID_AM_CSC_1_1", v1::NO_EVIDENCE, v1::DLI_0);
  const Json document = AssessmentResultsDocument(Catalog::Builtin(), Input({asset}));
  const Json result = Result(document);
  EXPECT_FALSE(result.contains("observations"));
  ASSERT_EQ(result["findings"].size(), 1u);
  EXPECT_EQ(result["findings"][0]["target"]["status"]["state"], "not-satisfied");
  EXPECT_THAT(result["findings"][0]["target"]["status"]["remarks"].get<std::string>(),
              HasSubstr("No evidence"));
  EXPECT_EQ(result["start"], OscalTime(kNow));
  EXPECT_EQ(document["assessment-results"]["metadata"]["version"], "no-evidence");
}

}  // namespace
}  // namespace postura::oscal
