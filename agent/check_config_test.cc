#include "agent/check_config.h"

#include "absl/strings/str_cat.h"
#include "agent/agent_daemon.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::postura::test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MATCHER_P2(Problem, line, key, "") {
  *result_listener << FormatConfigProblems("", {arg});
  return arg.line == line && arg.key == key;
}

constexpr char kPack[] =
    "name: p\ndefault_interval: 1h\nchecks:\n"
    "  - id: forwarding\n    title: No forwarding\n    outcomes: [PR_AC_CSC_5_2]\n"
    "    rules:\n      - sysctl: {name: net.ipv4.ip_forward, value: 0}\n";

std::string Config(const std::string& packs) {
  return absl::StrCat(
      "agent_id: web-01\ncollector_address: 127.0.0.1:4317\nassets: [web]\npacks:\n", packs,
      "spool: {directory: /s}\n");
}

TEST(CheckAgentConfigTest, AGoodConfigWithGoodPacksHasNoProblems) {
  TempDir dir;
  const std::string pack = dir.WriteFile("p.yaml", kPack);
  const std::string config = dir.WriteFile("a.yaml", Config(absl::StrCat("  - ", pack, "\n")));
  EXPECT_THAT(CheckAgentConfigFile(config, Catalog::Builtin()), IsEmpty());
}

TEST(CheckAgentConfigTest, NamesEachBadKeyWithItsLine) {
  TempDir dir;
  const std::string config = dir.WriteFile(
      "a.yaml",
      "agent_id: web-01\ncollector_address: nowhere\nassets: [web]\npacks: [/p.yaml]\n"
      "spool: {directory: /s, max_bytes: 10}\nevidence_ttl_intervals: 1000\n");
  EXPECT_THAT(CheckAgentConfigFile(config, Catalog::Builtin()),
              ElementsAre(Problem(2, "collector_address"), Problem(5, "spool.max_bytes"),
                          Problem(6, "evidence_ttl_intervals")));
  const std::string typo = dir.WriteFile("t.yaml", "agent_idd: x\nspool: {dir: /s}\n");
  EXPECT_THAT(CheckAgentConfigFile(typo, Catalog::Builtin()),
              ElementsAre(Problem(1, "agent_idd"), Problem(2, "spool.dir")));
}

TEST(CheckAgentConfigTest, ABadPackIsNamedAtItsLineInTheConfig) {
  TempDir dir;
  const std::string good = dir.WriteFile("good.yaml", kPack);
  const std::string bad = dir.WriteFile(
      "bad.yaml", "name: b\nchecks:\n  - id: x\n    outcomes: [NOT_AN_OUTCOME]\n    rules: []\n");
  const std::string config = dir.WriteFile(
      "a.yaml", Config(absl::StrCat("  - ", good, "\n  - ", bad, "\n  - /no/such/pack.yaml\n")));
  std::vector<ConfigProblem> problems = CheckAgentConfigFile(config, Catalog::Builtin());
  EXPECT_THAT(problems, ElementsAre(Problem(6, "packs[1]"), Problem(7, "packs[2]")));
  EXPECT_THAT(problems[0].message, HasSubstr("bad.yaml"));
  const std::string twice =
      dir.WriteFile("twice.yaml", Config(absl::StrCat("  - ", good, "\n  - ", good, "\n")));
  EXPECT_THAT(CheckAgentConfigFile(twice, Catalog::Builtin()), ElementsAre(Problem(4, "packs")));
}

}  // namespace
}  // namespace postura::agent
