#include "collector/store/evidence_records.h"

#include <string>

#include "collector/store/store_keys.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

TEST(EvidenceRecordsTest, ProgressReadsBackAndOtherLengthsAreNotProgress) {
  AgentProgress progress{uint64_t{1} << 40, 3, 123456789};
  progress.sequence_conflicts = 2;
  progress.last_conflict_unix_nanos = absl::ToUnixNanos(kNow);
  for (uint64_t sequence : {7, 9}) {
    AppliedBatch& batch = progress.recent.emplace_back();
    batch.sequence = sequence;
    batch.digest.fill(static_cast<uint8_t>(0xF0 + sequence));
  }
  const std::string bytes = EncodeProgress(progress);
  EXPECT_EQ(bytes.size(), 40u + 2 * 40u);
  std::optional<AgentProgress> decoded = DecodeProgress(bytes);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->last_sequence, progress.last_sequence);
  EXPECT_EQ(decoded->dropped_items_total, 3u);
  EXPECT_EQ(decoded->items_stored, 123456789u);
  EXPECT_EQ(decoded->sequence_conflicts, 2u);
  EXPECT_EQ(decoded->last_conflict_unix_nanos, absl::ToUnixNanos(kNow));
  ASSERT_EQ(decoded->recent.size(), 2u);
  EXPECT_EQ(decoded->recent[1].sequence, 9u);
  EXPECT_EQ(decoded->recent[1].digest, progress.recent[1].digest);
  EXPECT_NE(decoded->recent[0].digest, decoded->recent[1].digest);
  EXPECT_FALSE(DecodeProgress(bytes.substr(1)).has_value());
  EXPECT_FALSE(DecodeProgress(bytes + "x").has_value());
  EXPECT_FALSE(DecodeProgress(bytes.substr(0, 30)).has_value());
}

TEST(EvidenceRecordsTest, AProgressRecordWithoutDigestsReadsBackWithNone) {
  const std::string legacy = EncodeProgress(AgentProgress{5, 1, 40}).substr(0, 24);
  std::optional<AgentProgress> decoded = DecodeProgress(legacy);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->last_sequence, 5u);
  EXPECT_EQ(decoded->items_stored, 40u);
  EXPECT_TRUE(decoded->recent.empty());
  EXPECT_EQ(decoded->sequence_conflicts, 0u);
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
