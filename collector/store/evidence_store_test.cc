#include "collector/store/evidence_store.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "collector/store/store_keys.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace postura::collector {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

// The ids of the registry records under `prefix`, in key order.
std::vector<std::string> RegistryIds(const EvidenceStore& store, absl::string_view prefix) {
  std::vector<std::string> ids;
  absl::Status s =
      store.ForEachRegistryRecord(prefix, [&](absl::string_view id, absl::string_view) {
        ids.emplace_back(id);
        return absl::OkStatus();
      });
  EXPECT_TRUE(s.ok()) << s;
  return ids;
}

class EvidenceStoreTest : public testing::Test {
 protected:
  std::unique_ptr<EvidenceStore> Open(absl::Duration retention = absl::Hours(24)) {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(
        {.path = "/store", .retention = retention, .clock = &clock_, .env = env_.get()});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  static v1::Batch MakeBatch(uint64_t sequence, absl::Time observed, int items) {
    v1::Batch batch;
    batch.set_sequence(sequence);
    for (int i = 0; i < items; ++i) {
      *batch.add_items() = TestEvidence("web", i % 2 ? "PR_AC_CSC_5_2" : "ID_AM_CSC_1_1", observed);
      batch.mutable_items(i)->set_check_id("check." + std::to_string(i));
    }
    return batch;
  }

  FakeClock clock_{kNow};
  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
};

TEST_F(EvidenceStoreTest, CommitStoresValidItemsStateAndProgressTogether) {
  std::unique_ptr<EvidenceStore> store = Open();
  const std::string agent = "agent-1";
  v1::Batch batch = MakeBatch(7, kNow, 3);
  EncodedBatch encoded = EncodeBatch(agent, batch, {true, false, true}, kNow);
  ASSERT_TRUE(store->Commit({{&agent, &encoded, {7, 2, 2}}}).ok());

  int evidence = 0;
  ASSERT_TRUE(store
                  ->ForEachEvidence([&](const v1::StoredEvidence& e) {
                    ++evidence;
                    EXPECT_EQ(e.agent_id(), agent);
                    EXPECT_EQ(e.sequence(), 7u);
                    EXPECT_NE(e.index(), 1u);
                    EXPECT_EQ(e.received_at_unix_nanos(), absl::ToUnixNanos(kNow));
                  })
                  .ok());
  EXPECT_EQ(evidence, 2);
  int states = 0;
  ASSERT_TRUE(store
                  ->ForEachState([&](const v1::SourceState& state) {
                    ++states;
                    EXPECT_EQ(state.asset_id(), "web");
                    EXPECT_EQ(state.agent_id(), agent);
                    EXPECT_EQ(state.sequence(), 7u);
                    EXPECT_EQ(state.level(), v1::DLI_67);
                  })
                  .ok());
  EXPECT_EQ(states, 2);
  auto progress = store->LoadProgress().value();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].first, agent);
  EXPECT_EQ(progress[0].second.last_sequence, 7u);
  EXPECT_EQ(progress[0].second.dropped_items_total, 2u);
  EXPECT_EQ(progress[0].second.items_stored, 2u);
  EXPECT_GE(store->wal_syncs(), 1u);
}

TEST_F(EvidenceStoreTest, ALogPositionIsCommittedWithItsBatchesAndIsNoAgentsProgress) {
  std::unique_ptr<EvidenceStore> store = Open();
  EXPECT_EQ(store->ReadLogPosition().value(), 0u);
  const std::string agent = "agent-1";
  v1::Batch batch = MakeBatch(1, kNow, 1);
  EncodedBatch encoded = EncodeBatch(agent, batch, {true}, kNow);
  ASSERT_TRUE(store->Commit({{&agent, &encoded, {1, 0, 1}}}, 41).ok());
  EXPECT_EQ(store->ReadLogPosition().value(), 41u);
  // A commit without a position (a single collector's) leaves it.
  ASSERT_TRUE(store->Commit({{&agent, &encoded, {1, 0, 1}}}).ok());
  EXPECT_EQ(store->ReadLogPosition().value(), 41u);
  auto progress = store->LoadProgress().value();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].first, agent);
}

