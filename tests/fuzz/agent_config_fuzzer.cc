// Fuzzes the agent's configuration: an input is a YAML config file, read into
// v1::AgentConfig (common/yaml_config.h) and validated (AgentOptionsFromConfig). Options
// that validate must hold the documented bounds.

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/config/agent_config.h"
#include "common/config/yaml_config.h"
#include "postura/v1/agent_config.pb.h"

namespace postura::agent {
namespace {

void FuzzAgentConfig(absl::string_view text) {
  v1::AgentConfig config;
  if (!ParseYamlConfig(text, "fuzz", config).ok()) return;
  absl::StatusOr<AgentOptions> options = AgentOptionsFromConfig(config);
  if (!options.ok()) return;
  if (options->agent_id.empty() || options->assets.empty() || options->packs.empty()) {
    __builtin_trap();
  }
  if (options->spool_directory.empty() || options->spool_max_bytes < (1 << 20)) {
    __builtin_trap();
  }
  if (options->evidence_ttl_intervals < 1 || options->evidence_ttl_intervals > 100) {
    __builtin_trap();
  }
}

}  // namespace
}  // namespace postura::agent

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  postura::agent::FuzzAgentConfig(absl::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
