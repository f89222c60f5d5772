// Department officers, through the real servers (the fixture is
// tests/access_control_fixture.h): an API token bound to a department sees and answers
// only the evidence requests its department owns, downloads only their documents, and
// reads only its department's assets' scores. Another department's request or document,
// even by its exact id or hash, is "not found" as if absent; opening, cancelling and
// reviewing requests, the audit trail, the registry and the organisation's figures are
// refused. Each refusal has a positive twin and leaves the audit trail as it was.

#include <memory>
#include <string>
#include <vector>

#include "collector/testing/test_evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/access.grpc.pb.h"
#include "postura/v1/admin.grpc.pb.h"
#include "postura/v1/query.grpc.pb.h"
#include "postura/v1/requests.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/collector_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::postura::test::FreshChannel;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Requests = v1::EvidenceRequests;

constexpr char kAsked[] = "ID_SC_ID_SC_2";

class AccessDepartmentTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    for (const char* department : {"finance", "sales"}) {
      v1::PutDepartmentRequest put;
      put.mutable_department()->set_id(department);
      put.mutable_department()->set_name(department);
      ASSERT_TRUE(
          Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutDepartment, put)
              .ok());
    }
    PutDepartmentAsset("ledger", "finance");
    PutDepartmentAsset("crm", "sales");
    finance_ = Officer("finance", &finance_id_);
    sales_ = Officer("sales", &sales_id_);
    finance_request_ = Create(admin_, "finance").id();
    sales_request_ = Create(admin_, "sales").id();
    ASSERT_FALSE(finance_request_.empty());
    ASSERT_FALSE(sales_request_.empty());
    v1::EvidenceRequest answered;
    ASSERT_TRUE(Submit(sales_, sales_request_, "Sales' risk register.\n", &answered).ok());
    sales_document_ = answered.outcomes(0).answer().documents(0).sha256_hex();
  }

  void PutDepartmentAsset(const std::string& id, const std::string& department) {
    v1::PutAssetRequest request;
    *request.mutable_asset() = collector::TestAsset(id, v1::IG1);
    request.mutable_asset()->set_department_id(department);
    ASSERT_TRUE(
        Call<v1::AdminService>(address_, admin_, &v1::AdminService::Stub::PutAsset, request).ok());
  }

  grpc::Status CreateOfficer(const std::string& department, v1::CreatedToken* created,
                             v1::Role role = v1::ROLE_DEPARTMENT, const std::string& tenant = "") {
    v1::CreateApiTokenRequest request;
    request.set_role(role);
    request.set_tenant_id(tenant);
    request.set_department_id(department);
    request.set_name(department + "-officer");
    return Call<v1::AccessService>(address_, admin_, &v1::AccessService::Stub::CreateApiToken,
                                   request, created);
  }

  CollectorTrust Officer(const std::string& department, std::string* credential_id) {
    v1::CreatedToken created;
    grpc::Status status = CreateOfficer(department, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    *credential_id = created.credential().id();
    return CollectorTrust{.ca_certificate_pem = admin_.ca_certificate_pem,
                          .token = created.token()};
  }

  // A request to `department` for kAsked on its assets.
  v1::EvidenceRequest Create(const CollectorTrust& who, const std::string& department,
                             grpc::Status* status = nullptr) {
    v1::CreateEvidenceRequestRequest request;
    request.set_title("Risk register");
    request.mutable_outcomes()->add_outcome_ids(kAsked);
    request.set_scope_kind(v1::REQUEST_SCOPE_DEPARTMENT);
    request.set_scope_id(department);
    request.set_owner_kind(v1::OWNER_DEPARTMENT);
    request.set_owner_id(department);
    request.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(720)));
    v1::EvidenceRequest created;
    grpc::Status result =
        Call<Requests>(address_, who, &Requests::Stub::CreateRequest, request, &created);
    if (status != nullptr) *status = result;
    return created;
  }

  // Answers kAsked of `id` with one text document.
  grpc::Status Submit(const CollectorTrust& who, const std::string& id, const std::string& text,
                      v1::EvidenceRequest* response = nullptr) {
    auto stub = Requests::NewStub(FreshChannel(address_, who));
    std::unique_ptr<grpc::ClientContext> context = Context();
    v1::EvidenceRequest ignored;
    auto writer = stub->SubmitAnswer(context.get(), response ? response : &ignored);
    v1::SubmitAnswerChunk chunk;
    chunk.mutable_header()->set_request_id(id);
    chunk.mutable_header()->set_outcome_id(kAsked);
    chunk.mutable_header()->set_level(v1::DLI_67);
    chunk.mutable_header()->set_statement("Reviewed every quarter.");
    chunk.set_file_name("register.txt");
    chunk.set_data(text);
    if (writer->Write(chunk)) writer->WritesDone();
    return writer->Finish();
  }

  grpc::Status Download(const CollectorTrust& who, const std::string& sha, std::string* content) {
    auto stub = Requests::NewStub(FreshChannel(address_, who));
    std::unique_ptr<grpc::ClientContext> context = Context();
    v1::GetDocumentRequest request;
    request.set_sha256_hex(sha);
    auto reader = stub->GetDocument(context.get(), request);
    v1::DocumentChunk chunk;
    while (reader->Read(&chunk)) content->append(chunk.data());
    return reader->Finish();
  }

  grpc::Status Review(const CollectorTrust& who, const std::string& id) {
    v1::ReviewAnswerRequest review;
    review.set_request_id(id);
    review.set_outcome_id(kAsked);
    review.set_approve(true);
    review.set_comment("Seen the register.");
    return Call<Requests>(address_, who, &Requests::Stub::ReviewAnswer, review);
  }

  size_t AuditEntries() {
    v1::ListAuditResponse audit;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::ListAudit, v1::ListAuditRequest(), &audit)
            .ok());
    return audit.entries_size();
  }

  CollectorTrust finance_, sales_;
  std::string finance_id_, sales_id_;
  std::string finance_request_, sales_request_, sales_document_;
};

