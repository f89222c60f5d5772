#include "collector/alerting/alert_config.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/config/yaml_config.h"

namespace postura::collector {
namespace {

absl::Status KeyError(absl::string_view key, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(key, ": ", problem));
}

// Sets `out` to the duration in `text` unless it is empty, then checks [low, high].
absl::Status Duration(absl::string_view key, const std::string& text, absl::Duration low,
                      absl::Duration high, absl::Duration& out) {
  if (!text.empty()) {
    absl::StatusOr<absl::Duration> duration = ParseConfigDuration(text);
    if (!duration.ok()) return KeyError(key, duration.status().message());
    out = *duration;
  }
  if (out < low || out > high) {
    return KeyError(
        key, absl::StrCat(absl::FormatDuration(out), " is outside [", absl::FormatDuration(low),
                          ", ", absl::FormatDuration(high), "]"));
  }
  return absl::OkStatus();
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

absl::StatusOr<AlertKind> KindFromConfig(absl::string_view key, const std::string& kind) {
  if (kind == "target_missed") return AlertKind::kTargetMissed;
  if (kind == "outcome_lowered") return AlertKind::kOutcomeLowered;
  if (kind == "evidence_stale") return AlertKind::kEvidenceStale;
  if (kind == "agent_silent") return AlertKind::kAgentSilent;
  if (kind == "evidence_request_overdue") return AlertKind::kEvidenceRequestOverdue;
  if (kind == "evidence_renewal_due") return AlertKind::kEvidenceRenewalDue;
  if (kind == "exception_expiring") return AlertKind::kExceptionExpiring;
  if (kind == "credential_conflict") return AlertKind::kCredentialConflict;
  if (kind == "sector_outcome_degraded") return AlertKind::kSectorOutcomeDegraded;
  if (kind.empty()) return KeyError(key, "required");
  return KeyError(key, absl::StrCat("'", kind,
                                    "' is not a rule kind; use target_missed, outcome_lowered, "
                                    "evidence_stale, agent_silent, evidence_request_overdue, "
                                    "evidence_renewal_due, exception_expiring, "
                                    "credential_conflict or sector_outcome_degraded"));
}

bool TakesLeadTime(AlertKind kind) {
  return kind == AlertKind::kEvidenceRenewalDue || kind == AlertKind::kExceptionExpiring;
}

// lead_time: only for the kinds that warn ahead of an end; the others' subjects are not
// assets, so they take no asset filters.
absl::Status WorkflowKeys(absl::string_view prefix, const v1::AlertRule& rule,
                          AlertRuleOptions& out) {
  if (!TakesLeadTime(out.kind)) {
    if (!rule.lead_time().empty()) {
      return KeyError(absl::StrCat(prefix, ".lead_time"),
                      "only for kinds evidence_renewal_due and exception_expiring");
    }
  } else if (absl::Status s = Duration(absl::StrCat(prefix, ".lead_time"), rule.lead_time(),
                                       absl::Minutes(1), absl::Hours(24 * 365), out.lead_time);
             !s.ok()) {
    return s;
  }
  if (IsAssetKind(out.kind) || out.kind == AlertKind::kAgentSilent) return absl::OkStatus();
  if (!rule.asset_ids().empty() || !rule.department_id().empty() || !rule.supplier_id().empty()) {
    return KeyError(prefix, absl::StrCat(AlertKindName(out.kind),
                                         " takes no asset_ids, department_id or supplier_id"));
  }
  return absl::OkStatus();
}

// Checks the keys that only some kinds take.
absl::Status KindSpecificKeys(absl::string_view prefix, const v1::AlertRule& rule,
                              AlertRuleOptions& out) {
  if (out.kind != AlertKind::kOutcomeLowered && rule.only_from_full()) {
    return KeyError(absl::StrCat(prefix, ".only_from_full"), "only for kind outcome_lowered");
  }
  if (out.kind != AlertKind::kAgentSilent) {
    if (!rule.silent_for().empty()) {
      return KeyError(absl::StrCat(prefix, ".silent_for"), "only for kind agent_silent");
    }
    return absl::OkStatus();
  }
  if (rule.silent_for().empty()) {
    return KeyError(absl::StrCat(prefix, ".silent_for"), "required for kind agent_silent");
  }
  if (!rule.asset_ids().empty() || !rule.department_id().empty() || !rule.supplier_id().empty()) {
    return KeyError(prefix, "agent_silent takes no asset_ids, department_id or supplier_id");
  }
  return Duration(absl::StrCat(prefix, ".silent_for"), rule.silent_for(), absl::Seconds(1),
                  absl::Hours(24 * 365), out.silent_for);
}

absl::StatusOr<AlertRuleOptions> RuleFromConfig(absl::string_view prefix,
                                                const v1::AlertRule& rule) {
  AlertRuleOptions out;
  absl::StatusOr<AlertKind> kind = KindFromConfig(absl::StrCat(prefix, ".kind"), rule.kind());
  if (!kind.ok()) return kind.status();
  out.kind = *kind;
  out.name = rule.name().empty() ? std::string(AlertKindName(out.kind)) : rule.name();
  if (!ValidName(out.name)) {
    return KeyError(
        absl::StrCat(prefix, ".name"),
        absl::StrCat("'", out.name, "' must be 1 to 64 letters, digits, '-', '_' or '.'"));
  }
  if (absl::Status s = Duration(absl::StrCat(prefix, ".hold_down"), rule.hold_down(),
                                absl::ZeroDuration(), absl::Hours(24), out.hold_down);
      !s.ok()) {
    return s;
  }
  out.only_from_full = rule.only_from_full();
  if (absl::Status s = KindSpecificKeys(prefix, rule, out); !s.ok()) return s;
  if (absl::Status s = WorkflowKeys(prefix, rule, out); !s.ok()) return s;
  for (const std::string& asset_id : rule.asset_ids()) {
    if (asset_id.empty()) return KeyError(absl::StrCat(prefix, ".asset_ids"), "empty id");
    out.asset_ids.insert(asset_id);
  }
  out.department_id = rule.department_id();
  out.supplier_id = rule.supplier_id();
  return out;
}

absl::Status PortFrom(absl::string_view url, absl::string_view port, std::string& out) {
  uint32_t number = 0;
  if (!absl::SimpleAtoi(port, &number) || number == 0 || number > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("'", url, "' has a bad port"));
  }
  out = absl::StrCat(number);
  return absl::OkStatus();
}

absl::StatusOr<WebhookOptions> WebhookFromConfig(absl::string_view prefix,
                                                 const v1::WebhookSinkConfig& config, int n) {
  WebhookOptions out;
  out.name = config.name().empty() ? absl::StrCat("webhook-", n) : config.name();
  if (!ValidName(out.name)) {
    return KeyError(
        absl::StrCat(prefix, ".name"),
        absl::StrCat("'", out.name, "' must be 1 to 64 letters, digits, '-', '_' or '.'"));
  }
  if (config.url().empty()) return KeyError(absl::StrCat(prefix, ".url"), "required");
  absl::StatusOr<ParsedUrl> url = ParseWebhookUrl(config.url());
  if (!url.ok()) return KeyError(absl::StrCat(prefix, ".url"), url.status().message());
  out.url = config.url();
  out.scheme_host = url->scheme_host;
  out.path = url->path;
  if (config.secret_file().empty()) {
    return KeyError(absl::StrCat(prefix, ".secret_file"),
                    "required: the shared secret that signs each body");
  }
  out.secret_file = config.secret_file();
  if (!config.ca_file().empty() && !url->https) {
    return KeyError(absl::StrCat(prefix, ".ca_file"), "only for an https url");
  }
  out.ca_file = config.ca_file();
  out.max_attempts = config.max_attempts();
  for (absl::Status s :
       {Duration(absl::StrCat(prefix, ".timeout"), config.timeout(), absl::Milliseconds(100),
                 absl::Minutes(1), out.timeout),
        Duration(absl::StrCat(prefix, ".initial_backoff"), config.initial_backoff(),
                 absl::Milliseconds(10), absl::Hours(1), out.initial_backoff),
        Duration(absl::StrCat(prefix, ".max_backoff"), config.max_backoff(), out.initial_backoff,
                 absl::Hours(24), out.max_backoff)}) {
    if (!s.ok()) return s;
  }
  return out;
}

}  // namespace

