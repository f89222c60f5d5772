#include "collector/collector_config.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/config/yaml_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

absl::StatusOr<CollectorOptions> FromYaml(const std::string& yaml) {
  TempDir dir;
  return LoadCollectorConfig(dir.WriteFile("collector.yaml", yaml));
}

TEST(CollectorConfigTest, DefaultsFillWhatIsNotSet) {
  CollectorOptions options = FromYaml("data_dir: /var/lib/postura\n").value();
  EXPECT_EQ(options.listen_address, "127.0.0.1:4317");
  EXPECT_EQ(options.evidence_retention, absl::Hours(24 * 90));
  EXPECT_EQ(options.max_batch_items, 1000u);
  EXPECT_EQ(options.max_unacknowledged_batches, 32u);
  EXPECT_EQ(options.grpc_stream_window_bytes, 4096u);
  EXPECT_EQ(options.history.every_change, absl::Hours(24 * 7));
  EXPECT_EQ(options.history.hourly, absl::Hours(24 * 90));
  EXPECT_EQ(options.history.daily, absl::Hours(24 * 730));
}

TEST(CollectorConfigTest, TheLocalCaLivesInTheDataDirUnlessMovedToAnAbsoluteDirectory) {
  EXPECT_EQ(LocalCaDir(FromYaml("data_dir: /d\n").value()), "/d/tls");
  EXPECT_EQ(
      FromYaml("data_dir: /d\ntls: {local_ca_dir: /etc/postura/ca}\n").value().tls_local_ca_dir,
      "/etc/postura/ca");
  EXPECT_THAT(FromYaml("data_dir: /d\ntls: {local_ca_dir: ca}\n").status(),
              HasMessage(HasSubstr("tls.local_ca_dir: 'ca' is not an absolute path")));
  EXPECT_THAT(
      FromYaml("data_dir: /d\ntls: {local_ca_dir: /ca, certificate_file: /c, key_file: /k}\n")
          .status(),
      HasMessage(HasSubstr("tls.local_ca_dir: the local CA is not used")));
}

TEST(CollectorConfigTest, HistoryResolutionsAreReadAndMustGrowWithAge) {
  CollectorOptions options =
      FromYaml("data_dir: /d\nhistory:\n  every_change: 2d\n  hourly: 30d\n  daily: 365d\n")
          .value();
  EXPECT_EQ(options.history.every_change, absl::Hours(48));
  EXPECT_EQ(options.history.hourly, absl::Hours(24 * 30));
  EXPECT_EQ(options.history.daily, absl::Hours(24 * 365));
  EXPECT_THAT(FromYaml("data_dir: /d\nhistory:\n  hourly: soon\n").status(),
              HasMessage(HasSubstr("history.hourly: 'soon' is not a duration")));
  EXPECT_THAT(FromYaml("data_dir: /d\nhistory:\n  every_change: 30m\n").status(),
              HasMessage(HasSubstr("history.every_change: must be at least 1h")));
  EXPECT_THAT(FromYaml("data_dir: /d\nhistory:\n  every_change: 100d\n").status(),
              HasMessage(HasSubstr("history.hourly: must be at least history.every_change")));
  EXPECT_THAT(FromYaml("data_dir: /d\nhistory:\n  daily: 30d\n").status(),
              HasMessage(HasSubstr("history.daily: must be at least history.hourly")));
}

TEST(CollectorConfigTest, ReadsEveryKey) {
  CollectorOptions options = FromYaml(R"(listen_address: 0.0.0.0:9000
data_dir: /data
evidence_retention: 30d
limits:
  max_batch_items: 500
  max_message_bytes: 1048576
  max_detail_bytes: 2048
  max_unacknowledged_batches: 8
  max_queued_bytes: 8388608
  grpc_stream_window_bytes: 65536
)")
                                 .value();
  EXPECT_EQ(options.listen_address, "0.0.0.0:9000");
  EXPECT_EQ(options.evidence_retention, absl::Hours(24 * 30));
  EXPECT_EQ(options.max_batch_items, 500u);
  EXPECT_EQ(options.max_message_bytes, 1048576u);
  EXPECT_EQ(options.max_detail_bytes, 2048u);
  EXPECT_EQ(options.max_unacknowledged_batches, 8u);
  EXPECT_EQ(options.max_queued_bytes, 8388608u);
  EXPECT_EQ(options.grpc_stream_window_bytes, 65536u);
}

