#include "common/config/config_check.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/collector_config.pb.h"

namespace postura {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A validator shaped like the programs' own: the key, ": ", the rule.
absl::Status Validate(const google::protobuf::Message& message) {
  const auto& config = static_cast<const v1::CollectorConfig&>(message);
  if (config.data_dir().empty()) return absl::InvalidArgumentError("data_dir: required");
  if (config.limits().max_batch_items() > 100) {
    return absl::InvalidArgumentError("limits.max_batch_items: at most 100");
  }
  if (config.evidence_retention() == "never") {
    return absl::InvalidArgumentError("evidence_retention: 'never' is not a duration");
  }
  return absl::OkStatus();
}

v1::CollectorConfig Filler() {
  v1::CollectorConfig config;
  config.set_data_dir("/d");
  return config;
}

class ConfigCheckTest : public ::testing::Test {
 protected:
  std::vector<ConfigProblem> Check(const std::string& yaml) {
    std::ofstream(path_) << yaml;
    return CheckYamlConfigFile(path_, config_, Filler(), Validate);
  }
  void TearDown() override { std::remove(path_.c_str()); }

  const std::string path_ = absl::StrCat(::testing::TempDir(), "/check-", getpid(), ".yaml");
  v1::CollectorConfig config_;
};

MATCHER_P2(Problem, line, key, "") { return arg.line == line && arg.key == key; }

TEST_F(ConfigCheckTest, AGoodFileHasNoProblemsAndIsRead) {
  EXPECT_THAT(Check("data_dir: /var/lib/x\nlimits:\n  max_batch_items: 50\n"), IsEmpty());
  EXPECT_EQ(config_.limits().max_batch_items(), 50u);
}

TEST_F(ConfigCheckTest, EveryUnknownKeyAndMistypedValueIsNamedWithItsLine) {
  std::vector<ConfigProblem> problems = Check(
      "data_dir: /x\n"
      "limitz: 3\n"
      "limits:\n"
      "  max_batch_items: many\n"
      "  max_detail_bytez: 5\n"
      "alerting:\n"
      "  webhooks:\n"
      "    - url: https://example.test/hook\n"
      "      colour: red\n");
  EXPECT_THAT(problems, ElementsAre(Problem(2, "limitz"), Problem(4, "limits.max_batch_items"),
                                    Problem(5, "limits.max_detail_bytez"),
                                    Problem(9, "alerting.webhooks[0].colour")));
  EXPECT_THAT(problems[0].message, HasSubstr("unknown key"));
}

TEST_F(ConfigCheckTest, EveryKeyTheValidatorRefusesIsNamedNotOnlyTheFirst) {
  std::vector<ConfigProblem> problems =
      Check("data_dir: /x\nevidence_retention: never\nlimits:\n  max_batch_items: 500\n");
  EXPECT_THAT(problems,
              ElementsAre(Problem(4, "limits.max_batch_items"), Problem(2, "evidence_retention")));
  EXPECT_EQ(problems[0].message, "at most 100");
  EXPECT_EQ(FormatConfigProblems("c.yaml", problems),
            "c.yaml:4: limits.max_batch_items: at most 100\n"
            "c.yaml:2: evidence_retention: 'never' is not a duration\n");
}

TEST_F(ConfigCheckTest, ARequiredKeyLeftOutHasNoLine) {
  EXPECT_THAT(Check("listen_address: 127.0.0.1:1\n"), ElementsAre(Problem(0, "data_dir")));
  // The filler's data_dir stands in for the missing one, so later keys are checked too.
  EXPECT_THAT(Check("evidence_retention: never\n"),
              ElementsAre(Problem(0, "data_dir"), Problem(1, "evidence_retention")));
  EXPECT_EQ(FormatConfigProblems("c.yaml", {{0, "data_dir", "required"}}),
            "c.yaml: data_dir: required\n");
}

TEST_F(ConfigCheckTest, MalformedYamlAndMissingFilesAreOneProblemEach) {
  EXPECT_THAT(Check("data_dir: /x\nlimits: {a: [\n"), ElementsAre(Field(&ConfigProblem::key, "")));
  EXPECT_THAT(Check("- a\n- b\n")[0].message, HasSubstr("mapping"));
  EXPECT_THAT(CheckYamlConfigFile("/nonexistent/c.yaml", config_, Filler(), Validate)[0].message,
              HasSubstr("cannot read"));
}

TEST_F(ConfigCheckTest, QuotedNumbersStayStrings) {
  EXPECT_THAT(Check("data_dir: \"0123\"\n"), IsEmpty());
  EXPECT_EQ(config_.data_dir(), "0123");
}

TEST(LineOfConfigKeyTest, FindsNestedAndListedKeys) {
  const std::string yaml = "a: 1\npacks:\n  - one.yaml\n  - two.yaml\nlimits:\n  x: 2\n";
  EXPECT_EQ(LineOfConfigKey(yaml, "limits.x"), 6);
  EXPECT_EQ(LineOfConfigKey(yaml, "packs[1]"), 4);
  EXPECT_EQ(LineOfConfigKey(yaml, "missing"), 0);
  EXPECT_EQ(LineOfConfigKey("a: [", "a"), 0);
}

}  // namespace
}  // namespace postura
