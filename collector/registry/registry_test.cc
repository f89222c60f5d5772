#include "collector/registry/registry.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> Ids(const std::vector<v1::Asset>& assets) {
  std::vector<std::string> ids;
  for (const v1::Asset& asset : assets) ids.push_back(asset.id());
  return ids;
}

// Records what the registry announces, one line per call.
class RecordingObserver : public RegistryObserver {
 public:
  void OnAssetPut(const v1::Asset& asset, const std::vector<Target>& targets) override {
    events.push_back(absl::StrCat("put ", asset.id(), " ",
                                  v1::ImplementationGroup_Name(asset.implementation_group()),
                                  " targets=", targets.size()));
  }
  void OnAssetDeleted(const std::string& asset_id) override {
    events.push_back(absl::StrCat("deleted ", asset_id));
  }

  std::vector<std::string> events;
};

TEST_F(RegistryTest, AssetsAndAgentsAreListedSortedAndBindingsFound) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("db", v1::IG3)).ok());
  ASSERT_TRUE(registry_->PutAgent(TestAgent("host-1", {"web", "db"})).ok());
  EXPECT_THAT(Ids(registry_->ListAssets()), ElementsAre("db", "web"));
  std::shared_ptr<const AgentBinding> binding = registry_->FindAgent("host-1");
  ASSERT_NE(binding, nullptr);
  EXPECT_TRUE(binding->asset_ids.contains("db"));
  EXPECT_EQ(binding->tenant_id, "org");
  EXPECT_EQ(registry_->FindAgent("host-2"), nullptr);
  ASSERT_TRUE(registry_->FindAsset("db").has_value());
  EXPECT_EQ(registry_->FindAsset("db")->implementation_group(), v1::IG3);
  EXPECT_FALSE(registry_->FindAsset("ghost").has_value());
}

