// Alerts that are never lost (issue 18, item 6): a real collector with a webhook rule and
// a receiver in this test. The receiver refuses while the alert fires, so the transition
// waits in the collector's outbox; the collector is killed with SIGKILL and restarted;
// the receiver then gets the alert exactly once, signed, and later exactly one resolve.

#include <sys/stat.h>

#include <set>

#include "collector/alerting/webhook_sink.h"
#include "collector/alerting/webhook_test_receiver.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::WebhookTestReceiver;

constexpr char kOutcome[] = "ID_AM_CSC_1_1";
constexpr char kSecret[] = "a-shared-secret-of-the-test";
constexpr char kAlertId[] = "target_missed/asset/portal";

// Registers "portal", whose outcome kOutcome must be at 0.67 or more, and enrolls the
// agent "host-1" for it. Returns the agent's trust.
CollectorTrust RegisterPortal(const CollectorProcess& collector) {
  auto admin =
      v1::AdminService::NewStub(test::FreshChannel(collector.address(), collector.admin()));
  EXPECT_TRUE(test::PutAsset(collector.address(), collector.admin(), "portal", v1::IG2).ok());
  v1::PutTargetsRequest targets;
  targets.set_asset_id("portal");
  v1::Target& target = *targets.add_targets();
  target.set_scope(v1::SCOPE_OUTCOME);
  target.set_scope_id(kOutcome);
  target.set_operator_(v1::GREATER_OR_EQUAL);
  target.set_value(0.67);
  grpc::ClientContext context;
  v1::PutTargetsResponse response;
  grpc::Status status = admin->PutTargets(&context, targets, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  absl::StatusOr<CollectorTrust> agent =
      test::EnrollAgent(collector.address(), collector.admin(), "host-1", {"portal"});
  EXPECT_TRUE(agent.ok()) << agent.status();
  return agent.value_or(CollectorTrust());
}

// Sends batch `sequence` of host-1 with one report of kOutcome at `level`; waits for its Ack.
void Report(const CollectorProcess& collector, const CollectorTrust& agent, uint64_t sequence,
            v1::Level level) {
  absl::StatusOr<v1::Ack> ack =
      test::SendBatch(collector.address(), agent, "host-1", sequence,
                      {collector::TestEvidence("portal", kOutcome, absl::Now(), level)});
  ASSERT_TRUE(ack.ok()) << ack.status();
  ASSERT_EQ(ack->rejected_size(), 0);
}

class AlertDeliveryTest : public testing::Test {
 protected:
  void SetUp() override {
    receiver_ = WebhookTestReceiver::Start();
    ASSERT_NE(receiver_, nullptr);
    const std::string secret = dir_.WriteFile("hook.secret", std::string(kSecret) + "\n");
    ASSERT_EQ(chmod(secret.c_str(), 0600), 0);
    config_ = absl::StrCat("alerting:\n  webhooks:\n    - url: \"", receiver_->url(),
                           "\"\n      secret_file: \"", secret,
                           "\"\n      timeout: 2s\n      initial_backoff: 100ms\n"
                           "      max_backoff: 300ms\n  rules:\n    - kind: target_missed\n"
                           "      hold_down: 0s\n  evaluate_every: 100ms\n");
  }

  std::unique_ptr<CollectorProcess> StartCollector() {
    absl::StatusOr<std::unique_ptr<CollectorProcess>> collector = CollectorProcess::Start(
        POSTURA_COLLECTOR_BIN, dir_.path().string(), "127.0.0.1:0", config_);
    EXPECT_TRUE(collector.ok()) << collector.status();
    return collector.ok() ? *std::move(collector) : nullptr;
  }

  test::TempDir dir_;
  std::unique_ptr<WebhookTestReceiver> receiver_;
  std::string config_;
};

TEST_F(AlertDeliveryTest, AnAlertRecordedBeforeAKillIsDeliveredOnceAfterTheRestart) {
  receiver_->AnswerWith(503);  // Delivery cannot happen yet.
  std::unique_ptr<CollectorProcess> collector = StartCollector();
  ASSERT_NE(collector, nullptr);
  const CollectorTrust agent = RegisterPortal(*collector);
  Report(*collector, agent, 1, v1::DLI_33);  // Below the target: the alert fires.

  // A refused attempt: the transition is in the outbox (written before any delivery).
  ASSERT_TRUE(receiver_->WaitForRequests(1, absl::Seconds(30)));
  EXPECT_GE(test::CountLinesContaining((dir_.path() / "collector.log").string(), "Alert FIRING"),
            1);
  collector->Kill();
  const size_t refused = receiver_->requests().size();

  receiver_->AnswerWith(200);
  collector = StartCollector();
  ASSERT_NE(collector, nullptr);
  ASSERT_TRUE(receiver_->WaitForAccepted(1, absl::Seconds(30)));
  Report(*collector, agent, 2, v1::DLI_33);   // Still missed: no second firing.
  Report(*collector, agent, 3, v1::DLI_100);  // Meets the target: one resolve.
  ASSERT_TRUE(receiver_->WaitForAccepted(2, absl::Seconds(30)));
  // Sinks deliver in order, so the firing's outbox entry was gone before the resolve
  // came; a further delivery would be a duplicate. Give one more round the chance.
  Report(*collector, agent, 4, v1::DLI_100);
  collector->Stop();

  std::vector<WebhookTestReceiver::Request> requests = receiver_->requests();
  ASSERT_GE(requests.size(), refused + 2);
  std::set<std::string> keys;
  std::vector<nlohmann::json> accepted;
  for (const WebhookTestReceiver::Request& request : requests) {
    EXPECT_EQ(request.alert_id, kAlertId);
    EXPECT_EQ(request.signature, collector::WebhookSignature(kSecret, request.body));
    EXPECT_EQ(request.content_type, "application/json");
    nlohmann::json body = nlohmann::json::parse(request.body);
    EXPECT_EQ(body["idempotencyKey"], request.idempotency_key);
    keys.insert(request.idempotency_key);
    if (request.answered == 200) accepted.push_back(body);
  }
  // Every attempt, before and after the kill, carried one of exactly two keys.
  EXPECT_EQ(keys.size(), 2u);
  ASSERT_EQ(accepted.size(), 2u);  // Exactly once each.
  EXPECT_EQ(accepted[0]["state"], "FIRING");
  EXPECT_EQ(accepted[0]["assetId"], "portal");
  EXPECT_EQ(accepted[0]["idempotencyKey"], requests[0].idempotency_key);
  EXPECT_EQ(accepted[1]["state"], "RESOLVED");
  EXPECT_EQ(accepted[1]["id"], kAlertId);
  EXPECT_EQ(accepted[1]["firedAtUnixNanos"], accepted[0]["atUnixNanos"]);
}

}  // namespace
}  // namespace postura
