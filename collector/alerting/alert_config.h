#ifndef POSTURA_COLLECTOR_ALERTING_ALERT_CONFIG_H_
#define POSTURA_COLLECTOR_ALERTING_ALERT_CONFIG_H_

// The alerting section of the collector's config (v1::AlertingConfig), validated into
// plain options: the rules with their kinds, hold-downs and filters, and the webhooks.
// collector/collector_config.cc calls AlertingOptionsFromConfig and then reads each
// webhook's secret file; the engine and the sinks take the options.
//
// Threading: pure functions and plain structs; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "postura/v1/collector_config.pb.h"
#include "postura/v1/query.pb.h"

namespace postura::collector {

enum class AlertKind {
  kTargetMissed,
  kOutcomeLowered,
  kEvidenceStale,
  kAgentSilent,
  // The evidence workflow's (alert_workflow.h): requests open past their due date,
  // approved answers close to expiry and not renewed, risk exceptions close to their end.
  kEvidenceRequestOverdue,
  kEvidenceRenewalDue,
  kExceptionExpiring,
  // An agent's batch refused as a sequence conflict within the last hour: another party
  // may hold its credential (collector/ingest/ingest_writer.h).
  kCredentialConflict,
  // In sector mode: an outcome fell in enough organisations within the sector's window
  // (alert_sector.h).
  kSectorOutcomeDegraded,
};

// "target_missed", "outcome_lowered", "evidence_stale", "agent_silent",
// "evidence_request_overdue", "evidence_renewal_due", "exception_expiring",
// "credential_conflict", "sector_outcome_degraded".
absl::string_view AlertKindName(AlertKind kind);

// True for the kinds that watch live scores (target_missed, outcome_lowered,
// evidence_stale), false for agent_silent and the evidence workflow's.
bool IsAssetKind(AlertKind kind);
// True for the evidence workflow's kinds (alert_workflow.h).
bool IsWorkflowKind(AlertKind kind);

struct AlertRuleOptions {
  std::string name;  // Unique; the kind's name when the config gives none.
  AlertKind kind = AlertKind::kTargetMissed;
  absl::Duration hold_down = absl::Minutes(1);
  bool only_from_full = false;                       // outcome_lowered.
  absl::Duration silent_for = absl::ZeroDuration();  // agent_silent.
  absl::Duration lead_time = absl::Hours(24 * 30);   // evidence_renewal_due, exception_expiring.
  absl::flat_hash_set<std::string> asset_ids;        // Empty: every asset.
  std::string department_id;                         // Empty: any.
  std::string supplier_id;                           // Empty: any.

  // Whether the rule's filters let the asset through.
  bool Covers(const v1::AssetSummary& asset) const;
};

struct WebhookOptions {
  std::string name;         // "webhook-<n>" unless configured.
  std::string url;          // As configured.
  std::string scheme_host;  // "https://host:port" (port explicit), for the HTTP client.
  std::string path;         // "/path?query"; "/" when the URL has none.
  std::string secret_file;
  std::string secret;  // Filled in by the caller that reads secret_file.
  std::string ca_file;
  absl::Duration timeout = absl::Seconds(5);
  uint32_t max_attempts = 0;  // 0: never give up.
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
};

struct AlertingOptions {
  std::vector<AlertRuleOptions> rules;
  std::vector<WebhookOptions> webhooks;
  std::vector<v1::SyslogSinkConfig> syslog;  // Validated by the syslog sink.
  absl::Duration evaluate_every = absl::Seconds(5);

  bool enabled() const { return !rules.empty(); }
};

// Validates the alerting section and fills in defaults. InvalidArgument naming the key
// ("alerting.rules[2].hold_down") and the rule for any bad value, a rule kind that does not
// exist or is not built yet, a duplicate rule or sink name, or rules without any sink.
absl::StatusOr<AlertingOptions> AlertingOptionsFromConfig(const v1::AlertingConfig& config);

// Splits "http[s]://host[:port][/path]" into scheme_host and path. InvalidArgument for any
// other scheme, a missing host, a bad port, user info, a fragment or whitespace.
struct ParsedUrl {
  std::string scheme_host;
  std::string path;
  bool https = false;
};
absl::StatusOr<ParsedUrl> ParseWebhookUrl(absl::string_view url);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_ALERTING_ALERT_CONFIG_H_