absl::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kTargetMissed:
      return "target_missed";
    case AlertKind::kOutcomeLowered:
      return "outcome_lowered";
    case AlertKind::kEvidenceStale:
      return "evidence_stale";
    case AlertKind::kAgentSilent:
      return "agent_silent";
    case AlertKind::kEvidenceRequestOverdue:
      return "evidence_request_overdue";
    case AlertKind::kEvidenceRenewalDue:
      return "evidence_renewal_due";
    case AlertKind::kExceptionExpiring:
      return "exception_expiring";
    case AlertKind::kCredentialConflict:
      return "credential_conflict";
    case AlertKind::kSectorOutcomeDegraded:
      return "sector_outcome_degraded";
  }
  return "unknown";
}

bool IsWorkflowKind(AlertKind kind) {
  return kind == AlertKind::kEvidenceRequestOverdue || kind == AlertKind::kEvidenceRenewalDue ||
         kind == AlertKind::kExceptionExpiring;
}

bool IsAssetKind(AlertKind kind) {
  return kind == AlertKind::kTargetMissed || kind == AlertKind::kOutcomeLowered ||
         kind == AlertKind::kEvidenceStale;
}

bool AlertRuleOptions::Covers(const v1::AssetSummary& asset) const {
  if (!asset_ids.empty() && !asset_ids.contains(asset.asset_id())) return false;
  if (!department_id.empty() && asset.department_id() != department_id) return false;
  return supplier_id.empty() || asset.supplier_id() == supplier_id;
}

