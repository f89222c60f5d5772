// The ingest protocol through a real collector server over gRPC on loopback.

#include <memory>

#include "collector/collector_server.h"
#include "collector/ingest/ingest_service.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "tests/testing/collector_client.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::postura::test::TempDir;
using ::testing::HasSubstr;

// One agent's stream, driven step by step from the test.
class AgentStream {
 public:
  explicit AgentStream(v1::IngestService::Stub& stub) : stream_(stub.Report(&context_)) {}

  bool Send(const v1::AgentMessage& message) { return stream_->Write(message); }

  std::optional<v1::Welcome> Hello(const std::string& agent_id) {
    v1::AgentMessage hello;
    hello.mutable_hello()->set_agent_id(agent_id);
    v1::CollectorMessage reply;
    if (!Send(hello) || !stream_->Read(&reply) || !reply.has_welcome()) return std::nullopt;
    return reply.welcome();
  }

  bool SendBatch(const v1::Batch& batch) {
    v1::AgentMessage message;
    *message.mutable_batch() = batch;
    return Send(message);
  }

  std::optional<v1::Ack> ReadAck() {
    v1::CollectorMessage reply;
    if (!stream_->Read(&reply) || !reply.has_ack()) return std::nullopt;
    return reply.ack();
  }

  grpc::Status Close() {
    stream_->WritesDone();
    v1::CollectorMessage ignored;
    while (stream_->Read(&ignored)) {
    }
    return stream_->Finish();
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AgentMessage, v1::CollectorMessage>> stream_;
};

class IngestServiceTest : public testing::Test {
 protected:
  void SetUp() override {
    StartServer();
    v1::PutAssetRequest asset;
    *asset.mutable_asset() = TestAsset("web");
    v1::PutAssetResponse asset_response;
    grpc::ClientContext c1;
    ASSERT_TRUE(admin_->PutAsset(&c1, asset, &asset_response).ok());
    absl::StatusOr<CollectorTrust> agent =
        test::EnrollAgent(server_->address(), admin_trust_, "host-1", {"web"});
    ASSERT_TRUE(agent.ok()) << agent.status();
    agent_trust_ = *agent;
    ingest_ = v1::IngestService::NewStub(test::FreshChannel(server_->address(), agent_trust_));
  }

  void StartServer() {
    options_.listen_address = "127.0.0.1:0";
    options_.http_listen_address = "127.0.0.1:0";
    options_.data_dir = dir_.path().string();
    server_ = CollectorServer::Start(options_, Catalog::Builtin(), Clock::GetRealClock()).value();
    admin_trust_ = test::AdminTrust(options_.data_dir).value();
    admin_ = v1::AdminService::NewStub(test::FreshChannel(server_->address(), admin_trust_));
    if (!agent_trust_.token.empty()) {
      ingest_ = v1::IngestService::NewStub(test::FreshChannel(server_->address(), agent_trust_));
    }
  }

  void RestartServer() {
    server_->Shutdown();
    server_.reset();
    StartServer();
  }

  v1::IngestStats Stats() {
    grpc::ClientContext context;
    v1::IngestStats stats;
    EXPECT_TRUE(admin_->GetIngestStats(&context, {}, &stats).ok());
    return stats;
  }

  static v1::Batch Batch(uint64_t sequence, int items, const std::string& asset = "web") {
    v1::Batch batch;
    batch.set_sequence(sequence);
    for (int i = 0; i < items; ++i)
      *batch.add_items() = TestEvidence(asset, "PR_AC_CSC_5_2", absl::Now());
    return batch;
  }

