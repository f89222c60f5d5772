// `postura export oscal` and `export oscal-catalog` through real processes: a collector,
// evidence in over the ingest protocol (an agent's observation and an attestation with a
// document), and the `postura` client exporting the organisation and single assets as a
// user runs it. The documents are validated against NIST's OSCAL 1.1.2 assessment-results
// schema by tests/check_oscal_schema.py (python3-jsonschema), their control ids resolved
// against the exported catalog and profile; re-exports of the same evidence differ only in
// their export times; an unknown asset is a specific error.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/cli_process_test.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kObservedOutcome[] = "ID_AM_CSC_1_1";
constexpr char kAttestedOutcome[] = "ID_AM_CSC_2_2";

class OscalCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
    Ok({"tenants", "put", "org", "--name", "City of Example", "--kind", "organization"});
    Ok({"tenants", "put", "cloudhost", "--name", "CloudHost Ltd", "--kind", "supplier"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG1"});
    Ok({"assets", "put", "vendor-app", "--name", "Vendor app", "--ig", "IG2", "--supplier",
        "cloudhost"});
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(collector_->address(), collector_->admin(), "host-1", {"web"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_ = *agent;
  }

  // Exports with `args` to a file named `name` in the test's directory: its path.
  std::string Export(std::vector<std::string> args, const std::string& name) {
    const std::string path = (dir_.path() / name).string();
    args.insert(args.begin(), "export");
    args.insert(args.end(), {"-o", path});
    Ok(args);
    return path;
  }

  static Json Read(const std::string& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  }

  // An observation at level 1 and an attestation at 0.67 with a document, on "web"; waits
  // until the score shows both live.
  void SeedEvidence() {
    v1::Evidence observed =
        collector::TestEvidence("web", kObservedOutcome, absl::Now(), v1::DLI_100);
    v1::Evidence attested =
        collector::TestEvidence("web", kAttestedOutcome, absl::Now(), v1::DLI_67);
    attested.set_kind(v1::ATTESTED);
    attested.set_check_id("attestation");
    attested.set_detail("Asset inventory reviewed by the CISO");
    attested.set_content_sha256(std::string(32, '\x11'));
    absl::StatusOr<v1::Ack> ack =
        test::SendBatch(collector_->address(), agent_, "host-1", 1, {observed, attested});
    ASSERT_TRUE(ack.ok()) << ack.status();
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      const Json score = Json::parse(Ok({"score", "web", "--format", "json"}));
      if (score["summary"]["outcomesLive"] == 2) return;
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "the score never showed both outcomes live";
  }

  // Runs tests/check_oscal_schema.py on `documents` with a fresh catalog and IG1 profile.
  ProcessResult CheckSchema(const std::vector<std::string>& documents) {
    std::vector<std::string> args = {
        "/usr/bin/env",
        "python3",
        POSTURA_SOURCE_DIR "/tests/check_oscal_schema.py",
        POSTURA_SOURCE_DIR "/tests/testdata/oscal/oscal_assessment-results_schema-1.1.2.json",
        Export({"oscal-catalog"}, "catalog.json"),
        Export({"oscal-catalog", "--profile", "IG1"}, "profile-ig1.json")};
    args.insert(args.end(), documents.begin(), documents.end());
    absl::StatusOr<ProcessResult> result = test::RunProcess(args);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : ProcessResult{};
  }

  CollectorTrust agent_;
};

const Json* FindingOf(const Json& result, const std::string& asset, const std::string& outcome) {
  for (const Json& finding : result["findings"]) {
    bool of_asset = false;
    for (const Json& prop : finding["props"]) {
      if (prop["name"] == "asset" && prop["value"] == asset) of_asset = true;
    }
    if (of_asset && finding["target"]["target-id"] == outcome) return &finding;
  }
  return nullptr;
}

TEST_F(OscalCliTest, ExportsOfTheOrganisationAndItsAssetsValidateAgainstNistsSchema) {
  SeedEvidence();
  const std::string org = Export({"oscal", "--org"}, "org.json");
  const std::string web = Export({"oscal", "--asset", "web"}, "web.json");
  const std::string vendor = Export({"oscal", "--asset", "vendor-app"}, "vendor.json");
  const ProcessResult check = CheckSchema({org, web, vendor});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("3 document(s) valid"));

  const Json document = Read(org)["assessment-results"];
  const Json& result = document["results"][0];
  ASSERT_EQ(result["observations"].size(), 2u) << result.dump(2);
  std::vector<std::string> methods;
  for (const Json& observation : result["observations"]) {
    methods.push_back(observation["methods"][0]);
  }
  EXPECT_THAT(methods, testing::UnorderedElementsAre("TEST", "EXAMINE"));
  const Json* observed = FindingOf(result, "web", kObservedOutcome);
  ASSERT_NE(observed, nullptr);
  EXPECT_EQ((*observed)["target"]["status"]["state"], "satisfied");
  const Json* attested = FindingOf(result, "web", kAttestedOutcome);
  ASSERT_NE(attested, nullptr);
  EXPECT_EQ((*attested)["target"]["status"]["state"], "not-satisfied");  // 0.67 < 1.
  std::vector<std::string> parties;
  for (const Json& party : document["metadata"]["parties"]) parties.push_back(party["name"]);
  EXPECT_THAT(parties, testing::ElementsAre("City of Example", "CloudHost Ltd"));
  EXPECT_EQ(document["back-matter"]["resources"].size(), 2u);  // The plan, the document.
}

TEST_F(OscalCliTest, AnAssetWithoutEvidenceGivesAValidDocumentOfUnsatisfiedFindings) {
  const std::string vendor = Export({"oscal", "--asset", "vendor-app"}, "vendor.json");
  const ProcessResult check = CheckSchema({vendor});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  const Json result = Read(vendor)["assessment-results"]["results"][0];
  EXPECT_FALSE(result.contains("observations"));
  ASSERT_FALSE(result["findings"].empty());
  for (const Json& finding : result["findings"]) {
    EXPECT_EQ(finding["target"]["status"]["state"], "not-satisfied");
    EXPECT_THAT(finding["target"]["status"]["remarks"].get<std::string>(),
                HasSubstr("No evidence was ever reported"));
  }
}

TEST_F(OscalCliTest, ReexportsOfTheSameEvidenceDifferOnlyInTheirExportTimes) {
  SeedEvidence();
  Json first = Read(Export({"oscal", "--org"}, "first.json"));
  absl::SleepFor(absl::Milliseconds(20));
  Json second = Read(Export({"oscal", "--org"}, "second.json"));
  ASSERT_NE(first["assessment-results"]["metadata"]["last-modified"],
            second["assessment-results"]["metadata"]["last-modified"]);
  for (Json* document : {&first, &second}) {
    (*document)["assessment-results"]["metadata"].erase("last-modified");
    (*document)["assessment-results"]["results"][0].erase("end");
  }
  EXPECT_EQ(first.dump(1), second.dump(1));
}

TEST_F(OscalCliTest, AnUnknownAssetIsASpecificError) {
  const ProcessResult result = Postura({"export", "oscal", "--asset", "no-such-asset"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("no-such-asset"));
  EXPECT_EQ(Postura({"export", "oscal"}).exit_code, 2);  // Neither --asset nor --org.
}

}  // namespace
}  // namespace postura