TEST_F(EvidenceStoreTest, StateKeepsTheLatestReportOfEachSource) {
  std::unique_ptr<EvidenceStore> store = Open();
  const std::string agent = "agent-1";
  v1::Batch first = MakeBatch(1, kNow, 1);
  v1::Batch second = MakeBatch(2, kNow + absl::Minutes(1), 1);
  second.mutable_items(0)->set_level(v1::DLI_100);
  EncodedBatch first_encoded = EncodeBatch(agent, first, {true}, kNow);
  EncodedBatch second_encoded = EncodeBatch(agent, second, {true}, kNow);
  ASSERT_TRUE(store->Commit({{&agent, &first_encoded, {1, 0, 1}}}).ok());
  ASSERT_TRUE(store->Commit({{&agent, &second_encoded, {2, 0, 2}}}).ok());
  std::vector<v1::SourceState> states;
  ASSERT_TRUE(store->ForEachState([&](const v1::SourceState& s) { states.push_back(s); }).ok());
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].level(), v1::DLI_100);
  EXPECT_EQ(states[0].check_id(), "check.0");
  EXPECT_EQ(states[0].sequence(), 2u);
  int evidence = 0;
  ASSERT_TRUE(store->ForEachEvidence([&](const v1::StoredEvidence&) { ++evidence; }).ok());
  EXPECT_EQ(evidence, 2);  // The log keeps both.
}

TEST_F(EvidenceStoreTest, EverythingSurvivesReopening) {
  const std::string agent = "agent-1";
  {
    std::unique_ptr<EvidenceStore> store = Open();
    ASSERT_TRUE(store->PutRegistryRecord(AssetKey("web"), TestAsset("web")).ok());
    ASSERT_TRUE(store->PutRegistryRecord(AgentKey(agent), TestAgent(agent, {"web"})).ok());
    v1::Batch batch = MakeBatch(3, kNow, 2);
    EncodedBatch encoded = EncodeBatch(agent, batch, {true, true}, kNow);
    ASSERT_TRUE(store->Commit({{&agent, &encoded, {3, 0, 2}}}).ok());
  }
  std::unique_ptr<EvidenceStore> store = Open();
  EXPECT_EQ(RegistryIds(*store, kAssetKeyPrefix), (std::vector<std::string>{"web"}));
  std::vector<v1::Agent> agents;
  ASSERT_TRUE(store
                  ->ForEachRegistryRecord(kAgentKeyPrefix,
                                          [&](absl::string_view, absl::string_view value) {
                                            agents.emplace_back().ParseFromString(
                                                std::string(value));
                                            return absl::OkStatus();
                                          })
                  .ok());
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents[0].asset_ids(0), "web");
  EXPECT_EQ(store->LoadProgress().value()[0].second.last_sequence, 3u);
}

TEST_F(EvidenceStoreTest, RetentionDropsEvidenceObservedTooLongAgo) {
  std::unique_ptr<EvidenceStore> store = Open(absl::Hours(24));
  const std::string agent = "agent-1";
  v1::Batch old_batch = MakeBatch(1, kNow - absl::Hours(30), 2);
  v1::Batch recent = MakeBatch(2, kNow - absl::Hours(2), 2);
  EncodedBatch old_encoded = EncodeBatch(agent, old_batch, {true, true}, kNow);
  EncodedBatch recent_encoded = EncodeBatch(agent, recent, {true, true}, kNow);
  ASSERT_TRUE(
      store->Commit({{&agent, &old_encoded, {1, 0, 2}}, {&agent, &recent_encoded, {2, 0, 4}}})
          .ok());
  ASSERT_TRUE(store->CompactEvidence().ok());
  std::vector<uint64_t> sequences;
  ASSERT_TRUE(
      store
          ->ForEachEvidence([&](const v1::StoredEvidence& e) { sequences.push_back(e.sequence()); })
          .ok());
  EXPECT_EQ(sequences, (std::vector<uint64_t>{2, 2}));
}