TEST_F(AccessDepartmentTest, AnOfficersTokenNamesAnExistingDepartmentAndOnlyItsRoleTakesOne) {
  v1::CreatedToken created;
  EXPECT_EQ(CreateOfficer("", &created).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status unknown = CreateOfficer("legal", &created);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(unknown.error_message(), HasSubstr("no department 'legal'"));
  grpc::Status operator_bound = CreateOfficer("finance", &created, v1::ROLE_OPERATOR);
  EXPECT_EQ(operator_bound.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(operator_bound.error_message(), HasSubstr("only the department role"));
  EXPECT_EQ(CreateOfficer("finance", &created, v1::ROLE_DEPARTMENT, "acme").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // A supplier tenant.

  v1::Credential me;
  ASSERT_TRUE(Call<v1::AccessService>(address_, finance_, &v1::AccessService::Stub::WhoAmI,
                                      v1::WhoAmIRequest(), &me)
                  .ok());
  EXPECT_EQ(me.id(), finance_id_);
  EXPECT_EQ(me.role(), v1::ROLE_DEPARTMENT);
  EXPECT_EQ(me.department_id(), "finance");
  EXPECT_EQ(me.tenant_id(), "org");
  EXPECT_TRUE(me.secret_sha256().empty());
}

TEST_F(AccessDepartmentTest, AnOfficerSeesAnswersAndDownloadsOnlyItsDepartments) {
  const size_t audit = AuditEntries();
  v1::ListEvidenceRequestsResponse list;
  ASSERT_TRUE(Call<Requests>(address_, finance_, &Requests::Stub::ListRequests,
                             v1::ListEvidenceRequestsRequest(), &list)
                  .ok());
  ASSERT_EQ(list.requests_size(), 1);
  EXPECT_EQ(list.requests(0).id(), finance_request_);

  // Another department's request by its id: as for one that does not exist.
  v1::GetEvidenceRequestRequest get;
  get.set_request_id(sales_request_);
  grpc::Status foreign = Call<Requests>(address_, finance_, &Requests::Stub::GetRequest, get);
  get.set_request_id("REQ-999999");
  grpc::Status absent = Call<Requests>(address_, finance_, &Requests::Stub::GetRequest, get);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(foreign.error_message(), HasSubstr("no evidence request"));
  EXPECT_EQ(Submit(finance_, sales_request_, "mine").error_code(), grpc::StatusCode::NOT_FOUND);

  // Another department's document by its exact hash: as for no document.
  std::string content;
  grpc::Status download = Download(finance_, sales_document_, &content);
  EXPECT_EQ(download.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(content.empty());
  grpc::Status missing = Download(finance_, std::string(64, 'a'), &content);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(download.error_message().substr(0, 12), missing.error_message().substr(0, 12));

  // A supplier's request is no department's either.
  const std::string acme_request = [&] {
    v1::CreateEvidenceRequestRequest request;
    request.set_title("Supply chain");
    request.mutable_outcomes()->add_outcome_ids(kAsked);
    request.set_scope_kind(v1::REQUEST_SCOPE_SUPPLIER);
    request.set_scope_id("acme");
    request.set_owner_kind(v1::OWNER_SUPPLIER);
    request.set_owner_id("acme");
    request.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(720)));
    v1::EvidenceRequest created;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::CreateRequest, request, &created).ok());
    return created.id();
  }();
  const size_t with_acme = AuditEntries();
  EXPECT_EQ(with_acme, audit + 1);
  EXPECT_EQ(Submit(finance_, acme_request, "mine").error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AuditEntries(), with_acme);  // Nothing was recorded.

  // The twins: the officer answers its own request and downloads its own document; the
  // sales officer downloads the sales document.
  v1::EvidenceRequest answered;
  ASSERT_TRUE(Submit(finance_, finance_request_, "Finance's risk register.\n", &answered).ok());
  EXPECT_EQ(answered.outcomes(0).answer().submitted_by().department_id(), "finance");
  content.clear();
  EXPECT_TRUE(
      Download(finance_, answered.outcomes(0).answer().documents(0).sha256_hex(), &content).ok());
  EXPECT_EQ(content, "Finance's risk register.\n");
  content.clear();
  EXPECT_TRUE(Download(sales_, sales_document_, &content).ok());
  EXPECT_EQ(content, "Sales' risk register.\n");
}