TEST(CollectorConfigTest, ClusterModeIsOffUnlessNatsServersAreGivenAndItsKeysAreChecked) {
  EXPECT_FALSE(FromYaml("data_dir: /d\n").value().cluster.enabled());
  CollectorOptions options =
      FromYaml("data_dir: /d\ncluster:\n  nats_servers: [nats://127.0.0.1:4222]\n  node: a-1\n")
          .value();
  EXPECT_TRUE(options.cluster.enabled());
  EXPECT_EQ(options.cluster.node, "a-1");
  EXPECT_EQ(options.cluster.stream, "postura-ingest");
  EXPECT_EQ(options.cluster.replicas, 1);
  for (const auto& [cluster, says] : std::vector<std::pair<std::string, std::string>>{
           {"{node: a}", "cluster.nats_servers: required"},
           {"{nats_servers: [127.0.0.1:4222], node: a}",
            "'127.0.0.1:4222' is not nats://host:port"},
           {"{nats_servers: ['nats://h:99999'], node: a}", "is not nats://host:port"},
           {"{nats_servers: ['nats://h:4222']}", "cluster.node: required"},
           {"{nats_servers: ['nats://h:4222'], node: a.b}", "cluster.node: required"},
           {"{nats_servers: ['nats://h:4222'], node: a, stream: 'x y'}", "cluster.stream"},
           {"{nats_servers: ['nats://h:4222'], node: a, replicas: 2}", "must be 1, 3 or 5"},
       }) {
    EXPECT_THAT(FromYaml("data_dir: /d\ncluster: " + cluster + "\n").status(),
                HasMessage(HasSubstr(says)))
        << cluster;
  }
}

TEST(CollectorConfigTest, SectorPublishingIsOffUnlessNatsServersAreGivenAndItsKeysAreChecked) {
  EXPECT_FALSE(FromYaml("data_dir: /d\n").value().sector_publish.enabled());
  const SectorPublishSettings defaults =
      FromYaml(
          "data_dir: /d\nsector_publish: {nats_servers: ['nats://h:4222'], "
          "organisation_id: health, key_file: /k}\n")
          .value()
          .sector_publish;
  EXPECT_TRUE(defaults.enabled());
  EXPECT_EQ(defaults.organisation_id, "health");
  EXPECT_EQ(defaults.stream, "postura-sector");
  EXPECT_EQ(defaults.subject_prefix, "postura.sector");
  EXPECT_FALSE(defaults.publish_asset_ids);
  EXPECT_EQ(defaults.interval, absl::Seconds(30));
  EXPECT_EQ(defaults.refresh, absl::Hours(1));
  const std::string base = "nats_servers: ['nats://h:4222'], organisation_id: o, key_file: /k";
  const SectorPublishSettings set =
      FromYaml("data_dir: /d\nsector_publish: {" + base +
               ", subject_prefix: gov.sector, publish_asset_ids: true, interval: 5s, "
               "refresh: 10m, replicas: 3}\n")
          .value()
          .sector_publish;
  EXPECT_EQ(set.subject_prefix, "gov.sector");
  EXPECT_TRUE(set.publish_asset_ids);
  EXPECT_EQ(set.interval, absl::Seconds(5));
  EXPECT_EQ(set.refresh, absl::Minutes(10));
  EXPECT_EQ(set.replicas, 3);
  for (const auto& [section, says] : std::vector<std::pair<std::string, std::string>>{
           {"{organisation_id: o}", "sector_publish.nats_servers: required"},
           {"{nats_servers: ['h:1'], organisation_id: o, key_file: /k}", "is not nats://"},
           {"{nats_servers: ['nats://h:4222'], key_file: /k}", "sector_publish.organisation_id"},
           {"{nats_servers: ['nats://h:4222'], organisation_id: o.p, key_file: /k}",
            "sector_publish.organisation_id"},
           {"{nats_servers: ['nats://h:4222'], organisation_id: o}", "sector_publish.key_file"},
           {"{" + base + ", subject_prefix: 'a.>'}", "sector_publish.subject_prefix"},
           {"{" + base + ", interval: 0s}", "sector_publish.interval: must be between"},
           {"{" + base + ", interval: 10m, refresh: 5m}", "sector_publish.refresh"},
           {"{" + base + ", replicas: 2}", "sector_publish.replicas: must be 1, 3 or 5"},
       }) {
    EXPECT_THAT(FromYaml("data_dir: /d\nsector_publish: " + section + "\n").status(),
                HasMessage(HasSubstr(says)))
        << section;
  }
}