// `encoded` with a seal for batch `sequence` of `agent`, received at `received`.
void AddSeal(EncodedBatch& encoded, const std::string& agent, uint64_t sequence,
             absl::Time received) {
  v1::BatchSealRecord seal;
  seal.set_agent_id(agent);
  seal.set_sequence(sequence);
  seal.set_item_digests(std::string(64, 'd'));
  seal.set_signature("signature");
  seal.set_certificate_serial("5eal");
  seal.set_received_at_unix_nanos(absl::ToUnixNanos(received));
  encoded.seal_key = SealKey(agent, sequence);
  encoded.seal_value = seal.SerializeAsString();
}

TEST_F(EvidenceStoreTest, ASealIsStoredWithItsBatchAndReadBackByAgentAndSequence) {
  std::unique_ptr<EvidenceStore> store = Open();
  const std::string agent = "agent-1";
  v1::Batch signed_batch = MakeBatch(4, kNow, 2);
  v1::Batch unsigned_batch = MakeBatch(5, kNow, 2);
  EncodedBatch signed_encoded = EncodeBatch(agent, signed_batch, {true, true}, kNow);
  EncodedBatch unsigned_encoded = EncodeBatch(agent, unsigned_batch, {true, true}, kNow);
  AddSeal(signed_encoded, agent, 4, kNow);
  ASSERT_TRUE(
      store->Commit({{&agent, &signed_encoded, {4, 0, 2}}, {&agent, &unsigned_encoded, {5, 0, 4}}})
          .ok());
  std::optional<v1::BatchSealRecord> seal = store->ReadSeal(agent, 4).value();
  ASSERT_TRUE(seal.has_value());
  EXPECT_EQ(seal->certificate_serial(), "5eal");
  EXPECT_EQ(seal->item_digests().size(), 64u);
  EXPECT_FALSE(store->ReadSeal(agent, 5).value().has_value());
  EXPECT_FALSE(store->ReadSeal("agent-2", 4).value().has_value());
}

TEST_F(EvidenceStoreTest, RetentionDropsSealsOfBatchesReceivedTooLongAgo) {
  std::unique_ptr<EvidenceStore> store = Open(absl::Hours(24));
  const std::string agent = "agent-1";
  v1::Batch old_batch = MakeBatch(1, kNow - absl::Hours(30), 1);
  v1::Batch recent = MakeBatch(2, kNow - absl::Hours(2), 1);
  EncodedBatch old_encoded = EncodeBatch(agent, old_batch, {true}, kNow - absl::Hours(30));
  EncodedBatch recent_encoded = EncodeBatch(agent, recent, {true}, kNow - absl::Hours(2));
  AddSeal(old_encoded, agent, 1, kNow - absl::Hours(30));
  AddSeal(recent_encoded, agent, 2, kNow - absl::Hours(2));
  ASSERT_TRUE(
      store->Commit({{&agent, &old_encoded, {1, 0, 1}}, {&agent, &recent_encoded, {2, 0, 2}}})
          .ok());
  ASSERT_TRUE(store->CompactEvidence().ok());
  EXPECT_FALSE(store->ReadSeal(agent, 1).value().has_value());
  EXPECT_TRUE(store->ReadSeal(agent, 2).value().has_value());
}

