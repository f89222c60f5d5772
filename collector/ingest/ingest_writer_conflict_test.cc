// The ingest writer tells a resend from a sequence conflict: a batch under a sequence the
// agent already used is acknowledged as a duplicate only when its digest matches the
// batch stored there; otherwise it is refused, stores nothing, and the agent's conflict
// count goes into its durable progress. Real RocksDB in a temporary directory, real
// threads; these tests also run under ThreadSanitizer (tests/grpc_free_tests.cmake).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

class IngestWriterConflictTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EvidenceStoreOptions options;
    options.path = (dir_.path() / "store").string();
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  std::unique_ptr<IngestWriter> StartWriter(uint32_t recent_batches = 64) {
    IngestWriterOptions options;
    options.recent_batches = recent_batches;
    options.on_conflict = [this](const SequenceConflict& conflict) {
      absl::MutexLock lock(&mu_);
      conflicts_.push_back(conflict);
    };
    absl::StatusOr<std::unique_ptr<IngestWriter>> writer = IngestWriter::Start(*store_, options);
    EXPECT_TRUE(writer.ok()) << writer.status();
    return writer.ok() ? std::move(*writer) : nullptr;
  }

  // Sends batch `sequence` of agent-a with two items whose content, and so digest, is
  // `content`; waits for the answer and returns it.
  absl::StatusOr<v1::Ack> Send(IngestWriter& writer, uint64_t sequence, uint8_t content,
                               const std::string& peer = "ipv4:127.0.0.1:5000") {
    v1::Batch batch;
    batch.set_sequence(sequence);
    for (int i = 0; i < 2; ++i) {
      *batch.add_items() = TestEvidence("asset-a", absl::StrCat("OC-", content, "-", i),
                                        kObserved + absl::Seconds(sequence));
    }
    absl::Mutex mu;
    std::optional<absl::StatusOr<v1::Ack>> answer;
    QueuedBatch queued;
    queued.agent_id = "agent-a";
    queued.sequence = sequence;
    queued.digest.fill(content);
    queued.peer = peer;
    queued.encoded = EncodeBatch("agent-a", batch, {true, true}, kObserved + absl::Hours(1));
    queued.done = [&](absl::StatusOr<v1::Ack> ack) {
      absl::MutexLock lock(&mu);
      answer = std::move(ack);
    };
    EXPECT_TRUE(writer.Enqueue(queued, [] {}));
    absl::MutexLock lock(&mu);
    auto answered = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu) { return answer.has_value(); };
    if (!mu.AwaitWithTimeout(absl::Condition(&answered), absl::Minutes(1))) {
      return absl::DeadlineExceededError("no answer from the writer");
    }
    return *answer;
  }

  std::vector<SequenceConflict> conflicts() {
    absl::MutexLock lock(&mu_);
    return conflicts_;
  }

  // How many evidence records the store holds.
  int StoredEvidence() {
    int count = 0;
    EXPECT_TRUE(store_->ForEachEvidence([&](const v1::StoredEvidence&) { ++count; }).ok());
    return count;
  }

  test::TempDir dir_;
  std::unique_ptr<EvidenceStore> store_;
  absl::Mutex mu_;
  std::vector<SequenceConflict> conflicts_ ABSL_GUARDED_BY(mu_);
};

