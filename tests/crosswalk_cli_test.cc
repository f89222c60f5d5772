// Crosswalk reports through real processes: a collector, evidence in over the ingest
// protocol, and `postura report --framework ... [--against ...] [--mapping ...]` as a user
// runs it, for one asset and for the organisation, and GET /api/v1/crosswalk; bad input
// gets specific errors, exit 1 (HTTP 400/404).

#include <httplib.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/cli_process_test.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::ProcessResult;
using ::testing::HasSubstr;
using Json = nlohmann::json;

const char kHeader[] =
    "uleo_id\tsource_id\ttarget_id\ttarget_title\tsource_ref\trelationship\tauthority\n";

// The control `id` in a list of controls, or null.
const Json* FindControl(const Json& controls, const std::string& id) {
  for (const Json& control : controls) {
    if (control["id"] == id) return &control;
  }
  return nullptr;
}

const Json* FindOutcome(const Json& control, const std::string& id) {
  for (const Json& outcome : control["outcomes"]) {
    if (outcome["id"] == id) return &outcome;
  }
  return nullptr;
}

class CrosswalkCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG2"});
    Ok({"assets", "put", "db", "--name", "Database", "--ig", "IG1"});
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(collector_->address(), collector_->admin(), "host-1", {"web", "db"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    const absl::Time now = absl::Now();
    absl::StatusOr<v1::Ack> ack =
        test::SendBatch(collector_->address(), *agent, "host-1", 1,
                        {collector::TestEvidence("web", "ID_AM_ID_AM_1", now, v1::DLI_67),
                         collector::TestEvidence("web", "RS_AN_RS_AN_5", now, v1::DLI_33),
                         collector::TestEvidence("web", "ID_AM_CSC_1_1", now, v1::DLI_100),
                         collector::TestEvidence("db", "ID_AM_ID_AM_1", now, v1::DLI_100)});
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_EQ(ack->rejected_size(), 0);
    // Scoring follows the commit: wait until both assets show their evidence.
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      const Json web = OkJson({"score", "web"});
      const Json db = OkJson({"score", "db"});
      if (web["summary"]["outcomesLive"] == 3 && db["summary"]["outcomesLive"] == 1) return;
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << "the scores never showed the evidence";
  }

  // Writes `text` to a file in the test's directory; its path.
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = (dir_.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(CrosswalkCliTest, OneAssetsControlsWithTheirOutcomesAndEvidence) {
  const Json report = OkJson({"report", "--framework", "sp800-53r5", "--asset", "web"});
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["framework"], "sp800-53r5");
  EXPECT_EQ(report["scope"]["asset"], "web");
  EXPECT_EQ(report["summary"]["knownControls"], 189);
  EXPECT_EQ(report["summary"]["mappedControls"], 189);
  const Json* cm8 = FindControl(report["controls"], "CM-8");
  ASSERT_NE(cm8, nullptr);
  EXPECT_EQ((*cm8)["title"], "System Component Inventory");
  // Four outcomes map to CM-8; only ID.AM-1 has evidence: largely, incomplete.
  EXPECT_EQ((*cm8)["outcomes"].size(), 4u);
  EXPECT_EQ((*cm8)["status"], "largely");
  EXPECT_EQ((*cm8)["complete"], false);
  EXPECT_EQ((*cm8)["evaluated"], 1);
  const Json* inventory = FindOutcome(*cm8, "ID_AM_ID_AM_1");
  ASSERT_NE(inventory, nullptr);
  EXPECT_DOUBLE_EQ((*inventory)["lowestLevel"].get<double>(), 0.67);
  EXPECT_EQ((*inventory)["evaluatedAssets"], 1);
  // A control without evidence says so.
  const Json* ac2 = FindControl(report["controls"], "AC-2");
  ASSERT_NE(ac2, nullptr);
  EXPECT_EQ((*ac2)["status"], "no evidence");
  EXPECT_TRUE((*ac2)["level"].is_null());

  // Markdown: RS.AN-5 under its own title (the catalog carries RS.AN-4's).
  const std::string md =
      Ok({"report", "--framework", "csf2.0", "--asset", "web", "--format", "md"});
  EXPECT_THAT(md, HasSubstr("# NIST CSF 2.0: asset web\n"));
  EXPECT_THAT(md, HasSubstr("| ID.RA-08 | RS_AN_RS_AN_5 | Processes are established to receive"));
  EXPECT_THAT(md, HasSubstr("| ID.AM-01 | Inventories of hardware managed by the organization "
                            "are maintained | largely | 0.67 | 100% (1 of 1) | ID_AM_ID_AM_1 |"));
  EXPECT_THAT(md, HasSubstr("84 subcategories known, 84 with mapped outcomes (100%), 0 that "
                            "nothing maps to."));
}

TEST_F(CrosswalkCliTest, TheOrganisationIsAsStrongAsItsWeakestAsset) {
  const Json report = OkJson({"report", "--framework", "csf2.0", "--org"});
  EXPECT_EQ(report["scope"]["organization"], true);
  EXPECT_EQ(report["scope"]["assets"], 2);
  const Json* am01 = FindControl(report["controls"], "ID.AM-01");
  ASSERT_NE(am01, nullptr);
  EXPECT_EQ((*am01)["applicable"], 2);
  EXPECT_EQ((*am01)["evaluated"], 2);
  EXPECT_EQ((*am01)["complete"], true);
  EXPECT_DOUBLE_EQ((*am01)["level"].get<double>(), 0.67);
  EXPECT_EQ((*am01)["weakestAsset"], "web");
  // RS.AN-5 applies from IG2: to web only.
  const Json* ra08 = FindControl(report["controls"], "ID.RA-08");
  ASSERT_NE(ra08, nullptr);
  EXPECT_EQ((*ra08)["applicable"], 1);
  EXPECT_EQ((*ra08)["status"], "partially");
}

TEST_F(CrosswalkCliTest, AlignmentShowsSharedControlsAndWhatEachLacks) {
  const Json report =
      OkJson({"report", "--framework", "csf2.0", "--against", "iso27001-2022", "--asset", "web"});
  EXPECT_EQ(report["framework"], "csf2.0");
  EXPECT_EQ(report["against"], "iso27001-2022");
  const Json* am01 = FindControl(report["shared"], "ID.AM-01");
  ASSERT_NE(am01, nullptr);
  ASSERT_EQ((*am01)["counterparts"].size(), 1u);
  EXPECT_EQ((*am01)["counterparts"][0]["id"], "A.5.9");
  EXPECT_EQ((*am01)["shared"]["status"], "largely");
  // RS.AN-5 reaches no ISO 27001:2022 control through the shipped files.
  const Json* ra08 = FindControl(report["onlyInFramework"], "ID.RA-08");
  ASSERT_NE(ra08, nullptr);
  EXPECT_EQ((*ra08)["status"], "partially");
  EXPECT_TRUE(report["onlyInAgainst"].empty());

  const std::string md =
      Ok({"report", "--framework", "csf2.0", "--against", "iso27001-2022", "--asset", "web"});
  EXPECT_THAT(md, HasSubstr("| ID.AM-01 | A.5.9 | ID_AM_ID_AM_1 | largely | 0.67 |"));
  EXPECT_THAT(md, HasSubstr("## Only in NIST CSF 2.0\n"));
}

TEST_F(CrosswalkCliTest, AnOperatorsMappingFileAddsOutcomesAndKnownControls) {
  // The CIS-safeguard outcome ID_AM_CSC_1_1 has no shipped mapping; the operator's file
  // maps it to A.5.9 and lists A.5.23 with nothing mapped.
  const std::string mine =
      WriteFile("mine.tsv", absl::StrCat(kHeader,
                                         "ID_AM_CSC_1_1\tCSC-1.1\tA.5.9\t\tmine\tderived\tme\n"
                                         "\t\tA.5.23\tCloud services\tmine\t\tme\n"));
  const Json report =
      OkJson({"report", "--framework", "iso27001-2022", "--asset", "web", "--mapping", mine});
  EXPECT_THAT(report["mappingFiles"].dump(), HasSubstr("mine.tsv"));
  const Json* a59 = FindControl(report["controls"], "A.5.9");
  ASSERT_NE(a59, nullptr);
  ASSERT_NE(FindOutcome(*a59, "ID_AM_CSC_1_1"), nullptr);
  EXPECT_EQ(report["unmappedControls"].size(), 1u);
  EXPECT_EQ(report["unmappedControls"][0]["id"], "A.5.23");
  EXPECT_EQ(report["summary"]["knownControls"], 89);

  // NAME=FILE sends it to the --against framework.
  const Json aligned = OkJson({"report", "--framework", "csf2.0", "--against", "iso27001-2022",
                               "--asset", "web", "--mapping", "iso27001-2022=" + mine});
  EXPECT_THAT(aligned["mappingFiles"]["iso27001-2022"].dump(), HasSubstr("mine.tsv"));
}

// The collector's config key crosswalk_mappings: its files reach GET /api/v1/crosswalk, and
// a bad one stops the start, naming the file and line.
TEST_F(CrosswalkCliTest, TheCollectorReadsOperatorMappingFilesFromItsConfig) {
  const std::string mine =
      WriteFile("collector-mine.tsv", absl::StrCat(kHeader,
                                                   "ID_AM_CSC_1_1\tCSC-1.1\tA.5.9\t\tm\td\tme\n"
                                                   "\t\tA.5.23\tCloud services\tmine\t\tme\n"));
  test::TempDir other;
  absl::StatusOr<std::unique_ptr<CollectorProcess>> second = CollectorProcess::Start(
      POSTURA_COLLECTOR_BIN, other.path().string(), "127.0.0.1:0",
      absl::StrCat("crosswalk_mappings:\n  - {framework: iso27001-2022, file: ", mine, "}\n"));
  ASSERT_TRUE(second.ok()) << second.status();
  auto client =
      test::HttpsClient((*second)->http_address(), (*second)->ca_file(), (*second)->admin().token);
  httplib::Result answer = client->Get("/api/v1/crosswalk?framework=iso27001-2022");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const Json report = Json::parse(answer->body);
  EXPECT_EQ(report["summary"]["knownControls"], 89);
  ASSERT_EQ(report["unmappedControls"].size(), 1u);
  EXPECT_EQ(report["unmappedControls"][0]["id"], "A.5.23");
  EXPECT_THAT(report["mappingFiles"].dump(), HasSubstr("collector-mine.tsv"));
  const Json* a59 = FindControl(report["controls"], "A.5.9");
  ASSERT_NE(a59, nullptr);
  EXPECT_NE(FindOutcome(*a59, "ID_AM_CSC_1_1"), nullptr);

  const std::string bad = WriteFile("collector-bad.tsv",
                                    absl::StrCat(kHeader, "NOT_AN_OUTCOME\tx\tA.5.9\t\tr\tm\ta\n"));
  const std::string config = WriteFile(
      "bad-collector.yaml",
      absl::StrCat("listen_address: 127.0.0.1:0\nhttp_listen_address: 127.0.0.1:0\ndata_dir: ",
                   (dir_.path() / "bad-data").string(), "\ncrosswalk_mappings:\n",
                   "  - {framework: csf2.0, file: ", bad, "}\n"));
  absl::StatusOr<ProcessResult> refused =
      test::RunProcess({POSTURA_COLLECTOR_BIN, "--config", config});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->exit_code, 1);
  EXPECT_THAT(refused->err, HasSubstr(bad + ":2: unknown ULEO outcome 'NOT_AN_OUTCOME'"));
  const std::string unknown =
      WriteFile("unknown-collector.yaml",
                absl::StrCat("data_dir: ", (dir_.path() / "bad-data").string(),
                             "\ncrosswalk_mappings:\n  - {framework: pci, file: ", bad, "}\n"));
  refused = test::RunProcess({POSTURA_COLLECTOR_BIN, "--config", unknown});
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->exit_code, 2);  // A bad config file, as for any key.
  EXPECT_THAT(refused->err, HasSubstr("crosswalk_mappings[0].framework"));
  EXPECT_THAT(refused->err, HasSubstr("unknown framework 'pci'"));
}

