// Who may do what with evidence requests, through the real servers (the fixture is
// tests/access_control_fixture.h): every method of EvidenceRequests refuses the roles
// without its permission, and a supplier sees, answers and downloads only what its own
// tenant owns: another tenant's request or document, even by its exact hash, is "not
// found" as if absent. Each refusal has a positive twin and leaves the audit trail as it
// was, so a gate that refused everything, or stored what it refused, would fail.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "postura/v1/requests.grpc.pb.h"
#include "tests/access_control_fixture.h"
#include "tests/testing/collector_client.h"

namespace postura {
namespace {

using ::postura::test::AccessControlTest;
using ::postura::test::Call;
using ::postura::test::Context;
using ::postura::test::FreshChannel;
using ::testing::HasSubstr;
using Requests = v1::EvidenceRequests;

constexpr char kAsked[] = "ID_SC_ID_SC_2";

class AccessRequestsTest : public AccessControlTest {
 protected:
  void SetUp() override {
    AccessControlTest::SetUp();
    other_supplier_ = ApiToken(v1::ROLE_SUPPLIER, "other");
    acme_request_ = Create(admin_, "acme").id();
    other_request_ = Create(admin_, "other").id();
    ASSERT_FALSE(acme_request_.empty());
    v1::EvidenceRequest answered;
    ASSERT_TRUE(
        Submit(other_supplier_, other_request_, "Other's signed policy.\n", &answered).ok());
    other_document_ = answered.outcomes(0).answer().documents(0).sha256_hex();
  }

  v1::EvidenceRequest Create(const CollectorTrust& who, const std::string& supplier,
                             grpc::Status* status = nullptr) {
    v1::CreateEvidenceRequestRequest request;
    request.set_title("Supply chain");
    request.mutable_outcomes()->add_outcome_ids(kAsked);
    request.set_scope_kind(v1::REQUEST_SCOPE_SUPPLIER);
    request.set_scope_id(supplier);
    request.set_owner_kind(v1::OWNER_SUPPLIER);
    request.set_owner_id(supplier);
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
    chunk.mutable_header()->set_level(v1::DLI_100);
    chunk.mutable_header()->set_statement("Covered by our policy.");
    chunk.set_file_name("policy.txt");
    chunk.set_data(text);
    if (writer->Write(chunk)) writer->WritesDone();
    return writer->Finish();
  }

  // Downloads a document: the status, and its bytes in `*content`.
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

  size_t AuditEntries() {
    v1::ListAuditResponse audit;
    EXPECT_TRUE(
        Call<Requests>(address_, admin_, &Requests::Stub::ListAudit, v1::ListAuditRequest(), &audit)
            .ok());
    return audit.entries_size();
  }

  CollectorTrust other_supplier_;
  std::string acme_request_, other_request_, other_document_;
};

TEST_F(AccessRequestsTest, EachMethodRefusesTheRolesWithoutItsPermission) {
  const size_t audit = AuditEntries();
  const CollectorTrust nobody{admin_.ca_certificate_pem, ""};
  grpc::Status status;
  for (const CollectorTrust* refused : {&operator_, &auditor_, &supplier_, &acme_agent_}) {
    Create(*refused, "acme", &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
    v1::CancelEvidenceRequestRequest cancel;
    cancel.set_request_id(acme_request_);
    EXPECT_EQ(
        Call<Requests>(address_, *refused, &Requests::Stub::CancelRequest, cancel).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
    v1::ReviewAnswerRequest review;
    review.set_request_id(other_request_);
    review.set_outcome_id(kAsked);
    review.set_approve(true);
    review.set_comment("ok");
    EXPECT_EQ(
        Call<Requests>(address_, *refused, &Requests::Stub::ReviewAnswer, review).error_code(),
        grpc::StatusCode::PERMISSION_DENIED);
  }
  Create(nobody, "acme", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  for (const CollectorTrust* refused : {&operator_, &supplier_, &acme_agent_}) {
    grpc::Status audit_status =
        Call<Requests>(address_, *refused, &Requests::Stub::ListAudit, v1::ListAuditRequest());
    EXPECT_EQ(audit_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Submit(auditor_, acme_request_, "x").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Submit(acme_agent_, acme_request_, "x").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Submit(nobody, acme_request_, "x").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  std::string content;
  EXPECT_EQ(Download(acme_agent_, other_document_, &content).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call<Requests>(address_, acme_agent_, &Requests::Stub::ListRequests,
                           v1::ListEvidenceRequestsRequest())
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AuditEntries(), audit);  // Nothing was recorded.

  // The positive twins: the auditor reads the trail, the admin opens and cancels.
  EXPECT_TRUE(
      Call<Requests>(address_, auditor_, &Requests::Stub::ListAudit, v1::ListAuditRequest()).ok());
  Create(admin_, "acme", &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  v1::CancelEvidenceRequestRequest cancel;
  cancel.set_request_id(acme_request_);
  EXPECT_TRUE(Call<Requests>(address_, admin_, &Requests::Stub::CancelRequest, cancel).ok());
}

TEST_F(AccessRequestsTest, ASupplierSeesAnswersAndDownloadsOnlyItsOwn) {
  const size_t audit = AuditEntries();
  v1::ListEvidenceRequestsResponse list;
  ASSERT_TRUE(Call<Requests>(address_, supplier_, &Requests::Stub::ListRequests,
                             v1::ListEvidenceRequestsRequest(), &list)
                  .ok());
  ASSERT_EQ(list.requests_size(), 1);
  EXPECT_EQ(list.requests(0).id(), acme_request_);

  v1::GetEvidenceRequestRequest get;
  get.set_request_id(other_request_);
  grpc::Status foreign = Call<Requests>(address_, supplier_, &Requests::Stub::GetRequest, get);
  get.set_request_id("REQ-999999");
  grpc::Status absent = Call<Requests>(address_, supplier_, &Requests::Stub::GetRequest, get);
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(foreign.error_message(), HasSubstr("no evidence request"));

  grpc::Status answer_foreign = Submit(supplier_, other_request_, "mine");
  EXPECT_EQ(answer_foreign.error_code(), grpc::StatusCode::NOT_FOUND);

  // Another tenant's document by its exact hash: the same answer as for no document.
  std::string content;
  grpc::Status download = Download(supplier_, other_document_, &content);
  EXPECT_EQ(download.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(content.empty());
  grpc::Status missing = Download(supplier_, std::string(64, 'a'), &content);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(download.error_message().substr(0, 12), missing.error_message().substr(0, 12));
  EXPECT_EQ(AuditEntries(), audit);

  // The twins: its owner and staff download it; acme answers its own request.
  EXPECT_TRUE(Download(other_supplier_, other_document_, &content).ok());
  EXPECT_EQ(content, "Other's signed policy.\n");
  content.clear();
  EXPECT_TRUE(Download(auditor_, other_document_, &content).ok());
  EXPECT_TRUE(Submit(supplier_, acme_request_, "Acme's policy.\n").ok());
  // Staff answer only departments' requests; a supplier's is its own to answer.
  EXPECT_EQ(Submit(operator_, acme_request_, "staff").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace postura
