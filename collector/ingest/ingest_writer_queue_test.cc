// The ingest writer's queue, the collector's outbox towards the store: batches from many
// streams at once, group commit, the bound on queued memory with its `on_room` callback,
// duplicates, and a stop that writes everything queued. Real RocksDB in a temporary
// directory, real threads; these tests also run under ThreadSanitizer (tests/
// grpc_free_tests.cmake).
#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

// What the writer answered, from its thread, for every batch.
class Acks {
 public:
  absl::AnyInvocable<void(absl::StatusOr<v1::Ack>)> Recorder() {
    return [this](absl::StatusOr<v1::Ack> ack) {
      absl::MutexLock lock(&mu_);
      answers_.push_back(std::move(ack));
    };
  }

  // Waits until `count` answers have come; false if they do not within a minute.
  bool WaitFor(std::size_t count) {
    absl::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return answers_.size() >= count; };
    return mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Minutes(1));
  }

  std::vector<absl::StatusOr<v1::Ack>> answers() const {
    absl::MutexLock lock(&mu_);
    return answers_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<absl::StatusOr<v1::Ack>> answers_ ABSL_GUARDED_BY(mu_);
};

class IngestWriterQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EvidenceStoreOptions options;
    options.path = (dir_.path() / "store").string();
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::unique_ptr<IngestWriter> StartWriter(const IngestWriterOptions& options) {
    absl::StatusOr<std::unique_ptr<IngestWriter>> writer = IngestWriter::Start(*store_, options);
    EXPECT_TRUE(writer.ok()) << writer.status();
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  // Batch `sequence` of `agent`, with `items` valid items about the agent's own asset.
  static QueuedBatch Batch(const std::string& agent, uint64_t sequence, int items,
                           absl::AnyInvocable<void(absl::StatusOr<v1::Ack>)> done) {
    v1::Batch batch;
    batch.set_sequence(sequence);
    for (int i = 0; i < items; ++i) {
      *batch.add_items() = TestEvidence(absl::StrCat("asset-", agent), absl::StrCat("OC-", i),
                                        kObserved + absl::Seconds(sequence));
    }
    QueuedBatch queued;
    queued.agent_id = agent;
    queued.sequence = sequence;
    queued.encoded =
        EncodeBatch(agent, batch, std::vector<bool>(items, true), kObserved + absl::Hours(1));
    queued.done = std::move(done);
    return queued;
  }

  test::TempDir dir_;
  std::unique_ptr<EvidenceStore> store_;
};

TEST_F(IngestWriterQueueTest, BatchesFromManyStreamsAreStoredAndAcknowledgedInOrder) {
  constexpr int kAgents = 4;
  constexpr uint64_t kBatches = 25;
  constexpr int kItems = 3;
  absl::Mutex committed_mu;
  std::vector<SourceUpdate> committed;  // Guarded by committed_mu.
  IngestWriterOptions options;
  options.on_committed = [&](std::vector<SourceUpdate> updates) {
    absl::MutexLock lock(&committed_mu);
    for (SourceUpdate& update : updates) committed.push_back(std::move(update));
  };
  std::unique_ptr<IngestWriter> writer = StartWriter(options);
  ASSERT_NE(writer, nullptr);

  std::vector<Acks> acks(kAgents);
  std::vector<std::thread> streams;
  for (int agent = 0; agent < kAgents; ++agent) {
    streams.emplace_back([&, agent] {
      for (uint64_t sequence = 1; sequence <= kBatches; ++sequence) {
        QueuedBatch batch =
            Batch(absl::StrCat("agent-", agent), sequence, kItems, acks[agent].Recorder());
        EXPECT_TRUE(writer->Enqueue(batch, [] {}));
      }
    });
  }
  for (std::thread& stream : streams) stream.join();

  for (int agent = 0; agent < kAgents; ++agent) {
    ASSERT_TRUE(acks[agent].WaitFor(kBatches));
    std::vector<absl::StatusOr<v1::Ack>> answers = acks[agent].answers();
    ASSERT_EQ(answers.size(), kBatches);
    for (uint64_t i = 0; i < kBatches; ++i) {
      ASSERT_TRUE(answers[i].ok()) << answers[i].status();
      EXPECT_EQ(answers[i]->sequence(), i + 1);
      EXPECT_FALSE(answers[i]->duplicate());
    }
    const AgentProgress progress = writer->Progress(absl::StrCat("agent-", agent));
    EXPECT_EQ(progress.last_sequence, kBatches);
    EXPECT_EQ(progress.items_stored, kBatches * kItems);
  }
  const v1::IngestStats stats = writer->Stats();
  EXPECT_EQ(stats.batches_stored(), kAgents * kBatches);
  EXPECT_EQ(stats.items_stored(), kAgents * kBatches * kItems);
  EXPECT_GE(stats.commits(), 1u);
  EXPECT_LE(stats.commits(), kAgents * kBatches);
  EXPECT_EQ(stats.queued_bytes(), 0u);
  absl::MutexLock lock(&committed_mu);
  EXPECT_EQ(committed.size(), kAgents * kBatches * kItems);
}