TEST(CollectorConfigTest, SectorModeIsOffUnlessNatsServersAreGivenAndItsMembersAreChecked) {
  EXPECT_FALSE(FromYaml("data_dir: /d\n").value().sector.enabled());
  const SectorSettings sector =
      FromYaml(
          "data_dir: /d\nsector:\n  nats_servers: ['nats://h:4222']\n  members:\n"
          "    - {organisation_id: health, public_key_file: /k/health.pub}\n"
          "    - {organisation_id: water, public_key_file: /k/water.pub}\n")
          .value()
          .sector;
  EXPECT_TRUE(sector.enabled());
  EXPECT_EQ(sector.stream, "postura-sector");
  EXPECT_EQ(sector.subject_prefix, "postura.sector");
  ASSERT_EQ(sector.members.size(), 2u);
  EXPECT_EQ(sector.members[1].organisation_id, "water");
  EXPECT_EQ(sector.members[1].public_key_file, "/k/water.pub");
  EXPECT_EQ(sector.degraded_min_organisations, 3);
  EXPECT_EQ(sector.degraded_window, absl::Hours(24));
  EXPECT_EQ(sector.consumer, "postura-sector");
  const std::string servers = "nats_servers: ['nats://h:4222']";
  const std::string member = "members: [{organisation_id: o, public_key_file: /k}]";
  for (const auto& [section, says] : std::vector<std::pair<std::string, std::string>>{
           {"{" + member + "}", "sector.nats_servers: required"},
           {"{" + servers + "}", "sector.members: at least one"},
           {"{" + servers + ", members: [{public_key_file: /k}]}",
            "sector.members[0].organisation_id"},
           {"{" + servers + ", members: [{organisation_id: o}]}",
            "sector.members[0].public_key_file"},
           {"{" + servers +
                ", members: [{organisation_id: o, public_key_file: /k}, {organisation_id: o, "
                "public_key_file: /j}]}",
            "'o' is listed twice"},
           {"{" + servers + ", " + member + ", degraded_window: 10s}",
            "sector.degraded_window: must be between"},
           {"{" + servers + ", " + member + ", stream: 'a b'}", "sector.stream"},
           {"{" + servers + ", " + member + ", consumer: 'a.b'}", "sector.consumer"},
       }) {
    EXPECT_THAT(FromYaml("data_dir: /d\nsector: " + section + "\n").status(),
                HasMessage(HasSubstr(says)))
        << section;
  }
  // Its alert kind needs sector mode.
  const std::string alerting =
      "alerting:\n  syslog: [{address: '127.0.0.1:514'}]\n"
      "  rules: [{kind: sector_outcome_degraded}]\n";
  EXPECT_THAT(FromYaml("data_dir: /d\n" + alerting).status(),
              HasMessage(HasSubstr("alerting.rules[0].kind: sector_outcome_degraded needs the "
                                   "sector section")));
  EXPECT_TRUE(
      FromYaml("data_dir: /d\nsector: {" + servers + ", " + member + "}\n" + alerting).ok());
}

TEST(CollectorConfigTest, BadConfigNamesTheKey) {
  EXPECT_THAT(FromYaml("evidence_retention: 1d\n").status(),
              HasMessage(HasSubstr("data_dir: required")));
  EXPECT_THAT(FromYaml("data_dir: /d\nlisten_address: nohost\n").status(),
              HasMessage(HasSubstr("listen_address: 'nohost' is not host:port")));
  EXPECT_THAT(FromYaml("data_dir: /d\nevidence_retention: forever\n").status(),
              HasMessage(HasSubstr("evidence_retention: 'forever' is not a duration")));
  EXPECT_THAT(FromYaml("data_dir: /d\nevidence_retention: 10m\n").status(),
              HasMessage(HasSubstr("evidence_retention: must be at least 1h")));
  EXPECT_THAT(FromYaml("data_dir: /d\nstore:\n  memtable_bytes: 1048576\n").status(),
              HasMessage(HasSubstr("store.memtable_bytes: 1048576 is outside [8388608,")));
  EXPECT_THAT(FromYaml("data_dir: /d\nlimits:\n  max_batch_items: 1000000\n").status(),
              HasMessage(HasSubstr("limits.max_batch_items: 1000000 is outside [1, 100000]")));
  EXPECT_THAT(FromYaml("data_dir: /d\nlimits:\n  grpc_stream_window_bytes: 512\n").status(),
              HasMessage(HasSubstr("limits.grpc_stream_window_bytes: 512 is outside [1024,")));
  EXPECT_THAT(FromYaml("data_dir: /d\nlimit:\n  max_batch_items: 5\n").status(),
              HasMessage(HasSubstr("limit")));
}

