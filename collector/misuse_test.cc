// Credential misuse seen by a real collector over gRPC and HTTPS on loopback. Two streams
// with the same agent credential send different batches under one sequence. The later one is
// refused, nothing of it is stored, and the conflict shows in the ingest figures, in
// /metrics, in the agent's record (`postura agents list`) and as a credential_conflict
// alert delivered to a webhook. And one address that keeps sending wrong tokens is refused
// for a while, on both listeners, even with a right token. And connections past
// limits.max_grpc_connections are closed as soon as they are accepted.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "collector/alerting/webhook_test_receiver.h"
#include "collector/collector_server.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/https_client.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class MisuseTest : public testing::Test {
 protected:
  void SetUp() override {
    options_.listen_address = "127.0.0.1:0";
    options_.http_listen_address = "127.0.0.1:0";
    options_.data_dir = dir_.path().string();
    receiver_ = test::WebhookTestReceiver::Start();
    ASSERT_NE(receiver_, nullptr);
    AlertRuleOptions rule;
    rule.kind = AlertKind::kCredentialConflict;
    rule.name = "credential_conflict";
    rule.hold_down = absl::ZeroDuration();
    options_.alerting.rules = {rule};
    options_.alerting.evaluate_every = absl::Milliseconds(100);
    WebhookOptions hook;
    hook.name = "hook";
    hook.url = receiver_->url();
    hook.scheme_host = absl::StrCat("http://127.0.0.1:", receiver_->port());
    hook.path = "/hook";
    hook.secret = "secret";
    options_.alerting.webhooks = {hook};
    options_.failed_authentication.max_failures = 5;
    absl::StatusOr<std::unique_ptr<CollectorServer>> server =
        CollectorServer::Start(options_, Catalog::Builtin(), Clock::GetRealClock());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    absl::StatusOr<CollectorTrust> admin = test::AdminTrust(options_.data_dir);
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = *admin;
    ASSERT_TRUE(test::PutAsset(server_->address(), admin_, "web", v1::IG1).ok());
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(server_->address(), admin_, "host-1", {"web"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_ = *agent;
  }

  // Sends batch `sequence` of host-1 with one item per outcome in `outcomes`, on a stream
  // of its own, and returns the acknowledgement or why the stream ended without one.
  absl::StatusOr<v1::Ack> Send(uint64_t sequence, const std::vector<std::string>& outcomes) {
    std::vector<v1::Evidence> items;
    for (const std::string& outcome : outcomes) {
      items.push_back(TestEvidence("web", outcome, observed_));
    }
    return test::SendBatch(server_->address(), agent_, "host-1", sequence, std::move(items));
  }

  std::string Metrics() {
    httplib::Result metrics =
        test::HttpsClient(server_->http_address(), options_.data_dir + "/tls/ca.crt", admin_.token)
            ->Get("/metrics");
    return metrics && metrics->status == 200 ? metrics->body : "";
  }

  test::TempDir dir_;
  std::unique_ptr<test::WebhookTestReceiver> receiver_;
  CollectorOptions options_;
  std::unique_ptr<CollectorServer> server_;
  CollectorTrust admin_;
  CollectorTrust agent_;
  const absl::Time observed_ = absl::Now();
};

TEST_F(MisuseTest, TwoStreamsWithOneCredentialAndDifferentBatchesAtOneSequence) {
  absl::StatusOr<v1::Ack> first = Send(1, {"PR_AC_CSC_5_2"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->duplicate());
  // A resend of the same batch on another stream is still a duplicate.
  absl::StatusOr<v1::Ack> resend = Send(1, {"PR_AC_CSC_5_2"});
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_TRUE(resend->duplicate());
  EXPECT_THAT(Metrics(), HasSubstr("\npostura_ingest_sequence_conflicts_total 0\n"));

  // Whoever holds a copy of the credential sends other items under the same sequence.
  absl::StatusOr<v1::Ack> other = Send(1, {"ID_AM_CSC_1_1", "PR_AC_CSC_5_2"});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAborted) << other.status();
  EXPECT_THAT(other.status().message(), HasSubstr("sequence conflict"));

  absl::StatusOr<v1::IngestStats> stats = test::GetIngestStats(server_->address(), admin_);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->batches_conflicting(), 1u);
  EXPECT_EQ(stats->items_stored(), 1u) << "the conflicting batch stored nothing";
  absl::StatusOr<v1::Agent> agent = test::FindAgent(server_->address(), admin_, "host-1");
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(agent->sequence_conflicts(), 1u);
  EXPECT_GE(agent->last_conflict_unix_nanos(), absl::ToUnixNanos(observed_));
  EXPECT_EQ(agent->last_stored_sequence(), 1u);
  // The agent's credential was last used just now, from loopback.
  EXPECT_EQ(agent->last_used_from(), "127.0.0.1");
  EXPECT_GE(agent->last_used_unix_seconds(), absl::ToUnixSeconds(observed_));
  EXPECT_THAT(Metrics(), HasSubstr("\npostura_ingest_sequence_conflicts_total 1\n"));
  ASSERT_TRUE(receiver_->WaitForAccepted(1, absl::Seconds(30)));
  const test::WebhookTestReceiver::Request alert = receiver_->accepted()[0];
  EXPECT_EQ(alert.alert_id, "credential_conflict/agent/host-1");
  EXPECT_THAT(alert.body, HasSubstr("sequence conflict"));
  EXPECT_THAT(alert.body, HasSubstr("127.0.0.1"));
  EXPECT_THAT(Metrics(), HasSubstr("postura_alerts_firing{rule=\"credential_conflict\"} 1"));

  // The agent's next batch goes on as before.
  absl::StatusOr<v1::Ack> next = Send(2, {"PR_AC_CSC_5_2"});
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_FALSE(next->duplicate());
}

