#include "agent/delivery/spool.h"

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
std::vector<v1::Batch> ReadBatches(Spool& spool, uint64_t after, std::size_t max) {
  absl::StatusOr<std::vector<v1::Batch>> batches = spool.Read(after, max);
  EXPECT_TRUE(batches.ok()) << batches.status();
  std::vector<v1::Batch> result;
  if (batches.ok()) result.swap(*batches);
  return result;
}

std::vector<uint64_t> Sequences(Spool& spool) {
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
    // Every batch from checks of its own: nothing supersedes anything.
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(spool->Append(Items(10, "batch" + std::to_string(i) + "-")).ok());
    }
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

std::unique_ptr<Spool> OpenWithLimits(const std::filesystem::path& dir,
                                      const IngestLimits& limits) {
  absl::StatusOr<std::unique_ptr<Spool>> spool =
      Spool::Open({.directory = dir, .ingest_limits = limits});
  EXPECT_TRUE(spool.ok()) << spool.status();
  return spool.ok() ? *std::move(spool) : nullptr;
}

std::vector<std::string> CheckIds(Spool& spool) {
  std::vector<std::string> ids;
  for (const v1::Batch& batch : ReadBatches(spool, 0, 1'000'000)) {
    for (const v1::Evidence& item : batch.items()) ids.push_back(item.check_id());
  }
  return ids;
}

std::size_t FilesIn(const std::filesystem::path& dir) {
  if (!std::filesystem::exists(dir)) return 0;
  return std::distance(std::filesystem::directory_iterator(dir),
                       std::filesystem::directory_iterator());
}

TEST(SpoolTest, AppendCutsEvidenceIntoBatchesWithinTheLimits) {
  TempDir dir;
  auto spool = OpenWithLimits(dir.path(), {.max_items = 10});
  EXPECT_EQ(spool->Append(Items(25)).value(), 3u);
  std::vector<int> sizes;
  for (const v1::Batch& batch : ReadBatches(*spool, 0, 10)) sizes.push_back(batch.items_size());
  EXPECT_EQ(sizes, (std::vector<int>{10, 10, 5}));
  EXPECT_EQ(CheckIds(*spool).at(12), "c12");
}

TEST(SpoolTest, AppendMakesTextValidUtf8AndCutsDetailsOnACharacterBoundary) {
  TempDir dir;
  auto spool = OpenSpool(dir.path());
  std::vector<v1::Evidence> items = Items(2);
  items[0].set_detail("PermitRootLogin no\xE9");
  items[1].set_detail(std::string(1023, 'a') + "\xC3\xA9");  // 'é' straddles the limit.
  ASSERT_TRUE(spool->Append(std::move(items)).ok());
  const v1::Batch batch = ReadBatches(*OpenSpool(dir.path()), 0, 1).at(0);
  EXPECT_EQ(batch.items(0).detail(), "PermitRootLogin no\xEF\xBF\xBD");
  EXPECT_EQ(batch.items(1).detail(), std::string(1023, 'a'));
}

// Agents before the fix wrote such records; the spool used to cut the segment at the
// first of them, losing every batch behind it.
TEST(SpoolTest, ARecordWithTextThatIsNotUtf8IsRepairedAndTheOnesBehindItKept) {
  TempDir dir;
  std::string segment;
  for (uint64_t sequence : {1, 2, 3}) {
    v1::Batch batch;
    batch.set_sequence(sequence);
    *batch.add_items() = Items(1)[0];
    if (sequence == 2) batch.mutable_items(0)->set_detail("no\xE9");
    segment += EncodeRecord(batch);
  }
  std::ofstream(dir.path() / "segment-00000000000000000001.log", std::ios::binary) << segment;
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(ReadBatches(*spool, 1, 1).at(0).items(0).detail(), "no\xEF\xBF\xBD");
  EXPECT_EQ(spool->dropped_items_total(), 0u);
}

TEST(SpoolTest, ADamagedRecordInTheMiddleIsSetAsideAndTheOnesBehindItKept) {
  TempDir dir;
  uint64_t second_record = 0;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_TRUE(spool->Append(Items(2)).ok());
    second_record = std::filesystem::file_size(OnlySegment(dir.path()));
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(spool->Append(Items(2)).ok());
  }
  {
    std::fstream segment(OnlySegment(dir.path()), std::ios::binary | std::ios::in | std::ios::out);
    segment.seekp(static_cast<std::streamoff>(second_record + 20));
    segment.put('X');
  }
  EXPECT_EQ(Sequences(*OpenSpool(dir.path())), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(FilesIn(dir.path() / "rejected"), 1u);
  EXPECT_EQ(Sequences(*OpenSpool(dir.path())), (std::vector<uint64_t>{1, 3}));
}

