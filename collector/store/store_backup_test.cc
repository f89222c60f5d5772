// Backups of the store (store_backup.h) with real RocksDB on the real filesystem: a
// checkpoint taken while a writer commits holds every commit that returned before it
// began, and a copy of it opens as a store.

#include "collector/store/store_backup.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include "collector/store/evidence_store.h"
#include "collector/store/store_format.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::postura::test::TempDir;

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);
const std::string kAgent = "host-1";

// Commits batch `sequence`: one item, observed `sequence` ms after kObserved.
absl::Status CommitBatch(EvidenceStore& store, uint64_t sequence) {
  v1::Batch batch;
  batch.set_sequence(sequence);
  *batch.add_items() = TestEvidence("web", "PR_AC_CSC_5_2",
                                    kObserved + absl::Milliseconds(static_cast<int64_t>(sequence)));
  EncodedBatch encoded = EncodeBatch(kAgent, batch, {true}, kObserved);
  return store.Commit({{&kAgent, &encoded, {sequence, 0, sequence}}});
}

// The batch sequences of the evidence in `store`.
std::vector<uint64_t> StoredSequences(const EvidenceStore& store) {
  std::vector<uint64_t> sequences;
  EXPECT_TRUE(
      store.ForEachEvidence([&](const v1::StoredEvidence& e) { sequences.push_back(e.sequence()); })
          .ok());
  return sequences;
}

TEST(StoreBackupTest, ACheckpointTakenWhileCommitsGoOnHoldsEveryCommitThatReturnedBefore) {
  TempDir dir;
  const std::string live = dir.path() / "store";
  const std::string backup = dir.path() / "backup";
  std::unique_ptr<EvidenceStore> store = EvidenceStore::Open({.path = live}).value();
  std::atomic<uint64_t> committed{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (uint64_t sequence = 1; !stop; ++sequence) {
      if (!CommitBatch(*store, sequence).ok()) return;
      committed = sequence;
    }
  });
  while (committed < 200) std::this_thread::yield();
  const uint64_t before = committed;
  absl::StatusOr<StoreSnapshot> snapshot = store->Checkpoint(backup);
  const uint64_t after = committed;
  stop = true;
  writer.join();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  EXPECT_GT(snapshot->files, 0u);
  EXPECT_GT(snapshot->bytes, 0u);
  EXPECT_GT(snapshot->sequence, 0u);
  ASSERT_GT(committed.load(), after) << "the writer must have gone on after the checkpoint";

  EXPECT_EQ(CheckStoreCopy(backup).value(), kStoreFormatVersion);
  std::unique_ptr<EvidenceStore> copy = EvidenceStore::Open({.path = backup}).value();
  std::vector<uint64_t> sequences = StoredSequences(*copy);
  ASSERT_GE(sequences.size(), before);
  // Consistent: a prefix of the writer's commits, with no gap, and its progress record
  // (written in the same batches) agrees.
  for (uint64_t i = 0; i < sequences.size(); ++i) ASSERT_EQ(sequences[i], i + 1);
  EXPECT_LE(sequences.size(), after + 1);
  auto progress = copy->LoadProgress().value();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].second.last_sequence, sequences.size());
}

TEST(StoreBackupTest, ACopiedBackupOpensWithTheSameEvidenceAndTargetsMustNotExist) {
  TempDir dir;
  const std::string live = dir.path() / "store";
  const std::string backup = dir.path() / "backup";
  const std::string restored = dir.path() / "restored";
  {
    std::unique_ptr<EvidenceStore> store = EvidenceStore::Open({.path = live}).value();
    for (uint64_t sequence = 1; sequence <= 10; ++sequence) {
      ASSERT_TRUE(CommitBatch(*store, sequence).ok());
    }
    ASSERT_TRUE(store->Checkpoint(backup).ok());
    EXPECT_FALSE(store->Checkpoint(backup).ok());  // It exists now.
  }
  ASSERT_TRUE(CopyStore(backup, restored).ok());
  EXPECT_EQ(CopyStore(backup, restored).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(std::filesystem::status(restored).permissions(), std::filesystem::perms::owner_all);
  std::unique_ptr<EvidenceStore> copy = EvidenceStore::Open({.path = restored}).value();
  EXPECT_EQ(StoredSequences(*copy).size(), 10u);
  EXPECT_EQ(CheckStoreCopy((dir.path() / "nothing").string()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace postura::collector