absl::StatusOr<ParsedUrl> ParseWebhookUrl(absl::string_view url) {
  ParsedUrl parsed;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    parsed.https = true;
  } else if (!absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat("'", url, "' is not an http or https URL"));
  }
  for (char c : url) {
    if (absl::ascii_isspace(c) || absl::ascii_iscntrl(c)) {
      return absl::InvalidArgumentError(absl::StrCat("'", url, "' holds whitespace"));
    }
  }
  if (absl::StrContains(url, '#')) {
    return absl::InvalidArgumentError(absl::StrCat("'", url, "' has a fragment"));
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  parsed.path = slash == absl::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (absl::StrContains(authority, '@')) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", url, "' has user info; the secret signs the body instead"));
  }
  std::string host, port = parsed.https ? "443" : "80";
  const size_t bracket = authority.find(']');
  const size_t colon = authority.rfind(':');
  const bool has_port =
      colon != absl::string_view::npos && (bracket == absl::string_view::npos || colon > bracket);
  host = std::string(has_port ? authority.substr(0, colon) : authority);
  if (has_port) {
    if (absl::Status s = PortFrom(url, authority.substr(colon + 1), port); !s.ok()) return s;
  }
  if (host.empty() || host == "[]") {
    return absl::InvalidArgumentError(absl::StrCat("'", url, "' has no host"));
  }
  parsed.scheme_host = absl::StrCat(parsed.https ? "https://" : "http://", host, ":", port);
  return parsed;
}

absl::StatusOr<AlertingOptions> AlertingOptionsFromConfig(const v1::AlertingConfig& config) {
  AlertingOptions out;
  absl::flat_hash_set<std::string> names;
  for (int i = 0; i < config.rules_size(); ++i) {
    const std::string prefix = absl::StrCat("alerting.rules[", i, "]");
    absl::StatusOr<AlertRuleOptions> rule = RuleFromConfig(prefix, config.rules(i));
    if (!rule.ok()) return rule.status();
    if (!names.insert(rule->name).second) {
      return KeyError(absl::StrCat(prefix, ".name"),
                      absl::StrCat("a second rule named '", rule->name,
                                   "'; give rules of the same kind distinct names"));
    }
    out.rules.push_back(*std::move(rule));
  }
  absl::flat_hash_set<std::string> sinks;
  for (int i = 0; i < config.webhooks_size(); ++i) {
    const std::string prefix = absl::StrCat("alerting.webhooks[", i, "]");
    absl::StatusOr<WebhookOptions> webhook = WebhookFromConfig(prefix, config.webhooks(i), i + 1);
    if (!webhook.ok()) return webhook.status();
    if (!sinks.insert(webhook->name).second) {
      return KeyError(absl::StrCat(prefix, ".name"),
                      absl::StrCat("a second sink named '", webhook->name, "'"));
    }
    out.webhooks.push_back(*std::move(webhook));
  }
  out.syslog.assign(config.syslog().begin(), config.syslog().end());
  if (absl::Status s = Duration("alerting.evaluate_every", config.evaluate_every(),
                                absl::Milliseconds(100), absl::Minutes(1), out.evaluate_every);
      !s.ok()) {
    return s;
  }
  if (!out.rules.empty() && out.webhooks.empty() && out.syslog.empty()) {
    return KeyError("alerting", "rules need at least one sink (webhooks or syslog)");
  }
  return out;
}

}  // namespace postura::collector
