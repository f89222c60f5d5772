#include "agent/spool.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>

#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::postura::test::TempDir;

std::vector<v1::Evidence> Items(int count, const std::string& check = "c") {
  std::vector<v1::Evidence> items(count);
  for (int i = 0; i < count; ++i) {
    items[i].set_asset_id("web");
    items[i].set_outcome_id("PR_AC_CSC_5_2");
    items[i].set_check_id(check + std::to_string(i));
    items[i].set_detail(std::string(100, 'd'));
  }
  return items;
}

std::unique_ptr<Spool> OpenSpool(const std::filesystem::path& dir, uint64_t max_bytes = 64 << 20,
                                 uint64_t segment_bytes = 4 << 20) {
  absl::StatusOr<std::unique_ptr<Spool>> spool =
      Spool::Open({.directory = dir, .max_bytes = max_bytes, .segment_bytes = segment_bytes});
  EXPECT_TRUE(spool.ok()) << spool.status();
  return spool.ok() ? *std::move(spool) : nullptr;
}

// The batches after `after`; a failed read fails the test and gives none.
std::vector<v1::Batch> ReadBatches(const Spool& spool, uint64_t after, std::size_t max) {
  absl::StatusOr<std::vector<v1::Batch>> batches = spool.Read(after, max);
  EXPECT_TRUE(batches.ok()) << batches.status();
  std::vector<v1::Batch> result;
  if (batches.ok()) result.swap(*batches);
  return result;
}

std::vector<uint64_t> Sequences(const Spool& spool) {
  std::vector<uint64_t> sequences;
  for (const v1::Batch& batch : ReadBatches(spool, 0, 1'000'000)) {
    sequences.push_back(batch.sequence());
  }
  return sequences;
}

std::filesystem::path OnlySegment(const std::filesystem::path& dir) {
  std::filesystem::path found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("segment-", 0) == 0) found = entry.path();
  }
  return found;
}

TEST(SpoolTest, CrcIsCrc32c) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // The standard check value.
}

TEST(SpoolTest, AppendNumbersBatchesAndTheySurviveReopening) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    EXPECT_EQ(spool->Append(Items(3)).value(), 1u);
    EXPECT_EQ(spool->Append(Items(2)).value(), 2u);
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(ReadBatches(*spool, 1, 10).at(0).items_size(), 2);
  EXPECT_EQ(spool->Append(Items(1)).value(), 3u);
}

TEST(SpoolTest, AcknowledgedBatchesGoAndNumbersContinueAfterReopening) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->Append(Items(1)).ok());
    ASSERT_TRUE(spool->Acknowledge(3).ok());
    EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{4, 5}));
    ASSERT_TRUE(spool->Acknowledge(5).ok());
    EXPECT_EQ(spool->pending_batches(), 0u);
    EXPECT_TRUE(OnlySegment(dir.path()).empty());  // Fully acknowledged segments are deleted.
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(spool->acknowledged(), 5u);
  EXPECT_EQ(spool->Append(Items(1)).value(), 6u);
  ASSERT_TRUE(spool->Acknowledge(2).ok());  // Older than before: nothing changes.
  EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{6}));
}

TEST(SpoolTest, TornRecordAtTheEndIsCutOff) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Items(2)).ok());
  }
  {
    // A crash in the middle of a write: a header promising more bytes than follow.
    std::ofstream segment(OnlySegment(dir.path()), std::ios::binary | std::ios::app);
    segment.write("\x40\x00\x00\x00\x12\x34\x56\x78partial", 15);
  }
  const uintmax_t torn_size = std::filesystem::file_size(OnlySegment(dir.path()));
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(std::filesystem::file_size(OnlySegment(dir.path())), torn_size - 15);
  EXPECT_EQ(spool->Append(Items(1)).value(), 4u);
  EXPECT_EQ(Sequences(*OpenSpool(dir.path())), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(SpoolTest, DamagedRecordIsDetectedByItsChecksum) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Items(2)).ok());
  }
  {
    std::fstream segment(OnlySegment(dir.path()), std::ios::binary | std::ios::in | std::ios::out);
    segment.seekp(-5, std::ios::end);  // Inside the last record's payload.
    segment.put('X');
  }
  EXPECT_EQ(Sequences(*OpenSpool(dir.path())), (std::vector<uint64_t>{1, 2}));
}

TEST(SpoolTest, FullSpoolDropsTheOldestAndCountsTheirItems) {
  TempDir dir;
  // Each batch is about 1.5 KB: a segment holds two, and the cap about three segments.
  const uint64_t segment_bytes = 3000, max_bytes = 9000;
  {
    auto spool = OpenSpool(dir.path(), max_bytes, segment_bytes);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(spool->Append(Items(10)).ok());
    EXPECT_LE(spool->pending_bytes(), max_bytes);
    EXPECT_GT(spool->dropped_items_total(), 0u);
    const std::vector<uint64_t> kept = Sequences(*spool);
    ASSERT_FALSE(kept.empty());
    EXPECT_EQ(kept.back(), 20u);  // The newest batch is never dropped.
    EXPECT_EQ(spool->dropped_items_total(), 10 * (20 - kept.size()));
    EXPECT_EQ(ReadBatches(*spool, 0, 1).at(0).dropped_items_total(), spool->dropped_items_total());
  }
  auto spool = OpenSpool(dir.path(), max_bytes, segment_bytes);
  EXPECT_EQ(spool->dropped_items_total(), 10 * (20 - Sequences(*spool).size()));
}

TEST(SpoolTest, SigkillAtAnyMomentLosesNoBatchWhoseAppendReturned) {
  TempDir dir;
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // Appends as fast as it can and reports each sequence it got back.
    close(pipe_fds[0]);
    auto spool = Spool::Open({.directory = dir.path(), .segment_bytes = 20'000});
    if (!spool.ok()) _exit(1);
    while (true) {
      absl::StatusOr<uint64_t> sequence = (*spool)->Append(Items(5));
      if (!sequence.ok() || write(pipe_fds[1], &*sequence, sizeof(uint64_t)) != sizeof(uint64_t)) {
        _exit(2);
      }
    }
  }
  close(pipe_fds[1]);
  std::set<uint64_t> returned;
  uint64_t sequence = 0;
  while (returned.size() < 300 &&
         read(pipe_fds[0], &sequence, sizeof sequence) == sizeof sequence) {
    returned.insert(sequence);
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(pipe_fds[0]);
  ASSERT_EQ(returned.size(), 300u);

  auto spool = OpenSpool(dir.path());
  const std::vector<uint64_t> stored = Sequences(*spool);
  const std::set<uint64_t> stored_set(stored.begin(), stored.end());
  for (uint64_t s : returned) EXPECT_TRUE(stored_set.contains(s)) << "batch " << s << " lost";
  EXPECT_TRUE(std::is_sorted(stored.begin(), stored.end()));
  EXPECT_EQ(spool->Append(Items(1)).value(), stored.back() + 1);
}

}  // namespace
}  // namespace postura::agent