TEST_F(MisuseTest, WrongTokensFromOneAddressGetItRefusedForAWhileOnBothListeners) {
  CollectorTrust wrong = admin_;
  wrong.token = "pst.0123456789abcdef.not-the-secret";
  std::unique_ptr<v1::AdminService::Stub> guesser =
      v1::AdminService::NewStub(test::FreshChannel(server_->address(), wrong));
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext context;
    v1::ListAgentsResponse agents;
    EXPECT_EQ(guesser->ListAgents(&context, {}, &agents).error_code(),
              grpc::StatusCode::UNAUTHENTICATED)
        << "attempt " << i;
  }
  // 127.0.0.1 is refused now, whatever token it sends, before any check.
  absl::StatusOr<v1::Agent> refused = test::FindAgent(server_->address(), admin_, "host-1");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted) << refused.status();
  EXPECT_THAT(refused.status().message(), HasSubstr("too many failed authentications"));
  httplib::Result https =
      test::HttpsClient(server_->http_address(), options_.data_dir + "/tls/ca.crt", admin_.token)
          ->Get("/api/v1/assets");
  ASSERT_TRUE(https);
  EXPECT_EQ(https->status, 429);
  // After a second the right token is admitted again.
  std::string metrics;
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (metrics.empty() && absl::Now() < deadline) metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr("\npostura_auth_failures_total 5\n"));
  EXPECT_THAT(metrics, HasSubstr("\npostura_auth_refusals_total "));
  EXPECT_THAT(metrics, Not(HasSubstr("\npostura_auth_refusals_total 0\n")));
  EXPECT_TRUE(test::FindAgent(server_->address(), admin_, "host-1").ok());
}

// One credential holds at most limits.max_streams_per_agent (2) ingest streams: a third
// ends at its Hello with RESOURCE_EXHAUSTED while the two go on; once one ends, a new one
// opens.
TEST_F(MisuseTest, AThirdStreamOfOneAgentIsRefusedWhileTwoAreOpen) {
  struct OpenStream {
    std::unique_ptr<grpc::ClientContext> context = std::make_unique<grpc::ClientContext>();
    std::unique_ptr<v1::IngestService::Stub> stub;
    std::unique_ptr<grpc::ClientReaderWriter<v1::AgentMessage, v1::CollectorMessage>> stream;
  };
  // Opens a stream as host-1 and says Hello; true if the Welcome came.
  auto open = [&](OpenStream& s) {
    s.stub = v1::IngestService::NewStub(test::FreshChannel(server_->address(), agent_));
    s.stream = s.stub->Report(s.context.get());
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id("host-1");
    v1::CollectorMessage welcome;
    return s.stream->Write(hello) && s.stream->Read(&welcome) && welcome.has_welcome();
  };
  OpenStream first, second, third;
  ASSERT_TRUE(open(first));
  ASSERT_TRUE(open(second));
  EXPECT_FALSE(open(third));
  const grpc::Status refused = third.stream->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("already has 2 ingest streams open"));

  first.stream->WritesDone();
  EXPECT_TRUE(first.stream->Finish().ok());
  // The first's slot is free again once the collector has seen it end.
  auto fourth = std::make_unique<OpenStream>();
  for (int attempt = 0; attempt < 50 && !open(*fourth); ++attempt) {
    fourth->stream->Finish();
    fourth = std::make_unique<OpenStream>();
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_NE(fourth->stream, nullptr);
  for (OpenStream* s : {&second, fourth.get()}) {
    s->stream->WritesDone();
    EXPECT_TRUE(s->stream->Finish().ok());
  }
}

// A plain TCP connection to `port` on loopback; -1 if it cannot be made.
int ConnectTo(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    return fd;
  }
  if (fd >= 0) close(fd);
  return -1;
}

// limits.max_grpc_connections (3 here): three connections that never finish their TLS
// handshake hold every place, so a client's call fails while they are open, the refusals
// are counted on /metrics, and calls go through again once they close.
TEST(GrpcConnectionLimitTest, ConnectionsPastTheLimitAreClosedUntilOthersClose) {
  test::TempDir dir;
  CollectorOptions options;
  options.listen_address = "127.0.0.1:0";
  options.http_listen_address = "127.0.0.1:0";
  options.data_dir = dir.path().string();
  options.max_grpc_connections = 3;
  absl::StatusOr<std::unique_ptr<CollectorServer>> server =
      CollectorServer::Start(options, Catalog::Builtin(), Clock::GetRealClock());
  ASSERT_TRUE(server.ok()) << server.status();
  absl::StatusOr<CollectorTrust> admin = test::AdminTrust(options.data_dir);
  ASSERT_TRUE(admin.ok()) << admin.status();
  const std::string address = (*server)->address();
  const int port = std::stoi(address.substr(address.rfind(':') + 1));

  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(ConnectTo(port));
  for (int fd : held) ASSERT_GE(fd, 0);
  absl::StatusOr<v1::IngestStats> refused = test::GetIngestStats(address, *admin);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  httplib::Result metrics =
      test::HttpsClient((*server)->http_address(), options.data_dir + "/tls/ca.crt", admin->token)
          ->Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_THAT(metrics->body, HasSubstr("\npostura_grpc_connections_open 3\n"));
  EXPECT_THAT(metrics->body, Not(HasSubstr("\npostura_grpc_connections_refused_total 0\n")));

  for (int fd : held) close(fd);
  absl::StatusOr<v1::IngestStats> after = refused;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (!after.ok() && absl::Now() < deadline) after = test::GetIngestStats(address, *admin);
  EXPECT_TRUE(after.ok()) << after.status();
}

}  // namespace
}  // namespace postura::collector
