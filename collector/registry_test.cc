#include "collector/registry.h"

#include "collector/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;

class RegistryTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = EvidenceStore::Open({.path = "/store", .env = env_.get()}).value();
    registry_ = Registry::Load(*store_).value();
  }

  std::unique_ptr<rocksdb::Env> env_{rocksdb::NewMemEnv(rocksdb::Env::Default())};
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, AssetsAndAgentsAreListedSortedAndBindingsFound) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("db", v1::IG3)).ok());
  ASSERT_TRUE(registry_->PutAgent(TestAgent("host-1", {"web", "db"})).ok());
  ASSERT_EQ(registry_->ListAssets().size(), 2u);
  EXPECT_EQ(registry_->ListAssets()[0].id(), "db");
  std::shared_ptr<const AgentBinding> binding = registry_->FindAgent("host-1");
  ASSERT_NE(binding, nullptr);
  EXPECT_TRUE(binding->asset_ids.contains("db"));
  EXPECT_EQ(registry_->FindAgent("host-2"), nullptr);
}

TEST_F(RegistryTest, InvalidAssetsAreRefusedWithTheReason) {
  v1::Asset bad_id = TestAsset("web portal");
  EXPECT_THAT(registry_->PutAsset(bad_id),
              HasMessage(HasSubstr("asset id 'web portal' is invalid")));
  v1::Asset no_group = TestAsset("web");
  no_group.clear_implementation_group();
  EXPECT_THAT(registry_->PutAsset(no_group), HasMessage(HasSubstr("implementation_group must be")));
  v1::Asset no_name = TestAsset("web");
  no_name.clear_name();
  EXPECT_THAT(registry_->PutAsset(no_name), HasMessage(HasSubstr("name must be")));
  EXPECT_TRUE(registry_->ListAssets().empty());
}

TEST_F(RegistryTest, AgentCannotBindAMissingAsset) {
  absl::Status s = registry_->PutAgent(TestAgent("host-1", {"ghost"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(s, HasMessage(HasSubstr("no asset 'ghost'")));
}

TEST_F(RegistryTest, BoundAssetCannotBeDeleted) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  ASSERT_TRUE(registry_->PutAgent(TestAgent("host-1", {"web"})).ok());
  absl::Status s = registry_->DeleteAsset("web");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s, HasMessage(HasSubstr("bound to agents host-1")));
  ASSERT_TRUE(registry_->DeleteAgent("host-1").ok());
  EXPECT_TRUE(registry_->DeleteAsset("web").ok());
  EXPECT_EQ(registry_->DeleteAsset("web").code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, ReloadsFromTheStore) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  ASSERT_TRUE(registry_->PutAgent(TestAgent("host-1", {"web"})).ok());
  std::unique_ptr<Registry> reloaded = Registry::Load(*store_).value();
  EXPECT_EQ(reloaded->ListAssets().size(), 1u);
  EXPECT_NE(reloaded->FindAgent("host-1"), nullptr);
}

}  // namespace
}  // namespace postura::collector
