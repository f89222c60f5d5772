#include "collector/collector_config.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "collector/alerting/syslog_sink.h"
#include "collector/config_keys.h"
#include "common/config/yaml_config.h"
#include "common/transport/agent_certificate.h"
#include "common/transport/private_file.h"

namespace postura::collector {
namespace {

// tls.local_ca_dir: absolute, and only where the local CA is used.
absl::Status LocalCaDirFromConfig(const v1::CollectorConfig& config, CollectorOptions& options) {
  const std::string& dir = config.tls().local_ca_dir();
  options.tls_local_ca_dir = dir;
  if (dir.empty()) return absl::OkStatus();
  if (!std::filesystem::path(dir).is_absolute()) {
    return KeyError("tls.local_ca_dir", absl::StrCat("'", dir, "' is not an absolute path"));
  }
  if (!options.tls_certificate_file.empty()) {
    return KeyError("tls.local_ca_dir",
                    "the local CA is not used when tls.certificate_file is given: remove one");
  }
  return absl::OkStatus();
}

// agents.*: an absolute CA directory, a lifetime the agent CA can issue.
absl::Status AgentIdentityFromConfig(const v1::AgentIdentityConfig& config,
                                     CollectorOptions& options) {
  options.agent_ca_dir = config.ca_dir();
  if (!options.agent_ca_dir.empty() && !std::filesystem::path(options.agent_ca_dir).is_absolute()) {
    return KeyError("agents.ca_dir",
                    absl::StrCat("'", options.agent_ca_dir, "' is not an absolute path"));
  }
  if (!config.certificate_lifetime().empty()) {
    absl::StatusOr<absl::Duration> lifetime = ParseConfigDuration(config.certificate_lifetime());
    if (!lifetime.ok()) return KeyError("agents.certificate_lifetime", lifetime.status().message());
    if (*lifetime < kMinAgentCertificateLifetime || *lifetime > kMaxAgentCertificateLifetime) {
      return KeyError("agents.certificate_lifetime", "must be between 2m and 90d");
    }
    options.agent_certificate_lifetime = *lifetime;
  }
  if (config.has_allow_bearer_credentials()) {
    options.allow_bearer_agent_credentials = config.allow_bearer_credentials();
  }
  return absl::OkStatus();
}

// The failed_authentication section: the backoff against guessing tokens.
absl::Status FailedAuthenticationFromConfig(const v1::FailedAuthenticationConfig& config,
                                            AuthThrottleOptions& out) {
  for (absl::Status s : {
           Limit("failed_authentication.max_failures", config.max_failures(), 1, 10'000,
                 out.max_failures),
           BoundedDuration("failed_authentication.window", config.window(), absl::Seconds(1),
                           absl::Hours(1), out.window),
           BoundedDuration("failed_authentication.first_block", config.first_block(),
                           absl::Seconds(1), absl::Hours(1), out.first_block),
       }) {
    if (!s.ok()) return s;
  }
  // After first_block, which bounds it.
  return BoundedDuration("failed_authentication.max_block", config.max_block(), out.first_block,
                         absl::Hours(24), out.max_block);
}

// The http section: the HTTPS listener's bounds.
absl::Status HttpLimitsFromConfig(const v1::HttpLimits& config, HttpLimits& out) {
  for (absl::Status s : {
           Limit("http.max_connections", config.max_connections(), 16, 4096, out.max_connections),
           Limit("http.max_body_bytes", config.max_body_bytes(), 1024, 64 << 20,
                 out.max_body_bytes),
           Limit("http.requests_per_second_per_credential",
                 config.requests_per_second_per_credential(), 1, 100'000,
                 out.requests_per_second_per_credential),
           Limit("http.request_burst_per_credential", config.request_burst_per_credential(), 1,
                 1'000'000, out.request_burst_per_credential),
           BoundedDuration("http.request_timeout", config.request_timeout(), absl::Seconds(1),
                           absl::Minutes(5), out.request_timeout),
           BoundedDuration("http.idle_timeout", config.idle_timeout(), absl::Seconds(1),
                           absl::Minutes(5), out.idle_timeout),
       }) {
    if (!s.ok()) return s;
  }
  // After max_connections, which bounds it.
  return Limit("http.max_connections_per_peer", config.max_connections_per_peer(), 1,
               static_cast<uint64_t>(out.max_connections), out.max_connections_per_peer);
}

absl::Status HistoryFromConfig(const v1::HistoryConfig& config, HistoryRetention& out) {
  for (absl::Status s : {Duration("history.every_change", config.every_change(), out.every_change),
                         Duration("history.hourly", config.hourly(), out.hourly),
                         Duration("history.daily", config.daily(), out.daily)}) {
    if (!s.ok()) return s;
  }
  return ValidateHistoryRetention(out);
}

// The dashboard's session limits (session_book.h): each key within its range, and a session
// that can idle no longer than it may live.
absl::Status DashboardFromConfig(const v1::DashboardConfig& config, SessionLimits& out) {
  const auto within = [](absl::string_view key, absl::Duration value, absl::Duration low,
                         absl::Duration high) {
    if (value >= low && value <= high) return absl::OkStatus();
    return KeyError(key, absl::StrCat("must be between ", absl::FormatDuration(low), " and ",
                                      absl::FormatDuration(high)));
  };
  for (absl::Status s :
       {Duration("dashboard.session_idle_timeout", config.session_idle_timeout(), out.idle_timeout),
        Duration("dashboard.session_absolute_timeout", config.session_absolute_timeout(),
                 out.absolute_timeout),
        within("dashboard.session_idle_timeout", out.idle_timeout, absl::Minutes(1),
               absl::Hours(24)),
        within("dashboard.session_absolute_timeout", out.absolute_timeout, absl::Minutes(5),
               absl::Hours(24 * 30)),
        Limit("dashboard.max_sessions_per_credential", config.max_sessions_per_credential(), 1,
              1000, out.max_per_credential),
        Limit("dashboard.max_sessions", config.max_sessions(), 1, 1'000'000, out.max_total)}) {
    if (!s.ok()) return s;
  }
  if (out.absolute_timeout < out.idle_timeout) {
    return KeyError("dashboard.session_absolute_timeout",
                    "must be at least dashboard.session_idle_timeout");
  }
  return absl::OkStatus();
}

// Checks every alerting.syslog entry the way the composition root will read it
// (SyslogSinkOptionsFromConfig), so a bad key stops start-up with its path.
absl::Status ValidateSyslogSinks(const v1::AlertingConfig& alerting) {
  for (int i = 0; i < alerting.syslog_size(); ++i) {
    absl::StatusOr<SyslogSinkOptions> sink = SyslogSinkOptionsFromConfig(alerting.syslog(i), i + 1);
    if (!sink.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("alerting.syslog[", i, "].", sink.status().message()));
    }
  }
  return absl::OkStatus();
}

// The alerting section, with each webhook's secret read from its file.
absl::Status AlertingFromConfig(const v1::AlertingConfig& config, AlertingOptions& out) {
  absl::StatusOr<AlertingOptions> alerting = AlertingOptionsFromConfig(config);
  if (!alerting.ok()) return alerting.status();
  for (size_t i = 0; i < alerting->webhooks.size(); ++i) {
    WebhookOptions& webhook = alerting->webhooks[i];
    absl::StatusOr<std::string> secret = ReadSecretFile(webhook.secret_file);
    if (!secret.ok()) {
      return KeyError(absl::StrCat("alerting.webhooks[", i, "].secret_file"),
                      secret.status().message());
    }
    webhook.secret = *std::move(secret);
  }
  out = *std::move(alerting);
  return absl::OkStatus();
}

}  // namespace

