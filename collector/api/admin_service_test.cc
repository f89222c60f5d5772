#include "collector/api/admin_service.h"

#include <memory>
#include <string>

#include "collector/access/credential_store.h"
#include "collector/ingest/ingest_writer.h"
#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "postura/v1/admin.grpc.pb.h"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;

// A call context with a deadline and, if `token` is not empty, that bearer token.
std::unique_ptr<grpc::ClientContext> Deadline(const std::string& token = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

// The admin service over a real registry and store.
using AdminServiceTest = RegistryTest;

// The admin RPCs over an in-process channel answer with the registry's codes.
TEST_F(AdminServiceTest, AnswersWithTheRegistrysCodes) {
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
