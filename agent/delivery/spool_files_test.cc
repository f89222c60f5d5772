#include "agent/delivery/spool_files.h"

#include <fstream>

#include "agent/delivery/spool_record.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::agent {
namespace {

using ::postura::test::TempDir;

TEST(SpoolFilesTest, StateRoundTripsAndStartsAtDefaults) {
  TempDir dir;
  const SpoolState fresh = ReadSpoolState(dir.path()).value();
  EXPECT_EQ(fresh.acknowledged, 0u);
  EXPECT_EQ(fresh.next_sequence, 1u);
  ASSERT_TRUE(WriteSpoolState(dir.path(), {7, 12, 3}).ok());
  const SpoolState read = ReadSpoolState(dir.path()).value();
  EXPECT_EQ(read.acknowledged, 7u);
  EXPECT_EQ(read.next_sequence, 12u);
  EXPECT_EQ(read.dropped_items_total, 3u);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "state.tmp"));
}

TEST(SpoolFilesTest, ACorruptStateIsDataLossNamingTheFile) {
  TempDir dir;
  ASSERT_TRUE(WriteSpoolState(dir.path(), {7, 12, 3}).ok());
  {
    std::fstream state(dir.path() / "state", std::ios::binary | std::ios::in | std::ios::out);
    state.put('\x42');
  }
  const absl::Status status = ReadSpoolState(dir.path()).status();
  EXPECT_TRUE(absl::IsDataLoss(status));
  EXPECT_NE(status.message().find("state"), absl::string_view::npos);
}

TEST(SpoolFilesTest, RecordsAreFoundWholeCheckedAndTornOnesAreNot) {
  v1::Batch batch;
  batch.set_sequence(5);
  const std::string record = EncodeRecord(batch);
  const std::string segment = record + record.substr(0, record.size() - 1);
  std::optional<RecordView> first = RecordAt(segment, 0);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->checksum_ok);
  EXPECT_EQ(first->end, record.size());
  EXPECT_FALSE(RecordAt(segment, first->end).has_value());  // Torn.
  std::string damaged = record;
  damaged.back() ^= 1;
  EXPECT_FALSE(RecordAt(damaged, 0)->checksum_ok);
}

TEST(SpoolFilesTest, SegmentFilesSortBySequence) {
  TempDir dir;
  for (uint64_t first : {100, 9, 10}) std::ofstream(SegmentPath(dir.path(), first)) << "";
  std::ofstream(dir.path() / "state") << "";
  const std::vector<std::filesystem::path> files = SegmentFiles(dir.path());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], SegmentPath(dir.path(), 9));
  EXPECT_EQ(files[2], SegmentPath(dir.path(), 100));
}

}  // namespace
}  // namespace postura::agent
