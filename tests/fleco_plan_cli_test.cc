// `postura fleco plan` as a user runs it: the real binary, in a separate process.

#include <fstream>
#include <sstream>
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

constexpr char kExample[] = POSTURA_SOURCE_DIR "/docs/examples/web-portal-ig2.json";

ProcessResult Postura(std::vector<std::string> args) {
  args.insert(args.begin(), POSTURA_BIN);
  absl::StatusOr<ProcessResult> result = RunProcess(args);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : ProcessResult{};
}

Json ReadJson(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return Json::parse(text.str());
}

TEST(FlecoPlanCliTest, WrittenCaseRescoresWithEveryTargetMet) {
  TempDir dir;
  const std::string out = (dir.path() / "planned.json").string();
  ProcessResult plan = Postura({"fleco", "plan", kExample, "-o", out});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("Plan: all 4 targets met by changing"));
  EXPECT_THAT(plan.out, HasSubstr("Changes by leading functional area"));
  EXPECT_THAT(plan.out, HasSubstr("NOT MET -> met"));

  const Json written = ReadJson(out);
  const Json original = ReadJson(kExample);
  EXPECT_EQ(written["hasTargetStatus"], true);
  EXPECT_EQ(written["initialStatus"], original["initialStatus"]);
  EXPECT_EQ(written["strategicConstraints"], original["strategicConstraints"]);
  EXPECT_EQ(written["targetStatus"].size(), written["initialStatus"].size());

  // The independent scorer, in its own process, agrees that the plan meets every target.
  ProcessResult score = Postura({"fleco", "score", out, "--format", "json"});
  ASSERT_EQ(score.exit_code, 0) << score.err;
  const Json scored = Json::parse(score.out);
  EXPECT_EQ(scored["target_status"]["all_targets_met"], true);
  EXPECT_EQ(scored["target_status"]["coverage"], 1.0);
}

TEST(FlecoPlanCliTest, JsonOutputListsActionsConsistentWithTheWrittenCase) {
  TempDir dir;
  const std::string out = (dir.path() / "planned.json").string();
  ProcessResult plan = Postura({"fleco", "plan", kExample, "-o", out, "--format", "json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const Json json = Json::parse(plan.out);
  EXPECT_EQ(json["all_targets_met"], true);
  EXPECT_EQ(json["written"], out);
  EXPECT_EQ(json["actions"].size(), json["changed"].get<std::size_t>());
  EXPECT_EQ(json["after"]["all_targets_met"], true);
  const Json written = ReadJson(out);
  for (const Json& action : json["actions"]) {
    for (const Json& gene : written["targetStatus"]) {
      if (gene["gene"] == action["gene"]) {
        EXPECT_EQ(gene["allele"], action["to"]);
      }
    }
  }
}

TEST(FlecoPlanCliTest, ConflictingTargetsExitThreeNamingThem) {
  TempDir dir;
  Json bad = ReadJson(kExample);
  bad["strategicConstraints"].push_back(
      {{"function", "RESPOND"}, {"operator", "LESS_OR_EQUAL"}, {"value", 0.0}});
  bad["strategicConstraints"][0]["value"] = 0.95;
  const std::string path = dir.WriteFile("conflict.json", bad.dump());
  const std::string out = (dir.path() / "best.json").string();
  ProcessResult plan = Postura({"fleco", "plan", path, "-o", out});
  EXPECT_EQ(plan.exit_code, 3) << plan.err;
  EXPECT_THAT(plan.out, HasSubstr("cannot all be met"));
  EXPECT_THAT(plan.out, HasSubstr("asset ASSET >= 0.9500"));
  EXPECT_THAT(plan.out, HasSubstr("function RS <= 0.0000"));
  EXPECT_EQ(ReadJson(out)["hasTargetStatus"], true);
}

TEST(FlecoPlanCliTest, LocksAndEffortsAreHonouredAndBadOnesRejected) {
  TempDir dir;
  ProcessResult locked = Postura({"fleco", "plan", kExample, "--format", "json", "--lock",
                                  "PR_AC_CSC_5_2", "--effort", "FA10=5"});
  EXPECT_EQ(locked.exit_code, 3) << locked.err;  // Its own EQUAL 1 target needs it raised.
  ProcessResult bad_lock = Postura({"fleco", "plan", kExample, "--lock", "NOPE"});
  EXPECT_EQ(bad_lock.exit_code, 1);
  EXPECT_THAT(bad_lock.err, HasSubstr("--lock: unknown gene 'NOPE'"));
  ProcessResult bad_effort = Postura({"fleco", "plan", kExample, "--effort", "FA2=0"});
  EXPECT_EQ(bad_effort.exit_code, 1);
  EXPECT_THAT(bad_effort.err, HasSubstr("--effort 'FA2=0'"));
  EXPECT_EQ(Postura({"fleco", "plan"}).exit_code, 2);
}

}  // namespace
}  // namespace postura
