// The collector as an operator runs it: a real process that reports readiness and health,
// refuses a bad config by naming the key, and drains on SIGTERM.

#include <csignal>

#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/ingest.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/collector_process.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace postura {
namespace {

using ::postura::test::CollectorProcess;
using ::postura::test::RunProcess;
using ::postura::test::TempDir;
using ::testing::HasSubstr;

// Registers the asset "web" and enrolls the agent "host-1" for it: the agent's trust.
CollectorTrust Register(const CollectorProcess& collector) {
  absl::StatusOr<CollectorTrust> agent =
      test::RegisterAgentForAsset(collector.address(), collector.admin(), "host-1", "web", v1::IG2);
  EXPECT_TRUE(agent.ok()) << agent.status();
  return agent.value_or(CollectorTrust());
}

TEST(CollectorLifecycleTest, ServesTheStandardHealthCheck) {
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  auto health = grpc::health::v1::Health::NewStub(
      test::FreshChannel(collector->address(), collector->admin()));
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, {}, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  const absl::Time start = absl::Now();
  EXPECT_EQ(collector->Stop(), 0);
  // Idle client connections must not hold shutdown up.
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST(CollectorLifecycleTest, BadConfigStopsStartupNamingTheKey) {
  TempDir dir;
  const std::string config =
      dir.WriteFile("collector.yaml", "data_dir: /tmp/x\nlimits:\n  max_batch_items: 0.5\n");
  auto run = RunProcess({POSTURA_COLLECTOR_BIN, "--config", config}).value();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("max_batch_items"));
  const std::string typo = dir.WriteFile("typo.yaml", "data_dir: /tmp/x\nlisten_adress: x:1\n");
  run = RunProcess({POSTURA_COLLECTOR_BIN, "--config", typo}).value();
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("listen_adress"));
}

// SIGTERM: the collector stops reading, acknowledges what it had read, ends the stream
// with UNAVAILABLE and exits 0 promptly; what it acknowledged is there after a restart.
TEST(CollectorLifecycleTest, SigtermDrainsStreamsAndExitsCleanly) {
  TempDir dir;
  auto collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path()).value();
  const std::string address = collector->address();
  auto ingest = v1::IngestService::NewStub(test::FreshChannel(address, Register(*collector)));
  constexpr uint64_t kBatches = 20;
  uint64_t acknowledged = 0;
  {
    grpc::ClientContext context;
    auto stream = ingest->Report(&context);
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id("host-1");
    v1::CollectorMessage reply;
    ASSERT_TRUE(stream->Write(hello));
    ASSERT_TRUE(stream->Read(&reply));
    for (uint64_t s = 1; s <= kBatches; ++s) {
      v1::AgentMessage batch;
      batch.mutable_batch()->set_sequence(s);
      *batch.mutable_batch()->add_items() =
          collector::TestEvidence("web", "PR_AC_CSC_5_2", absl::Now());
      ASSERT_TRUE(stream->Write(batch));
    }
    ASSERT_TRUE(stream->Read(&reply));  // The collector is reading.
    acknowledged = reply.ack().sequence();
    const absl::Time start = absl::Now();
    collector->Signal(SIGTERM);
    while (stream->Read(&reply)) acknowledged = reply.ack().sequence();
    grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr("shutting down"));
    EXPECT_EQ(collector->Wait(), 0);
    EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  }
  collector = CollectorProcess::Start(POSTURA_COLLECTOR_BIN, dir.path(), address).value();
  auto admin = v1::AdminService::NewStub(test::FreshChannel(address, collector->admin()));
  grpc::ClientContext context;
  v1::ListAgentsResponse agents;
  grpc::Status listed = admin->ListAgents(&context, {}, &agents);
  ASSERT_TRUE(listed.ok()) << listed.error_code() << " " << listed.error_message();
  ASSERT_EQ(agents.agents_size(), 1);
  // Batches read after the last acknowledgement may be stored too; they are resent and
  // recognised as duplicates.
  EXPECT_GE(agents.agents(0).last_stored_sequence(), acknowledged);
  EXPECT_EQ(collector->Stop(), 0);
}

}  // namespace
}  // namespace postura
