#include "agent/config/agent_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::postura::test::HasMessage;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

absl::StatusOr<AgentOptions> FromYaml(const std::string& yaml) {
  TempDir dir;
  return LoadAgentConfig(dir.WriteFile("agent.yaml", yaml));
}

constexpr char kValid[] =
    "agent_id: web-01\ncollector_address: 127.0.0.1:4317\nassets: [web]\n"
    "packs: [/p.yaml]\nspool: {directory: /s}\n";

TEST(AgentConfigTest, ReadsKeysAndFillsDefaults) {
  AgentOptions options = FromYaml(kValid).value();
  EXPECT_EQ(options.agent_id, "web-01");
  EXPECT_EQ(options.assets, std::vector<std::string>{"web"});
  EXPECT_EQ(options.root, "/");
  EXPECT_EQ(options.spool_max_bytes, 64u << 20);
  EXPECT_EQ(options.evidence_ttl_intervals, 3u);
}

TEST(AgentConfigTest, ShippedExampleIsValid) {
  EXPECT_TRUE(LoadAgentConfig(POSTURA_SOURCE_DIR "/deploy/agent.example.yaml").ok());
}

TEST(AgentConfigTest, BadConfigNamesTheKey) {
  EXPECT_THAT(FromYaml("collector_address: h:1\n").status(),
              HasMessage(HasSubstr("agent_id: required")));
  EXPECT_THAT(FromYaml(std::string(kValid) + "colector: x\n").status(),
              HasMessage(HasSubstr("colector")));
  EXPECT_THAT(FromYaml("agent_id: a\ncollector_address: nohost\n").status(),
              HasMessage(HasSubstr("collector_address: 'nohost' is not host:port")));
  EXPECT_THAT(FromYaml("agent_id: a\ncollector_address: h:1\n").status(),
              HasMessage(HasSubstr("assets: list at least one")));
  EXPECT_THAT(FromYaml("agent_id: a\ncollector_address: h:1\nassets: [w]\npacks: [p]\n").status(),
              HasMessage(HasSubstr("spool.directory: required")));
  EXPECT_THAT(FromYaml(std::string(kValid) + "evidence_ttl_intervals: 1000\n").status(),
              HasMessage(HasSubstr("evidence_ttl_intervals")));
}

}  // namespace
}  // namespace postura::agent
