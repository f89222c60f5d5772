#ifndef POSTURA_COLLECTOR_REQUESTS_WORKFLOW_TEST_FIXTURE_H_
#define POSTURA_COLLECTOR_REQUESTS_WORKFLOW_TEST_FIXTURE_H_

// For tests only: a request book and an exception book over a real RocksDB store and
// registry (supplier acme runs "web" and "mail", department finance owns "ledger"), a
// fake clock, and helpers that open, answer and approve a request. The renewal and
// exception tests (request_renewal_test.cc, exception_book_test.cc) share it.
// Threading: the test's own thread.

#include <memory>
#include <string>
#include <vector>

#include "collector/registry/registry_test_fixture.h"
#include "collector/requests/exception_book.h"
#include "collector/requests/request_book.h"
#include "gtest/gtest.h"

namespace postura::collector {

inline v1::Actor WorkflowActor(const std::string& id, v1::Role role,
                               const std::string& tenant = "org") {
  v1::Actor actor;
  actor.set_credential_id(id);
  actor.set_name("token " + id);
  actor.set_role(role);
  actor.set_tenant_id(tenant);
  return actor;
}

class WorkflowTest : public RegistryTest {
 protected:
  static constexpr char kOutcome[] = "ID_SC_ID_SC_2";
  static constexpr char kSecondOutcome[] = "RC_RP_RC_RP_1";

  void SetUp() override {
    RegistryTest::SetUp();
    ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
    ASSERT_TRUE(registry_->PutTenant(TestTenant("other")).ok());
    ASSERT_TRUE(registry_->PutDepartment(TestDepartment("finance")).ok());
    for (const char* id : {"web", "mail"}) {
      v1::Asset asset = TestAsset(id);
      asset.set_supplier_id("acme");
      ASSERT_TRUE(registry_->PutAsset(asset).ok());
    }
    v1::Asset ledger = TestAsset("ledger");
    ledger.set_department_id("finance");
    ASSERT_TRUE(registry_->PutAsset(ledger).ok());
    OpenBooks();
  }

  // (Re)opens both books from the store, as a restart does.
  void OpenBooks() {
    exceptions_.reset();
    book_.reset();
    absl::StatusOr<std::unique_ptr<RequestBook>> book =
        RequestBook::Load(*store_, *registry_, Catalog::Builtin(), clock_,
                          {.max_document_bytes = 10000,
                           .max_request_document_bytes = 20000,
                           .max_detail_bytes = 1024},
                          [this](std::vector<v1::Evidence> items) {
                            for (v1::Evidence& item : items) written_.push_back(std::move(item));
                            return absl::OkStatus();
                          });
    ASSERT_TRUE(book.ok()) << book.status();
    book_ = *std::move(book);
    absl::StatusOr<std::unique_ptr<ExceptionBook>> exceptions =
        ExceptionBook::Load(*store_, *registry_, Catalog::Builtin(), clock_, *book_);
    ASSERT_TRUE(exceptions.ok()) << exceptions.status();
    exceptions_ = *std::move(exceptions);
  }

  // Opens a request to acme for kOutcome and kSecondOutcome on its assets.
  std::string OpenRequest(absl::Duration validity = absl::Hours(24 * 365)) {
    v1::CreateEvidenceRequestRequest request;
    request.set_title("Supply chain, 2027");
    request.mutable_outcomes()->add_outcome_ids(kOutcome);
    request.mutable_outcomes()->add_outcome_ids(kSecondOutcome);
    request.set_scope_kind(v1::REQUEST_SCOPE_SUPPLIER);
    request.set_scope_id("acme");
    request.set_owner_kind(v1::OWNER_SUPPLIER);
    request.set_owner_id("acme");
    request.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 30)));
    request.set_validity_seconds(absl::ToInt64Seconds(validity));
    absl::StatusOr<v1::EvidenceRequest> created = book_->Create(admin_, request);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? created->id() : "";
  }

  // acme answers `outcome` of `id` with one text document `content`.
  absl::Status Answer(const std::string& id, const std::string& outcome,
                      const std::string& content) {
    v1::SubmitAnswerHeader header;
    header.set_request_id(id);
    header.set_outcome_id(outcome);
    header.set_level(v1::DLI_67);
    header.set_statement("Our supplier policy covers it.");
    absl::StatusOr<AnswerDraft> draft = book_->BeginAnswer(acme_, header);
    if (!draft.ok()) return draft.status();
    std::unique_ptr<DocumentUpload> upload = book_->StartDocument(*draft, "policy.txt");
    absl::Status appended = upload->Append(content);
    absl::StatusOr<UploadedDocument> done =
        appended.ok() ? upload->Finish() : absl::StatusOr<UploadedDocument>(appended);
    if (!done.ok()) {
      upload->Abandon();
      book_->AbandonAnswer(*draft);
      return done.status();
    }
    draft->documents.push_back(*std::move(done));
    return book_->CommitAnswer(*draft).status();
  }

  absl::Status Approve(const std::string& id, const std::string& outcome) {
    v1::ReviewAnswerRequest review;
    review.set_request_id(id);
    review.set_outcome_id(outcome);
    review.set_approve(true);
    review.set_comment("Signed policy seen.");
    return book_->Review(reviewer_, review).status();
  }

  // A request whose two outcomes acme answered and the reviewer approved.
  std::string CompleteRequest(absl::Duration validity = absl::Hours(24 * 365)) {
    const std::string id = OpenRequest(validity);
    for (const char* outcome : {kOutcome, kSecondOutcome}) {
      EXPECT_TRUE(Answer(id, outcome, absl::StrCat("Policy for ", outcome, ".\n")).ok());
      EXPECT_TRUE(Approve(id, outcome).ok());
    }
    return id;
  }

  std::vector<std::string> AuditActions() {
    std::vector<std::string> actions;
    absl::StatusOr<std::vector<v1::AuditEntry>> entries = book_->Audit(absl::InfinitePast(), 1000);
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) return actions;
    for (const v1::AuditEntry& entry : *entries) actions.push_back(entry.action());
    return actions;
  }

  FakeClock clock_{kRegistryTestNow};
  std::unique_ptr<RequestBook> book_;
  std::unique_ptr<ExceptionBook> exceptions_;
  std::vector<v1::Evidence> written_;
  const v1::Actor admin_ = WorkflowActor("a1", v1::ROLE_ADMIN);
  const v1::Actor reviewer_ = WorkflowActor("a2", v1::ROLE_ADMIN);
  const v1::Actor auditor_ = WorkflowActor("u1", v1::ROLE_AUDITOR);
  const v1::Actor acme_ = WorkflowActor("s1", v1::ROLE_SUPPLIER, "acme");
  const v1::Actor other_ = WorkflowActor("s2", v1::ROLE_SUPPLIER, "other");
};

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_WORKFLOW_TEST_FIXTURE_H_
