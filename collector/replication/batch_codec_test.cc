// Replicated batches carry exactly what the writer stores, and a log message that is not a
// valid batch is refused with what is wrong, never half-read.
#include "collector/replication/batch_codec.h"

#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/replication.pb.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

QueuedBatch SomeBatch() {
  v1::Batch batch;
  batch.set_sequence(7);
  for (int i = 0; i < 3; ++i) {
    *batch.add_items() = TestEvidence("asset-a", "PR.AC-1", kObserved + absl::Seconds(i));
  }
  QueuedBatch queued;
  queued.agent_id = "agent-a";
  queued.sequence = 7;
  queued.dropped_items_total = 2;
  queued.digest.fill(0xab);
  queued.peer = "ipv4:127.0.0.1:5000";
  queued.encoded = EncodeBatch("agent-a", batch, {true, false, true}, kObserved);
  queued.encoded.seal_key = "seal-key";
  queued.encoded.seal_value = "seal";
  return queued;
}

TEST(BatchCodecTest, ADecodedBatchHoldsWhatWasEncoded) {
  const QueuedBatch sent = SomeBatch();
  absl::StatusOr<QueuedBatch> got = DecodeReplicatedBatch(EncodeReplicatedBatch(sent, "node-a"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->agent_id, "agent-a");
  EXPECT_EQ(got->sequence, 7u);
  EXPECT_EQ(got->dropped_items_total, 2u);
  EXPECT_EQ(got->digest, sent.digest);
  EXPECT_EQ(got->peer, sent.peer);
  ASSERT_EQ(got->encoded.entries.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const EncodedBatch::Entry& a = sent.encoded.entries[i];
    const EncodedBatch::Entry& b = got->encoded.entries[i];
    EXPECT_EQ(a.evidence_key, b.evidence_key);
    EXPECT_EQ(a.value, b.value);
    EXPECT_EQ(a.state_key, b.state_key);
    EXPECT_EQ(a.state_value, b.state_value);
    EXPECT_EQ(a.level, b.level);
    EXPECT_EQ(a.attested, b.attested);
    EXPECT_EQ(a.observed_at_unix_nanos, b.observed_at_unix_nanos);
    EXPECT_EQ(a.expires_at_unix_nanos, b.expires_at_unix_nanos);
  }
  EXPECT_EQ(got->encoded.seal_key, "seal-key");
  EXPECT_EQ(got->encoded.seal_value, "seal");
  EXPECT_TRUE(got->encoded.certificate_key.empty());
}

TEST(BatchCodecTest, TheIdTellsAResendFromAnotherBatchUnderTheSameSequence) {
  QueuedBatch a = SomeBatch();
  QueuedBatch b = SomeBatch();
  EXPECT_EQ(ReplicatedBatchId(a), ReplicatedBatchId(b));
  b.digest[0] = 0;
  EXPECT_NE(ReplicatedBatchId(a), ReplicatedBatchId(b));
  EXPECT_THAT(ReplicatedBatchId(a), HasSubstr("agent-a/7/abab"));
}

TEST(BatchCodecTest, WhatIsNotAValidBatchIsRefusedSayingWhy) {
  EXPECT_THAT(DecodeReplicatedBatch("\xff\xff\xff").status().message(),
              HasSubstr("does not parse"));
  v1::ReplicatedBatch message;
  message.ParseFromString(EncodeReplicatedBatch(SomeBatch(), "node-a"));
  struct Case {
    void (*spoil)(v1::ReplicatedBatch&);
    const char* says;
  };
  for (const Case& c : std::vector<Case>{
           {[](v1::ReplicatedBatch& m) { m.clear_agent_id(); }, "without its agent"},
           {[](v1::ReplicatedBatch& m) { m.set_sequence(0); }, "without its agent or sequence"},
           {[](v1::ReplicatedBatch& m) { m.set_digest("short"); }, "digest has 5 bytes"},
           {[](v1::ReplicatedBatch& m) { m.mutable_entries(0)->clear_state_key(); }, "keys"},
           {[](v1::ReplicatedBatch& m) { m.mutable_entries(1)->set_level(v1::Level(99)); },
            "level"},
           {[](v1::ReplicatedBatch& m) { m.clear_seal_key(); }, "seal or certificate"},
       }) {
    v1::ReplicatedBatch spoiled = message;
    c.spoil(spoiled);
    absl::StatusOr<QueuedBatch> got = DecodeReplicatedBatch(spoiled.SerializeAsString());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.says;
    EXPECT_THAT(got.status().message(), HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace postura::collector
