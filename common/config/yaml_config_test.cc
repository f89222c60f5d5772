#include "common/config/yaml_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/collector_config.pb.h"
#include "tests/testing/status_matchers.h"

namespace postura {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

TEST(YamlConfigTest, ReadsNestedKeysIntoTheSchemaMessage) {
  v1::CollectorConfig config;
  absl::Status s = ParseYamlConfig(
      "listen_address: 127.0.0.1:0\ndata_dir: \"/tmp/x\"\nlimits:\n  max_batch_items: 10\n",
      "c.yaml", config);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(config.listen_address(), "127.0.0.1:0");
  EXPECT_EQ(config.data_dir(), "/tmp/x");
  EXPECT_EQ(config.limits().max_batch_items(), 10u);
}

TEST(YamlConfigTest, UnknownKeyIsAnErrorNamingIt) {
  v1::CollectorConfig config;
  EXPECT_THAT(ParseYamlConfig("data_dir: /x\nlimits:\n  max_batch_itemz: 3\n", "c.yaml", config),
              HasMessage(HasSubstr("max_batch_itemz")));
}

TEST(YamlConfigTest, MistypedValueIsAnError) {
  v1::CollectorConfig config;
  EXPECT_THAT(ParseYamlConfig("limits:\n  max_batch_items: many\n", "c.yaml", config),
              HasMessage(HasSubstr("c.yaml")));
  EXPECT_THAT(ParseYamlConfig("limits: [1, 2]\n", "c.yaml", config),
              HasMessage(HasSubstr("limits")));
}

TEST(YamlConfigTest, MalformedYamlNamesTheLine) {
  v1::CollectorConfig config;
  EXPECT_THAT(ParseYamlConfig("data_dir: /x\nlimits: {a: [\n", "c.yaml", config),
              HasMessage(HasSubstr("c.yaml:")));
  EXPECT_THAT(ParseYamlConfig("- a\n- b\n", "c.yaml", config),
              HasMessage(HasSubstr("expected a mapping")));
}

TEST(YamlConfigTest, EmptyDocumentIsAnEmptyMessage) {
  v1::CollectorConfig config;
  config.set_data_dir("stale");
  EXPECT_TRUE(ParseYamlConfig("", "c.yaml", config).ok());
  EXPECT_TRUE(config.data_dir().empty());
}

TEST(YamlConfigTest, ParsesDurationsWithDays) {
  EXPECT_EQ(ParseConfigDuration("90d").value(), absl::Hours(24 * 90));
  EXPECT_EQ(ParseConfigDuration("12h").value(), absl::Hours(12));
  EXPECT_EQ(ParseConfigDuration("1h30m").value(), absl::Minutes(90));
  EXPECT_EQ(ParseConfigDuration("250ms").value(), absl::Milliseconds(250));
  for (const char* bad : {"", "d", "-1h", "soon", "3 days", "inf", "-2d"}) {
    EXPECT_FALSE(ParseConfigDuration(bad).ok()) << bad;
  }
}

// Inputs a fuzzer found (tests/fuzz/crashes): each must be refused with a message, never
// crash or exhaust memory.
TEST(YamlConfigTest, AliasBombsAndDeepNestingAreRefused) {
  v1::CollectorConfig config;
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + "]\n";
  }
  EXPECT_THAT(ParseYamlConfig(bomb, "c.yaml", config), HasMessage(HasSubstr("aliases")));
  EXPECT_THAT(ParseYamlConfig("a: " + std::string(200, '[') + std::string(200, ']') + "\n",
                              "c.yaml", config),
              HasMessage(HasSubstr("nested deeper")));
}

TEST(YamlConfigTest, InvalidUtf8IsRefused) {
  v1::CollectorConfig config;
  EXPECT_THAT(ParseYamlConfig("data_dir: \"/x\xff\xfe\"\n", "c.yaml", config),
              HasMessage(HasSubstr("UTF-8")));
}

TEST(YamlConfigTest, DurationsBeyondAnyRetentionAreRefused) {
  EXPECT_TRUE(ParseConfigDuration("100000d").ok());
  EXPECT_FALSE(ParseConfigDuration("100001d").ok());
  EXPECT_FALSE(ParseConfigDuration("9223372036854775807d").ok());
}

}  // namespace
}  // namespace postura
