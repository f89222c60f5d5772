// The ingest writer when the disk fills: it refuses batches, unstored and unacknowledged,
// with ResourceExhausted, shows the stop in its figures, and resumes by itself once space
// returns. Real RocksDB in a temporary directory, behind an Env whose write-ahead log
// files answer "no space" (and whose free space reads 0) while the test says the disk is
// full; the rest of the file system is the real one.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

// A write-ahead log file that refuses to grow while the disk is full.
class LogFileOnDisk : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  LogFileOnDisk(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& full)
      : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), full_(full) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (full_) return rocksdb::IOStatus::NoSpace("No space left on device (test)");
    return rocksdb::FSWritableFileOwnerWrapper::Append(data, options, debug);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* debug) override {
    if (full_) return rocksdb::IOStatus::NoSpace("No space left on device (test)");
    return rocksdb::FSWritableFileOwnerWrapper::Append(data, options, info, debug);
  }

 private:
  const std::atomic<bool>& full_;
};

// The real file system, with a disk the test fills and empties. (A FileSystem rather than
// an Env: RocksDB's Env keeps its thread pools in librocksdb, out of ThreadSanitizer's
// sight, where a wrapper of ours would put half of their locking in view.)
class DiskThatFills : public rocksdb::FileSystemWrapper {
 public:
  DiskThatFills() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "DiskThatFills"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = rocksdb::FileSystemWrapper::NewWritableFile(name, options, result, debug);
    if (s.ok() && absl::EndsWith(name, ".log")) {
      *result = std::make_unique<LogFileOnDisk>(std::move(*result), full_);
    }
    return s;
  }
  // RocksDB resumes once the free space exceeds its largest memtable.
  rocksdb::IOStatus GetFreeSpace(const std::string& /*path*/, const rocksdb::IOOptions& /*options*/,
                                 uint64_t* free, rocksdb::IODebugContext* /*debug*/) override {
    *free = full_ ? 0 : uint64_t{1} << 40;
    return rocksdb::IOStatus::OK();
  }
  void set_full(bool full) { full_ = full; }

 private:
  std::atomic<bool> full_{false};
};

// Enqueues batch `sequence` of agent "a" with two items and waits for its answer.
absl::StatusOr<v1::Ack> Send(IngestWriter& writer, uint64_t sequence) {
  v1::Batch batch;
  batch.set_sequence(sequence);
  for (int i = 0; i < 2; ++i) {
    *batch.add_items() =
        TestEvidence("asset-a", absl::StrCat("OC-", i), kObserved + absl::Seconds(sequence));
  }
  absl::Mutex mu;
  std::optional<absl::StatusOr<v1::Ack>> answer;
  QueuedBatch queued;
  queued.agent_id = "a";
  queued.sequence = sequence;
  queued.encoded = EncodeBatch("a", batch, {true, true}, kObserved + absl::Hours(1));
  queued.done = [&](absl::StatusOr<v1::Ack> ack) {
    absl::MutexLock lock(&mu);
    answer = std::move(ack);
  };
  EXPECT_TRUE(writer.Enqueue(queued, [] {}));
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](std::optional<absl::StatusOr<v1::Ack>>* a) { return a->has_value(); }, &answer));
  return *std::move(answer);
}

bool WaitUntilWriting(const IngestWriter& writer, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (!writer.Stats().store_write_stopped()) return true;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

TEST(IngestWriterDiskFullTest, RefusesWhileTheDiskIsFullAndResumesByItself) {
  test::TempDir dir;
  auto disk = std::make_shared<DiskThatFills>();
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(disk);
  EvidenceStoreOptions store_options;
  store_options.path = (dir.path() / "store").string();
  store_options.env = env.get();
  auto store = EvidenceStore::Open(store_options).value();
  IngestWriterOptions options;
  options.first_resume_delay = absl::Milliseconds(10);
  options.max_resume_delay = absl::Milliseconds(200);
  auto writer = IngestWriter::Start(*store, options).value();
  ASSERT_TRUE(Send(*writer, 1).ok());

  disk->set_full(true);
  const absl::StatusOr<v1::Ack> refused = Send(*writer, 2);
  EXPECT_TRUE(absl::IsResourceExhausted(refused.status())) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), "disk is full"));
  // Refused at once while stopped, without another write.
  EXPECT_TRUE(absl::IsResourceExhausted(Send(*writer, 3).status()));
  v1::IngestStats stats = writer->Stats();
  EXPECT_TRUE(stats.store_write_stopped());
  EXPECT_TRUE(absl::StrContains(stats.store_write_error(), "No space"))
      << stats.store_write_error();
  EXPECT_EQ(stats.batches_refused(), 2u);
  EXPECT_EQ(writer->Progress("a").last_sequence, 1u) << "nothing refused counts as stored";

  disk->set_full(false);
  ASSERT_TRUE(WaitUntilWriting(*writer, absl::Seconds(30))) << "did not resume by itself";
  for (uint64_t sequence : {2, 3}) {
    const absl::StatusOr<v1::Ack> ack = Send(*writer, sequence);
    ASSERT_TRUE(ack.ok()) << ack.status();
    EXPECT_FALSE(ack->duplicate());
  }
  EXPECT_EQ(writer->Stats().batches_stored(), 3u);
  writer.reset();
  int stored = 0;
  ASSERT_TRUE(store->ForEachEvidence([&](const v1::StoredEvidence&) { ++stored; }).ok());
  EXPECT_EQ(stored, 3 * 2) << "each batch once";
}

}  // namespace
}  // namespace postura::collector
