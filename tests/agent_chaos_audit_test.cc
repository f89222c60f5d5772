// The chaos test's judge (agent_chaos_audit.h) on stores written by hand: a store that
// holds every batch once passes, and each kind of fault is named; and its comparison of
// score readings.

#include "tests/agent_chaos_audit.h"

#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAgent[] = "agent-00";
constexpr int kItemsPerBatch = 2;
const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);

class StoreAuditTest : public testing::Test {
 protected:
  // Commits batch `sequence` of kAgent: one run of two checks observed `run` seconds after
  // kStart, and the agent's progress after it as given.
  void Commit(uint64_t sequence, int run, collector::AgentProgress progress) {
    auto store = collector::EvidenceStore::Open({.path = path_,
                                                 .retention = absl::Hours(24 * 365 * 100),
                                                 .clock = &Clock::GetRealClock(),
                                                 .env = nullptr})
                     .value();
    v1::Batch batch;
    batch.set_sequence(sequence);
    const absl::Time observed = kStart + absl::Seconds(run);
    *batch.add_items() = collector::TestEvidence("asset-00", "PR_AC_CSC_5_2", observed);
    *batch.add_items() = collector::TestEvidence("asset-00", "PR_AC_PR_AC_1", observed);
    const std::string agent = kAgent;
    collector::EncodedBatch encoded =
        collector::EncodeBatch(agent, batch, std::vector<bool>(kItemsPerBatch, true), kStart);
    ASSERT_TRUE(store->Commit({{&agent, &encoded, progress}}).ok());
  }

  StoreAudit Audit(uint64_t last_sequence, std::size_t pending = 0) {
    SpoolWitness witness;
    witness.agent_id = kAgent;
    witness.last_sequence = last_sequence;
    witness.acknowledged = last_sequence;
    witness.pending_batches = pending;
    return AuditStore(path_, {witness}, kItemsPerBatch);
  }

  TempDir dir_;
  const std::string path_ = (dir_.path() / "store").string();
};

TEST_F(StoreAuditTest, EveryBatchOnceIsRight) {
  for (uint64_t sequence = 1; sequence <= 3; ++sequence) {
    Commit(sequence, static_cast<int>(sequence), {sequence, 0, sequence * kItemsPerBatch});
  }
  const StoreAudit audit = Audit(3);
  EXPECT_THAT(audit.problems, IsEmpty());
  EXPECT_EQ(audit.items_created, 6u);
  EXPECT_EQ(audit.items_stored, 6u);
  EXPECT_EQ(audit.items_stored_twice, 0u);
  EXPECT_EQ(audit.state_expiries_unix_nanos.size(), 2u);
}

TEST_F(StoreAuditTest, AMissingBatchIsNamed) {
  Commit(1, 1, {1, 0, 2});
  Commit(3, 3, {3, 0, 4});
  const StoreAudit audit = Audit(3);
  EXPECT_EQ(audit.batches_missing, 1u);
  EXPECT_THAT(audit.problems, Contains(HasSubstr("batch 2 of 1..3 is not stored")));
}

TEST_F(StoreAuditTest, ItemsResentUnderANewNumberAreStoredTwice) {
  Commit(1, 1, {1, 0, 2});
  Commit(2, 2, {2, 0, 4});
  Commit(3, 2, {3, 0, 6});  // The items of batch 2 again.
  const StoreAudit audit = Audit(3);
  EXPECT_EQ(audit.items_stored_twice, 2u);
  EXPECT_THAT(audit.problems, Contains(HasSubstr("is stored 2 times")));
}

TEST_F(StoreAuditTest, ABatchAppliedTwiceShowsInTheStoredCounter) {
  Commit(1, 1, {1, 0, 2});
  Commit(2, 2, {2, 0, 6});  // Counted as if batch 2 had been applied twice.
  const StoreAudit audit = Audit(2);
  EXPECT_EQ(audit.items_stored_twice, 2u);
  EXPECT_THAT(audit.problems, Contains(HasSubstr("counts 6 items, the log holds 4")));
}

TEST_F(StoreAuditTest, ABatchTheAgentNeverNumberedIsNamed) {
  Commit(1, 1, {1, 0, 2});
  Commit(2, 2, {2, 0, 4});
  const StoreAudit audit = Audit(1);
  EXPECT_THAT(audit.problems,
              Contains(HasSubstr("batch 2 is stored, but the agent numbered only 1..1")));
}

TEST_F(StoreAuditTest, AStateThatIsNotTheLatestRecordIsNamed) {
  Commit(2, 2, {2, 0, 2});
  Commit(1, 1, {2, 0, 4});  // Applied late: the state now holds the older run.
  const StoreAudit audit = Audit(2);
  EXPECT_THAT(audit.problems, Contains(HasSubstr("is batch 1 #0; its latest record is batch 2")));
}

TEST_F(StoreAuditTest, ASpoolNotDrainedIsNamed) {
  Commit(1, 1, {1, 0, 2});
  EXPECT_THAT(Audit(1, 1).problems, Contains(HasSubstr("still holds 1 unacknowledged")));
}

TEST(ScoreDifferencesTest, NamesWhatDiffersAndIgnoresRoundingAndTheTime) {
  ScoreReading a;
  a.assets.emplace_back().mutable_summary()->set_value(0.5);
  a.organization.set_index(0.25);
  a.taken_at = kStart;
  ScoreReading b = a;
  b.taken_at = kStart + absl::Seconds(3);
  b.assets[0].mutable_summary()->set_value(0.5 + 1e-13);
  EXPECT_EQ(ScoreDifferences(a, b), "");
  b.assets[0].mutable_summary()->set_value(0.51);
  b.organization.set_index(0.3);
  const std::string differences = ScoreDifferences(a, b);
  EXPECT_THAT(differences, HasSubstr("summary.value"));
  EXPECT_THAT(differences, HasSubstr("index"));
  b.assets.clear();
  EXPECT_NE(ScoreDifferences(a, b), "");
}

}  // namespace
}  // namespace postura::test
