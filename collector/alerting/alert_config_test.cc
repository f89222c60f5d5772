#include "collector/alerting/alert_config.h"

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

v1::AlertingConfig Config(const std::string& text) {
  v1::AlertingConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config)) << text;
  return config;
}

// The error message for `text`, or "ok".
std::string Error(const std::string& text) {
  absl::StatusOr<AlertingOptions> options = AlertingOptionsFromConfig(Config(text));
  if (options.ok()) return "ok";
  EXPECT_EQ(options.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(options.status().message());
}

TEST(AlertConfigTest, TheMinimalFormGivesDefaults) {
  absl::StatusOr<AlertingOptions> options = AlertingOptionsFromConfig(Config(
      R"pb(webhooks { url: "https://alerts.example.com/hook" secret_file: "/etc/secret" }
           rules { kind: "target_missed" })pb"));
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->rules.size(), 1u);
  EXPECT_EQ(options->rules[0].name, "target_missed");
  EXPECT_EQ(options->rules[0].hold_down, absl::Minutes(1));
  ASSERT_EQ(options->webhooks.size(), 1u);
  const WebhookOptions& webhook = options->webhooks[0];
  EXPECT_EQ(webhook.name, "webhook-1");
  EXPECT_EQ(webhook.scheme_host, "https://alerts.example.com:443");
  EXPECT_EQ(webhook.path, "/hook");
  EXPECT_EQ(webhook.timeout, absl::Seconds(5));
  EXPECT_EQ(webhook.max_attempts, 0u);
  EXPECT_EQ(options->evaluate_every, absl::Seconds(5));
  EXPECT_TRUE(options->enabled());
}

TEST(AlertConfigTest, EveryKindAndOptionIsRead) {
  absl::StatusOr<AlertingOptions> options = AlertingOptionsFromConfig(Config(
      R"pb(webhooks {
             url: "http://127.0.0.1:9000"
             secret_file: "s"
             timeout: "2s"
             max_attempts: 3
             initial_backoff: "100ms"
             max_backoff: "1s"
             name: "soc"
           }
           rules {
             kind: "outcome_lowered"
             only_from_full: true
             hold_down: "0s"
             asset_ids: "web"
             department_id: "ops"
           }
           rules { kind: "evidence_stale" name: "stale" }
           rules { kind: "agent_silent" silent_for: "10m" })pb"));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->rules[0].only_from_full);
  EXPECT_EQ(options->rules[0].hold_down, absl::ZeroDuration());
  EXPECT_TRUE(options->rules[0].asset_ids.contains("web"));
  EXPECT_EQ(options->rules[2].silent_for, absl::Minutes(10));
  EXPECT_EQ(options->webhooks[0].scheme_host, "http://127.0.0.1:9000");
  EXPECT_EQ(options->webhooks[0].path, "/");
  EXPECT_EQ(options->webhooks[0].max_backoff, absl::Seconds(1));
}

TEST(AlertConfigTest, TheSectorKindTakesNoAssetFilters) {
  const std::string hook = R"pb(webhooks { url: "https://h/x" secret_file: "s" })pb";
  absl::StatusOr<AlertingOptions> options = AlertingOptionsFromConfig(
      Config(hook + R"pb(rules { kind: "sector_outcome_degraded" hold_down: "10m" })pb"));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->rules[0].kind, AlertKind::kSectorOutcomeDegraded);
  EXPECT_EQ(options->rules[0].name, "sector_outcome_degraded");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "sector_outcome_degraded" asset_ids: "web" })pb"),
            "alerting.rules[0]: sector_outcome_degraded takes no asset_ids, department_id or "
            "supplier_id");
}

TEST(AlertConfigTest, TheEvidenceWorkflowKindsTakeALeadTimeAndNoAssetFilters) {
  const std::string hook = R"pb(webhooks { url: "https://h/x" secret_file: "s" })pb";
  absl::StatusOr<AlertingOptions> options = AlertingOptionsFromConfig(Config(hook + R"pb(
    rules { kind: "evidence_request_overdue" hold_down: "0s" }
    rules { kind: "evidence_renewal_due" }
    rules { kind: "exception_expiring" lead_time: "7d" })pb"));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->rules[0].kind, AlertKind::kEvidenceRequestOverdue);
  EXPECT_EQ(options->rules[1].lead_time, absl::Hours(24 * 30));  // The default.
  EXPECT_EQ(options->rules[2].lead_time, absl::Hours(24 * 7));
  EXPECT_EQ(options->rules[2].name, "exception_expiring");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "evidence_request_overdue" lead_time: "1d" })pb"),
            "alerting.rules[0].lead_time: only for kinds evidence_renewal_due and "
            "exception_expiring");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "target_missed" lead_time: "1d" })pb"),
            "alerting.rules[0].lead_time: only for kinds evidence_renewal_due and "
            "exception_expiring");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "exception_expiring" lead_time: "30s" })pb"),
            "alerting.rules[0].lead_time: 30s is outside [1m, 8760h]");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "exception_expiring" supplier_id: "acme" })pb"),
            "alerting.rules[0]: exception_expiring takes no asset_ids, department_id or "
            "supplier_id");
  EXPECT_NE(Error(R"pb(rules { kind: "target_mised" })pb").find("is not a rule kind"),
            std::string::npos);
}