TEST_F(AccessDepartmentTest, OnlyTheOfficersAnswerAndTheyNeitherOpenNorReview) {
  const size_t audit = AuditEntries();
  grpc::Status status;
  Create(finance_, "finance", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("role department may not"));
  v1::CancelEvidenceRequestRequest cancel;
  cancel.set_request_id(finance_request_);
  EXPECT_EQ(Call<Requests>(address_, finance_, &Requests::Stub::CancelRequest, cancel).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Not even another officer's answer to its own department's request.
  EXPECT_EQ(Review(sales_, sales_request_).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call<Requests>(address_, finance_, &Requests::Stub::ListAudit, v1::ListAuditRequest())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Staff no longer answer for a department: the operator lacks the right, the admin (who
  // reviews) is told whose request it is.
  EXPECT_EQ(Submit(operator_, finance_request_, "staff").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status admin = Submit(admin_, finance_request_, "staff");
  EXPECT_EQ(admin.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(admin.error_message(), HasSubstr("for department finance to answer"));
  EXPECT_EQ(AuditEntries(), audit);

  // The twin: the admin reviews the sales officer's answer.
  EXPECT_TRUE(Review(admin_, sales_request_).ok());
  EXPECT_EQ(AuditEntries(), audit + 1);
}

TEST_F(AccessDepartmentTest, AnOfficerReadsOnlyItsDepartmentsAssetsScores) {
  v1::GetAssetScoreRequest get;
  get.set_asset_id("ledger");
  EXPECT_TRUE(
      Call<v1::QueryService>(address_, finance_, &v1::QueryService::Stub::GetAssetScore, get).ok());
  for (const char* hidden : {"crm", "hq", "acme-web", "no-such"}) {
    get.set_asset_id(hidden);
    grpc::Status status =
        Call<v1::QueryService>(address_, finance_, &v1::QueryService::Stub::GetAssetScore, get);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << hidden;
    EXPECT_THAT(status.error_message(), HasSubstr(absl::StrCat("no asset '", hidden, "'")));
  }
  v1::ListAssetScoresResponse listed;
  ASSERT_TRUE(Call<v1::QueryService>(address_, finance_, &v1::QueryService::Stub::ListAssetScores,
                                     v1::ListAssetScoresRequest(), &listed)
                  .ok());
  std::vector<std::string> ids;
  for (const v1::AssetSummary& summary : listed.assets()) ids.push_back(summary.asset_id());
  EXPECT_THAT(ids, ElementsAre("ledger"));
  v1::ListAssetScoresRequest sales_list;
  sales_list.set_department_id("sales");
  EXPECT_EQ(Call<v1::QueryService>(address_, finance_, &v1::QueryService::Stub::ListAssetScores,
                                   sales_list)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAssetsResponse assets;
  ASSERT_TRUE(Call<v1::AdminService>(address_, finance_, &v1::AdminService::Stub::ListAssets,
                                     v1::ListAssetsRequest(), &assets)
                  .ok());
  ASSERT_EQ(assets.assets_size(), 1);
  EXPECT_EQ(assets.assets(0).id(), "ledger");

  // Nothing else: the organisation's figures, evidence, the registry, credentials.
  EXPECT_EQ(
      Call<v1::QueryService>(address_, finance_, &v1::QueryService::Stub::GetOrganizationScore,
                             v1::GetOrganizationScoreRequest())
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  v1::GetEvidenceHistoryRequest evidence;
  evidence.set_asset_id("ledger");
  EXPECT_EQ(Call<v1::QueryService>(address_, finance_, &v1::QueryService::Stub::GetEvidenceHistory,
                                   evidence)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call<v1::AdminService>(address_, finance_, &v1::AdminService::Stub::ListTenants,
                                   v1::ListTenantsRequest())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::PutAssetRequest rogue;
  *rogue.mutable_asset() = collector::TestAsset("rogue", v1::IG1);
  rogue.mutable_asset()->set_department_id("finance");
  EXPECT_EQ(Call<v1::AdminService>(address_, finance_, &v1::AdminService::Stub::PutAsset, rogue)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call<v1::AccessService>(address_, finance_, &v1::AccessService::Stub::ListTokens,
                                    v1::ListTokensRequest())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Over HTTPS the same: its asset, not another department's or the organisation.
  EXPECT_EQ(HttpStatus(finance_, "/api/v1/assets/ledger"), 200);
  EXPECT_EQ(HttpStatus(finance_, "/api/v1/assets/crm"), 404);
  EXPECT_EQ(HttpStatus(finance_, "/api/v1/organization"), 403);
  EXPECT_EQ(HttpStatus(finance_, "/api/v1/assets?department=sales"), 403);
  EXPECT_EQ(HttpStatus(sales_, "/api/v1/assets/crm"), 200);
}

// The answers' history of an asset's outcome (the dashboard's asset page): an officer
// reads its own department's, and another department's asset is absent.
TEST_F(AccessDepartmentTest, AnOfficerReadsOnlyItsDepartmentsAnswerHistory) {
  const auto answers = [](const std::string& asset) {
    return "/api/v1/assets/" + asset + "/outcomes/" + kAsked + "/answers";
  };
  EXPECT_EQ(HttpStatus(finance_, answers("crm")), 404);  // Sales' asset, with sales' answer.
  EXPECT_EQ(HttpStatus(finance_, answers("nope")), 404);
  EXPECT_EQ(HttpStatus(supplier_, answers("crm")), 404);
  EXPECT_EQ(HttpStatus(acme_agent_, answers("crm")), 403);
  // The twins: its own asset; sales and the auditor read sales' answer.
  EXPECT_EQ(HttpStatus(finance_, answers("ledger")), 200);
  EXPECT_EQ(HttpStatus(sales_, answers("crm")), 200);
  EXPECT_EQ(HttpStatus(auditor_, answers("crm")), 200);
}

}  // namespace
}  // namespace postura