TEST(SpoolTest, SettingTheOldestAsideCountsItsItemsAndMovesOn) {
  TempDir dir;
  {
    auto spool = OpenSpool(dir.path());
    ASSERT_TRUE(spool->Append(Items(4)).ok());
    ASSERT_TRUE(spool->Append(Items(2)).ok());
    EXPECT_EQ(spool->SetAsideOldest("refused").value(), 1u);
    EXPECT_EQ(spool->dropped_items_total(), 4u);
    EXPECT_EQ(spool->oldest_pending(), 2u);
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{2}));
  EXPECT_EQ(spool->dropped_items_total(), 4u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "rejected/batch-1.pb"));
  EXPECT_EQ(ReadBatches(*spool, 0, 1).at(0).dropped_items_total(), 4u);
}

TEST(SpoolTest, BatchesBeyondNewLimitsAreCutAnewInOrderUnderNewNumbers) {
  TempDir dir;
  std::vector<std::string> before;
  {
    auto spool = OpenWithLimits(dir.path(), {.max_items = 5000});
    ASSERT_EQ(spool->Append(Items(25, "a")).value(), 1u);
    ASSERT_EQ(spool->Append(Items(3, "b")).value(), 2u);
    before = CheckIds(*spool);
    EXPECT_EQ(spool->RecutOversizedBatches().value(), 0u);  // Within its limits: untouched.
    spool->SetIngestLimits({.max_items = 10});
    EXPECT_TRUE(spool->OldestExceedsLimits());
    EXPECT_EQ(spool->RecutOversizedBatches().value(), 3u);
    EXPECT_FALSE(spool->OldestExceedsLimits());
    EXPECT_EQ(spool->acknowledged(), 2u);
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Sequences(*spool), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(CheckIds(*spool), before);
  EXPECT_EQ(spool->Append(Items(1)).value(), 6u);
}

// A crash between writing the recut and recording it discards it; a crash after
// recording it adopts it. Either way every item is pending exactly once.
TEST(SpoolTest, ARecutInterruptedByACrashIsAdoptedWholeOrNotAtAll) {
  TempDir before_state, after_state;
  std::vector<std::string> items;
  {
    auto spool = OpenWithLimits(after_state.path(), {.max_items = 5000});
    ASSERT_TRUE(spool->Append(Items(25)).ok());
    items = CheckIds(*spool);
  }
  std::filesystem::copy(after_state.path(), before_state.path(),
                        std::filesystem::copy_options::recursive);
  const std::filesystem::path old_segment = OnlySegment(after_state.path());
  {
    auto spool = OpenWithLimits(after_state.path(), {.max_items = 10});
    ASSERT_EQ(spool->RecutOversizedBatches().value(), 3u);
  }
  // The crash: the recut not yet renamed into place, the old segment not yet deleted.
  const std::filesystem::path recut = OnlySegment(after_state.path());
  std::filesystem::copy_file(recut, before_state.path() / "recut.tmp");
  std::filesystem::rename(recut, after_state.path() / "recut.tmp");
  std::filesystem::copy_file(before_state.path() / old_segment.filename(), old_segment);

  auto discarded = OpenSpool(before_state.path());
  EXPECT_EQ(Sequences(*discarded), (std::vector<uint64_t>{1}));
  EXPECT_EQ(CheckIds(*discarded), items);
  EXPECT_FALSE(std::filesystem::exists(before_state.path() / "recut.tmp"));
  auto adopted = OpenSpool(after_state.path());
  EXPECT_EQ(Sequences(*adopted), (std::vector<uint64_t>{2, 3, 4}));
  EXPECT_EQ(CheckIds(*adopted), items);
}

TEST(SpoolTest, ASingleItemTooLargeForAnyBatchIsNotRecutButCanBeSetAside) {
  TempDir dir;
  auto spool = OpenWithLimits(dir.path(), {.max_detail_bytes = 10000});
  std::vector<v1::Evidence> items = Items(1);
  items[0].set_detail(std::string(5000, 'x'));
  ASSERT_TRUE(spool->Append(std::move(items)).ok());
  spool->SetIngestLimits({.max_bytes = 1000});
  EXPECT_TRUE(spool->OldestExceedsLimits());
  EXPECT_EQ(spool->RecutOversizedBatches().value(), 0u);
  EXPECT_EQ(spool->SetAsideOldest("too large").value(), 1u);
  EXPECT_EQ(spool->pending_batches(), 0u);
}

}  // namespace
}  // namespace postura::agent
