#include "agent/delivery/spool_record.h"

#include "common/base/utf8.h"
#include "gtest/gtest.h"

namespace postura::agent {
namespace {

v1::Evidence Item(const std::string& detail) {
  v1::Evidence item;
  item.set_asset_id("web");
  item.set_outcome_id("PR_AC_CSC_5_2");
  item.set_check_id("ssh");
  item.set_detail(detail);
  return item;
}

TEST(SpoolRecordTest, CrcIsCrc32c) {
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);  // The standard check value.
}

// What agents before the fix wrote: protobuf serializes a string that is not UTF-8 but
// refuses to parse it back.
TEST(SpoolRecordTest, ABatchWithTextThatIsNotUtf8IsRepairedNotLost) {
  v1::Batch batch;
  batch.set_sequence(7);
  *batch.add_items() = Item("PermitRootLogin no\xE9");
  *batch.add_items() = Item("fine");
  const std::string payload = batch.SerializeAsString();
  v1::Batch strict;
  ASSERT_FALSE(strict.ParseFromString(payload));

  bool repaired = false;
  std::optional<v1::Batch> decoded = DecodeBatch(payload, &repaired);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(repaired);
  EXPECT_EQ(decoded->sequence(), 7u);
  ASSERT_EQ(decoded->items_size(), 2);
  EXPECT_EQ(decoded->items(0).detail(), "PermitRootLogin no\xEF\xBF\xBD");
  EXPECT_EQ(decoded->items(1).detail(), "fine");
  EXPECT_EQ(decoded->items(0).asset_id(), "web");
}

TEST(SpoolRecordTest, GarbageIsNotABatchButItsFactsAreKnownWhenReadable) {
  EXPECT_FALSE(DecodeBatch("\xFF\xFF\xFF").has_value());
  v1::Batch batch;
  batch.set_sequence(9);
  for (int i = 0; i < 3; ++i) *batch.add_items() = Item("x");
  const DamagedBatchFacts facts = InspectDamagedBatch(batch.SerializeAsString());
  EXPECT_EQ(facts.sequence, 9u);
  EXPECT_EQ(facts.items, 3u);
}

TEST(SpoolRecordTest, StringsAreMadeValidBeforeTheyAreWritten) {
  v1::Evidence item = Item("a\x80z");
  item.set_check_id("c\xC0");
  EXPECT_TRUE(MakeStringsValidUtf8(item));
  EXPECT_TRUE(IsValidUtf8(item.detail()));
  EXPECT_TRUE(IsValidUtf8(item.check_id()));
  EXPECT_FALSE(MakeStringsValidUtf8(item));
}

TEST(SpoolRecordTest, PackingKeepsOrderAndHonoursItemAndByteLimits) {
  std::vector<v1::Evidence> items;
  for (int i = 0; i < 25; ++i) items.push_back(Item(std::to_string(i) + std::string(100, 'd')));
  const IngestLimits by_items{.max_items = 10};
  std::vector<std::vector<v1::Evidence>> batches = PackIntoBatches(items, by_items);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[2].size(), 5u);
  EXPECT_EQ(batches[1][0].detail().substr(0, 2), "10");

  const IngestLimits by_bytes{.max_items = 1000, .max_bytes = 1000};
  batches = PackIntoBatches(items, by_bytes);
  int seen = 0;
  for (const std::vector<v1::Evidence>& group : batches) {
    v1::Batch batch;
    batch.set_sequence(UINT64_MAX);
    batch.set_dropped_items_total(UINT64_MAX);
    for (const v1::Evidence& item : group) {
      EXPECT_EQ(item.detail().substr(0, std::to_string(seen).size()), std::to_string(seen));
      *batch.add_items() = item;
      ++seen;
    }
    EXPECT_LE(batch.ByteSizeLong(), by_bytes.max_bytes);
    EXPECT_FALSE(ExceedsLimits(group.size(), batch.ByteSizeLong(), by_bytes));
  }
  EXPECT_EQ(seen, 25);
}

TEST(SpoolRecordTest, AnItemLargerThanAnyBatchTravelsAlone) {
  std::vector<v1::Evidence> items = {Item("a"), Item(std::string(5000, 'x')), Item("b")};
  const std::vector<std::vector<v1::Evidence>> batches =
      PackIntoBatches(items, {.max_items = 10, .max_bytes = 1000});
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[1].size(), 1u);
}

TEST(SpoolRecordTest, LimitsComeFromTheWelcomeWithDefaultsForWhatItLeavesOut) {
  v1::Welcome welcome;
  welcome.set_max_batch_items(100);
  welcome.set_max_message_bytes(65536);
  const IngestLimits limits = IngestLimits::FromWelcome(welcome);
  EXPECT_EQ(limits.max_items, 100u);
  EXPECT_EQ(limits.max_bytes, 65536u - 1024);
  EXPECT_EQ(limits.max_detail_bytes, IngestLimits().max_detail_bytes);
  EXPECT_EQ(IngestLimits::FromWelcome({}), IngestLimits());
}

}  // namespace
}  // namespace postura::agent
