#include "agent/config/agent_config.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/config/yaml_config.h"

namespace postura::agent {
namespace {

absl::Status KeyError(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

// Reads an optional duration key within [minimum, maximum]; `value` keeps its default when
// the key is empty.
absl::Status ReadDuration(absl::string_view key, const std::string& text, absl::Duration minimum,
                          absl::Duration maximum, absl::Duration& value) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<absl::Duration> duration = ParseConfigDuration(text);
  if (!duration.ok()) return KeyError(key, duration.status().message());
  if (*duration < minimum || *duration > maximum) {
    return KeyError(key, absl::StrCat("must be ", absl::FormatDuration(minimum), " to ",
                                      absl::FormatDuration(maximum)));
  }
  value = *duration;
  return absl::OkStatus();
}

// The collectors of collector_address and collector_addresses, in order: the first is
// the agent's collector_address, the rest its fallbacks.
absl::Status ReadCollectorAddresses(const v1::AgentConfig& config, AgentOptions& options) {
  constexpr int kMaxCollectors = 16;
  std::vector<std::string> addresses;
  if (!config.collector_address().empty() || config.collector_addresses().empty()) {
    if (config.collector_address().rfind(':') == std::string::npos) {
      return KeyError("collector_address",
                      absl::StrCat("'", config.collector_address(), "' is not host:port"));
    }
    addresses.push_back(config.collector_address());
  }
  for (const std::string& address : config.collector_addresses()) {
    if (address.rfind(':') == std::string::npos) {
      return KeyError("collector_addresses", absl::StrCat("'", address, "' is not host:port"));
    }
    if (std::find(addresses.begin(), addresses.end(), address) != addresses.end()) {
      return KeyError("collector_addresses", absl::StrCat("'", address, "' is listed twice"));
    }
    addresses.push_back(address);
  }
  if (addresses.size() > kMaxCollectors) {
    return KeyError("collector_addresses", absl::StrCat("at most ", kMaxCollectors, " collectors"));
  }
  options.collector_address = addresses.front();
  options.fallback_collector_addresses.assign(addresses.begin() + 1, addresses.end());
  return absl::OkStatus();
}

absl::StatusOr<OpenscapSourceOptions> OpenscapSourceFromConfig(
    const v1::OpenscapSourceConfig& config, int index) {
  const std::string key = absl::StrCat("openscap[", index, "]");
  OpenscapSourceOptions source;
  if (config.datastream().empty()) return KeyError(key + ".datastream", "required");
  if (config.profile().empty()) {
    return KeyError(key + ".profile", "required (`oscap info DATASTREAM` lists the profiles)");
  }
  source.datastream = config.datastream();
  source.profile = config.profile();
  source.tailoring = config.tailoring();
  if (!config.oscap().empty()) source.oscap = config.oscap();
  if (absl::Status s = ReadDuration(key + ".interval", config.interval(), absl::Minutes(1),
                                    absl::Hours(24 * 31), source.interval);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadDuration(key + ".timeout", config.timeout(), absl::Seconds(10),
                                    absl::Hours(24), source.timeout);
      !s.ok()) {
    return s;
  }
  return source;
}

absl::StatusOr<XccdfDropOptions> XccdfDropFromConfig(const v1::XccdfDropConfig& config, int index,
                                                     const std::vector<std::string>& assets) {
  const std::string key = absl::StrCat("xccdf_drop[", index, "]");
  XccdfDropOptions drop;
  if (config.directory().empty()) return KeyError(key + ".directory", "required");
  drop.directory = config.directory();
  for (const std::string& asset : config.assets()) {
    if (std::find(assets.begin(), assets.end(), asset) == assets.end()) {
      return KeyError(key + ".assets",
                      absl::StrCat("'", asset, "' is not one of the agent's assets"));
    }
    drop.assets.push_back(asset);
  }
  if (drop.assets.empty()) drop.assets = assets;
  if (absl::Status s = ReadDuration(key + ".valid_for", config.valid_for(), absl::Hours(1),
                                    absl::Hours(24 * 400), drop.valid_for);
      !s.ok()) {
    return s;
  }
  return drop;
}

absl::Status ReadOpenscap(const v1::AgentConfig& config, AgentOptions& options) {
  for (int i = 0; i < config.openscap_size(); ++i) {
    absl::StatusOr<OpenscapSourceOptions> source = OpenscapSourceFromConfig(config.openscap(i), i);
    if (!source.ok()) return source.status();
    options.openscap_sources.push_back(*std::move(source));
  }
  for (int i = 0; i < config.xccdf_drop_size(); ++i) {
    absl::StatusOr<XccdfDropOptions> drop =
        XccdfDropFromConfig(config.xccdf_drop(i), i, options.assets);
    if (!drop.ok()) return drop.status();
    options.xccdf_drops.push_back(*std::move(drop));
  }
  options.openscap_mappings.assign(config.openscap_mappings().begin(),
                                   config.openscap_mappings().end());
  return absl::OkStatus();
}

}  // namespace

std::vector<std::string> CollectorAddresses(const AgentOptions& options) {
  std::vector<std::string> addresses = {options.collector_address};
  addresses.insert(addresses.end(), options.fallback_collector_addresses.begin(),
                   options.fallback_collector_addresses.end());
  return addresses;
}

absl::StatusOr<AgentOptions> AgentOptionsFromConfig(const v1::AgentConfig& config) {
  AgentOptions options;
  if (config.agent_id().empty()) return KeyError("agent_id", "required");
  options.agent_id = config.agent_id();
  if (absl::Status read = ReadCollectorAddresses(config, options); !read.ok()) return read;
  if (config.assets().empty()) return KeyError("assets", "list at least one asset id");
  options.assets.assign(config.assets().begin(), config.assets().end());
  if (config.packs().empty() && config.openscap().empty() && config.xccdf_drop().empty()) {
    return KeyError("packs",
                    "list at least one check-pack file (or an openscap source or xccdf_drop)");
  }
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
  options.key_file =
      config.key_file().empty() ? options.spool_directory + "/agent.key" : config.key_file();
  options.certificate_file = config.certificate_file().empty()
                                 ? options.spool_directory + "/agent.crt"
                                 : config.certificate_file();
  if (absl::Status s = ReadOpenscap(config, options); !s.ok()) return s;
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
