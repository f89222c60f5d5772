// Who may do what with risk exceptions and renewals, through the real servers (the
// fixture is tests/access_control_fixture.h): every method of RiskExceptions and
// EvidenceRequests.RenewRequest, and every HTTPS route, refuses the roles without its
// permission; a supplier reads only the exceptions on the assets it operates, and
// another tenant's asset is "not found" as if absent. Each refusal has a positive twin
// and leaves the exceptions and the audit trail as they were.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/exceptions.grpc.pb.h"
#include "postura/v1/requests.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/https_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::testing::HasSubstr;
using Exceptions = v1::RiskExceptions;
using Requests = v1::EvidenceRequests;

class AccessExceptionsTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    ASSERT_TRUE(Create(admin_, "acme-web").ok());  // EXC-000001
    ASSERT_TRUE(Create(admin_, "other-db").ok());  // EXC-000002
  }

  v1::CreateRiskExceptionRequest Asked(const std::string& asset) {
    v1::CreateRiskExceptionRequest request;
    request.set_asset_id(asset);
    request.set_outcome_id(kOutcome);
    request.set_reason("Compensating control in place until the migration.");
    request.set_until_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 60)));
    return request;
  }

  grpc::Status Create(const CollectorTrust& who, const std::string& asset) {
    return Call<Exceptions>(address_, who, &Exceptions::Stub::CreateException, Asked(asset));
  }

  grpc::Status Revoke(const CollectorTrust& who, const std::string& id) {
    v1::RevokeRiskExceptionRequest revoke;
    revoke.set_exception_id(id);
    revoke.set_reason("done");
    return Call<Exceptions>(address_, who, &Exceptions::Stub::RevokeException, revoke);
  }

  std::vector<std::string> Listed(const CollectorTrust& who, const std::string& asset = "",
                                  grpc::Status* status = nullptr) {
    v1::ListRiskExceptionsRequest request;
    request.set_asset_id(asset);
    v1::ListRiskExceptionsResponse list;
    grpc::Status result =
        Call<Exceptions>(address_, who, &Exceptions::Stub::ListExceptions, request, &list);
    if (status != nullptr) *status = result;
    std::vector<std::string> ids;
    for (const v1::RiskException& exception : list.exceptions()) ids.push_back(exception.id());
    return ids;
  }

  size_t AuditEntries() {
    v1::ListAuditResponse audit;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::ListAudit, v1::ListAuditRequest(), &audit)
            .ok());
    return audit.entries_size();
  }

  // The HTTP status of POST `path` with a JSON `body` and `who`'s bearer token.
  int HttpPost(const CollectorTrust& who, const std::string& path, const std::string& body) {
    auto client = test::HttpsClient(server_->http_address(), ca_file_, who.token);
    httplib::Result result = client->Post(path.c_str(), body, "application/json");
    return result ? result->status : -1;
  }
};