TEST_F(IngestWriterQueueTest, AFullQueueRefusesABatchAndCallsBackOnceThereIsRoom) {
  IngestWriterOptions options;
  options.max_queued_bytes = 1;  // Only an empty queue takes a batch.
  std::unique_ptr<IngestWriter> writer = StartWriter(options);
  ASSERT_NE(writer, nullptr);
  Acks acks;
  // The first batch's acknowledgement holds the writer thread until the queue is full.
  absl::Notification first_acknowledged, release_writer;
  QueuedBatch first = Batch("agent-a", 1, 2, [&](absl::StatusOr<v1::Ack> ack) {
    acks.Recorder()(std::move(ack));
    first_acknowledged.Notify();
    release_writer.WaitForNotification();
  });
  ASSERT_TRUE(writer->Enqueue(first, [] {}));
  first_acknowledged.WaitForNotification();

  QueuedBatch second = Batch("agent-a", 2, 2, acks.Recorder());
  ASSERT_TRUE(writer->Enqueue(second, [] {}));  // The queue was empty.
  absl::Notification room;
  QueuedBatch third = Batch("agent-a", 3, 2, acks.Recorder());
  EXPECT_FALSE(writer->Enqueue(third, [&] { room.Notify(); }));
  EXPECT_EQ(third.encoded.entries.size(), 2u) << "a refused batch stays with the caller";
  EXPECT_FALSE(room.HasBeenNotified());

  release_writer.Notify();
  room.WaitForNotification();  // Called once the second batch is written.
  ASSERT_TRUE(writer->Enqueue(third, [] {}));
  ASSERT_TRUE(acks.WaitFor(3));
  std::vector<uint64_t> sequences;
  for (const absl::StatusOr<v1::Ack>& ack : acks.answers()) {
    ASSERT_TRUE(ack.ok()) << ack.status();
    sequences.push_back(ack->sequence());
  }
  EXPECT_THAT(sequences, ElementsAre(1, 2, 3));
  EXPECT_EQ(writer->Progress("agent-a").last_sequence, 3u);
}

TEST_F(IngestWriterQueueTest, ResentBatchesAreAcknowledgedAsDuplicatesAcrossRestarts) {
  Acks acks;
  {
    std::unique_ptr<IngestWriter> writer = StartWriter({});
    ASSERT_NE(writer, nullptr);
    for (uint64_t sequence : {1, 2, 2, 1}) {
      QueuedBatch batch = Batch("agent-a", sequence, 1, acks.Recorder());
      ASSERT_TRUE(writer->Enqueue(batch, [] {}));
    }
    ASSERT_TRUE(acks.WaitFor(4));
    EXPECT_EQ(writer->Stats().batches_duplicate(), 2u);
  }
  // A new writer on the same store knows what is stored.
  std::unique_ptr<IngestWriter> writer = StartWriter({});
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->Progress("agent-a").last_sequence, 2u);
  for (uint64_t sequence : {2, 3}) {
    QueuedBatch batch = Batch("agent-a", sequence, 1, acks.Recorder());
    ASSERT_TRUE(writer->Enqueue(batch, [] {}));
  }
  ASSERT_TRUE(acks.WaitFor(6));
  std::vector<bool> duplicate;
  for (const absl::StatusOr<v1::Ack>& ack : acks.answers()) {
    ASSERT_TRUE(ack.ok()) << ack.status();
    duplicate.push_back(ack->duplicate());
  }
  EXPECT_THAT(duplicate, ElementsAre(false, false, true, true, true, false));
  EXPECT_EQ(writer->Progress("agent-a").items_stored, 3u);
}

TEST_F(IngestWriterQueueTest, EveryAgentWhoseBatchIsAcknowledgedIsHeardResendsIncluded) {
  absl::Mutex mu;
  std::vector<std::string> heard;  // Each commit's agents, sorted, joined by commas.
  IngestWriterOptions options;
  options.on_agents_heard = [&](const std::vector<std::string>& agents) {
    std::vector<std::string> sorted = agents;
    std::sort(sorted.begin(), sorted.end());
    absl::MutexLock lock(&mu);
    heard.push_back(absl::StrJoin(sorted, ","));
  };
  Acks acks;
  std::unique_ptr<IngestWriter> writer = StartWriter(options);
  ASSERT_NE(writer, nullptr);
  QueuedBatch first = Batch("agent-a", 1, 1, acks.Recorder());
  ASSERT_TRUE(writer->Enqueue(first, [] {}));
  ASSERT_TRUE(acks.WaitFor(1));
  QueuedBatch resent = Batch("agent-a", 1, 1, acks.Recorder());  // A duplicate: still heard.
  ASSERT_TRUE(writer->Enqueue(resent, [] {}));
  ASSERT_TRUE(acks.WaitFor(2));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(heard, ElementsAre("agent-a", "agent-a"));
}

TEST_F(IngestWriterQueueTest, StoppingWritesAndAcknowledgesEverythingQueued) {
  constexpr uint64_t kBatches = 40;
  Acks acks;
  {
    std::unique_ptr<IngestWriter> writer = StartWriter({});
    ASSERT_NE(writer, nullptr);
    for (uint64_t sequence = 1; sequence <= kBatches; ++sequence) {
      QueuedBatch batch = Batch("agent-a", sequence, 2, acks.Recorder());
      ASSERT_TRUE(writer->Enqueue(batch, [] {}));
    }
  }  // Destroyed at once, with batches still queued.
  std::vector<absl::StatusOr<v1::Ack>> answers = acks.answers();
  ASSERT_EQ(answers.size(), kBatches);
  for (const absl::StatusOr<v1::Ack>& ack : answers) {
    ASSERT_TRUE(ack.ok()) << ack.status();
    EXPECT_FALSE(ack->duplicate());
  }
  absl::StatusOr<std::vector<std::pair<std::string, AgentProgress>>> progress =
      store_->LoadProgress();
  ASSERT_TRUE(progress.ok()) << progress.status();
  ASSERT_EQ(progress->size(), 1u);
  EXPECT_EQ((*progress)[0].second.last_sequence, kBatches);
}

}  // namespace
}  // namespace postura::collector
