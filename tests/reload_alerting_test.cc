// Alerting changed by a reload, on a real collector process: rules and sinks that appear,
// change and go while the collector serves; an alert that was firing keeps firing across
// the swap (restored from the durable outbox, not fired a second time); a bad new sink is
// refused and the running rules stay.

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "postura/v1/operations.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kWait = absl::Seconds(20);

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// An agent_silent rule that fires one second after start for an agent that never reports,
// a syslog sink (UDP: nothing needs to listen) and, when `second_rule`, a target_missed
// rule too.
std::string AlertingYaml(const std::string& syslog_address, bool second_rule) {
  std::string rules = "[{kind: agent_silent, name: silent, silent_for: 1s, hold_down: 0s}";
  if (second_rule) rules += ", {kind: target_missed, name: below-target}";
  return "alerting:\n  evaluate_every: 100ms\n  syslog: [{address: \"" + syslog_address +
         "\"}]\n  rules: " + rules + "]\n";
}

class ReloadAlertingTest : public testing::Test {
 protected:
  void SetUp() override {
    collector_ = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir_.path()).value();
    config_ = dir_.path() / "collector.yaml";
    base_config_ = ReadFile(config_);
    client_ = test::HttpsClient(collector_->http_address(), collector_->ca_file(),
                                collector_->admin().token);
  }

  // Rewrites the config as it was at start plus `extra`, and reloads over the RPC.
  grpc::Status Reload(const std::string& extra, v1::ReloadResponse& response) {
    std::ofstream(config_, std::ios::trunc) << base_config_ << extra;
    auto operations = v1::OperationsService::NewStub(
        test::FreshChannel(collector_->address(), collector_->admin()));
    grpc::ClientContext context;
    return operations->Reload(&context, {}, &response);
  }

  // Polls /metrics until it contains `line` (or, with `present` false, no longer does).
  bool MetricsShow(const std::string& line, bool present = true) {
    for (const absl::Time deadline = absl::Now() + kWait; absl::Now() < deadline;
         absl::SleepFor(absl::Milliseconds(100))) {
      httplib::Result metrics = client_->Get("/metrics");
      if (metrics && (metrics->body.find(line) != std::string::npos) == present) return true;
    }
    return false;
  }

  std::string Metrics() {
    httplib::Result metrics = client_->Get("/metrics");
    return metrics ? metrics->body : "";
  }

  TempDir dir_;
  std::unique_ptr<CollectorProcess> collector_;
  std::filesystem::path config_;
  std::string base_config_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ReloadAlertingTest, RulesAndSinksChangeLiveAndAFiringAlertKeepsFiring) {
  ASSERT_TRUE(test::RegisterAgentForAsset(collector_->address(), collector_->admin(), "host-1",
                                          "portal", v1::IG1)
                  .ok());
  EXPECT_THAT(Metrics(), Not(HasSubstr("postura_alerts_firing")));

  // Alerting switched on: the silent agent's alert fires.
  v1::ReloadResponse on;
  grpc::Status s = Reload(AlertingYaml("127.0.0.1:9", false), on);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(on.changes(),
              testing::Contains(HasSubstr("alerting: 1 rule, 0 webhooks, 1 syslog receiver")));
  EXPECT_THAT(on.changes(), testing::Contains("alerting.rules: applied"));
  ASSERT_TRUE(MetricsShow("postura_alerts_firing{rule=\"silent\"} 1\n")) << Metrics();

  // A second rule: the new engine restores the firing alert instead of firing it again.
  v1::ReloadResponse more;
  s = Reload(AlertingYaml("127.0.0.1:9", true), more);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(MetricsShow("postura_alerts_firing{rule=\"below-target\"} 0\n")) << Metrics();
  const std::string after_swap = Metrics();
  EXPECT_THAT(after_swap, HasSubstr("postura_alerts_firing{rule=\"silent\"} 1\n"));
  EXPECT_THAT(after_swap, HasSubstr("postura_alert_transitions_total{rule=\"silent\"} 0\n"));

  // A bad sink is refused, naming it; the running rules stay.
  v1::ReloadResponse bad;
  s = Reload(AlertingYaml("siem", true), bad);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("alerting.syslog[0].address"));
  EXPECT_THAT(Metrics(), HasSubstr("postura_alerts_firing{rule=\"below-target\"} 0\n"));
  EXPECT_THAT(Metrics(), HasSubstr("postura_alerts_firing{rule=\"silent\"} 1\n"));

  // Alerting switched off again.
  v1::ReloadResponse off;
  s = Reload("", off);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(off.changes(), testing::Contains("alerting off (reloaded)"));
  EXPECT_TRUE(MetricsShow("postura_alerts_firing", false)) << Metrics();
  EXPECT_EQ(collector_->Stop(), 0);
  const std::string log = ReadFile(dir_.path() / "collector.log");
  EXPECT_THAT(log,
              HasSubstr("reload: alerting: 2 rules, 0 webhooks, 1 syslog receiver (reloaded)"));
}

}  // namespace
}  // namespace postura
