// The invariants across records (registry_model.h): references, dependency cycles,
// records in use, supplier bindings. Through the registry, which must refuse a change
// that breaks one and leave what is stored as it was.
#include "collector/registry/registry_model.h"

#include <string>
#include <vector>

#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(RegistryTest, ATenantInUseCannotBeDeletedOrChangeKind) {
  ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
  v1::Asset hosted = TestAsset("web");
  hosted.set_supplier_id("acme");
  ASSERT_TRUE(registry_->PutAsset(hosted).ok());
  v1::Agent agent = TestAgent("acme-host", {"web"});
  agent.set_tenant_id("acme");
  ASSERT_TRUE(registry_->PutAgent(agent).ok());

  absl::Status deleted = registry_->DeleteTenant("acme");
  EXPECT_EQ(deleted.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(deleted, HasMessage(HasSubstr("used by assets web and agents acme-host")));
  absl::Status kind = registry_->PutTenant(TestTenant("acme", v1::ORGANIZATION));
  EXPECT_EQ(kind.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(kind, HasMessage(HasSubstr("cannot change its kind while assets web")));
  EXPECT_EQ(registry_->FindTenant("acme")->kind(), v1::SUPPLIER);

  ASSERT_TRUE(registry_->DeleteAgent("acme-host").ok());
  EXPECT_THAT(registry_->DeleteTenant("acme"), HasMessage(HasSubstr("used by assets web")));
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  EXPECT_TRUE(registry_->DeleteTenant("acme").ok());
  EXPECT_FALSE(registry_->FindTenant("acme").has_value());
}

TEST_F(RegistryTest, ADepartmentThatOwnsAssetsCannotBeDeleted) {
  ASSERT_TRUE(registry_->PutDepartment(TestDepartment("it")).ok());
  for (const char* id : {"web", "db"}) {
    v1::Asset asset = TestAsset(id);
    asset.set_department_id("it");
    ASSERT_TRUE(registry_->PutAsset(asset).ok());
  }
  absl::Status deleted = registry_->DeleteDepartment("it");
  EXPECT_EQ(deleted.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(deleted, HasMessage(HasSubstr("department it still owns assets db, web")));
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  ASSERT_TRUE(registry_->DeleteAsset("db").ok());
  EXPECT_TRUE(registry_->DeleteDepartment("it").ok());
}

TEST_F(RegistryTest, AnAssetsDepartmentSupplierAndDependenciesMustExist) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("db")).ok());
  const std::vector<std::string> before = Serialized(registry_->ListAssets());

  v1::Asset no_department = TestAsset("web");
  no_department.set_department_id("ghost");
  absl::Status department = registry_->PutAsset(no_department);
  EXPECT_EQ(department.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(department, HasMessage(HasSubstr("asset web: no department 'ghost'")));

  v1::Asset no_supplier = TestAsset("web");
  no_supplier.set_supplier_id("ghost");
  absl::Status supplier = registry_->PutAsset(no_supplier);
  EXPECT_EQ(supplier.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(supplier, HasMessage(HasSubstr("asset web: no supplier tenant 'ghost'")));

  v1::Asset not_a_supplier = TestAsset("web");
  not_a_supplier.set_supplier_id("org");
  absl::Status kind = registry_->PutAsset(not_a_supplier);
  EXPECT_EQ(kind.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kind, HasMessage(HasSubstr("tenant org is not a SUPPLIER")));

  absl::Status dependency = registry_->PutAsset(DependentAsset("web", {"db", "ghost"}));
  EXPECT_EQ(dependency.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(dependency, HasMessage(HasSubstr("asset web: no asset 'ghost' to depend on")));
  EXPECT_EQ(Serialized(registry_->ListAssets()), before);
}

TEST_F(RegistryTest, ACycleOfLengthTwoIsRefusedAndNamed) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("b")).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("a", {"b"})).ok());
  const std::vector<std::string> before = Serialized(registry_->ListAssets());
  absl::Status s = registry_->PutAsset(DependentAsset("b", {"a"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s, HasMessage(HasSubstr("dependency cycle: b -> a -> b")));
  EXPECT_EQ(Serialized(registry_->ListAssets()), before);
  Reopen();
  EXPECT_EQ(Serialized(registry_->ListAssets()), before);
}

TEST_F(RegistryTest, ACycleOfLengthThreeIsRefusedAndNamed) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("c")).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("b", {"c"})).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("a", {"b"})).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("x")).ok());
  const std::vector<std::string> before = Serialized(registry_->ListAssets());
  absl::Status s = registry_->PutAsset(DependentAsset("c", {"x", "a"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s, HasMessage(HasSubstr("dependency cycle: c -> a -> b -> c")));
  EXPECT_EQ(Serialized(registry_->ListAssets()), before);
}

TEST_F(RegistryTest, SharedDependenciesWithoutACycleAreAccepted) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("platform")).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("db", {"platform"})).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("api", {"platform", "db"})).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("web", {"api", "db"})).ok());
  // Replacing an asset's dependencies drops the old ones: db no longer needs platform, so
  // platform may now depend on it.
  ASSERT_TRUE(registry_->PutAsset(TestAsset("db")).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("api")).ok());
  EXPECT_TRUE(registry_->PutAsset(DependentAsset("platform", {"db"})).ok());
}