TEST_F(RegistryTest, TheOrganisationTenantAlwaysExistsAndCannotBeDeleted) {
  EXPECT_THAT(Serialized(registry_->ListTenants()),
              ElementsAre(R"(id: "org" name: "Organisation" kind: ORGANIZATION)"));
  absl::Status deleted = registry_->DeleteTenant("org");
  EXPECT_EQ(deleted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(deleted, HasMessage(HasSubstr("tenant org is the organisation")));
  absl::Status as_supplier = registry_->PutTenant(TestTenant("org", v1::SUPPLIER));
  EXPECT_EQ(as_supplier.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(as_supplier, HasMessage(HasSubstr("its kind must be ORGANIZATION")));
  v1::Tenant renamed = TestTenant("org", v1::ORGANIZATION);
  renamed.set_name("City of Springfield");
  ASSERT_TRUE(registry_->PutTenant(renamed).ok());
  Reopen();
  ASSERT_TRUE(registry_->FindTenant("org").has_value());
  EXPECT_EQ(registry_->FindTenant("org")->name(), "City of Springfield");
  EXPECT_EQ(registry_->ListTenants().size(), 1u);
}

TEST_F(RegistryTest, TenantsAndDepartmentsAreListedSortedAndFound) {
  ASSERT_TRUE(registry_->PutTenant(TestTenant("zeta")).ok());
  ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
  ASSERT_TRUE(registry_->PutDepartment(TestDepartment("it")).ok());
  ASSERT_TRUE(registry_->PutDepartment(TestDepartment("hr")).ok());
  std::vector<std::string> tenants;
  for (const v1::Tenant& tenant : registry_->ListTenants()) tenants.push_back(tenant.id());
  EXPECT_THAT(tenants, ElementsAre("acme", "org", "zeta"));
  std::vector<std::string> departments;
  for (const v1::Department& d : registry_->ListDepartments()) departments.push_back(d.id());
  EXPECT_THAT(departments, ElementsAre("hr", "it"));
  ASSERT_TRUE(registry_->FindDepartment("hr").has_value());
  EXPECT_EQ(registry_->FindDepartment("hr")->name(), "Department hr");
  EXPECT_FALSE(registry_->FindDepartment("ops").has_value());
  EXPECT_EQ(registry_->FindTenant("acme")->kind(), v1::SUPPLIER);
  EXPECT_FALSE(registry_->FindTenant("ghost").has_value());
  ASSERT_TRUE(registry_->DeleteDepartment("hr").ok());
  ASSERT_TRUE(registry_->DeleteTenant("zeta").ok());
  Reopen();
  EXPECT_EQ(registry_->ListDepartments().size(), 1u);
  EXPECT_EQ(registry_->ListTenants().size(), 2u);
}

TEST_F(RegistryTest, DeletingAnAssetRemovesItsStateAndTargets) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web-api")).ok());
  ASSERT_TRUE(registry_->PutTargets("web", {TestTarget(v1::SCOPE_ASSET, "")}).ok());
  CommitEvidence("web");
  CommitEvidence("web-api");
  ASSERT_THAT(StateAssets(), ElementsAre("web", "web", "web-api", "web-api"));
  ASSERT_TRUE(registry_->DeleteAsset("web").ok());
  EXPECT_THAT(StateAssets(), ElementsAre("web-api", "web-api"));
  EXPECT_EQ(registry_->GetTargets("web").status().code(), absl::StatusCode::kNotFound);
  Reopen();
  EXPECT_THAT(StateAssets(), ElementsAre("web-api", "web-api"));
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web")).ok());
  absl::StatusOr<std::vector<v1::Target>> targets = registry_->GetTargets("web");
  ASSERT_TRUE(targets.ok()) << targets.status();
  EXPECT_THAT(*targets, IsEmpty());
}

TEST_F(RegistryTest, TargetsAreReplacedAsAWholeAndReturnedAsPut) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web", v1::IG3)).ok());
  const std::vector<v1::Target> targets = {
      TestTarget(v1::SCOPE_FUNCTION, "RC", 0.4),
      TestTarget(v1::SCOPE_OUTCOME, "PR_AC_CSC_5_2", 1, v1::EQUAL),
      TestTarget(v1::SCOPE_ASSET, "", 0.7, v1::GREATER)};
  ASSERT_TRUE(registry_->PutTargets("web", targets).ok());
  absl::StatusOr<std::vector<v1::Target>> stored = registry_->GetTargets("web");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(Serialized(*stored), Serialized(targets));

  ASSERT_TRUE(registry_->PutTargets("web", {targets[1]}).ok());
  stored = registry_->GetTargets("web");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(Serialized(*stored), Serialized(std::vector<v1::Target>{targets[1]}));
  ASSERT_TRUE(registry_->PutTargets("web", {}).ok());
  stored = registry_->GetTargets("web");
  ASSERT_TRUE(stored.ok());
  EXPECT_THAT(*stored, IsEmpty());

  EXPECT_EQ(registry_->PutTargets("ghost", {}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->GetTargets("ghost").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(RegistryTest, TargetsMustBeWellFormedDistinctAndApplyToTheGroup) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web", v1::IG1)).ok());
  ASSERT_TRUE(registry_->PutTargets("web", {TestTarget(v1::SCOPE_ASSET, "", 0.5)}).ok());

  absl::Status group = registry_->PutTargets(
      "web", {TestTarget(v1::SCOPE_ASSET, ""), TestTarget(v1::SCOPE_FUNCTION, "RC")});
  EXPECT_EQ(group.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(group,
              HasMessage(HasSubstr("asset web: target 1: function RC does not apply to IG1")));

  absl::Status twice = registry_->PutTargets(
      "web", {TestTarget(v1::SCOPE_CATEGORY, "PR.AC"), TestTarget(v1::SCOPE_CATEGORY, "PR.AC")});
  EXPECT_EQ(twice.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(twice, HasMessage(HasSubstr("a second target for category PR.AC")));

  absl::Status unknown = registry_->PutTargets(
      "web", {TestTarget(v1::SCOPE_ASSET, ""), TestTarget(v1::SCOPE_OUTCOME, "XX_YY")});
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown, HasMessage(HasSubstr("target 1: unknown outcome 'XX_YY'")));

  absl::Status value = registry_->PutTargets("web", {TestTarget(v1::SCOPE_FUNCTION, "PR", 1.5)});
  EXPECT_THAT(value, HasMessage(HasSubstr("target 0: target on function PR: value 1.5")));

  absl::StatusOr<std::vector<v1::Target>> stored = registry_->GetTargets("web");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(Serialized(*stored),
            Serialized(std::vector<v1::Target>{TestTarget(v1::SCOPE_ASSET, "", 0.5)}));
}

TEST_F(RegistryTest, EverythingReloadsAfterReopening) {
  ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
  ASSERT_TRUE(registry_->PutDepartment(TestDepartment("it")).ok());
  v1::Asset db = TestAsset("db", v1::IG3);
  db.set_department_id("it");
  db.set_supplier_id("acme");
  ASSERT_TRUE(registry_->PutAsset(db).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("web", {"db"}, v1::IG1)).ok());
  ASSERT_TRUE(registry_
                  ->PutTargets("db", {TestTarget(v1::SCOPE_FUNCTION, "RC", 0.3),
                                      TestTarget(v1::SCOPE_ASSET, "", 0.6, v1::GREATER)})
                  .ok());
  v1::Agent agent = TestAgent("acme-1", {"db"});
  agent.set_tenant_id("acme");
  ASSERT_TRUE(registry_->PutAgent(agent).ok());
  ASSERT_TRUE(registry_->PutAgent(TestAgent("org-1", {"web", "db"})).ok());

  const auto tenants = Serialized(registry_->ListTenants());
  const auto departments = Serialized(registry_->ListDepartments());
  const auto assets = Serialized(registry_->ListAssets());
  const auto agents = Serialized(registry_->ListAgents());
  const auto targets = Serialized(registry_->GetTargets("db").value());
  ASSERT_EQ(tenants.size(), 2u);
  ASSERT_EQ(targets.size(), 2u);
  Reopen();
  EXPECT_EQ(Serialized(registry_->ListTenants()), tenants);
  EXPECT_EQ(Serialized(registry_->ListDepartments()), departments);
  EXPECT_EQ(Serialized(registry_->ListAssets()), assets);
  EXPECT_EQ(Serialized(registry_->ListAgents()), agents);
  EXPECT_EQ(Serialized(registry_->GetTargets("db").value()), targets);
  EXPECT_THAT(registry_->GetTargets("web").value(), IsEmpty());
  EXPECT_EQ(registry_->FindAgent("acme-1")->tenant_id, "acme");
  // The reloaded registry still enforces what it loaded.
  EXPECT_EQ(registry_->DeleteAsset("db").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(registry_->PutAsset(DependentAsset("db", {"web"}, v1::IG3)).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(RegistryTest, TheObserverFirstHearsOfExistingAssetsDependenciesFirst) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("z", v1::IG3)).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("a", {"z"})).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("m", {"a", "z"})).ok());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("b")).ok());
  ASSERT_TRUE(registry_->PutTargets("z", {TestTarget(v1::SCOPE_ASSET, "")}).ok());
  Reopen();  // The order must not depend on the order of the puts.
  RecordingObserver observer;
  registry_->SetObserver(&observer);
  EXPECT_THAT(observer.events, ElementsAre("put b IG2 targets=0", "put z IG3 targets=1",
                                           "put a IG2 targets=0", "put m IG2 targets=0"));
  registry_->SetObserver(nullptr);
}