  TempDir dir_;
  CollectorOptions options_;
  std::unique_ptr<CollectorServer> server_;
  std::unique_ptr<v1::IngestService::Stub> ingest_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  CollectorTrust admin_trust_;
  CollectorTrust agent_trust_;
};

TEST_F(IngestServiceTest, HelloIsAnsweredWithProgressAndLimits) {
  AgentStream stream(*ingest_);
  std::optional<v1::Welcome> welcome = stream.Hello("host-1");
  ASSERT_TRUE(welcome.has_value());
  EXPECT_EQ(welcome->last_stored_sequence(), 0u);
  EXPECT_EQ(welcome->max_unacknowledged_batches(), 32u);
  EXPECT_EQ(welcome->max_batch_items(), 1000u);
  EXPECT_EQ(welcome->max_detail_bytes(), 1024u);
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(IngestServiceTest, BatchIsAcknowledgedWithItsRejectionsAndItsValidItemsStored) {
  AgentStream stream(*ingest_);
  ASSERT_TRUE(stream.Hello("host-1"));
  v1::Batch batch = Batch(1, 3);
  batch.mutable_items(1)->set_outcome_id("NOPE");
  ASSERT_TRUE(stream.SendBatch(batch));
  std::optional<v1::Ack> ack = stream.ReadAck();
  ASSERT_TRUE(ack.has_value());
  EXPECT_EQ(ack->sequence(), 1u);
  EXPECT_FALSE(ack->duplicate());
  ASSERT_EQ(ack->rejected_size(), 1);
  EXPECT_EQ(ack->rejected(0).index(), 1u);
  EXPECT_EQ(ack->rejected(0).reason(), v1::UNKNOWN_OUTCOME);
  EXPECT_TRUE(stream.Close().ok());
  EXPECT_EQ(Stats().items_stored(), 2u);
  EXPECT_EQ(Stats().items_rejected(), 1u);
}

TEST_F(IngestServiceTest, ResentBatchIsAcknowledgedAgainButNotApplied) {
  const v1::Batch batch = Batch(1, 2);
  {
    AgentStream stream(*ingest_);
    ASSERT_TRUE(stream.Hello("host-1"));
    ASSERT_TRUE(stream.SendBatch(batch));
    ASSERT_TRUE(stream.ReadAck());
    EXPECT_TRUE(stream.Close().ok());
  }
  AgentStream stream(*ingest_);
  EXPECT_EQ(stream.Hello("host-1")->last_stored_sequence(), 1u);
  ASSERT_TRUE(stream.SendBatch(batch));  // The same batch, as an agent resends it.
  std::optional<v1::Ack> ack = stream.ReadAck();
  ASSERT_TRUE(ack.has_value());
  EXPECT_TRUE(ack->duplicate());
  EXPECT_TRUE(stream.Close().ok());
  EXPECT_EQ(Stats().items_stored(), 2u);
  EXPECT_EQ(Stats().batches_duplicate(), 1u);
}

TEST_F(IngestServiceTest, GapsInSequencesAreAccepted) {
  AgentStream stream(*ingest_);
  ASSERT_TRUE(stream.Hello("host-1"));
  ASSERT_TRUE(stream.SendBatch(Batch(1, 1)));
  ASSERT_TRUE(stream.SendBatch(Batch(5, 1)));
  EXPECT_EQ(stream.ReadAck()->sequence(), 1u);
  std::optional<v1::Ack> ack = stream.ReadAck();
  EXPECT_EQ(ack->sequence(), 5u);
  EXPECT_FALSE(ack->duplicate());
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(IngestServiceTest, AnAgentCannotReportAsAnother) {
  AgentStream stream(*ingest_);
  EXPECT_FALSE(stream.Hello("intruder"));
  grpc::Status status = stream.Close();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("cannot report as 'intruder'"));
}

TEST_F(IngestServiceTest, OnlyAgentCredentialsOpenAStream) {
  auto as_admin = v1::IngestService::NewStub(test::FreshChannel(server_->address(), admin_trust_));
  AgentStream admin_stream(*as_admin);
  EXPECT_FALSE(admin_stream.Hello("host-1"));
  grpc::Status status = admin_stream.Close();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("role admin may not report evidence"));

  CollectorTrust anonymous{.ca_certificate_pem = admin_trust_.ca_certificate_pem, .token = ""};
  auto without = v1::IngestService::NewStub(test::FreshChannel(server_->address(), anonymous));
  AgentStream stream(*without);
  EXPECT_FALSE(stream.Hello("host-1"));
  EXPECT_EQ(stream.Close().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Stats().items_stored(), 0u);
}

TEST_F(IngestServiceTest, StreamMustStartWithHello) {
  AgentStream stream(*ingest_);
  v1::AgentMessage message;
  *message.mutable_batch() = Batch(1, 1);
  stream.Send(message);
  grpc::Status status = stream.Close();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("first message of a stream must be a Hello"));
}

TEST_F(IngestServiceTest, SequencesMustIncreaseOnAStream) {
  AgentStream stream(*ingest_);
  ASSERT_TRUE(stream.Hello("host-1"));
  ASSERT_TRUE(stream.SendBatch(Batch(4, 1)));
  ASSERT_TRUE(stream.ReadAck());
  stream.SendBatch(Batch(3, 1));
  grpc::Status status = stream.Close();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("batch sequence 3 after 4"));
}