TEST_F(EvidenceStoreTest, AgentCertificatesAreKeptUntilTheyExpiredARetentionAgo) {
  std::unique_ptr<EvidenceStore> store = Open(absl::Hours(24));
  v1::AgentCertificateRecord old_certificate;
  old_certificate.set_certificate_pem("old");
  old_certificate.set_not_after_unix_nanos(absl::ToUnixNanos(kNow - absl::Hours(25)));
  v1::AgentCertificateRecord recent = old_certificate;
  recent.set_certificate_pem("recent");
  recent.set_not_after_unix_nanos(absl::ToUnixNanos(kNow - absl::Hours(23)));
  ASSERT_TRUE(store->PutCertificate("0a", old_certificate).ok());
  ASSERT_TRUE(store->PutCertificate("0b", recent).ok());
  EXPECT_EQ(store->ReadCertificate("0a").value()->certificate_pem(), "old");
  ASSERT_TRUE(store->CompactEvidence().ok());
  EXPECT_FALSE(store->ReadCertificate("0a").value().has_value());
  EXPECT_EQ(store->ReadCertificate("0b").value()->certificate_pem(), "recent");
  EXPECT_FALSE(store->ReadCertificate("0c").value().has_value());
}

TEST_F(EvidenceStoreTest, DeletedRegistryRecordsStayDeleted) {
  {
    std::unique_ptr<EvidenceStore> store = Open();
    ASSERT_TRUE(store->PutRegistryRecord(AssetKey("web"), TestAsset("web")).ok());
    ASSERT_TRUE(store->PutRegistryRecord(AgentKey("a"), TestAgent("a", {"web"})).ok());
    ASSERT_TRUE(store->PutRegistryRecord(AgentKey("b"), TestAgent("b", {"web"})).ok());
    ASSERT_TRUE(store->DeleteRegistryRecords({AgentKey("a"), AgentKey("ghost")}).ok());
    ASSERT_TRUE(store->DeleteAsset("web").ok());
  }
  std::unique_ptr<EvidenceStore> store = Open();
  EXPECT_TRUE(RegistryIds(*store, kAssetKeyPrefix).empty());
  EXPECT_EQ(RegistryIds(*store, kAgentKeyPrefix), (std::vector<std::string>{"b"}));
}

TEST_F(EvidenceStoreTest, RegistryRecordsAreVisitedByPrefixInIdOrder) {
  std::unique_ptr<EvidenceStore> store = Open();
  for (const char* id : {"web", "db", "api"}) {
    ASSERT_TRUE(store->PutRegistryRecord(AssetKey(id), TestAsset(id)).ok());
  }
  ASSERT_TRUE(store->PutRegistryRecord(AgentKey("host"), TestAgent("host", {"web"})).ok());
  ASSERT_TRUE(store->PutRegistryRecord(TargetsKey("web"), v1::PutTargetsRequest()).ok());
  EXPECT_EQ(RegistryIds(*store, kAssetKeyPrefix), (std::vector<std::string>{"api", "db", "web"}));
  absl::Status stop = store->ForEachRegistryRecord(
      kAssetKeyPrefix,
      [](absl::string_view, absl::string_view) { return absl::DataLossError("stop here"); });
  EXPECT_EQ(stop.code(), absl::StatusCode::kDataLoss);
}

TEST_F(EvidenceStoreTest, DeleteAssetRemovesItsStateAndTargetsButNotItsEvidence) {
  std::unique_ptr<EvidenceStore> store = Open();
  const std::string agent = "agent-1";
  v1::Batch batch = MakeBatch(1, kNow, 2);
  // "web-2" sorts right after "web" and shares its first bytes: it must keep its state.
  *batch.add_items() = TestEvidence("web-2", "PR_AC_CSC_5_2", kNow);
  *batch.add_items() = TestEvidence("we", "PR_AC_CSC_5_2", kNow);
  EncodedBatch encoded = EncodeBatch(agent, batch, {true, true, true, true}, kNow);
  ASSERT_TRUE(store->Commit({{&agent, &encoded, {1, 0, 4}}}).ok());
  ASSERT_TRUE(store->PutRegistryRecord(AssetKey("web"), TestAsset("web")).ok());
  ASSERT_TRUE(store->PutRegistryRecord(TargetsKey("web"), v1::PutTargetsRequest()).ok());
  ASSERT_TRUE(store->DeleteAsset("web").ok());
  std::vector<std::string> state_assets;
  ASSERT_TRUE(store
                  ->ForEachState([&](const v1::SourceState& state) {
                    state_assets.push_back(state.asset_id());
                  })
                  .ok());
  EXPECT_EQ(state_assets, (std::vector<std::string>{"we", "web-2"}));
  EXPECT_TRUE(RegistryIds(*store, kTargetsKeyPrefix).empty());
  int evidence = 0;
  ASSERT_TRUE(store->ForEachEvidence([&](const v1::StoredEvidence&) { ++evidence; }).ok());
  EXPECT_EQ(evidence, 4);
}

