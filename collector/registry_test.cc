#include "collector/registry.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "collector/admin_service.h"
#include "collector/credential_store.h"
#include "collector/ingest_writer.h"
#include "collector/test_evidence.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::postura::test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1'763'900'000);

v1::Tenant TestTenant(const std::string& id, v1::TenantKind kind = v1::SUPPLIER) {
  v1::Tenant tenant;
  tenant.set_id(id);
  tenant.set_name("Tenant " + id);
  tenant.set_kind(kind);
  return tenant;
}

v1::Department TestDepartment(const std::string& id) {
  v1::Department department;
  department.set_id(id);
  department.set_name("Department " + id);
  return department;
}

v1::Asset DependentAsset(const std::string& id, std::initializer_list<std::string> dependencies,
                         v1::ImplementationGroup group = v1::IG2) {
  v1::Asset asset = TestAsset(id, group);
  for (const std::string& dependency : dependencies) asset.add_dependency_ids(dependency);
  return asset;
}

v1::Target TestTarget(v1::TargetScopeKind scope, const std::string& scope_id, double value = 0.5,
                      v1::TargetOperator op = v1::GREATER_OR_EQUAL) {
  v1::Target target;
  target.set_scope(scope);
  target.set_scope_id(scope_id);
  target.set_operator_(op);
  target.set_value(value);
  return target;
}

template <typename Message>
std::vector<std::string> Serialized(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const Message& message : messages) out.push_back(message.ShortDebugString());
  return out;
}

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

