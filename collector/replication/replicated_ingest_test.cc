// Cluster mode's ingest against a real nats-server on loopback and real RocksDB stores:
// two collectors' sinks on one log. A batch is acknowledged once the log stored it, and
// both stores end with every acknowledged batch exactly once, the same records in each;
// a resend is reported as a duplicate and stored once; a log message that is not a batch
// is skipped without stopping the rest; with the log unreachable nothing is acknowledged.

#include "collector/replication/replicated_ingest.h"

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "collector/registry/registry.h"
#include "collector/replication/batch_codec.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_server.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

// One collector of the cluster: its store, writer, log connection and replicated sink.
struct Node {
  std::unique_ptr<EvidenceStore> store;
  std::unique_ptr<Registry> registry;  // Its changes go through the log.
  std::unique_ptr<IngestWriter> writer;
  std::unique_ptr<JetStreamLog> log;
  std::unique_ptr<ReplicatedIngest> ingest;

  ~Node() {
    ingest.reset();  // Before the writer and the log it borrows.
    writer.reset();
  }

  // The store's evidence records, serialized, in key order.
  std::vector<std::string> Evidence() const {
    std::vector<std::string> records;
    EXPECT_TRUE(store
                    ->ForEachEvidence([&](const v1::StoredEvidence& record) {
                      records.push_back(record.SerializeAsString());
                    })
                    .ok());
    return records;
  }
};

class ReplicatedIngestTest : public testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "nats");
    absl::StatusOr<std::unique_ptr<test::NatsServer>> server =
        test::NatsServer::Start((dir_.path() / "nats").string());
    if (absl::IsNotFound(server.status())) GTEST_SKIP() << server.status();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  JetStreamLogOptions LogOptions() {
    return {.servers = {server_->url()},
            .stream = "postura-ingest",
            .subject = "postura.ingest",
            .timeout = absl::Seconds(2),
            .redelivery_after = absl::Seconds(1)};
  }

  std::unique_ptr<Node> StartNode(const std::string& name) {
    auto node = std::make_unique<Node>();
    node->store = EvidenceStore::Open({.path = (dir_.path() / name).string()}).value();
    node->registry = Registry::Load(*node->store, Catalog::Builtin()).value();
    node->writer = IngestWriter::Start(*node->store, {}).value();
    node->log = JetStreamLog::Open(LogOptions()).value();
    Registry& registry = *node->registry;
    node->ingest =
        ReplicatedIngest::Start(
            *node->log, *node->writer,
            {.node = name,
             .apply_registry_change =
                 [&registry](const v1::RegistryChange& change) { return registry.Apply(change); }})
            .value();
    registry.RouteChangesThrough([ingest = node->ingest.get()](const v1::RegistryChange& change) {
      return ingest->ChangeRegistry(change);
    });
    return node;
  }

  // Batch `sequence` of `agent`: two items whose content, and so digest, is `content`.
  static QueuedBatch MakeBatch(const std::string& agent, uint64_t sequence, uint8_t content = 1) {
    v1::Batch batch;
    for (int i = 0; i < 2; ++i) {
      *batch.add_items() = TestEvidence(absl::StrCat("asset-", agent), absl::StrCat("OC-", i),
                                        kObserved + absl::Seconds(sequence));
    }
    QueuedBatch queued;
    queued.agent_id = agent;
    queued.sequence = sequence;
    queued.digest.fill(content);
    queued.encoded = EncodeBatch(agent, batch, {true, true}, kObserved + absl::Hours(1));
    return queued;
  }

  // Hands `batch` to `sink` and waits for its answer.
  static absl::StatusOr<v1::Ack> Send(BatchSink& sink, QueuedBatch batch) {
    absl::Mutex mu;
    std::optional<absl::StatusOr<v1::Ack>> answer;
    batch.done = [&](absl::StatusOr<v1::Ack> ack) {
      absl::MutexLock lock(&mu);
      answer = std::move(ack);
    };
    EXPECT_TRUE(sink.Enqueue(batch, [] {}));
    absl::MutexLock lock(&mu);
    auto answered = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return answer.has_value(); };
    if (!mu.AwaitWithTimeout(absl::Condition(&answered), absl::Seconds(30))) {
      return absl::DeadlineExceededError("no answer");
    }
    return *answer;
  }

  // Waits until `node`'s store holds `records` evidence records; returns them.
  static std::vector<std::string> AwaitEvidence(const Node& node, size_t records) {
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    std::vector<std::string> got = node.Evidence();
    while (got.size() < records && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(50));
      got = node.Evidence();
    }
    return got;
  }

  test::TempDir dir_;
  std::unique_ptr<test::NatsServer> server_;
};

