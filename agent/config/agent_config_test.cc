#include "agent/config/agent_config.h"

#include "absl/strings/str_cat.h"
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

TEST(AgentConfigTest, TheClusterCollectorsAreTriedInOrder) {
  constexpr char kRest[] = "assets: [web]\npacks: [/p.yaml]\nspool: {directory: /s}\n";
  AgentOptions listed =
      FromYaml(absl::StrCat("agent_id: a\ncollector_addresses: [c1:4317, c2:4317]\n", kRest))
          .value();
  EXPECT_EQ(listed.collector_address, "c1:4317");
  EXPECT_EQ(listed.fallback_collector_addresses, std::vector<std::string>{"c2:4317"});
  AgentOptions both = FromYaml(absl::StrCat("agent_id: a\ncollector_address: c0:4317\n",
                                            "collector_addresses: [c1:4317, c2:4317]\n", kRest))
                          .value();
  EXPECT_EQ(CollectorAddresses(both), (std::vector<std::string>{"c0:4317", "c1:4317", "c2:4317"}));
  EXPECT_EQ(CollectorAddresses(FromYaml(kValid).value()),
            std::vector<std::string>{"127.0.0.1:4317"});

  EXPECT_THAT(FromYaml(absl::StrCat("agent_id: a\n", kRest)).status(),
              HasMessage(HasSubstr("collector_address: '' is not host:port")));
  EXPECT_THAT(
      FromYaml(absl::StrCat("agent_id: a\ncollector_addresses: [c1:4317, c1]\n", kRest)).status(),
      HasMessage(HasSubstr("collector_addresses: 'c1' is not host:port")));
  EXPECT_THAT(FromYaml(absl::StrCat("agent_id: a\ncollector_address: c1:4317\n",
                                    "collector_addresses: [c1:4317]\n", kRest))
                  .status(),
              HasMessage(HasSubstr("collector_addresses: 'c1:4317' is listed twice")));
  std::string many = "agent_id: a\ncollector_addresses: [";
  for (int i = 0; i < 17; ++i) absl::StrAppend(&many, i ? ", " : "", "c", i, ":4317");
  EXPECT_THAT(FromYaml(absl::StrCat(many, "]\n", kRest)).status(),
              HasMessage(HasSubstr("collector_addresses: at most 16 collectors")));
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

constexpr char kOpenscapOnly[] =
    "agent_id: web-01\ncollector_address: 127.0.0.1:4317\nassets: [web, db]\n"
    "spool: {directory: /s}\n";

TEST(AgentConfigTest, ReadsOpenscapSourcesAndDropDirectories) {
  AgentOptions options =
      FromYaml(std::string(kOpenscapOnly) +
               "openscap:\n"
               "  - {datastream: /ds.xml, profile: p, interval: 6h, timeout: 10m}\n"
               "  - {datastream: /ds2.xml, profile: q, tailoring: /t.xml, oscap: /opt/oscap}\n"
               "xccdf_drop:\n"
               "  - {directory: /drop/db, assets: [db], valid_for: 2d}\n"
               "  - {directory: /drop/all}\n"
               "openscap_mappings: [/m.tsv]\n")
          .value();
  EXPECT_TRUE(options.packs.empty());  // OpenSCAP alone is enough.
  ASSERT_EQ(options.openscap_sources.size(), 2u);
  EXPECT_EQ(options.openscap_sources[0].interval, absl::Hours(6));
  EXPECT_EQ(options.openscap_sources[0].timeout, absl::Minutes(10));
  EXPECT_EQ(options.openscap_sources[0].oscap, "/usr/bin/oscap");
  EXPECT_EQ(options.openscap_sources[1].tailoring, "/t.xml");
  EXPECT_EQ(options.openscap_sources[1].interval, absl::Hours(24));
  EXPECT_EQ(options.openscap_sources[1].timeout, absl::Minutes(30));
  EXPECT_EQ(options.openscap_sources[1].oscap, "/opt/oscap");
  ASSERT_EQ(options.xccdf_drops.size(), 2u);
  EXPECT_EQ(options.xccdf_drops[0].assets, std::vector<std::string>{"db"});
  EXPECT_EQ(options.xccdf_drops[0].valid_for, absl::Hours(48));
  EXPECT_EQ(options.xccdf_drops[1].assets, (std::vector<std::string>{"web", "db"}));
  EXPECT_EQ(options.xccdf_drops[1].valid_for, absl::Hours(24 * 7));
  EXPECT_EQ(options.openscap_mappings, std::vector<std::string>{"/m.tsv"});
}

TEST(AgentConfigTest, BadOpenscapKeysAreNamed) {
  const std::string base(kOpenscapOnly);
  EXPECT_THAT(FromYaml(base).status(), HasMessage(HasSubstr("packs: list at least one")));
  EXPECT_THAT(FromYaml(base + "openscap: [{profile: p}]\n").status(),
              HasMessage(HasSubstr("openscap[0].datastream: required")));
  EXPECT_THAT(FromYaml(base + "openscap: [{datastream: /d}]\n").status(),
              HasMessage(HasSubstr("openscap[0].profile: required")));
  EXPECT_THAT(FromYaml(base + "openscap: [{datastream: /d, profile: p, interval: 10s}]\n").status(),
              HasMessage(HasSubstr("openscap[0].interval: must be 1m to")));
  EXPECT_THAT(FromYaml(base + "openscap: [{datastream: /d, profile: p, timeout: soon}]\n").status(),
              HasMessage(HasSubstr("openscap[0].timeout:")));
  EXPECT_THAT(FromYaml(base + "xccdf_drop: [{assets: [web]}]\n").status(),
              HasMessage(HasSubstr("xccdf_drop[0].directory: required")));
  EXPECT_THAT(FromYaml(base + "xccdf_drop: [{directory: /d, assets: [mail]}]\n").status(),
              HasMessage(HasSubstr("xccdf_drop[0].assets: 'mail' is not one of the agent's")));
  EXPECT_THAT(FromYaml(base + "xccdf_drop: [{directory: /d, valid_for: 5m}]\n").status(),
              HasMessage(HasSubstr("xccdf_drop[0].valid_for: must be 1h to")));
}

}  // namespace
}  // namespace postura::agent
