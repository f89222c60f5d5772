#ifndef POSTURA_COLLECTOR_COLLECTOR_CONFIG_H_
#define POSTURA_COLLECTOR_COLLECTOR_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collector/access/auth_throttle.h"
#include "collector/access/session_book.h"
#include "collector/alerting/alert_config.h"
#include "collector/api/http_limits.h"
#include "collector/federation_config.h"
#include "collector/history/history_downsampler.h"
#include "common/config/config_check.h"
#include "common/crosswalk/crosswalk.h"
#include "postura/v1/collector_config.pb.h"

namespace postura::collector {

// The collector's settings, validated, with defaults filled in.
struct CollectorOptions {
  std::string listen_address = "127.0.0.1:4317";
  std::string http_listen_address = "127.0.0.1:4318";
  std::string data_dir;
  absl::Duration evidence_retention = absl::Hours(24 * 90);
  uint32_t max_batch_items = 1000;
  uint32_t max_message_bytes = 4 << 20;
  uint32_t max_detail_bytes = 1024;
  uint32_t max_unacknowledged_batches = 32;
  uint64_t max_queued_bytes = 16 << 20;
  uint64_t max_grpc_memory_bytes = 128 << 20;
  uint32_t max_streams_per_agent = 2;
  uint32_t max_grpc_connections = 1024;
  uint32_t grpc_stream_window_bytes = 4 << 10;
  HttpLimits http;                            // The HTTPS listener (http.* keys).
  AuthThrottleOptions failed_authentication;  // failed_authentication.*
  uint64_t store_memtable_bytes = 16 << 20;
  uint64_t store_block_cache_bytes = 8 << 20;
  // Operator-provided TLS files; both empty: a local CA in <data_dir>/tls.
  std::string tls_certificate_file;
  std::string tls_key_file;
  std::vector<std::string> tls_server_names;  // For the created certificate.
  std::string tls_local_ca_dir;               // Where the local CA lives; see LocalCaDir.
  std::string admin_token_file;               // Empty: <data_dir>/admin.token.
  HistoryRetention history;                   // Score history's resolutions by age.
  SessionLimits sessions;                     // The dashboard's sessions (dashboard.*).
  AlertingOptions alerting;                   // Rules and sinks; webhooks' secrets read.
  // Evidence requests' documents: the caps per file and per request.
  uint64_t max_document_bytes = 20 << 20;
  uint64_t max_request_document_bytes = 100 << 20;
  // How long before an approved answer expires its owner is reminded (event stream).
  absl::Duration renewal_notice = absl::Hours(24 * 30);
  // The agent CA (agents.ca_dir; empty: <data_dir>/agent-ca), its certificates' lifetime,
  // and whether agents' bearer credentials still report.
  std::string agent_ca_dir;
  absl::Duration agent_certificate_lifetime = absl::Hours(24 * 7);
  bool allow_bearer_agent_credentials = true;
  // Operator mapping files of the crosswalk reports, read at start (crosswalk_routes.h).
  std::vector<crosswalk::MappingFile> crosswalk_mappings;
  ClusterOptions cluster;
  SectorPublishSettings sector_publish;
  SectorSettings sector;
};

// The directory of the local CA: tls.local_ca_dir, or <data_dir>/tls when it is not set.
std::string LocalCaDir(const CollectorOptions& options);

// The directory of the agent CA: agents.ca_dir, or <data_dir>/agent-ca when it is not set.
std::string AgentCaDir(const CollectorOptions& options);

// Validates a parsed config file and fills in defaults, and reads the webhooks' secret
// files. InvalidArgument naming the key (for example "limits.max_batch_items") and the
// rule for any bad value, or a secret file that is missing, empty or readable by others.
absl::StatusOr<CollectorOptions> OptionsFromConfig(const v1::CollectorConfig& config);

// Reads a YAML config file (schema: postura/v1/collector_config.proto) and validates it.
absl::StatusOr<CollectorOptions> LoadCollectorConfig(const std::string& path);

// Checks a config file without starting anything (`postura-collector --check-config`):
// every problem LoadCollectorConfig would stop at, one by one, each naming its key and
// line. Empty when the file is good.
std::vector<ConfigProblem> CheckCollectorConfigFile(const std::string& path);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_COLLECTOR_CONFIG_H_