TEST_F(AccessExceptionsTest, EachMethodRefusesTheRolesWithoutItsPermission) {
  const size_t audit = AuditEntries();
  const CollectorTrust nobody{admin_.ca_certificate_pem, ""};
  for (const CollectorTrust* refused : {&operator_, &auditor_, &supplier_, &acme_agent_}) {
    EXPECT_EQ(Create(*refused, "hq").error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Revoke(*refused, "EXC-000001").error_code(), grpc::StatusCode::PERMISSION_DENIED);
    v1::RenewEvidenceRequestRequest renew;
    renew.set_request_id("REQ-000001");
    EXPECT_EQ(Call<Requests>(address_, *refused, &Requests::Stub::RenewRequest, renew).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Create(nobody, "hq").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status status;
  Listed(acme_agent_, "", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  for (const CollectorTrust* refused : {&supplier_, &acme_agent_}) {
    EXPECT_EQ(Call<Exceptions>(address_, *refused, &Exceptions::Stub::GetAcceptedRisk,
                               v1::GetAcceptedRiskRequest())
                  .error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Listed(admin_).size(), 2u);
  EXPECT_EQ(AuditEntries(), audit);  // Nothing was recorded.

  // The positive twins: staff read, the admin revokes and creates.
  EXPECT_EQ(Listed(operator_).size(), 2u);
  EXPECT_EQ(Listed(auditor_).size(), 2u);
  EXPECT_TRUE(Call<Exceptions>(address_, auditor_, &Exceptions::Stub::GetAcceptedRisk,
                               v1::GetAcceptedRiskRequest())
                  .ok());
  EXPECT_TRUE(Revoke(admin_, "EXC-000001").ok());
  EXPECT_TRUE(Create(admin_, "hq").ok());
  EXPECT_EQ(AuditEntries(), audit + 2);
}

TEST_F(AccessExceptionsTest, ASupplierReadsOnlyTheExceptionsOnItsOwnAssets) {
  EXPECT_THAT(Listed(supplier_), ::testing::ElementsAre("EXC-000001"));
  grpc::Status foreign, absent;
  Listed(supplier_, "other-db", &foreign);
  Listed(supplier_, "no-such-asset", &absent);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(foreign.error_message(), HasSubstr("no asset"));
  // The twin: its own asset's list, and the other supplier's list of its own.
  EXPECT_THAT(Listed(supplier_, "acme-web"), ::testing::ElementsAre("EXC-000001"));
  const CollectorTrust other = ApiToken(v1::ROLE_SUPPLIER, "other");
  EXPECT_THAT(Listed(other), ::testing::ElementsAre("EXC-000002"));
}

TEST_F(AccessExceptionsTest, EachRouteRefusesTheRolesWithoutItsPermission) {
  const size_t audit = AuditEntries();
  const std::string create =
      R"({"assetId":"hq","outcomeId":"PR_AC_CSC_5_2","reason":"Accepted.","untilUnixSeconds":)" +
      std::to_string(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(48))) + "}";
  for (const CollectorTrust* refused : {&operator_, &auditor_, &supplier_, &acme_agent_}) {
    EXPECT_EQ(HttpPost(*refused, "/api/v1/exceptions", create), 403);
    EXPECT_EQ(HttpPost(*refused, "/api/v1/exceptions/EXC-000001/revoke", "{}"), 403);
    EXPECT_EQ(HttpPost(*refused, "/api/v1/requests/REQ-000001/renew", "{}"), 403);
  }
  const CollectorTrust nobody{admin_.ca_certificate_pem, ""};
  EXPECT_EQ(HttpPost(nobody, "/api/v1/exceptions", create), 401);
  EXPECT_EQ(HttpStatus(acme_agent_, "/api/v1/exceptions"), 403);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/exceptions/accepted-risk"), 403);
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/exceptions?asset=other-db"), 404);
  EXPECT_EQ(AuditEntries(), audit);

  // The twins.
  EXPECT_EQ(HttpStatus(supplier_, "/api/v1/exceptions"), 200);
  EXPECT_EQ(HttpStatus(auditor_, "/api/v1/exceptions?asset=other-db"), 200);
  EXPECT_EQ(HttpStatus(operator_, "/api/v1/exceptions/accepted-risk"), 200);
  EXPECT_EQ(HttpPost(admin_, "/api/v1/exceptions", create), 200);
  EXPECT_EQ(HttpPost(admin_, "/api/v1/exceptions/EXC-000001/revoke", R"({"reason":"done"})"), 200);
  EXPECT_EQ(HttpPost(admin_, "/api/v1/exceptions/EXC-000001/revoke", "{}"), 409);
  EXPECT_EQ(HttpPost(admin_, "/api/v1/requests/REQ-404404/renew", "{}"), 404);
  EXPECT_EQ(AuditEntries(), audit + 2);
}

}  // namespace
}  // namespace postura
