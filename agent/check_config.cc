#include "agent/check_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "agent/agent_daemon.h"
#include "agent/config/agent_config.h"

namespace postura::agent {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream file(path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// The least config that passes, whose values stand in for refused required keys.
v1::AgentConfig LeastAgentConfig() {
  v1::AgentConfig config;
  config.set_agent_id("agent");
  config.set_collector_address("collector:4317");
  config.add_assets("asset");
  config.add_packs("pack.yaml");
  config.mutable_spool()->set_directory("/var/lib/postura-agent");
  return config;
}

}  // namespace

std::vector<ConfigProblem> CheckAgentConfigFile(const std::string& path, const Catalog& catalog) {
  v1::AgentConfig config;
  std::vector<ConfigProblem> problems = CheckYamlConfigFile(
      path, config, LeastAgentConfig(), [](const google::protobuf::Message& parsed) {
        return AgentOptionsFromConfig(static_cast<const v1::AgentConfig&>(parsed)).status();
      });
  if (!problems.empty()) return problems;
  const std::string yaml = ReadWhole(path);
  for (int i = 0; i < config.packs_size(); ++i) {
    absl::StatusOr<CheckPack> pack = LoadCheckPack(config.packs(i), catalog);
    if (pack.ok()) continue;
    const std::string key = absl::StrCat("packs[", i, "]");
    problems.push_back({LineOfConfigKey(yaml, key), key, std::string(pack.status().message())});
  }
  if (!problems.empty()) return problems;
  // Each pack is good alone; together they must not hold one check id twice.
  std::vector<std::string> packs(config.packs().begin(), config.packs().end());
  if (absl::StatusOr<std::vector<Check>> checks = LoadChecks(packs, catalog); !checks.ok()) {
    problems.push_back(
        {LineOfConfigKey(yaml, "packs"), "packs", std::string(checks.status().message())});
  }
  return problems;
}

}  // namespace postura::agent