TEST_F(ReplicatedIngestTest, EveryAcknowledgedBatchIsStoredOnceInEveryCollector) {
  std::unique_ptr<Node> a = StartNode("node-a");
  std::unique_ptr<Node> b = StartNode("node-b");
  for (uint64_t sequence = 1; sequence <= 10; ++sequence) {
    absl::StatusOr<v1::Ack> ack = Send(*a->ingest, MakeBatch("agent-a", sequence));
    ASSERT_TRUE(ack.ok()) << ack.status();
    EXPECT_EQ(ack->sequence(), sequence);
    EXPECT_FALSE(ack->duplicate());
    ASSERT_TRUE(Send(*b->ingest, MakeBatch("agent-b", sequence)).ok());
  }
  // A resend through the other collector: the log stored it already.
  absl::StatusOr<v1::Ack> resend = Send(*b->ingest, MakeBatch("agent-a", 4));
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_TRUE(resend->duplicate());

  const std::vector<std::string> in_a = AwaitEvidence(*a, 40);
  EXPECT_EQ(in_a.size(), 40u);
  EXPECT_EQ(AwaitEvidence(*b, 40), in_a);
  EXPECT_EQ(a->writer->Progress("agent-a").last_sequence, 10u);
  EXPECT_EQ(b->writer->Progress("agent-b").last_sequence, 10u);
  EXPECT_EQ(a->ingest->stats().appended + b->ingest->stats().appended, 20u);
  EXPECT_EQ(b->ingest->stats().append_duplicates, 1u);
}

TEST_F(ReplicatedIngestTest, ACollectorStartedLaterCatchesUpFromTheLog) {
  std::unique_ptr<Node> a = StartNode("node-a");
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) {
    ASSERT_TRUE(Send(*a->ingest, MakeBatch("agent-a", sequence)).ok());
  }
  std::unique_ptr<Node> late = StartNode("node-late");
  EXPECT_EQ(AwaitEvidence(*late, 10), AwaitEvidence(*a, 10));
  EXPECT_EQ(late->writer->Progress("agent-a").last_sequence, 5u);
}

TEST_F(ReplicatedIngestTest, ARestartedCollectorReadsOnFromWhatItsStoreHoldsEachBatchOnce) {
  std::unique_ptr<Node> a = StartNode("node-a");
  std::unique_ptr<Node> b = StartNode("node-b");
  for (uint64_t sequence = 1; sequence <= 5; ++sequence) {
    ASSERT_TRUE(Send(*a->ingest, MakeBatch("agent-a", sequence)).ok());
  }
  ASSERT_EQ(AwaitEvidence(*b, 10).size(), 10u);
  b.reset();  // Stopped; its store keeps the log position of what it applied.
  for (uint64_t sequence = 6; sequence <= 8; ++sequence) {
    ASSERT_TRUE(Send(*a->ingest, MakeBatch("agent-a", sequence)).ok());
  }
  b = StartNode("node-b");
  EXPECT_EQ(AwaitEvidence(*b, 16), AwaitEvidence(*a, 16));
  EXPECT_EQ(b->store->ReadLogPosition().value(), 8u);
  // Nothing was applied twice: no batch was even judged a resend.
  EXPECT_EQ(b->writer->Stats().batches_duplicate(), 0u);
  EXPECT_EQ(b->writer->Stats().batches_stored(), 3u);
}

