// The current -> target -> gap -> roadmap profile through real processes: a collector,
// evidence in over the ingest protocol, targets set with the CLI, then `postura profile`
// (Markdown, JSON, -o) and the HTTP routes as a user runs them. An asset with targets to
// reach gets a roadmap in IG phases whose reached values rise to the target profile's;
// one whose targets are met needs no plan; one without targets has target = current and
// no roadmap, said so; the organisation merges the roadmaps and counts "n of m assets with
// targets"; bad input gets specific errors.

#include <httplib.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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

constexpr char kInventory[] = "ID_AM_CSC_1_1";
constexpr char kAccessControl[] = "PR_AC_CSC_5_2";

class ProfileCliTest : public test::CliProcessTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector =
        CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path().string());
    ASSERT_TRUE(collector.ok()) << collector.status();
    collector_ = *std::move(collector);
    Ok({"tenants", "put", "acme", "--name", "ACME Hosting", "--kind", "supplier"});
    Ok({"assets", "put", "web", "--name", "Web portal", "--ig", "IG2", "--supplier", "acme"});
    Ok({"assets", "put", "db", "--name", "Database", "--ig", "IG1"});
    Ok({"assets", "put", "lab", "--name", "Lab", "--ig", "IG1"});
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(collector_->address(), collector_->admin(), "host-1", {"web", "db"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    const absl::Time now = absl::Now();
    absl::StatusOr<v1::Ack> ack =
        test::SendBatch(collector_->address(), *agent, "host-1", 1,
                        {collector::TestEvidence("web", kInventory, now, v1::DLI_67),
                         collector::TestEvidence("web", kAccessControl, now, v1::DLI_33),
                         collector::TestEvidence("db", kInventory, now, v1::DLI_100)});
    ASSERT_TRUE(ack.ok()) << ack.status();
    ASSERT_TRUE(test::WaitForStoredSequence(collector_->address(), collector_->admin(), "host-1", 1,
                                            absl::Seconds(10)));
    // web must climb; db's target holds already; lab has none.
    Ok({"targets", "set", "web", "asset>=0.3", "PR>=0.4"});
    Ok({"targets", "set", "db", "asset>=0.001"});
    WaitUntilScored("db");
  }

  // Waits until `asset`'s score shows the evidence sent (its value above 0).
  void WaitUntilScored(const std::string& asset) {
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      if (OkJson({"score", asset})["summary"]["value"].get<double>() > 0) return;
      absl::SleepFor(absl::Milliseconds(50));
    }
    FAIL() << asset << " was never scored";
  }

  std::pair<int, Json> Get(const std::string& path) {
    auto client = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                    collector_->admin().token);
    httplib::Result result = client->Get(path);
    EXPECT_TRUE(result) << path;
    if (!result) return {0, Json()};
    return {result->status, Json::parse(result->body, nullptr, /*allow_exceptions=*/false)};
  }
};

const Json* FindById(const Json& list, const char* key, const std::string& id) {
  for (const Json& item : list) {
    if (item[key] == id) return &item;
  }
  return nullptr;
}

// The roadmap's rules: phases 1, 2, 3 in order; reached values never fall; the last one
// is the target profile's value and meets the targets.
void ExpectRoadmapRisesToTheTarget(const Json& asset) {
  const Json& roadmap = asset["roadmap"];
  ASSERT_FALSE(roadmap.empty()) << asset.dump();
  int phase = 1;
  double value = asset["currentValue"].get<double>();
  for (const Json& action : roadmap) {
    EXPECT_GE(action["phase"].get<int>(), phase) << action.dump();
    phase = action["phase"].get<int>();
    EXPECT_GE(action["assetValueReached"].get<double>(), value) << action.dump();
    value = action["assetValueReached"].get<double>();
    EXPECT_EQ(action["functionalAreaId"].get<std::string>().substr(0, 2), "FA");
  }
  EXPECT_DOUBLE_EQ(value, asset["targetValue"].get<double>());
  EXPECT_TRUE(roadmap.back()["assetTargetsMet"].get<bool>());
  EXPECT_FALSE(roadmap.front()["assetTargetsMet"].get<bool>() && roadmap.size() > 1);
}

TEST_F(ProfileCliTest, AnAssetWithTargetsToReachGetsARoadmapInPhasesThatReachesThem) {
  const Json profile = OkJson({"profile", "web"});
  ASSERT_EQ(profile["assets"].size(), 1u) << profile.dump();
  const Json& web = profile["assets"][0];
  EXPECT_EQ(web["basis"], "PLANNED");
  EXPECT_EQ(web["name"], "Web portal");
  EXPECT_LT(web["currentValue"].get<double>(), 0.3);
  EXPECT_GE(web["targetValue"].get<double>(), 0.3);
  ExpectRoadmapRisesToTheTarget(web);
  // Every action names the supplier that runs the asset.
  for (const Json& action : web["roadmap"]) {
    EXPECT_EQ(action["supplierId"], "acme");
    EXPECT_EQ(action["supplierName"], "ACME Hosting");
  }
  // The gap per function is target minus current, and PR's own target is shown.
  const Json* protect = FindById(web["functions"], "functionId", "PR");
  ASSERT_NE(protect, nullptr);
  EXPECT_NEAR((*protect)["gap"].get<double>(),
              (*protect)["target"].get<double>() - (*protect)["current"].get<double>(), 1e-12);
  EXPECT_GE((*protect)["target"].get<double>(), 0.4);
  EXPECT_EQ((*protect)["targetRule"]["scopeId"], "PR");
  // The outcomes reported keep their levels in the current profile.
  const Json* inventory = FindById(web["outcomes"], "outcomeId", kInventory);
  ASSERT_NE(inventory, nullptr);
  EXPECT_EQ((*inventory)["current"], "DLI_67");
  double shares = 0;
  for (const Json& area : web["functionalAreas"]) shares += area["shareOfGap"].get<double>();
  EXPECT_NEAR(shares, 1.0, 1e-9);

  // The same over HTTPS.
  const auto [status, http] = Get("/api/v1/assets/web/profile");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(http["assets"][0]["roadmap"], web["roadmap"]);

  const std::string markdown = Ok({"profile", "web"});
  EXPECT_THAT(markdown, HasSubstr("## Asset web (Web portal), IG2"));
  const int first_phase = web["roadmap"][0]["phase"].get<int>();
  EXPECT_THAT(markdown, HasSubstr("#### Phase " + std::to_string(first_phase) + ": outcomes of IG" +
                                  std::to_string(first_phase)));
  EXPECT_THAT(markdown, HasSubstr("least-work status meeting every target"));
  EXPECT_THAT(markdown, HasSubstr("supplier ACME Hosting"));
}

