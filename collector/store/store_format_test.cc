// The store's format version (store_format.h): an older store, written here with raw
// RocksDB as the collector before format versions wrote it, opens and is migrated once;
// a newer store is refused, untouched, with a message naming both versions.

#include "collector/store/store_format.h"

#include <memory>
#include <vector>

#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::AllOf;
using ::testing::HasSubstr;

const absl::Time kObserved = absl::FromUnixSeconds(1'763'900'000);

// The column families of format 1, as EvidenceStore::Open created them then.
const std::vector<std::string> kFormat1Families = {rocksdb::kDefaultColumnFamilyName,
                                                   "evidence",
                                                   "state",
                                                   "registry",
                                                   "progress",
                                                   "expiry",
                                                   "history",
                                                   "alerts"};

class StoreFormatTest : public testing::Test {
 protected:
  // Opens the store at /store with raw RocksDB, its families as `names`; runs `write`.
  void WithRawStore(
      const std::vector<std::string>& names,
      const std::function<void(rocksdb::DB&, std::vector<rocksdb::ColumnFamilyHandle*>&)>& write) {
    rocksdb::DBOptions options;
    options.env = env_.get();
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const std::string& name : names)
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, "/store", families, &handles, &db).ok());
    write(*db, handles);
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    }
    ASSERT_TRUE(db->Close().ok());
    delete db;
  }

  absl::StatusOr<std::unique_ptr<EvidenceStore>> Open() {
    return EvidenceStore::Open({.path = "/store", .env = env_.get()});
  }

  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
};

TEST_F(StoreFormatTest, ANewStoreIsWrittenInTheCurrentFormat) {
  EXPECT_EQ(ReadStoreFormat(env_.get(), "/store").value(), std::nullopt);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(ReadStoreFormat(env_.get(), "/store").value(), kStoreFormatVersion);
}

TEST_F(StoreFormatTest, AFormat1StoreOpensKeepsItsEvidenceAndIsMigratedOnce) {
  // What the collector before format versions wrote for one report: its evidence and
  // state records, under the same keys and encoding as now.
  v1::Batch batch;
  *batch.add_items() = TestEvidence("web", "PR_AC_CSC_5_2", kObserved);
  const EncodedBatch encoded = EncodeBatch("host-1", batch, {true}, kObserved);
  WithRawStore(kFormat1Families, [&](rocksdb::DB& db, auto& handles) {
    for (const EncodedBatch::Entry& entry : encoded.entries) {
      ASSERT_TRUE(db.Put({}, handles[1], entry.evidence_key, entry.value).ok());
      ASSERT_TRUE(db.Put({}, handles[2], entry.state_key, entry.state_value).ok());
    }
  });
  EXPECT_EQ(ReadStoreFormat(env_.get(), "/store").value(), 1);

  {
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store = Open();
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<v1::SourceState> sources = (*store)->ReadSources("web", "PR_AC_CSC_5_2").value();
    ASSERT_EQ(sources.size(), 1u);
    EXPECT_EQ(sources[0].agent_id(), "host-1");
    EXPECT_EQ(sources[0].level(), v1::DLI_67);
    int evidence = 0;
    ASSERT_TRUE((*store)->ForEachEvidence([&](const v1::StoredEvidence&) { ++evidence; }).ok());
    EXPECT_EQ(evidence, 1);
  }
  EXPECT_EQ(ReadStoreFormat(env_.get(), "/store").value(), kStoreFormatVersion);
  // Once: the store now says its version, so the next open finds nothing to migrate.
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(ReadStoreFormat(env_.get(), "/store").value(), kStoreFormatVersion);
}

TEST_F(StoreFormatTest, MigrationStepsReportTheVersionTheStoreHad) {
  WithRawStore(kFormat1Families, [&](rocksdb::DB& db, auto&) {
    EXPECT_EQ(StampStoreFormat(db, 1, "/store").value(), 1);
    std::string version;
    ASSERT_TRUE(db.Get({}, kStoreFormatKey, &version).ok());
    EXPECT_EQ(version, "3");
    EXPECT_EQ(StampStoreFormat(db, kStoreFormatVersion, "/store").value(), kStoreFormatVersion);
    EXPECT_EQ(StampStoreFormat(db, std::nullopt, "/store").value(), kStoreFormatVersion);
  });
}

TEST_F(StoreFormatTest, ANewerStoreIsRefusedNamingBothVersionsAndLeftUntouched) {
  std::vector<std::string> future = kFormat1Families;
  future.push_back("a_family_of_the_future");
  WithRawStore(future,
               [&](rocksdb::DB& db, auto&) { ASSERT_TRUE(db.Put({}, kStoreFormatKey, "4").ok()); });
  absl::StatusOr<std::unique_ptr<EvidenceStore>> store = Open();
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status(), HasMessage(AllOf(HasSubstr("store /store has format version 4"),
                                               HasSubstr("newer than version 3"))));
  // Untouched: none of this collector's missing families was created, the version stays.
  rocksdb::DBOptions options;
  options.env = env_.get();
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, "/store", &names).ok());
  EXPECT_EQ(names, future);
  EXPECT_EQ(ReadStoreFormat(env_.get(), "/store").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(StoreFormatTest, AVersionThatIsNotANumberIsDataLoss) {
  WithRawStore(kFormat1Families, [&](rocksdb::DB& db, auto&) {
    ASSERT_TRUE(db.Put({}, kStoreFormatKey, "two").ok());
  });
  EXPECT_EQ(Open().status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace postura::collector