TEST_F(ReplicatedIngestTest, AfterAFailedAppendTheAgentsLaterBatchesWaitForIt) {
  std::unique_ptr<Node> a = StartNode("node-a");
  ASSERT_TRUE(Send(*a->ingest, MakeBatch("agent-a", 1)).ok());
  ASSERT_EQ(AwaitEvidence(*a, 2).size(), 2u);
  const std::string nats_dir = (dir_.path() / "nats").string();
  const int port = std::stoi(server_->url().substr(server_->url().rfind(':') + 1));
  server_->Kill();
  EXPECT_EQ(Send(*a->ingest, MakeBatch("agent-a", 2)).status().code(),
            absl::StatusCode::kUnavailable);
  server_ = test::NatsServer::Start(nats_dir, port).value();
  // Batch 3 may not pass batch 2, whatever the log's state; another agent's may.
  absl::StatusOr<v1::Ack> third = Send(*a->ingest, MakeBatch("agent-a", 3));
  EXPECT_EQ(third.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(third.status().message(), ::testing::HasSubstr("batch 2 of the agent"));
  // Once the agent sends batch 2 again (its client reconnects meanwhile), 3 follows.
  absl::StatusOr<v1::Ack> second = absl::UnavailableError("not sent");
  for (int attempt = 0; attempt < 50 && !second.ok(); ++attempt) {
    second = Send(*a->ingest, MakeBatch("agent-a", 2));
    if (!second.ok()) absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(Send(*a->ingest, MakeBatch("agent-a", 3)).ok());
  EXPECT_EQ(AwaitEvidence(*a, 6).size(), 6u);
}

TEST_F(ReplicatedIngestTest, AMessageThatIsNotABatchIsSkippedAndTheRestApplied) {
  std::unique_ptr<Node> a = StartNode("node-a");
  ASSERT_TRUE(a->log->Append("garbage-1", "not a batch").ok());
  ASSERT_TRUE(Send(*a->ingest, MakeBatch("agent-a", 1)).ok());
  EXPECT_EQ(AwaitEvidence(*a, 2).size(), 2u);
  EXPECT_EQ(a->ingest->stats().malformed, 1u);
}

TEST_F(ReplicatedIngestTest, ABatchTheLogCannotStoreIsRefusedNotAcknowledged) {
  std::unique_ptr<Node> a = StartNode("node-a");
  ASSERT_TRUE(Send(*a->ingest, MakeBatch("agent-a", 1)).ok());
  ASSERT_EQ(AwaitEvidence(*a, 2).size(), 2u);  // Applied before the log goes.
  server_->Kill();
  absl::StatusOr<v1::Ack> ack = Send(*a->ingest, MakeBatch("agent-a", 2));
  EXPECT_EQ(ack.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(ack.status().message(), ::testing::HasSubstr("the cluster's log did not store"));
  EXPECT_EQ(a->ingest->stats().append_failures, 1u);
  EXPECT_EQ(a->writer->Progress("agent-a").last_sequence, 1u);
}

// A registry change made at one node is applied at every node, in log order; one the
// registry refuses is refused alike, and its maker is told why.
TEST_F(ReplicatedIngestTest, RegistryChangesMadeAtOneNodeReachEveryNode) {
  std::unique_ptr<Node> a = StartNode("a");
  std::unique_ptr<Node> b = StartNode("b");
  v1::Asset web;
  web.set_id("web");
  web.set_name("Web portal");
  web.set_implementation_group(v1::IG1);
  ASSERT_TRUE(a->registry->PutAsset(web).ok());
  EXPECT_TRUE(a->registry->FindAsset("web").has_value());  // Applied here before the answer.
  auto await = [](const std::function<bool()>& done) {
    for (const absl::Time give_up = absl::Now() + absl::Seconds(10);
         !done() && absl::Now() < give_up;) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    return done();
  };
  EXPECT_TRUE(await([&] { return b->registry->FindAsset("web").has_value(); }));

  v1::Asset broken = web;
  broken.set_id("db");
  broken.add_dependency_ids("missing");
  const absl::Status refused = b->registry->PutAsset(broken);
  EXPECT_EQ(refused.code(), absl::StatusCode::kNotFound) << refused;
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("missing"));

  ASSERT_TRUE(b->registry->DeleteAsset("web").ok());
  EXPECT_TRUE(await([&] { return !a->registry->FindAsset("web").has_value(); }));
  EXPECT_FALSE(a->registry->FindAsset("db").has_value());
  EXPECT_EQ(a->ingest->stats().malformed, 0u);
  // Each store committed the position of the last change it applied, the delete (the
  // third message: put, refused put, delete), so a restart applies none of them again.
  EXPECT_TRUE(await([&] { return a->writer->LogPosition().value_or(0) == 3; }));
  EXPECT_TRUE(await([&] { return b->writer->LogPosition().value_or(0) == 3; }));
}

}  // namespace
}  // namespace postura::collector