TEST_F(ProfileCliTest, MetTargetsNeedNoPlanAndNoTargetsMeansTargetIsCurrent) {
  const Json db = OkJson({"profile", "db"})["assets"][0];
  EXPECT_EQ(db["basis"], "TARGETS_MET");
  EXPECT_TRUE(db["roadmap"].empty());
  EXPECT_EQ(db["targetValue"], db["currentValue"]);
  EXPECT_TRUE(db["targetsCurrent"][0]["met"].get<bool>());

  const Json lab = OkJson({"profile", "lab"})["assets"][0];
  EXPECT_EQ(lab["basis"], "NO_TARGETS");
  EXPECT_THAT(lab["basisNote"].get<std::string>(), HasSubstr("no targets"));
  EXPECT_TRUE(lab["roadmap"].empty());
  for (const Json& function : lab["functions"]) {
    EXPECT_EQ(function["target"], function["current"]) << function.dump();
    EXPECT_EQ(function["gap"], 0.0);
  }
  for (const Json& outcome : lab["outcomes"]) EXPECT_EQ(outcome["target"], outcome["current"]);
  EXPECT_THAT(Ok({"profile", "lab"}), HasSubstr("No roadmap: nothing to change (no targets)"));
}

TEST_F(ProfileCliTest, TheOrganisationMergesRoadmapsAndCountsAssetsWithTargets) {
  const Json profile = OkJson({"profile", "--org"});
  ASSERT_EQ(profile["assets"].size(), 3u);
  const Json& org = profile["organization"];
  EXPECT_EQ(org["assetCount"], 3);
  EXPECT_EQ(org["assetsWithTargets"], 2);
  EXPECT_EQ(org["assetsMeetingTargets"], 1);
  EXPECT_EQ(org["assetsMeetingTargetsAfter"], 2);
  // Only web changes, so the merged roadmap is web's actions, and the index rises to the
  // target profile's.
  const Json* web = FindById(profile["assets"], "assetId", "web");
  ASSERT_NE(web, nullptr);
  ASSERT_EQ(org["roadmap"].size(), (*web)["roadmap"].size());
  double index = org["indexCurrent"].get<double>();
  for (const Json& action : org["roadmap"]) {
    EXPECT_EQ(action["assetId"], "web");
    EXPECT_GE(action["indexReached"].get<double>(), index);
    index = action["indexReached"].get<double>();
  }
  EXPECT_DOUBLE_EQ(index, org["indexTarget"].get<double>());
  // The implementation tiers of the same assets: the organisation first, with its facts.
  ASSERT_FALSE(org["tiers"]["tiers"].empty()) << org.dump();
  EXPECT_EQ(org["tiers"]["tiers"][0]["scope"], "organization");
  EXPECT_FALSE(org["tiers"]["tiers"][0]["facts"].empty());
  const auto [status, http] = Get("/api/v1/profile");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(http["organization"]["roadmap"], org["roadmap"]);

  const std::string file = (dir_.path() / "profile.md").string();
  EXPECT_THAT(Ok({"profile", "--org", "-o", file}),
              HasSubstr("Profile of 3 assets written to " + file));
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("1 of 2 assets with targets meet them now; 2 of 2 once"));
  EXPECT_THAT(text.str(), HasSubstr("### Roadmap, every asset's actions merged"));
  EXPECT_THAT(text.str(), HasSubstr("### Implementation tiers (NIST CSF)"));
}

TEST_F(ProfileCliTest, BadInputGetsSpecificErrors) {
  ProcessResult unknown = Postura({"profile", "nosuch"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no asset 'nosuch'"));
  EXPECT_EQ(Get("/api/v1/assets/nosuch/profile").first, 404);
  ProcessResult bad_format = Postura({"profile", "web", "--format", "xml"});
  EXPECT_EQ(bad_format.exit_code, 2);  // Usage.
  EXPECT_THAT(bad_format.err, HasSubstr("--format"));
  ProcessResult neither = Postura({"profile"});
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_THAT(neither.err, HasSubstr("give an asset or --org"));
  EXPECT_EQ(Postura({"profile", "web", "--org"}).exit_code, 2);
  ProcessResult malformed = Postura({"profile", "web portal"});
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_THAT(malformed.err, HasSubstr("asset_id must be"));
}

}  // namespace
}  // namespace postura
