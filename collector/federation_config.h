#ifndef POSTURA_COLLECTOR_FEDERATION_CONFIG_H_
#define POSTURA_COLLECTOR_FEDERATION_CONFIG_H_

// The config sections of the collector beyond one machine (docs/scale.md): cluster,
// sector_publish and sector, validated with defaults filled in. Called by
// collector_config.cc; errors name the key. Pure functions.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "postura/v1/collector_config.pb.h"

namespace postura::collector {

// Cluster mode (cluster.*, docs/scale.md); off while nats_servers is empty.
struct ClusterOptions {
  std::vector<std::string> nats_servers;  // "nats://host:port".
  std::string node;                       // This collector's name; its log position's.
  std::string stream = "postura-ingest";
  int replicas = 1;
  bool enabled() const { return !nats_servers.empty(); }
};

// Publishing to a sector (sector_publish.*, docs/scale.md); off while nats_servers is
// empty.
struct SectorPublishSettings {
  std::vector<std::string> nats_servers;
  std::string organisation_id;
  std::string key_file;
  std::string stream = "postura-sector";
  std::string subject_prefix = "postura.sector";
  bool publish_asset_ids = false;
  absl::Duration interval = absl::Seconds(30);
  absl::Duration refresh = absl::Hours(1);
  int replicas = 1;
  bool enabled() const { return !nats_servers.empty(); }
};

// Sector mode (sector.*, docs/scale.md); off while nats_servers is empty.
struct SectorSettings {
  struct Member {
    std::string organisation_id;
    std::string public_key_file;
  };
  std::vector<std::string> nats_servers;
  std::string stream = "postura-sector";
  std::string subject_prefix = "postura.sector";
  int replicas = 1;
  std::vector<Member> members;
  int degraded_min_organisations = 3;
  absl::Duration degraded_window = absl::Hours(24);
  std::string consumer = "postura-sector";
  bool enabled() const { return !nats_servers.empty(); }
};

absl::Status ClusterFromConfig(const v1::ClusterConfig& config, ClusterOptions& out);
absl::Status SectorPublishFromConfig(const v1::SectorPublishConfig& config,
                                     SectorPublishSettings& out);
absl::Status SectorFromConfig(const v1::SectorConfig& config, SectorSettings& out);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_FEDERATION_CONFIG_H_
