// Alerts to syslog through a real collector process: a target_missed rule fires when an
// asset's target is set and its evidence misses it, and resolves when evidence meets it.
// Each transition reaches a TCP syslog receiver on loopback as one RFC 5424 message in
// an octet-counted frame, after the receiver was down at first (the outbox retries), and
// /metrics counts the deliveries.

#include <httplib.h>

#include <memory>
#include <string>
#include <vector>

#include "collector/alerting/syslog_test_receiver.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::collector::test::ParsedSyslog;
using ::postura::collector::test::ParseSyslogMessage;
using ::postura::collector::test::RefusingPort;
using ::postura::collector::test::TcpSyslogReceiver;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kOutcome[] = "ID_AM_CSC_1_1";
constexpr absl::Duration kWait = absl::Seconds(30);

std::string AlertingYaml(uint16_t syslog_port) {
  return absl::StrCat(
      "alerting:\n"
      "  evaluate_every: 100ms\n"
      "  rules:\n"
      "    - {kind: target_missed, name: below-target, hold_down: 0s}\n"
      "  syslog:\n"
      "    - {address: \"127.0.0.1:",
      syslog_port, "\", transport: tcp, hostname: test-collector, app_name: postura-test}\n");
}

// Asks for level 0.67 or more on kOutcome of `asset`.
void PutTarget(const test::CollectorProcess& collector, const std::string& asset) {
  auto admin =
      v1::AdminService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  v1::PutTargetsRequest request;
  request.set_asset_id(asset);
  v1::Target& target = *request.add_targets();
  target.set_scope(v1::SCOPE_OUTCOME);
  target.set_scope_id(kOutcome);
  target.set_operator_(v1::GREATER_OR_EQUAL);
  target.set_value(0.67);
  v1::PutTargetsResponse response;
  grpc::ClientContext context;
  grpc::Status status = admin->PutTargets(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

// Sends one batch with `item` as agent `agent_id` and waits for its acknowledgement.
void Send(const std::string& address, const CollectorTrust& agent, const std::string& agent_id,
          v1::Evidence item) {
  absl::StatusOr<v1::Ack> ack = test::SendBatch(address, agent, agent_id, 1, {std::move(item)});
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->rejected_size(), 0);
}

// Polls /metrics until `done` holds for its text, for at most kWait; returns the last text.
template <typename Predicate>
std::string WaitForMetrics(httplib::Client& client, Predicate done) {
  const absl::Time deadline = absl::Now() + kWait;
  std::string body;
  while (absl::Now() < deadline) {
    httplib::Result metrics = client.Get("/metrics");
    if (metrics) body = metrics->body;
    if (done(body)) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return body;
}

bool Has(const std::string& body, const std::string& line) {
  return body.find(line) != std::string::npos;
}

// The header and alert fields every message of the rule on "portal" carries.
void ExpectPortalAlert(const ParsedSyslog& message, int severity, const std::string& state) {
  EXPECT_EQ(message.priority, 16 * 8 + severity);
  EXPECT_EQ(message.version, 1);
  EXPECT_EQ(message.hostname, "test-collector");
  EXPECT_EQ(message.app_name, "postura-test");
  EXPECT_EQ(message.msg_id, "target_missed");
  EXPECT_EQ(message.sd_id, "postura-alert@32473");
  EXPECT_EQ(message.params.at("rule"), "below-target");
  EXPECT_EQ(message.params.at("kind"), "target_missed");
  EXPECT_EQ(message.params.at("state"), state);
  EXPECT_EQ(message.params.at("asset"), "portal");
  EXPECT_EQ(message.params.at("outcome"), "");
  EXPECT_TRUE(message.has_bom);
  EXPECT_THAT(message.msg, HasSubstr("portal"));
}

TEST(AlertSyslogTest, TargetMissedFiresAndResolvesOnceEachAsRfc5424OverTcp) {
  // A port nothing listens on yet: the first deliveries fail and are retried.
  absl::StatusOr<std::unique_ptr<RefusingPort>> down = RefusingPort::Reserve();
  ASSERT_TRUE(down.ok()) << down.status();
  const uint16_t port = (*down)->port();

  test::TempDir dir;
  absl::StatusOr<std::unique_ptr<test::CollectorProcess>> collector = test::CollectorProcess::Start(
      POSTURA_COLLECTOR_BIN, dir.path(), "127.0.0.1:0", AlertingYaml(port));
  ASSERT_TRUE(collector.ok()) << collector.status();
  const std::string& address = (*collector)->address();
  absl::StatusOr<CollectorTrust> agent =
      test::RegisterAgentForAsset(address, (*collector)->admin(), "host-1", "portal", v1::IG2);
  ASSERT_TRUE(agent.ok()) << agent.status();
  PutTarget(**collector, "portal");  // No evidence yet: the target is missed.

  auto client = test::HttpsClient((*collector)->http_address(), (*collector)->ca_file(),
                                  (*collector)->admin().token);
  const std::string failed = "postura_alert_deliveries_total{sink=\"syslog-1\",result=\"failed\"} ";
  const std::string before = WaitForMetrics(*client, [&](const std::string& body) {
    return Has(body, failed) && !Has(body, failed + "0\n");
  });
  ASSERT_FALSE(Has(before, failed + "0\n")) << "no failed delivery while the receiver is down";
  down->reset();  // The receiver comes up.
  absl::StatusOr<std::unique_ptr<TcpSyslogReceiver>> receiver = TcpSyslogReceiver::Start(port);
  ASSERT_TRUE(receiver.ok()) << receiver.status();
  std::vector<std::string> messages = (*receiver)->WaitForMessages(1, kWait);
  ASSERT_THAT(messages, SizeIs(1));
  absl::StatusOr<ParsedSyslog> fired = ParseSyslogMessage(messages[0]);
  ASSERT_TRUE(fired.ok()) << fired.status() << "\n" << messages[0];
  ExpectPortalAlert(*fired, 4, "firing");
  const std::string id = fired->params.at("id");
  EXPECT_THAT(id, HasSubstr("portal"));
  EXPECT_EQ(fired->params.at("idempotency_key"), id + "#1");

  Send(address, *agent, "host-1",
       collector::TestEvidence("portal", kOutcome, absl::Now(), v1::DLI_100));
  messages = (*receiver)->WaitForMessages(2, kWait);
  ASSERT_THAT(messages, SizeIs(2));
  absl::StatusOr<ParsedSyslog> resolved = ParseSyslogMessage(messages[1]);
  ASSERT_TRUE(resolved.ok()) << resolved.status() << "\n" << messages[1];
  ExpectPortalAlert(*resolved, 5, "resolved");
  EXPECT_EQ(resolved->params.at("id"), id);
  EXPECT_EQ(resolved->params.at("idempotency_key"), id + "#2");

  // Delivered, and out of the outbox.
  const std::string ok = "postura_alert_deliveries_total{sink=\"syslog-1\",result=\"ok\"} 2\n";
  const std::string drained = "postura_alert_sink_pending{sink=\"syslog-1\"} 0\n";
  const std::string after = WaitForMetrics(
      *client, [&](const std::string& body) { return Has(body, ok) && Has(body, drained); });
  EXPECT_THAT(after, HasSubstr(ok));
  EXPECT_THAT(after, HasSubstr(drained));
  EXPECT_THAT(after, HasSubstr("postura_alerts_firing{rule=\"below-target\"} 0\n"));
  EXPECT_THAT(after, HasSubstr("postura_alert_transitions_total{rule=\"below-target\"} 2\n"));
  EXPECT_THAT((*receiver)->WaitForMessages(3, absl::Milliseconds(500)), SizeIs(2));  // No more.
}

}  // namespace
}  // namespace postura