std::string AgentCaDir(const CollectorOptions& options) {
  return options.agent_ca_dir.empty() ? options.data_dir + "/agent-ca" : options.agent_ca_dir;
}

std::string LocalCaDir(const CollectorOptions& options) {
  return options.tls_local_ca_dir.empty() ? options.data_dir + "/tls" : options.tls_local_ca_dir;
}

absl::StatusOr<CollectorOptions> OptionsFromConfig(const v1::CollectorConfig& config) {
  CollectorOptions options;
  if (!config.listen_address().empty()) options.listen_address = config.listen_address();
  if (!config.http_listen_address().empty()) {
    options.http_listen_address = config.http_listen_address();
  }
  if (options.http_listen_address.rfind(':') == std::string::npos) {
    return KeyError("http_listen_address",
                    absl::StrCat("'", options.http_listen_address, "' is not host:port"));
  }
  if (options.listen_address.rfind(':') == std::string::npos) {
    return KeyError("listen_address",
                    absl::StrCat("'", options.listen_address, "' is not host:port"));
  }
  if (config.data_dir().empty()) return KeyError("data_dir", "required: where the store lives");
  options.data_dir = config.data_dir();
  options.admin_token_file = config.admin_token_file().empty() ? options.data_dir + "/admin.token"
                                                               : config.admin_token_file();
  options.tls_certificate_file = config.tls().certificate_file();
  options.tls_key_file = config.tls().key_file();
  if (options.tls_certificate_file.empty() != options.tls_key_file.empty()) {
    return KeyError(options.tls_key_file.empty() ? "tls.key_file" : "tls.certificate_file",
                    "give tls.certificate_file and tls.key_file together, or neither");
  }
  options.tls_server_names.assign(config.tls().server_names().begin(),
                                  config.tls().server_names().end());
  if (absl::Status s = LocalCaDirFromConfig(config, options); !s.ok()) return s;
  if (absl::Status s = AgentIdentityFromConfig(config.agents(), options); !s.ok()) return s;
  if (!config.evidence_retention().empty()) {
    absl::StatusOr<absl::Duration> retention = ParseConfigDuration(config.evidence_retention());
    if (!retention.ok()) return KeyError("evidence_retention", retention.status().message());
    if (*retention < absl::Hours(1)) return KeyError("evidence_retention", "must be at least 1h");
    options.evidence_retention = *retention;
  }
  if (absl::Status s = HistoryFromConfig(config.history(), options.history); !s.ok()) return s;
  if (absl::Status s = HttpLimitsFromConfig(config.http(), options.http); !s.ok()) return s;
  if (absl::Status s = FailedAuthenticationFromConfig(config.failed_authentication(),
                                                      options.failed_authentication);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = DashboardFromConfig(config.dashboard(), options.sessions); !s.ok()) {
    return s;
  }
  if (!config.requests().renewal_notice().empty()) {
    absl::StatusOr<absl::Duration> notice = ParseConfigDuration(config.requests().renewal_notice());
    if (!notice.ok()) return KeyError("requests.renewal_notice", notice.status().message());
    if (*notice < absl::Hours(1) || *notice > absl::Hours(24 * 365)) {
      return KeyError("requests.renewal_notice", "must be between 1h and 365d");
    }
    options.renewal_notice = *notice;
  }
  for (int i = 0; i < config.crosswalk_mappings_size(); ++i) {
    const v1::CrosswalkMapping& mapping = config.crosswalk_mappings(i);
    const std::string key = absl::StrCat("crosswalk_mappings[", i, "]");
    absl::StatusOr<crosswalk::Framework> framework = crosswalk::ParseFramework(mapping.framework());
    if (!framework.ok()) return KeyError(key + ".framework", framework.status().message());
    if (mapping.file().empty()) return KeyError(key + ".file", "is required");
    options.crosswalk_mappings.push_back({.framework = *framework, .path = mapping.file()});
  }
  if (absl::Status s = ValidateSyslogSinks(config.alerting()); !s.ok()) return s;
  if (absl::Status s = ClusterFromConfig(config.cluster(), options.cluster); !s.ok()) return s;
  if (absl::Status s = SectorPublishFromConfig(config.sector_publish(), options.sector_publish);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = SectorFromConfig(config.sector(), options.sector); !s.ok()) return s;
  if (absl::Status s = AlertingFromConfig(config.alerting(), options.alerting); !s.ok()) return s;
  for (size_t i = 0; i < options.alerting.rules.size(); ++i) {
    if (options.alerting.rules[i].kind == AlertKind::kSectorOutcomeDegraded &&
        !options.sector.enabled()) {
      return KeyError(absl::StrCat("alerting.rules[", i, "].kind"),
                      "sector_outcome_degraded needs the sector section (sector mode)");
    }
  }
  const v1::IngestLimits& limits = config.limits();
  for (absl::Status s : {
           Limit("limits.max_batch_items", limits.max_batch_items(), 1, 100'000,
                 options.max_batch_items),
           Limit("limits.max_message_bytes", limits.max_message_bytes(), 1024, 64 << 20,
                 options.max_message_bytes),
           Limit("limits.max_detail_bytes", limits.max_detail_bytes(), 16, 65536,
                 options.max_detail_bytes),
           Limit("limits.max_unacknowledged_batches", limits.max_unacknowledged_batches(), 1, 4096,
                 options.max_unacknowledged_batches),
           Limit("limits.max_queued_bytes", limits.max_queued_bytes(), 1 << 20, uint64_t{16} << 30,
                 options.max_queued_bytes),
           Limit("limits.max_grpc_memory_bytes", limits.max_grpc_memory_bytes(), 16 << 20,
                 uint64_t{64} << 30, options.max_grpc_memory_bytes),
           Limit("limits.max_streams_per_agent", limits.max_streams_per_agent(), 1, 64,
                 options.max_streams_per_agent),
           Limit("limits.max_grpc_connections", limits.max_grpc_connections(), 1, 65536,
                 options.max_grpc_connections),
           Limit("limits.grpc_stream_window_bytes", limits.grpc_stream_window_bytes(), 1024,
                 16 << 20, options.grpc_stream_window_bytes),
           Limit("store.memtable_bytes", config.store().memtable_bytes(), 8 << 20,
                 uint64_t{64} << 30, options.store_memtable_bytes),
           Limit("store.block_cache_bytes", config.store().block_cache_bytes(), 1 << 20,
                 uint64_t{1} << 40, options.store_block_cache_bytes),
           Limit("requests.max_document_bytes", config.requests().max_document_bytes(), 1024,
                 uint64_t{1} << 30, options.max_document_bytes),
           Limit("requests.max_request_document_bytes",
                 config.requests().max_request_document_bytes(), 1024, uint64_t{16} << 30,
                 options.max_request_document_bytes),
       }) {
    if (!s.ok()) return s;
  }
  return options;
}

absl::StatusOr<CollectorOptions> LoadCollectorConfig(const std::string& path) {
  v1::CollectorConfig config;
  if (absl::Status s = ReadYamlConfigFile(path, config); !s.ok()) return s;
  absl::StatusOr<CollectorOptions> options = OptionsFromConfig(config);
  if (!options.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", options.status().message()));
  }
  return options;
}

std::vector<ConfigProblem> CheckCollectorConfigFile(const std::string& path) {
  v1::CollectorConfig config;
  v1::CollectorConfig filler;  // The least config that passes.
  filler.set_data_dir("/var/lib/postura");
  return CheckYamlConfigFile(path, config, filler, [](const google::protobuf::Message& parsed) {
    return OptionsFromConfig(static_cast<const v1::CollectorConfig&>(parsed)).status();
  });
}

}  // namespace postura::collector
