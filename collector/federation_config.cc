#include "collector/federation_config.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "collector/config_keys.h"
#include "collector/replication/jetstream_log.h"

namespace postura::collector {
namespace {

// "nats://host:port", port 1 to 65535.
bool IsNatsUrl(absl::string_view url) {
  if (!absl::ConsumePrefix(&url, "nats://")) return false;
  const size_t colon = url.rfind(':');
  int port = 0;
  return colon != absl::string_view::npos && colon > 0 &&
         absl::SimpleAtoi(url.substr(colon + 1), &port) && port >= 1 && port <= 65535;
}

// Copies `servers` to `out` if each is nats://host:port; an error naming `key` otherwise.
absl::Status NatsServers(absl::string_view key,
                         const google::protobuf::RepeatedPtrField<std::string>& servers,
                         std::vector<std::string>& out) {
  for (const std::string& server : servers) {
    if (!IsNatsUrl(server)) {
      return KeyError(key, absl::StrCat("'", server, "' is not nats://host:port"));
    }
    out.push_back(server);
  }
  return absl::OkStatus();
}

// The keys of a sector's stream, under `section`: its name, subject prefix and replicas,
// each kept at its default when not given.
absl::Status SectorStream(absl::string_view section, const std::string& stream,
                          const std::string& subject_prefix, uint32_t replicas,
                          std::string& stream_out, std::string& prefix_out, int& replicas_out) {
  if (!stream.empty()) stream_out = stream;
  if (!IsJetStreamName(stream_out)) {
    return KeyError(absl::StrCat(section, ".stream"), "1 to 64 of A-Z, a-z, 0-9, - and _");
  }
  if (!subject_prefix.empty()) prefix_out = subject_prefix;
  if (prefix_out.find_first_of("*> ") != std::string::npos || absl::StartsWith(prefix_out, ".") ||
      absl::EndsWith(prefix_out, ".")) {
    return KeyError(absl::StrCat(section, ".subject_prefix"),
                    "a NATS subject without wildcards, spaces or outer dots");
  }
  if (replicas != 0) replicas_out = static_cast<int>(replicas);
  if (replicas_out != 1 && replicas_out != 3 && replicas_out != 5) {
    return KeyError(absl::StrCat(section, ".replicas"), "must be 1, 3 or 5");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ClusterFromConfig(const v1::ClusterConfig& config, ClusterOptions& out) {
  if (config.nats_servers().empty()) {
    if (!config.node().empty() || !config.stream().empty() || config.replicas() != 0) {
      return KeyError("cluster.nats_servers", "required to turn cluster mode on");
    }
    return absl::OkStatus();
  }
  if (absl::Status s = NatsServers("cluster.nats_servers", config.nats_servers(), out.nats_servers);
      !s.ok()) {
    return s;
  }
  if (!IsJetStreamName(config.node())) {
    return KeyError("cluster.node", "required: 1 to 64 of A-Z, a-z, 0-9, - and _");
  }
  out.node = config.node();
  if (!config.stream().empty()) out.stream = config.stream();
  if (!IsJetStreamName(out.stream)) {
    return KeyError("cluster.stream", "1 to 64 of A-Z, a-z, 0-9, - and _");
  }
  if (config.replicas() != 0) out.replicas = static_cast<int>(config.replicas());
  if (out.replicas != 1 && out.replicas != 3 && out.replicas != 5) {
    return KeyError("cluster.replicas", "must be 1, 3 or 5");
  }
  return absl::OkStatus();
}

// The sector section: this collector as its sector's.
absl::Status SectorFromConfig(const v1::SectorConfig& config, SectorSettings& out) {
  if (config.nats_servers().empty()) {
    if (config.ByteSizeLong() != 0) {
      return KeyError("sector.nats_servers", "required to turn sector mode on");
    }
    return absl::OkStatus();
  }
  if (absl::Status s = NatsServers("sector.nats_servers", config.nats_servers(), out.nats_servers);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          SectorStream("sector", config.stream(), config.subject_prefix(), config.replicas(),
                       out.stream, out.subject_prefix, out.replicas);
      !s.ok()) {
    return s;
  }
  if (!config.consumer().empty()) out.consumer = config.consumer();
  if (!IsJetStreamName(out.consumer)) {
    return KeyError("sector.consumer", "1 to 64 of A-Z, a-z, 0-9, - and _");
  }
  if (config.members().empty()) return KeyError("sector.members", "at least one organisation");
  for (int i = 0; i < config.members_size(); ++i) {
    const v1::SectorMember& member = config.members(i);
    const std::string key = absl::StrCat("sector.members[", i, "]");
    if (!IsJetStreamName(member.organisation_id())) {
      return KeyError(absl::StrCat(key, ".organisation_id"),
                      "required: 1 to 64 of A-Z, a-z, 0-9, - and _");
    }
    for (const SectorSettings::Member& other : out.members) {
      if (other.organisation_id == member.organisation_id()) {
        return KeyError(absl::StrCat(key, ".organisation_id"),
                        absl::StrCat("'", member.organisation_id(), "' is listed twice"));
      }
    }
    if (member.public_key_file().empty()) {
      return KeyError(absl::StrCat(key, ".public_key_file"), "required");
    }
    out.members.push_back({member.organisation_id(), member.public_key_file()});
  }
  if (absl::Status s =
          Limit("sector.degraded_min_organisations", config.degraded_min_organisations(), 1, 10'000,
                out.degraded_min_organisations);
      !s.ok()) {
    return s;
  }
  return BoundedDuration("sector.degraded_window", config.degraded_window(), absl::Minutes(1),
                         absl::Hours(24 * 30), out.degraded_window);
}

// The sector_publish section: what this organisation publishes to its sector.
absl::Status SectorPublishFromConfig(const v1::SectorPublishConfig& config,
                                     SectorPublishSettings& out) {
  if (config.nats_servers().empty()) {
    if (config.ByteSizeLong() != 0) {
      return KeyError("sector_publish.nats_servers", "required to publish to a sector");
    }
    return absl::OkStatus();
  }
  if (absl::Status s =
          NatsServers("sector_publish.nats_servers", config.nats_servers(), out.nats_servers);
      !s.ok()) {
    return s;
  }
  if (!IsJetStreamName(config.organisation_id())) {
    return KeyError("sector_publish.organisation_id",
                    "required: 1 to 64 of A-Z, a-z, 0-9, - and _");
  }
  out.organisation_id = config.organisation_id();
  if (config.key_file().empty()) {
    return KeyError("sector_publish.key_file", "required: the organisation's P-256 key (PEM)");
  }
  out.key_file = config.key_file();
  if (absl::Status s =
          SectorStream("sector_publish", config.stream(), config.subject_prefix(),
                       config.replicas(), out.stream, out.subject_prefix, out.replicas);
      !s.ok()) {
    return s;
  }
  out.publish_asset_ids = config.publish_asset_ids();
  if (absl::Status s = BoundedDuration("sector_publish.interval", config.interval(),
                                       absl::Seconds(1), absl::Hours(1), out.interval);
      !s.ok()) {
    return s;
  }
  return BoundedDuration("sector_publish.refresh", config.refresh(), out.interval, absl::Hours(24),
                         out.refresh);
}

}  // namespace postura::collector