TEST_F(RegistryTest, TheObserverHearsOfEachStoredChangeAndNothingElse) {
  RecordingObserver observer;
  registry_->SetObserver(&observer);
  EXPECT_THAT(observer.events, IsEmpty());
  ASSERT_TRUE(registry_->PutAsset(TestAsset("web", v1::IG1)).ok());
  ASSERT_TRUE(registry_->PutAsset(DependentAsset("api", {"web"})).ok());
  ASSERT_TRUE(registry_->PutTargets("web", {TestTarget(v1::SCOPE_CATEGORY, "PR.AC")}).ok());
  // Refused changes are not announced.
  EXPECT_FALSE(registry_->PutAsset(DependentAsset("web", {"api"}, v1::IG1)).ok());
  EXPECT_FALSE(registry_->PutTargets("web", {TestTarget(v1::SCOPE_FUNCTION, "RC")}).ok());
  EXPECT_FALSE(registry_->DeleteAsset("web").ok());
  ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
  ASSERT_TRUE(registry_->DeleteAsset("api").ok());
  EXPECT_THAT(observer.events, ElementsAre("put web IG1 targets=0", "put api IG2 targets=0",
                                           "put web IG1 targets=1", "deleted api"));
  registry_->SetObserver(nullptr);
  ASSERT_TRUE(registry_->DeleteAsset("web").ok());
  EXPECT_EQ(observer.events.size(), 4u);
}

}  // namespace
}  // namespace postura::collector
