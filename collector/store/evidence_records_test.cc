#include "collector/store/evidence_records.h"

#include <string>

#include "collector/store/store_keys.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

TEST(EvidenceRecordsTest, ProgressReadsBackAndOtherLengthsAreNotProgress) {
  const AgentProgress progress{uint64_t{1} << 40, 3, 123456789};
  const std::string bytes = EncodeProgress(progress);
  EXPECT_EQ(bytes.size(), 24u);
  std::optional<AgentProgress> decoded = DecodeProgress(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->last_sequence, progress.last_sequence);
  EXPECT_EQ(decoded->dropped_items_total, 3u);
  EXPECT_EQ(decoded->items_stored, 123456789u);
  EXPECT_FALSE(DecodeProgress(bytes.substr(1)).has_value());
  EXPECT_FALSE(DecodeProgress(bytes + "x").has_value());
}

TEST(EvidenceRecordsTest, EncodeBatchKeepsOnlyValidItemsWithWhatScoringNeeds) {
  v1::Batch batch;
  batch.set_sequence(9);
  *batch.add_items() = TestEvidence("web", "ID_AM_CSC_1_1", kNow);
  *batch.add_items() = TestEvidence("db", "PR_AC_CSC_5_2", kNow, v1::DLI_100);
  batch.mutable_items(1)->set_kind(v1::ATTESTED);
  EncodedBatch encoded = EncodeBatch("agent-1", batch, {false, true}, kNow);
  ASSERT_EQ(encoded.entries.size(), 1u);
  const EncodedBatch::Entry& entry = encoded.entries[0];
  EXPECT_EQ(entry.state_key, StateKey("db", "PR_AC_CSC_5_2", "agent-1", "test.check"));
  EXPECT_EQ(entry.level, v1::DLI_100);
  EXPECT_TRUE(entry.attested);
  EXPECT_EQ(entry.expires_at_unix_nanos, absl::ToUnixNanos(kNow + absl::Hours(1)));
  EXPECT_GT(encoded.bytes(), entry.value.size());

  absl::StatusOr<v1::SourceState> state = ParseStateRecord(entry.state_key, entry.state_value);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->asset_id(), "db");
  EXPECT_EQ(state->agent_id(), "agent-1");
  EXPECT_EQ(state->check_id(), "test.check");
  EXPECT_EQ(state->sequence(), 9u);
  EXPECT_EQ(state->index(), 1u);
  v1::StoredEvidence stored;
  ASSERT_TRUE(stored.ParseFromString(entry.value));
  EXPECT_EQ(stored.evidence().asset_id(), "db");
  EXPECT_EQ(stored.received_at_unix_nanos(), absl::ToUnixNanos(kNow));
}

TEST(EvidenceRecordsTest, AStateRecordUnderAMalformedKeyIsDataLoss) {
  EXPECT_EQ(ParseStateRecord("no-separators", "").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace postura::collector