TEST_F(EvidenceStoreTest, MemtablesStayWithinTheirBudgetWhileFarMoreIsWritten) {
  constexpr uint64_t kBudget = kMinMemtableBytes;
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
      EvidenceStore::Open({.path = "/store",
                           .retention = absl::Hours(24),
                           .clock = &clock_,
                           .env = env_.get(),
                           .memtable_bytes = kBudget,
                           .block_cache_bytes = 1 << 20});
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string agent = "agent-1";
  uint64_t written = 0, largest = 0;
  for (uint64_t sequence = 1; sequence <= 600; ++sequence) {
    v1::Batch batch = MakeBatch(sequence, kNow, 50);
    for (v1::Evidence& item : *batch.mutable_items()) {
      item.set_check_id(absl::StrCat("check.", sequence, ".", item.check_id()));
      item.set_detail(std::string(1000, 'd'));
    }
    EncodedBatch encoded = EncodeBatch(agent, batch, std::vector<bool>(50, true), kNow);
    for (const EncodedBatch::Entry& entry : encoded.entries) written += entry.value.size();
    ASSERT_TRUE((*store)->Commit({{&agent, &encoded, {sequence, 0, sequence * 50}}}).ok());
    largest = std::max(largest, (*store)->MemoryUsage().memtables);
  }
  EXPECT_GT(written, 3 * kBudget);
  // A commit may land just before the flush that brings the total back under the budget.
  EXPECT_LE(largest, kBudget + (1 << 20));
  EXPECT_GT(largest, 0u);
}

// The keys and values under `prefix` in the alerts family, in key order.
std::vector<std::string> AlertRecords(const EvidenceStore& store, absl::string_view prefix) {
  std::vector<std::string> records;
  absl::Status s = store.ScanAlerts(prefix, [&](absl::string_view key, absl::string_view value) {
    records.push_back(absl::StrCat(key, "=", value));
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return records;
}

TEST_F(EvidenceStoreTest, AlertWritesApplyInOrderAndSurviveReopening) {
  std::unique_ptr<EvidenceStore> store = Open();
  ASSERT_TRUE(store
                  ->WriteAlerts({{"outbox/a/2", "second"},
                                 {"outbox/a/1", "first"},
                                 {"outbox/b/1", "other"},
                                 {"state/x", "firing"},
                                 {"outbox/a/2", "", true}})
                  .ok());
  store.reset();
  store = Open();
  EXPECT_EQ(AlertRecords(*store, "outbox/a/"), std::vector<std::string>{"outbox/a/1=first"});
  EXPECT_EQ(AlertRecords(*store, "outbox/").size(), 2u);
  EXPECT_EQ(AlertRecords(*store, "state/"), std::vector<std::string>{"state/x=firing"});
  EXPECT_TRUE(AlertRecords(*store, "none/").empty());
}

TEST_F(EvidenceStoreTest, AMemtableBudgetBelowTheLeastIsRefused) {
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store = EvidenceStore::Open(
      {.path = "/store", .env = env_.get(), .memtable_bytes = kMinMemtableBytes - 1});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace postura::collector