TEST(AlertConfigTest, CredentialConflictIsAnAgentKindWithoutAssetFilters) {
  const std::string hook = R"pb(webhooks { url: "https://h/x" secret_file: "s" })pb";
  absl::StatusOr<AlertingOptions> options =
      AlertingOptionsFromConfig(Config(hook + R"pb(rules { kind: "credential_conflict" })pb"));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->rules[0].kind, AlertKind::kCredentialConflict);
  EXPECT_EQ(options->rules[0].name, "credential_conflict");
  EXPECT_FALSE(IsAssetKind(AlertKind::kCredentialConflict));
  EXPECT_FALSE(IsWorkflowKind(AlertKind::kCredentialConflict));
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "credential_conflict" asset_ids: "web" })pb"),
            "alerting.rules[0]: credential_conflict takes no asset_ids, department_id or "
            "supplier_id");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "credential_conflict" silent_for: "1m" })pb"),
            "alerting.rules[0].silent_for: only for kind agent_silent");
}

TEST(AlertConfigTest, BadValuesNameTheirKey) {
  const std::string hook = R"pb(webhooks { url: "https://h/x" secret_file: "s" })pb";
  EXPECT_EQ(Error(R"pb(rules { kind: "target_missed" })pb"),
            "alerting: rules need at least one sink (webhooks or syslog)");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "target_missed" hold_down: "soon" })pb")
                .rfind("alerting.rules[0].hold_down: ", 0),
            0u);
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "agent_silent" })pb"),
            "alerting.rules[0].silent_for: required for kind agent_silent");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "target_missed" silent_for: "1m" })pb"),
            "alerting.rules[0].silent_for: only for kind agent_silent");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "target_missed" only_from_full: true })pb"),
            "alerting.rules[0].only_from_full: only for kind outcome_lowered");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "target_missed" }
                              rules { kind: "target_missed" })pb"),
            "alerting.rules[1].name: a second rule named 'target_missed'; give rules of the "
            "same kind distinct names");
  EXPECT_EQ(Error(hook + R"pb(rules { kind: "target_missed" name: "a b" })pb"),
            "alerting.rules[0].name: 'a b' must be 1 to 64 letters, digits, '-', '_' or '.'");
  EXPECT_EQ(Error(R"pb(webhooks { url: "ftp://h/x" secret_file: "s" })pb"),
            "alerting.webhooks[0].url: 'ftp://h/x' is not an http or https URL");
  EXPECT_EQ(Error(R"pb(webhooks { url: "https://h/x" })pb"),
            "alerting.webhooks[0].secret_file: required: the shared secret that signs each body");
  EXPECT_EQ(Error(R"pb(webhooks { url: "http://h/x" secret_file: "s" ca_file: "ca" })pb"),
            "alerting.webhooks[0].ca_file: only for an https url");
  EXPECT_EQ(Error(R"pb(webhooks { url: "https://h/x" secret_file: "s" timeout: "2m" })pb"),
            "alerting.webhooks[0].timeout: 2m is outside [100ms, 1m]");
}

TEST(AlertConfigTest, WebhookUrlsAreParsedStrictly) {
  absl::StatusOr<ParsedUrl> v6 = ParseWebhookUrl("http://[::1]:8080/a?b=c");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->scheme_host, "http://[::1]:8080");
  EXPECT_EQ(v6->path, "/a?b=c");
  for (const char* bad : {"http://", "http://:80/", "http://h:0/", "http://h:99999/",
                          "http://u:p@h/", "http://h/a#b", "http://h/a b", "h/a"}) {
    EXPECT_FALSE(ParseWebhookUrl(bad).ok()) << bad;
  }
}

TEST(AlertConfigTest, RuleFiltersCoverOnlyTheirAssets) {
  AlertRuleOptions rule;
  v1::AssetSummary asset;
  asset.set_asset_id("web");
  asset.set_department_id("ops");
  EXPECT_TRUE(rule.Covers(asset));
  rule.department_id = "finance";
  EXPECT_FALSE(rule.Covers(asset));
  rule.department_id = "ops";
  rule.asset_ids = {"db"};
  EXPECT_FALSE(rule.Covers(asset));
  rule.asset_ids = {"web"};
  rule.supplier_id = "acme";
  EXPECT_FALSE(rule.Covers(asset));
}

}  // namespace
}  // namespace postura::collector
