// `postura fleco score` as a user runs it: the real binary, in a separate process.

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::ProcessResult;
using ::postura::test::RunProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr double kFlecoTolerance = 1e-5;

ProcessResult Postura(std::vector<std::string> args) {
  args.insert(args.begin(), POSTURA_BIN);
  absl::StatusOr<ProcessResult> result = RunProcess(args);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{};
}

std::vector<Json> ReferenceVectors() {
  std::ifstream file(POSTURA_SOURCE_DIR "/tests/testdata/reference/fleco-asset-metrics.jsonl");
  std::vector<Json> rows;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty()) rows.push_back(Json::parse(line));
  }
  return rows;
}

void ExpectNear(const Json& actual, const Json& expected, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what << ": " << actual.dump();
  for (const auto& [key, value] : expected.items()) {
    ASSERT_TRUE(actual.contains(key)) << what << " lacks " << key;
    EXPECT_NEAR(actual[key].get<double>(), value.get<double>(), kFlecoTolerance)
        << what << " " << key;
  }
}

TEST(FlecoScoreCliTest, EveryReferenceVectorScoresAsFlecoWithin1e5) {
  TempDir dir;
  const std::vector<Json> vectors = ReferenceVectors();
  ASSERT_EQ(vectors.size(), 15u);
  for (const Json& vector : vectors) {
    const std::string name = vector["name"];
    SCOPED_TRACE(name);
    const std::string path = dir.WriteFile(name + ".json", vector["case"].dump());
    ProcessResult run = Postura({"fleco", "score", path, "--format", "json"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    Json out = Json::parse(run.out);
    EXPECT_EQ(out["implementation_group"], vector["case"]["caseIG"]);
    EXPECT_NEAR(out["asset"].get<double>(), vector["expected"]["asset"].get<double>(),
                kFlecoTolerance);
    ExpectNear(out["functions"], vector["expected"]["functions"], "functions");
    ExpectNear(out["categories"], vector["expected"]["categories"], "categories");
    EXPECT_EQ(out["coverage"], 1.0);
    EXPECT_FALSE(out.contains("target_status"));
  }
}

TEST(FlecoScoreCliTest, ShippedExampleScoresTargetsAndTargetStatus) {
  ProcessResult run =
      Postura({"fleco", "score", POSTURA_SOURCE_DIR "/docs/examples/web-portal-ig2.json",
               "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json out = Json::parse(run.out);
  EXPECT_EQ(out["implementation_group"], "IG2");
  EXPECT_FALSE(out["targets"].empty());
  ASSERT_TRUE(out.contains("target_status"));
  EXPECT_EQ(out["target_status"]["targets"].size(), out["targets"].size());
  EXPECT_GT(out["target_status"]["coverage"].get<double>(), out["coverage"].get<double>());
}

TEST(FlecoScoreCliTest, TextFormatIsTheDefault) {
  ProcessResult run =
      Postura({"fleco", "score", POSTURA_SOURCE_DIR "/docs/examples/web-portal-ig2.json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("IG2 asset, 107 outcomes"));
  EXPECT_THAT(run.out, HasSubstr("Initial status"));
  EXPECT_THAT(run.out, HasSubstr("Target status"));
  EXPECT_THAT(run.out, HasSubstr("coverage"));
}

TEST(FlecoScoreCliTest, InvalidCaseExitsOneNamingFileAndField) {
  TempDir dir;
  Json bad = ReferenceVectors()[0]["case"];
  bad["initialStatus"][2]["allele"] = "DLI_50";
  const std::string path = dir.WriteFile("bad.json", bad.dump());
  ProcessResult run = Postura({"fleco", "score", path});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(path + ": initialStatus[2].allele: unknown allele 'DLI_50'"));
  EXPECT_TRUE(run.out.empty());
}

TEST(FlecoScoreCliTest, MalformedAndMissingFilesExitOne) {
  TempDir dir;
  ProcessResult malformed = Postura({"fleco", "score", dir.WriteFile("m.json", "{\"caseIG\": ")});
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_THAT(malformed.err, HasSubstr("malformed JSON"));
  ProcessResult missing = Postura({"fleco", "score", "/nonexistent/case.json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read case file /nonexistent/case.json"));
}

TEST(FlecoScoreCliTest, UsageErrorsExitTwoAndHelpExitsZero) {
  EXPECT_EQ(Postura({}).exit_code, 2);
  EXPECT_EQ(Postura({"fleco", "score"}).exit_code, 2);
  EXPECT_EQ(Postura({"fleco", "score", "x.json", "--format", "xml"}).exit_code, 2);
  EXPECT_EQ(Postura({"fleco", "frobnicate"}).exit_code, 2);
  ProcessResult help = Postura({"fleco", "score", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--format"));
}

TEST(FlecoScoreCliTest, ABrokenCatalogFileIsReportedWithItsLine) {
  TempDir dir;
  const std::string catalog = dir.WriteFile("c.yaml", "catalog: X\nversion: 1\nfunctions: 3\n");
  ProcessResult run = Postura({"--catalog", catalog, "fleco", "score", "x.json"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(catalog + ":1: catalog: missing key"));
}

}  // namespace
}  // namespace postura
