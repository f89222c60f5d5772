#ifndef POSTURA_AGENT_CONFIG_AGENT_CONFIG_H_
#define POSTURA_AGENT_CONFIG_AGENT_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/transport/collector_channel.h"
#include "postura/v1/agent_config.pb.h"

namespace postura::agent {

// One scheduled OpenSCAP evaluation (agent_config.proto OpenscapSourceConfig).
struct OpenscapSourceOptions {
  std::string datastream;
  std::string profile;
  std::string tailoring;  // Empty: none.
  absl::Duration interval = absl::Hours(24);
  absl::Duration timeout = absl::Minutes(30);
  std::string oscap = "/usr/bin/oscap";
};

// A directory of results made elsewhere (agent_config.proto XccdfDropConfig).
struct XccdfDropOptions {
  std::string directory;
  std::vector<std::string> assets;  // Filled with all the agent's assets by default.
  absl::Duration valid_for = absl::Hours(24 * 7);
};

// The agent's settings, validated, with defaults filled in.
struct AgentOptions {
  std::string agent_id;
  std::string collector_address;  // The collector reported to first.
  // A cluster's other collectors, tried in this order when one cannot take evidence.
  std::vector<std::string> fallback_collector_addresses;
  std::vector<std::string> assets;
  std::vector<std::string> packs;
  std::string root = "/";
  std::string spool_directory;
  uint64_t spool_max_bytes = 64 << 20;
  uint32_t evidence_ttl_intervals = 3;
  std::string ca_file;                // Empty: the system's trusted CAs.
  std::string credential_file;        // Default <spool_directory>/credential.
  std::string enrollment_token_file;  // Empty: none.
  std::string key_file;               // Default <spool_directory>/agent.key.
  std::string certificate_file;       // Default <spool_directory>/agent.crt.
  std::vector<OpenscapSourceOptions> openscap_sources;
  std::vector<XccdfDropOptions> xccdf_drops;
  std::vector<std::string> openscap_mappings;
  // How the uploader recognises the collector and proves itself; filled in at start-up
  // from ca_file and the key and certificate, or the credential (agent/enrollment.h), not
  // from the config.
  CollectorTrust trust;
  ClientCertificate certificate;  // The agent's key and certificate; empty before them.
};

// collector_address, then fallback_collector_addresses.
std::vector<std::string> CollectorAddresses(const AgentOptions& options);

// Validates a parsed config and fills in defaults. InvalidArgument naming the key.
absl::StatusOr<AgentOptions> AgentOptionsFromConfig(const v1::AgentConfig& config);

// Reads a YAML config file (schema: postura/v1/agent_config.proto) and validates it.
absl::StatusOr<AgentOptions> LoadAgentConfig(const std::string& path);

}  // namespace postura::agent

#endif  // POSTURA_AGENT_CONFIG_AGENT_CONFIG_H_
