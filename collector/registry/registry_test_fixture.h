#ifndef POSTURA_COLLECTOR_REGISTRY_REGISTRY_TEST_FIXTURE_H_
#define POSTURA_COLLECTOR_REGISTRY_REGISTRY_TEST_FIXTURE_H_

// For tests only: a Registry over a real EvidenceStore in a temporary directory, and
// builders of the records the registry holds. The registry's tests (registry_test.cc,
// registry_rules_test.cc, registry_model_test.cc) and the admin service's share it.
// Threading: the test's own thread.

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "collector/registry/registry.h"
#include "collector/store/evidence_store.h"
#include "collector/testing/test_evidence.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {

inline const absl::Time kRegistryTestNow = absl::FromUnixSeconds(1'763'900'000);

inline v1::Tenant TestTenant(const std::string& id, v1::TenantKind kind = v1::SUPPLIER) {
  v1::Tenant tenant;
  tenant.set_id(id);
  tenant.set_name("Tenant " + id);
  tenant.set_kind(kind);
  return tenant;
}

inline v1::Department TestDepartment(const std::string& id) {
  v1::Department department;
  department.set_id(id);
  department.set_name("Department " + id);
  return department;
}

inline v1::Asset DependentAsset(const std::string& id,
                                std::initializer_list<std::string> dependencies,
                                v1::ImplementationGroup group = v1::IG2) {
  v1::Asset asset = TestAsset(id, group);
  for (const std::string& dependency : dependencies) asset.add_dependency_ids(dependency);
  return asset;
}

inline v1::Target TestTarget(v1::TargetScopeKind scope, const std::string& scope_id,
                             double value = 0.5, v1::TargetOperator op = v1::GREATER_OR_EQUAL) {
  v1::Target target;
  target.set_scope(scope);
  target.set_scope_id(scope_id);
  target.set_operator_(op);
  target.set_value(value);
  return target;
}

// Each message in its short text form, for comparing lists of records.
template <typename Message>
std::vector<std::string> Serialized(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const Message& message : messages) out.push_back(message.ShortDebugString());
  return out;
}

class RegistryTest : public testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // Closes the registry and the store and opens them again from disk.
  void Reopen() {
    registry_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<EvidenceStore>> store =
        EvidenceStore::Open({.path = dir_.path().string() + "/store"});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<Registry>> registry =
        Registry::Load(*store_, Catalog::Builtin());
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
  }

  // Stores current state for two outcomes of `asset` through the ingest path.
  void CommitEvidence(const std::string& asset) {
    const std::string agent = "host-1";
    v1::Batch batch;
    batch.set_sequence(++sequence_);
    *batch.add_items() = TestEvidence(asset, "PR_AC_CSC_5_2", kRegistryTestNow);
    *batch.add_items() = TestEvidence(asset, "ID_AM_CSC_1_1", kRegistryTestNow);
    EncodedBatch encoded = EncodeBatch(agent, batch, {true, true}, kRegistryTestNow);
    ASSERT_TRUE(store_->Commit({{&agent, &encoded, {sequence_, 0, 2 * sequence_}}}).ok());
  }

  // The asset of each current-state record, in key order.
  std::vector<std::string> StateAssets() {
    std::vector<std::string> assets;
    EXPECT_TRUE(
        store_->ForEachState([&](const v1::SourceState& s) { assets.push_back(s.asset_id()); })
            .ok());
    return assets;
  }

  test::TempDir dir_;
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<Registry> registry_;
  uint64_t sequence_ = 0;
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REGISTRY_REGISTRY_TEST_FIXTURE_H_