TEST_F(RegistryTest, AnAssetOthersDependOnCannotBeDeleted) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("db")).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("web", {"db"})).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("api", {"db"})).ok());
  absl::Status s = registry_->DeleteAsset("db");
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s, HasMessage(HasSubstr("asset db is a dependency of assets api, web")));
  EXPECT_TRUE(registry_->FindAsset("db").has_value());
  ASSERT_TRUE(registry_->DeleteAsset("web").ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("api")).ok());
  EXPECT_TRUE(registry_->DeleteAsset("db").ok());
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
  EXPECT_EQ(registry_->DeleteAgent("host-1").code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, TheGroupCannotChangeWhileATargetWouldNotApply) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web", v1::IG3)).ok());
  ASSERT_TRUE(registry_
                  ->PutTargets("web", {TestTarget(v1::SCOPE_CATEGORY, "PR.AC"),
                                       TestTarget(v1::SCOPE_CATEGORY, "RC.RP")})
                  .ok());
  absl::Status s = registry_->PutAsset(TestAsset("web", v1::IG1));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s, HasMessage(HasSubstr("target 1: category RC.RP does not apply to IG1")));
  EXPECT_EQ(registry_->FindAsset("web")->implementation_group(), v1::IG3);
  // A change of name keeps the group, and the targets.
  v1::Asset renamed = TestAsset("web", v1::IG3);
  renamed.set_name("Web portal");
  ASSERT_TRUE(registry_->PutAsset(renamed).ok());
  EXPECT_EQ(registry_->GetTargets("web")->size(), 2u);
  ASSERT_TRUE(registry_->PutTargets("web", {TestTarget(v1::SCOPE_CATEGORY, "PR.AC")}).ok());
  EXPECT_TRUE(registry_->PutAsset(TestAsset("web", v1::IG1)).ok());
}

TEST_F(RegistryTest, SupplierAgentsBindOnlyAssetsTheirSupplierOperates) {
  ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
  ASSERT_TRUE(registry_->PutTenant(TestTenant("globex")).ok());
  v1::Asset hosted = TestAsset("hosted");
  hosted.set_supplier_id("acme");
  ASSERT_TRUE(registry_->PutAsset(hosted).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("own")).ok());

  v1::Agent supplier_agent = TestAgent("acme-1", {"hosted", "own"});
  supplier_agent.set_tenant_id("acme");
  absl::Status s = registry_->PutAgent(supplier_agent);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s, HasMessage(HasSubstr("agent acme-1 reports for supplier acme and cannot be "
                                      "bound to asset own")));
  EXPECT_EQ(registry_->FindAgent("acme-1"), nullptr);

  supplier_agent.mutable_asset_ids()->RemoveLast();
  ASSERT_TRUE(registry_->PutAgent(supplier_agent).ok());
  EXPECT_EQ(registry_->FindAgent("acme-1")->tenant_id, "acme");
  // The organisation's own agents may observe any asset.
  ASSERT_TRUE(registry_->PutAgent(TestAgent("org-1", {"hosted", "own"})).ok());
  EXPECT_EQ(registry_->FindAgent("org-1")->tenant_id, "org");

  v1::Agent stranger = TestAgent("x-1", {"own"});
  stranger.set_tenant_id("ghost");
  absl::Status tenant = registry_->PutAgent(stranger);
  EXPECT_EQ(tenant.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(tenant, HasMessage(HasSubstr("agent x-1: no tenant 'ghost'")));

  // The asset cannot move to another supplier under the bound agent's feet.
  hosted.set_supplier_id("globex");
  absl::Status moved = registry_->PutAsset(hosted);
  EXPECT_EQ(moved.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(moved, HasMessage(HasSubstr("agents acme-1 of another supplier")));
  EXPECT_EQ(registry_->FindAsset("hosted")->supplier_id(), "acme");
}

TEST(RegistryModelTest, CheckConsistentNamesADanglingReference) {
  RegistryModel model;
  model.PutTenant(TestTenant("org", v1::ORGANIZATION));
  v1::Asset web = TestAsset("web");
  web.set_department_id("it");
  model.PutAsset(web);
  absl::Status s = model.CheckConsistent();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s, HasMessage(HasSubstr("inconsistent: asset web: no department 'it'")));
  model.PutDepartment(TestDepartment("it"));
  EXPECT_TRUE(model.CheckConsistent().ok());
  model.PutAgent(TestAgent("host-1", {"web", "db"}));
  EXPECT_THAT(model.CheckConsistent(), HasMessage(HasSubstr("host-1: no asset 'db' to bind")));
}

TEST(RegistryModelTest, DependencyOrderPutsDependenciesFirstThenIds) {
  RegistryModel model;
  model.PutAsset(DependentAsset("m", {"a", "z"}));
  model.PutAsset(DependentAsset("a", {"z"}));
  model.PutAsset(TestAsset("z"));
  model.PutAsset(TestAsset("b"));
  EXPECT_THAT(model.DependencyOrder(), ElementsAre("b", "z", "a", "m"));
}

}  // namespace
}  // namespace postura::collector