// A context for one call, with a deadline.
// A call context with a deadline and, if `token` is not empty, that bearer token.
std::unique_ptr<grpc::ClientContext> Deadline(const std::string& token = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
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
    *batch.add_items() = TestEvidence(asset, "PR_AC_CSC_5_2", kNow);
    *batch.add_items() = TestEvidence(asset, "ID_AM_CSC_1_1", kNow);
    EncodedBatch encoded = EncodeBatch(agent, batch, {true, true}, kNow);
    ASSERT_TRUE(store_->Commit({{&agent, &encoded, {sequence_, 0, 2 * sequence_}}}).ok());
  }

  std::vector<std::string> StateAssets() {
    std::vector<std::string> assets;
    EXPECT_TRUE(
        store_->ForEachState([&](const v1::SourceState& s) { assets.push_back(s.asset_id()); })
            .ok());
    return assets;
  }

  TempDir dir_;
  std::unique_ptr<EvidenceStore> store_;
  std::unique_ptr<Registry> registry_;
  uint64_t sequence_ = 0;
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
  v1::Asset long_name = TestAsset("web");
  long_name.set_name(std::string(257, 'x'));
  EXPECT_EQ(registry_->PutAsset(long_name).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(registry_->ListAssets().empty());
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

TEST_F(RegistryTest, InvalidTenantsAndDepartmentsAreRefusedWithTheReason) {
  v1::Tenant bad_id = TestTenant("acme corp");
  EXPECT_THAT(registry_->PutTenant(bad_id),
              HasMessage(HasSubstr("tenant id 'acme corp' is invalid")));
  v1::Tenant no_name = TestTenant("acme");
  no_name.clear_name();
  EXPECT_THAT(registry_->PutTenant(no_name), HasMessage(HasSubstr("tenant acme: name must be")));
  v1::Tenant long_name = TestTenant("acme");
  long_name.set_name(std::string(257, 'n'));
  EXPECT_THAT(registry_->PutTenant(long_name), HasMessage(HasSubstr("name must be 1 to 256")));
  v1::Tenant no_kind = TestTenant("acme", v1::TENANT_KIND_UNSPECIFIED);
  absl::Status kind = registry_->PutTenant(no_kind);
  EXPECT_EQ(kind.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(kind, HasMessage(HasSubstr("tenant acme: kind must be")));
  EXPECT_EQ(registry_->ListTenants().size(), 1u);

  v1::Department bad_department = TestDepartment("");
  EXPECT_THAT(registry_->PutDepartment(bad_department),
              HasMessage(HasSubstr("department id '' is invalid")));
  v1::Department unnamed = TestDepartment("it");
  unnamed.clear_name();
  absl::Status named = registry_->PutDepartment(unnamed);
  EXPECT_EQ(named.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(named, HasMessage(HasSubstr("department it: name must be")));
  EXPECT_THAT(registry_->ListDepartments(), IsEmpty());
  EXPECT_EQ(registry_->DeleteDepartment("it").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(registry_->DeleteTenant("acme").code(), absl::StatusCode::kNotFound);
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

TEST_F(RegistryTest, DependencyListsAreLimitedAndFreeOfRepeats) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("db")).ok());
  absl::Status repeated = registry_->PutAsset(DependentAsset("web", {"db", "db"}));
  EXPECT_EQ(repeated.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(repeated, HasMessage(HasSubstr("dependency 'db' is listed twice")));

  v1::Asset many = TestAsset("web");
  for (int i = 0; i < 65; ++i) {
    const std::string id = absl::StrCat("dep-", i);
    ASSERT_TRUE(registry_->PutAsset(TestAsset(id)).ok());
    many.add_dependency_ids(id);
  }
  absl::Status too_many = registry_->PutAsset(many);
  EXPECT_EQ(too_many.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(too_many, HasMessage(HasSubstr("asset web has 65 dependencies; the limit is 64")));
  many.mutable_dependency_ids()->RemoveLast();
  EXPECT_TRUE(registry_->PutAsset(many).ok());
}

TEST_F(RegistryTest, ADependencyOnItselfIsACycleOfLengthOne) {
  ASSERT_TRUE(registry_->PutAsset(TestAsset("a")).ok());
  const std::vector<std::string> before = Serialized(registry_->ListAssets());
  absl::Status s = registry_->PutAsset(DependentAsset("a", {"a"}));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s, HasMessage(HasSubstr("dependency cycle: a -> a")));
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

// The new admin RPCs over an in-process channel answer with the registry's codes.
TEST_F(RegistryTest, AdminServiceAnswersWithTheRegistrysCodes) {
  std::unique_ptr<IngestWriter> writer = IngestWriter::Start(*store_, {}).value();
  std::unique_ptr<CredentialStore> credentials =
      CredentialStore::Load(*store_, Clock::GetRealClock()).value();
  v1::Credential admin_credential;
  admin_credential.set_kind(v1::API_TOKEN);
  admin_credential.set_role(v1::ROLE_ADMIN);
  admin_credential.set_tenant_id("org");
  const std::string token = credentials->Issue(admin_credential).value().token;
  Gatekeeper gate(*credentials);
  AdminService service(gate, *credentials, *registry_, *writer, [] { return uint64_t{0}; });
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  std::unique_ptr<v1::AdminService::Stub> admin =
      v1::AdminService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  v1::PutTenantRequest tenant;
  *tenant.mutable_tenant() = TestTenant("acme");
  v1::PutTenantResponse put_tenant;
  ASSERT_TRUE(admin->PutTenant(Deadline(token).get(), tenant, &put_tenant).ok());
  v1::PutDepartmentRequest department;
  *department.mutable_department() = TestDepartment("it");
  v1::PutDepartmentResponse put_department;
  ASSERT_TRUE(admin->PutDepartment(Deadline(token).get(), department, &put_department).ok());
  v1::PutAssetRequest asset;
  *asset.mutable_asset() = TestAsset("web");
  asset.mutable_asset()->set_department_id("it");
  asset.mutable_asset()->set_supplier_id("acme");
  v1::PutAssetResponse put_asset;
  ASSERT_TRUE(admin->PutAsset(Deadline(token).get(), asset, &put_asset).ok());

  v1::ListTenantsResponse tenants;
  ASSERT_TRUE(admin->ListTenants(Deadline(token).get(), v1::ListTenantsRequest(), &tenants).ok());
  EXPECT_EQ(tenants.tenants_size(), 2);
  v1::ListDepartmentsResponse departments;
  ASSERT_TRUE(
      admin->ListDepartments(Deadline(token).get(), v1::ListDepartmentsRequest(), &departments)
          .ok());
  EXPECT_EQ(departments.departments_size(), 1);

  v1::PutTargetsRequest targets;
  targets.set_asset_id("web");
  *targets.add_targets() = TestTarget(v1::SCOPE_FUNCTION, "RC");
  v1::PutTargetsResponse put_targets;
  grpc::Status refused = admin->PutTargets(Deadline(token).get(), targets, &put_targets);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("function RC does not apply to IG2"));
  *targets.mutable_targets(0) = TestTarget(v1::SCOPE_ASSET, "", 0.8);
  ASSERT_TRUE(admin->PutTargets(Deadline(token).get(), targets, &put_targets).ok());
  v1::GetTargetsRequest get;
  get.set_asset_id("web");
  v1::GetTargetsResponse got;
  ASSERT_TRUE(admin->GetTargets(Deadline(token).get(), get, &got).ok());
  ASSERT_EQ(got.targets_size(), 1);
  EXPECT_EQ(got.targets(0).value(), 0.8);
  get.set_asset_id("ghost");
  EXPECT_EQ(admin->GetTargets(Deadline(token).get(), get, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::DeleteTenantRequest delete_tenant;
  delete_tenant.set_tenant_id("acme");
  v1::DeleteTenantResponse deleted_tenant;
  EXPECT_EQ(admin->DeleteTenant(Deadline(token).get(), delete_tenant, &deleted_tenant).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::DeleteDepartmentRequest delete_department;
  delete_department.set_department_id("it");
  v1::DeleteDepartmentResponse deleted_department;
  EXPECT_EQ(admin->DeleteDepartment(Deadline(token).get(), delete_department, &deleted_department)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  server->Shutdown();
}

}  // namespace
}  // namespace postura::collector