TEST(CollectorConfigTest, SyslogSinksAreValidatedWithTheEntrysPath) {
  absl::StatusOr<CollectorOptions> valid = FromYaml(
      "data_dir: /d\nalerting:\n  syslog:\n"
      "    - {address: \"logs:514\", transport: tcp, facility: \"16\"}\n");
  EXPECT_TRUE(valid.ok()) << valid.status();
  // A facility's number must be quoted: the key is text, as its names are.
  EXPECT_THAT(FromYaml("data_dir: /d\nalerting:\n  syslog:\n"
                       "    - {address: \"logs:514\", facility: 16}\n")
                  .status(),
              HasMessage(HasSubstr("facility")));
  EXPECT_THAT(FromYaml("data_dir: /d\nalerting:\n  syslog:\n    - {address: \"logs:514\"}\n"
                       "    - {address: logs}\n")
                  .status(),
              HasMessage(HasSubstr("alerting.syslog[1].address: 'logs' is not host:port")));
  EXPECT_THAT(
      FromYaml("data_dir: /d\nalerting:\n  syslog:\n    - {address: \"logs:514\", "
               "facility: local9}\n")
          .status(),
      HasMessage(HasSubstr("alerting.syslog[0].facility: 'local9' is not a syslog facility")));
}

TEST(CollectorConfigTest, TheMinimalAlertingFormReadsTheWebhooksSecret) {
  TempDir dir;
  const std::string secret = dir.WriteFile("hook.secret", "s3cret\n");
  std::filesystem::permissions(
      secret, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  absl::StatusOr<CollectorOptions> options = FromYaml(
      absl::StrCat("data_dir: /d\nalerting: {webhooks: [{url: \"https://soc.example.com/hook\", ",
                   "secret_file: \"", secret, "\"}], rules: [{kind: target_missed}]}\n"));
  ASSERT_TRUE(options.ok()) << options.status();
  ASSERT_EQ(options->alerting.webhooks.size(), 1u);
  EXPECT_EQ(options->alerting.webhooks[0].secret, "s3cret");
  EXPECT_EQ(options->alerting.rules[0].kind, AlertKind::kTargetMissed);
  EXPECT_TRUE(options->alerting.enabled());
  EXPECT_FALSE(FromYaml("data_dir: /d\n")->alerting.enabled());

  std::filesystem::permissions(secret, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_THAT(FromYaml(absl::StrCat("data_dir: /d\nalerting: {webhooks: [{url: \"http://h/\", ",
                                    "secret_file: \"", secret, "\"}]}\n"))
                  .status(),
              HasMessage(HasSubstr("alerting.webhooks[0].secret_file: ")));
  EXPECT_THAT(FromYaml("data_dir: /d\nalerting: {webhooks: [{url: \"http://h/\", "
                       "secret_file: /nonexistent}]}\n")
                  .status(),
              HasMessage(HasSubstr("alerting.webhooks[0].secret_file: ")));
  EXPECT_THAT(FromYaml("data_dir: /d\nalerting: {rules: [{kind: exception_expiring, "
                       "lead_time: 2y}]}\n")
                  .status(),
              HasMessage(HasSubstr("alerting.rules[0].lead_time: ")));
  EXPECT_THAT(FromYaml("data_dir: /d\nrequests: {renewal_notice: 10m}\n").status(),
              HasMessage(HasSubstr("requests.renewal_notice: must be between 1h and 365d")));
  EXPECT_EQ(FromYaml("data_dir: /d\nrequests: {renewal_notice: 14d}\n")->renewal_notice,
            absl::Hours(24 * 14));
}

TEST(CollectorConfigTest, DashboardSessionsHaveDefaultsAndCheckedBounds) {
  const SessionLimits defaults = FromYaml("data_dir: /d\n")->sessions;
  EXPECT_EQ(defaults.idle_timeout, absl::Minutes(30));
  EXPECT_EQ(defaults.absolute_timeout, absl::Hours(12));
  EXPECT_EQ(defaults.max_per_credential, 8);
  EXPECT_EQ(defaults.max_total, 4096);
  const SessionLimits set =
      FromYaml(
          "data_dir: /d\ndashboard: {session_idle_timeout: 10m, session_absolute_timeout: "
          "8h, max_sessions_per_credential: 2, max_sessions: 100}\n")
          ->sessions;
  EXPECT_EQ(set.idle_timeout, absl::Minutes(10));
  EXPECT_EQ(set.absolute_timeout, absl::Hours(8));
  EXPECT_EQ(set.max_per_credential, 2);
  EXPECT_EQ(set.max_total, 100);
  for (const auto& [yaml, message] : std::vector<std::pair<std::string, std::string>>{
           {"{session_idle_timeout: 30s}", "dashboard.session_idle_timeout: must be between"},
           {"{session_idle_timeout: soon}", "dashboard.session_idle_timeout: "},
           {"{session_absolute_timeout: 31d}", "dashboard.session_absolute_timeout: must be"},
           {"{session_idle_timeout: 2h, session_absolute_timeout: 1h}",
            "dashboard.session_absolute_timeout: must be at least dashboard.session_idle_timeout"},
           {"{max_sessions_per_credential: 1001}", "dashboard.max_sessions_per_credential: 1001"},
           {"{max_sessions: 2000000}", "dashboard.max_sessions: 2000000 is outside"}}) {
    EXPECT_THAT(FromYaml("data_dir: /d\ndashboard: " + yaml + "\n").status(),
                HasMessage(HasSubstr(message)))
        << yaml;
  }
}

TEST(CollectorConfigTest, FailedAuthenticationBackoffHasDefaultsAndCheckedBounds) {
  const AuthThrottleOptions defaults = FromYaml("data_dir: /d\n")->failed_authentication;
  EXPECT_EQ(defaults.max_failures, 10u);
  EXPECT_EQ(defaults.window, absl::Minutes(1));
  EXPECT_EQ(defaults.first_block, absl::Seconds(1));
  EXPECT_EQ(defaults.max_block, absl::Minutes(5));
  const AuthThrottleOptions set =
      FromYaml(
          "data_dir: /d\nfailed_authentication: {max_failures: 3, window: 10s, first_block: "
          "2s, max_block: 1h}\n")
          ->failed_authentication;
  EXPECT_EQ(set.max_failures, 3u);
  EXPECT_EQ(set.window, absl::Seconds(10));
  EXPECT_EQ(set.first_block, absl::Seconds(2));
  EXPECT_EQ(set.max_block, absl::Hours(1));
  for (const auto& [yaml, message] : std::vector<std::pair<std::string, std::string>>{
           {"{max_failures: 10001}", "failed_authentication.max_failures: 10001 is outside"},
           {"{window: 2h}", "failed_authentication.window: must be between"},
           {"{first_block: soon}", "failed_authentication.first_block: "},
           {"{first_block: 10s, max_block: 5s}", "failed_authentication.max_block: must be"},
           {"{max_block: 25h}", "failed_authentication.max_block: must be between"}}) {
    EXPECT_THAT(FromYaml("data_dir: /d\nfailed_authentication: " + yaml + "\n").status(),
                HasMessage(HasSubstr(message)))
        << yaml;
  }
}

TEST(CollectorConfigTest, ShippedExampleIsValid) {
  absl::StatusOr<CollectorOptions> options =
      LoadCollectorConfig(POSTURA_SOURCE_DIR "/deploy/collector.example.yaml");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->data_dir, "/var/lib/postura");
}

TEST(CollectorConfigTest, MissingFileIsNotFound) {
  EXPECT_EQ(LoadCollectorConfig("/nonexistent/collector.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

// --check-config: every bad key, not only the first, each with its line.
TEST(CollectorConfigTest, CheckNamesEveryBadKeyWithItsLine) {
  TempDir dir;
  const std::string path =
      dir.WriteFile("collector.yaml",
                    "data_dir: /d\nlisten_address: nowhere\nlimits:\n  max_batch_items: 0.5\n"
                    "  max_detail_bytes: 3\nhistory:\n  hourly: soon\n  weekly: 1d\n");
  std::vector<ConfigProblem> schema = CheckCollectorConfigFile(path);
  ASSERT_EQ(schema.size(), 2u);
  EXPECT_EQ(FormatConfigProblems(path, {schema[0]}).substr(path.size()),
            ":4: limits.max_batch_items: invalid value 0.5 for type TYPE_UINT32\n");
  EXPECT_EQ(schema[1].line, 8);
  EXPECT_EQ(schema[1].key, "history.weekly");
  const std::string rules =
      dir.WriteFile("rules.yaml",
                    "data_dir: /d\nlisten_address: nowhere\nlimits:\n  max_detail_bytes: 3\n"
                    "history:\n  hourly: soon\n");
  std::vector<ConfigProblem> problems = CheckCollectorConfigFile(rules);
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].line, 2);
  EXPECT_EQ(problems[0].key, "listen_address");
  EXPECT_EQ(problems[1].line, 6);
  EXPECT_EQ(problems[1].key, "history.hourly");
  EXPECT_EQ(problems[2].line, 4);
  EXPECT_EQ(problems[2].key, "limits.max_detail_bytes");
  EXPECT_TRUE(CheckCollectorConfigFile(dir.WriteFile("good.yaml", "data_dir: /d\n")).empty());
}

TEST(CollectorConfigTest, HttpListenerBoundsHaveDefaultsAndCheckedBounds) {
  const CollectorOptions defaults = FromYaml("data_dir: /d\n").value();
  EXPECT_EQ(defaults.http.max_connections, 256);
  EXPECT_EQ(defaults.http.max_connections_per_peer, 32);
  EXPECT_EQ(defaults.http.request_timeout, absl::Seconds(10));
  EXPECT_EQ(defaults.http.idle_timeout, absl::Seconds(5));
  EXPECT_EQ(defaults.http.max_body_bytes, 1u << 20);
  EXPECT_EQ(defaults.http.requests_per_second_per_credential, 50);
  EXPECT_EQ(defaults.http.request_burst_per_credential, 200);
  EXPECT_EQ(defaults.max_streams_per_agent, 2u);
  const CollectorOptions set =
      FromYaml(
          "data_dir: /d\nlimits: {max_streams_per_agent: 3}\nhttp: {max_connections: 64, "
          "max_connections_per_peer: 8, request_timeout: 20s, idle_timeout: 2s, "
          "max_body_bytes: 4096, requests_per_second_per_credential: 5, "
          "request_burst_per_credential: 10}\n")
          .value();
  EXPECT_EQ(set.http.max_connections, 64);
  EXPECT_EQ(set.http.max_connections_per_peer, 8);
  EXPECT_EQ(set.http.request_timeout, absl::Seconds(20));
  EXPECT_EQ(set.http.idle_timeout, absl::Seconds(2));
  EXPECT_EQ(set.http.max_body_bytes, 4096u);
  EXPECT_EQ(set.http.requests_per_second_per_credential, 5);
  EXPECT_EQ(set.http.request_burst_per_credential, 10);
  EXPECT_EQ(set.max_streams_per_agent, 3u);
  for (const auto& [yaml, message] : std::vector<std::pair<std::string, std::string>>{
           {"http: {max_connections: 8}", "http.max_connections: 8 is outside [16, 4096]"},
           {"http: {max_connections: 64, max_connections_per_peer: 65}",
            "http.max_connections_per_peer: 65 is outside [1, 64]"},
           {"http: {request_timeout: 0.5s}", "http.request_timeout: must be between"},
           {"http: {request_timeout: soon}", "http.request_timeout: "},
           {"http: {idle_timeout: 6m}", "http.idle_timeout: must be between"},
           {"http: {max_body_bytes: 100}", "http.max_body_bytes: 100 is outside"},
           {"http: {requests_per_second_per_credential: 100001}",
            "http.requests_per_second_per_credential: 100001 is outside"},
           {"limits: {max_streams_per_agent: 65}",
            "limits.max_streams_per_agent: 65 is outside"}}) {
    EXPECT_THAT(FromYaml("data_dir: /d\n" + yaml + "\n").status(), HasMessage(HasSubstr(message)))
        << yaml;
  }
}

}  // namespace
}  // namespace postura::collector
