#include "agent/config/agent_config.h"

#include "absl/strings/str_cat.h"
#include "common/config/yaml_config.h"

namespace postura::agent {
namespace {

absl::Status KeyError(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

}  // namespace

absl::StatusOr<AgentOptions> AgentOptionsFromConfig(const v1::AgentConfig& config) {
  AgentOptions options;
  if (config.agent_id().empty()) return KeyError("agent_id", "required");
  options.agent_id = config.agent_id();
  if (config.collector_address().rfind(':') == std::string::npos) {
    return KeyError("collector_address",
                    absl::StrCat("'", config.collector_address(), "' is not host:port"));
  }
  options.collector_address = config.collector_address();
  if (config.assets().empty()) return KeyError("assets", "list at least one asset id");
  options.assets.assign(config.assets().begin(), config.assets().end());
  if (config.packs().empty()) return KeyError("packs", "list at least one check-pack file");
  options.packs.assign(config.packs().begin(), config.packs().end());
  if (!config.root().empty()) options.root = config.root();
  if (config.spool().directory().empty()) return KeyError("spool.directory", "required");
  options.spool_directory = config.spool().directory();
  if (config.spool().max_bytes() != 0) {
    if (config.spool().max_bytes() < (1 << 20))
      return KeyError("spool.max_bytes", "at least 1048576");
    options.spool_max_bytes = config.spool().max_bytes();
  }
  if (config.evidence_ttl_intervals() != 0) {
    if (config.evidence_ttl_intervals() > 100) {
      return KeyError("evidence_ttl_intervals", "must be 1 to 100");
    }
    options.evidence_ttl_intervals = config.evidence_ttl_intervals();
  }
  options.ca_file = config.ca_file();
  options.credential_file = config.credential_file().empty()
                                ? options.spool_directory + "/credential"
                                : config.credential_file();
  options.enrollment_token_file = config.enrollment_token_file();
  return options;
}

absl::StatusOr<AgentOptions> LoadAgentConfig(const std::string& path) {
  v1::AgentConfig config;
  if (absl::Status s = ReadYamlConfigFile(path, config); !s.ok()) return s;
  absl::StatusOr<AgentOptions> options = AgentOptionsFromConfig(config);
  if (!options.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", options.status().message()));
  }
  return options;
}

}  // namespace postura::agent