TEST_F(IngestServiceTest, ZeroSequenceAndOversizedBatchesAreRefused) {
  {
    AgentStream stream(*ingest_);
    ASSERT_TRUE(stream.Hello("host-1"));
    stream.SendBatch(Batch(0, 1));
    EXPECT_THAT(stream.Close().error_message(), HasSubstr("sequence numbers start at 1"));
  }
  AgentStream stream(*ingest_);
  ASSERT_TRUE(stream.Hello("host-1"));
  stream.SendBatch(Batch(1, 1001));
  grpc::Status status = stream.Close();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("batch of 1001 items; the limit is 1000"));
}

TEST_F(IngestServiceTest, OversizedMessageFailsOnlyItsOwnStream) {
  AgentStream healthy(*ingest_);
  ASSERT_TRUE(healthy.Hello("host-1"));
  {
    AgentStream hostile(*ingest_);
    ASSERT_TRUE(hostile.Hello("host-1"));
    v1::Batch huge = Batch(1, 1);
    huge.mutable_items(0)->set_detail(std::string(5 << 20, 'x'));
    hostile.SendBatch(huge);
    EXPECT_EQ(hostile.Close().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  ASSERT_TRUE(healthy.SendBatch(Batch(2, 1)));
  std::optional<v1::Ack> ack = healthy.ReadAck();
  ASSERT_TRUE(ack.has_value());
  EXPECT_FALSE(ack->duplicate());
  EXPECT_TRUE(healthy.Close().ok());
}

TEST_F(IngestServiceTest, RebindingAppliesToTheNextBatchOfAnOpenStream) {
  AgentStream stream(*ingest_);
  ASSERT_TRUE(stream.Hello("host-1"));
  grpc::ClientContext c1, c2;
  v1::PutAssetRequest other;
  *other.mutable_asset() = TestAsset("db");
  v1::PutAssetResponse r1;
  ASSERT_TRUE(admin_->PutAsset(&c1, other, &r1).ok());
  v1::PutAgentRequest rebind;
  *rebind.mutable_agent() = TestAgent("host-1", {"db"});
  v1::PutAgentResponse r2;
  ASSERT_TRUE(admin_->PutAgent(&c2, rebind, &r2).ok());
  ASSERT_TRUE(stream.SendBatch(Batch(1, 1, "web")));
  std::optional<v1::Ack> ack = stream.ReadAck();
  ASSERT_EQ(ack->rejected_size(), 1);
  EXPECT_EQ(ack->rejected(0).reason(), v1::ASSET_NOT_BOUND);
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(IngestServiceTest, ProgressSurvivesARestart) {
  {
    AgentStream stream(*ingest_);
    ASSERT_TRUE(stream.Hello("host-1"));
    ASSERT_TRUE(stream.SendBatch(Batch(9, 2)));
    ASSERT_TRUE(stream.ReadAck());
    EXPECT_TRUE(stream.Close().ok());
  }
  RestartServer();
  AgentStream stream(*ingest_);
  EXPECT_EQ(stream.Hello("host-1")->last_stored_sequence(), 9u);
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(IngestServiceTest, ManyBatchesThroughASmallWindowAreAllAcknowledgedInOrder) {
  options_.max_unacknowledged_batches = 2;
  RestartServer();
  AgentStream stream(*ingest_);
  ASSERT_TRUE(stream.Hello("host-1"));
  // The agent writes ahead of the window; the collector reads only as acks free it.
  std::thread sender([&] {
    for (uint64_t s = 1; s <= 200; ++s) ASSERT_TRUE(stream.SendBatch(Batch(s, 20)));
  });
  for (uint64_t s = 1; s <= 200; ++s) {
    std::optional<v1::Ack> ack = stream.ReadAck();
    ASSERT_TRUE(ack.has_value()) << s;
    EXPECT_EQ(ack->sequence(), s);
  }
  sender.join();
  EXPECT_TRUE(stream.Close().ok());
  EXPECT_EQ(Stats().items_stored(), 4000u);
  // The server lets go of the stream (OnDone) on its own thread, just after the client
  // has its status: give it a moment.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (Stats().open_streams() != 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Stats().open_streams(), 0u);
}

}  // namespace
}  // namespace postura::collector