TEST_F(CrosswalkCliTest, BadInputIsNamedWithExitOne) {
  ProcessResult framework = Postura({"report", "--framework", "pci-dss"});
  EXPECT_EQ(framework.exit_code, 1);
  EXPECT_THAT(framework.err, HasSubstr("unknown framework 'pci-dss': expected one of csf2.0"));

  ProcessResult against = Postura({"report", "--framework", "csf2.0", "--against", "nist"});
  EXPECT_EQ(against.exit_code, 1);
  EXPECT_THAT(against.err, HasSubstr("unknown framework 'nist'"));

  ProcessResult asset = Postura({"report", "--framework", "csf2.0", "--asset", "nope"});
  EXPECT_EQ(asset.exit_code, 1);
  EXPECT_THAT(asset.err, HasSubstr("nope"));

  const std::string bad =
      WriteFile("bad.tsv", absl::StrCat(kHeader, "ID_AM_CSC_1_1\tx\tA.5.9\t\tr\tm\ta\n",
                                        "NOT_AN_OUTCOME\tx\tA.5.9\t\tr\tm\ta\n"));
  ProcessResult mapping = Postura({"report", "--framework", "iso27001-2022", "--mapping", bad});
  EXPECT_EQ(mapping.exit_code, 1);
  EXPECT_THAT(mapping.err, HasSubstr(bad + ":3: unknown ULEO outcome 'NOT_AN_OUTCOME'"));

  const std::string short_row = WriteFile("short.tsv", absl::StrCat(kHeader, "x\ty\n"));
  ProcessResult malformed =
      Postura({"report", "--framework", "iso27001-2022", "--mapping", short_row});
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_THAT(malformed.err, HasSubstr(short_row + ":2: expected 7 tab-separated fields"));

  ProcessResult missing =
      Postura({"report", "--framework", "csf2.0", "--mapping", "/nonexistent.tsv"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read mapping file /nonexistent.tsv"));

  ProcessResult wrong_target =
      Postura({"report", "--framework", "csf2.0", "--mapping", "iso27001-2013=" + short_row});
  EXPECT_EQ(wrong_target.exit_code, 1);
  EXPECT_THAT(wrong_target.err, HasSubstr("iso27001-2013 is neither --framework nor --against"));

  ProcessResult no_framework = Postura({"report", "--asset", "web"});
  EXPECT_EQ(no_framework.exit_code, 1);
  EXPECT_THAT(no_framework.err, HasSubstr("belong to a crosswalk report: give --framework"));

  ProcessResult same = Postura({"report", "--framework", "csf2.0", "--against", "CSF2.0"});
  EXPECT_EQ(same.exit_code, 1);
  EXPECT_THAT(same.err, HasSubstr("is the report's own framework"));
}

// The same report over HTTPS: GET /api/v1/crosswalk answers the CLI's JSON.
TEST_F(CrosswalkCliTest, HttpAnswersTheSameReport) {
  auto client = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                  collector_->admin().token);
  httplib::Result answer = client->Get("/api/v1/crosswalk?framework=csf2.0&asset=web");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const Json http = Json::parse(answer->body);
  const Json cli = OkJson({"report", "--framework", "csf2.0", "--asset", "web"});
  EXPECT_EQ(http["controls"], cli["controls"]);
  EXPECT_EQ(http["summary"], cli["summary"]);
  const Json* am01 = FindControl(http["controls"], "ID.AM-01");
  ASSERT_NE(am01, nullptr);
  EXPECT_EQ((*am01)["status"], "largely");

  answer = client->Get("/api/v1/crosswalk?framework=csf2.0&against=iso27001-2022");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  const Json aligned = Json::parse(answer->body);
  EXPECT_EQ(aligned["scope"]["assets"], 2);
  EXPECT_EQ(aligned["shared"],
            OkJson({"report", "--framework", "csf2.0", "--against", "iso27001-2022"})["shared"]);

  answer = client->Get("/api/v1/crosswalk?framework=pci");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  EXPECT_THAT(answer->body, HasSubstr("unknown framework 'pci'"));
  answer = client->Get("/api/v1/crosswalk?framework=csf2.0&asset=nope");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 404);
  answer = client->Get("/api/v1/crosswalk?framework=csf2.0&against=csf2.0");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400);
  // Without a credential, nothing.
  auto anonymous = test::HttpsClient(collector_->http_address(), collector_->ca_file(), "");
  answer = anonymous->Get("/api/v1/crosswalk?framework=csf2.0");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 401);
}

