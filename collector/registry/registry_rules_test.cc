// The rules one record must meet (registry_rules.h), directly and through the registry,
// which must refuse a record that breaks one and store nothing.
#include "collector/registry/registry_rules.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace postura::collector {
namespace {

using ::postura::test::HasMessage;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(RegistryRulesTest, IdsAreShortAndPlain) {
  EXPECT_TRUE(IsValidId("web-01.prod_eu"));
  EXPECT_TRUE(IsValidId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("web portal"));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_FALSE(IsValidId(absl::string_view("a\0b", 3)));
}

TEST(RegistryRulesTest, AnAgentWithoutTenantReportsForTheOrganisation) {
  v1::Agent agent = TestAgent("host-1", {"web"});
  agent.set_last_stored_sequence(7);
  EXPECT_EQ(AgentRegistration(agent).ShortDebugString(),
            R"(id: "host-1" asset_ids: "web" tenant_id: "org")");
  agent.set_tenant_id("acme");
  EXPECT_EQ(AgentTenant(agent), "acme");
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

}  // namespace
}  // namespace postura::collector