TEST_F(IngestWriterConflictTest, ADifferentBatchUnderAStoredSequenceIsRefusedAndStoresNothing) {
  std::unique_ptr<IngestWriter> writer = StartWriter();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(Send(*writer, 1, 0x11).ok());
  ASSERT_TRUE(Send(*writer, 2, 0x22).ok());
  ASSERT_EQ(StoredEvidence(), 4);

  absl::StatusOr<v1::Ack> resend = Send(*writer, 2, 0x22);
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_TRUE(resend->duplicate());
  EXPECT_TRUE(conflicts().empty());

  absl::StatusOr<v1::Ack> other = Send(*writer, 2, 0x99, "ipv4:10.1.2.3:4444");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAborted);
  EXPECT_NE(other.status().message().find("sequence conflict"), std::string::npos)
      << other.status();
  EXPECT_EQ(StoredEvidence(), 4) << "a conflicting batch stores nothing";
  const AgentProgress progress = writer->Progress("agent-a");
  EXPECT_EQ(progress.last_sequence, 2u);
  EXPECT_EQ(progress.items_stored, 4u);
  EXPECT_EQ(progress.sequence_conflicts, 1u);
  EXPECT_GT(progress.last_conflict_unix_nanos, 0);
  ASSERT_EQ(conflicts().size(), 1u);
  EXPECT_EQ(conflicts()[0].agent_id, "agent-a");
  EXPECT_EQ(conflicts()[0].peer, "ipv4:10.1.2.3:4444");
  EXPECT_EQ(conflicts()[0].sequence, 2u);
  EXPECT_EQ(conflicts()[0].last_sequence, 2u);
  const v1::IngestStats stats = writer->Stats();
  EXPECT_EQ(stats.batches_conflicting(), 1u);
  EXPECT_EQ(stats.batches_duplicate(), 1u);
  EXPECT_EQ(stats.batches_stored(), 2u);
}

TEST_F(IngestWriterConflictTest, AStolenCredentialsHighSequenceMakesTheGenuineBatchesConflicts) {
  std::unique_ptr<IngestWriter> writer = StartWriter();
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(Send(*writer, 1, 0x11).ok());
  // Whoever copied the credential jumps ahead; the genuine agent's next batch is then
  // below the highest sequence, was never stored, and is refused loudly, not dropped.
  ASSERT_TRUE(Send(*writer, 1000, 0xEE, "ipv4:203.0.113.9:1").ok());
  absl::StatusOr<v1::Ack> genuine = Send(*writer, 2, 0x22);
  EXPECT_EQ(genuine.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(writer->Progress("agent-a").sequence_conflicts, 1u);
  ASSERT_EQ(conflicts().size(), 1u);
  EXPECT_EQ(conflicts()[0].last_sequence, 1000u);
}

TEST_F(IngestWriterConflictTest, DigestsAndConflictCountsSurviveARestart) {
  {
    std::unique_ptr<IngestWriter> writer = StartWriter();
    ASSERT_NE(writer, nullptr);
    ASSERT_TRUE(Send(*writer, 1, 0x11).ok());
    ASSERT_TRUE(Send(*writer, 2, 0x22).ok());
    EXPECT_EQ(Send(*writer, 1, 0x77).status().code(), absl::StatusCode::kAborted);
  }
  std::unique_ptr<IngestWriter> writer = StartWriter();
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(writer->Progress("agent-a").sequence_conflicts, 1u);
  absl::StatusOr<v1::Ack> resend = Send(*writer, 1, 0x11);
  ASSERT_TRUE(resend.ok()) << resend.status();
  EXPECT_TRUE(resend->duplicate());
  EXPECT_EQ(Send(*writer, 2, 0x23).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(writer->Progress("agent-a").sequence_conflicts, 2u);
}

TEST_F(IngestWriterConflictTest, ASequenceOlderThanTheRememberedBatchesIsAConflict) {
  std::unique_ptr<IngestWriter> writer = StartWriter(/*recent_batches=*/2);
  ASSERT_NE(writer, nullptr);
  for (uint8_t sequence = 1; sequence <= 4; ++sequence) {
    ASSERT_TRUE(Send(*writer, sequence, sequence).ok());
  }
  EXPECT_EQ(writer->Progress("agent-a").recent.size(), 2u);
  absl::StatusOr<v1::Ack> within = Send(*writer, 3, 3);
  ASSERT_TRUE(within.ok()) << within.status();
  EXPECT_TRUE(within->duplicate());
  // Batch 2 was stored with this very content, but no digest of it is kept any more.
  EXPECT_EQ(Send(*writer, 2, 2).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(writer->Progress("agent-a").sequence_conflicts, 1u);
}

}  // namespace
}  // namespace postura::collector