// Issue 19 item 3: the posture report's tiers, from the same collector. Four live outcomes
// of the ~150 that apply are far from half evaluated: Partial everywhere, saying why.
TEST_F(CrosswalkCliTest, ThePostureReportShowsTiersWithTheFactsThatDecidedThem) {
  const Json report = OkJson({"report"});
  ASSERT_TRUE(report["tiers"].is_array());
  ASSERT_GE(report["tiers"].size(), 2u);
  const Json& org = report["tiers"][0];
  EXPECT_EQ(org["scope"], "organization");
  EXPECT_EQ(org["tier"], 1);
  EXPECT_EQ(org["tierName"], "Partial");
  ASSERT_EQ(org["facts"].size(), 3u);
  EXPECT_THAT(org["facts"][0].get<std::string>(), HasSubstr("evidence coverage "));
  EXPECT_THAT(org["facts"][0].get<std::string>(), HasSubstr("(4 of "));
  EXPECT_THAT(org["facts"][2].get<std::string>(),
              HasSubstr("assets with targets 0 of 2 >= 50%: no"));
  bool identify = false;
  for (const Json& tier : report["tiers"]) {
    if (tier["scope"] != "ID") continue;
    identify = true;
    EXPECT_EQ(tier["name"], "Identify");
    EXPECT_THAT(tier["facts"][0].get<std::string>(), HasSubstr("(3 of "));  // ID.AM-1 twice,
  }                                                                         // CSC-1.1 once.
  EXPECT_TRUE(identify);
  const std::string md = Ok({"report"});
  EXPECT_THAT(md, HasSubstr("## Implementation tiers"));
  EXPECT_THAT(md, HasSubstr("| organisation | 1 Partial | evidence coverage "));
}

TEST_F(CrosswalkCliTest, TheReportGoesToAFileWithOutput) {
  const std::string path = (dir_.path() / "iso2013.md").string();
  const std::string out =
      Ok({"report", "--framework", "iso27001-2013", "--asset", "db", "-o", path});
  EXPECT_THAT(out, HasSubstr("Crosswalk report written to " + path));
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_THAT(text, HasSubstr("# ISO/IEC 27001:2013 Annex A: asset db\n"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "| A.8.1.1 | (title not shipped) | implemented (incomplete) | 1.00 | 50% (1 of 2) |"));
}

}  // namespace
}  // namespace postura
