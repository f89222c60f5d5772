#include "collector/requests/request_book.h"

#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collector/registry/registry_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kOutcome[] = "ID_SC_ID_SC_2";

v1::Actor Person(const std::string& id, v1::Role role, const std::string& tenant = "org") {
  v1::Actor actor;
  actor.set_credential_id(id);
  actor.set_name("token " + id);
  actor.set_role(role);
  actor.set_tenant_id(tenant);
  return actor;
}

class RequestBookTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    ASSERT_TRUE(registry_->PutTenant(TestTenant("acme")).ok());
    ASSERT_TRUE(registry_->PutTenant(TestTenant("other")).ok());
    ASSERT_TRUE(registry_->PutDepartment(TestDepartment("finance")).ok());
    v1::Asset web = TestAsset("web");
    web.set_supplier_id("acme");
    ASSERT_TRUE(registry_->PutAsset(web).ok());
    v1::Asset mail = TestAsset("mail");
    mail.set_supplier_id("acme");
    ASSERT_TRUE(registry_->PutAsset(mail).ok());
    v1::Asset ledger = TestAsset("ledger");
    ledger.set_department_id("finance");
    ASSERT_TRUE(registry_->PutAsset(ledger).ok());
    OpenBook();
  }

  void OpenBook() {
    book_.reset();
    absl::StatusOr<std::unique_ptr<RequestBook>> book = RequestBook::Load(
        *store_, *registry_, Catalog::Builtin(), clock_,
        {.max_document_bytes = 1000, .max_request_document_bytes = 1500, .max_detail_bytes = 1024},
        [this](std::vector<v1::Evidence> items) {
          if (!sink_status_.ok()) return sink_status_;
          for (v1::Evidence& item : items) written_.push_back(std::move(item));
          return absl::OkStatus();
        });
    ASSERT_TRUE(book.ok()) << book.status();
    book_ = *std::move(book);
  }

  v1::CreateEvidenceRequestRequest SupplierRequest() {
    v1::CreateEvidenceRequestRequest request;
    request.set_title("Supply chain, 2027");
    request.mutable_outcomes()->add_outcome_ids(kOutcome);
    request.mutable_outcomes()->add_outcome_ids("RC_RP_RC_RP_1");
    request.set_scope_kind(v1::REQUEST_SCOPE_SUPPLIER);
    request.set_scope_id("acme");
    request.set_owner_kind(v1::OWNER_SUPPLIER);
    request.set_owner_id("acme");
    request.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 30)));
    return request;
  }

  // Answers with one text document `content`; the status of the whole submission.
  absl::StatusOr<v1::EvidenceRequest> Answer(const v1::Actor& actor, const std::string& id,
                                             const std::string& outcome, v1::Level level,
                                             const std::string& content = "Policy v3, signed.") {
    v1::SubmitAnswerHeader header;
    header.set_request_id(id);
    header.set_outcome_id(outcome);
    header.set_level(level);
    header.set_statement("Our supplier policy covers it.");
    absl::StatusOr<AnswerDraft> draft = book_->BeginAnswer(actor, header);
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
    draft->draft_bytes += done->ref.size_bytes();
    draft->documents.push_back(*std::move(done));
    return book_->CommitAnswer(*draft);
  }

  absl::StatusOr<v1::EvidenceRequest> Review(const v1::Actor& actor, const std::string& id,
                                             bool approve) {
    v1::ReviewAnswerRequest review;
    review.set_request_id(id);
    review.set_outcome_id(kOutcome);
    review.set_approve(approve);
    review.set_comment(approve ? "Signed policy seen." : "Unsigned.");
    return book_->Review(actor, review);
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
  std::vector<v1::Evidence> written_;
  absl::Status sink_status_;
  const v1::Actor admin_ = Person("a1", v1::ROLE_ADMIN);
  const v1::Actor reviewer_ = Person("a2", v1::ROLE_ADMIN);
  const v1::Actor acme_ = Person("s1", v1::ROLE_SUPPLIER, "acme");
  const v1::Actor other_ = Person("s2", v1::ROLE_SUPPLIER, "other");
};

TEST_F(RequestBookTest, OpensRequestsForASelectionOnAScope) {
  absl::StatusOr<v1::EvidenceRequest> request = book_->Create(admin_, SupplierRequest());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->id(), "REQ-000001");
  EXPECT_THAT(request->asset_ids(), ElementsAre("mail", "web"));
  EXPECT_EQ(request->owner_tenant_id(), "acme");
  EXPECT_EQ(request->validity_seconds(), 365 * 86400);
  ASSERT_EQ(request->outcomes_size(), 2);
  EXPECT_EQ(request->outcomes(0).status(), v1::ANSWER_OPEN);

  v1::CreateEvidenceRequestRequest by_area = SupplierRequest();
  by_area.mutable_outcomes()->Clear();
  by_area.mutable_outcomes()->set_functional_area("FA3");  // User education: 4 outcomes.
  by_area.set_scope_kind(v1::REQUEST_SCOPE_DEPARTMENT);
  by_area.set_scope_id("finance");
  by_area.set_owner_kind(v1::OWNER_DEPARTMENT);
  by_area.set_owner_id("finance");
  absl::StatusOr<v1::EvidenceRequest> area = book_->Create(admin_, by_area);
  ASSERT_TRUE(area.ok()) << area.status();
  EXPECT_EQ(area->outcomes_size(), 4);
  EXPECT_THAT(area->asset_ids(), ElementsAre("ledger"));
  EXPECT_EQ(area->owner_tenant_id(), "org");

  v1::CreateEvidenceRequestRequest bad = SupplierRequest();
  bad.mutable_outcomes()->set_functional_area("FA99");
  EXPECT_THAT(book_->Create(admin_, bad).status().message(), HasSubstr("exactly one"));
  bad = SupplierRequest();
  bad.mutable_outcomes()->add_outcome_ids("NO_SUCH");
  EXPECT_THAT(book_->Create(admin_, bad).status().message(), HasSubstr("no outcome 'NO_SUCH'"));
  bad = SupplierRequest();
  bad.set_owner_id("nobody");
  EXPECT_THAT(book_->Create(admin_, bad).status().message(), HasSubstr("owner: no supplier"));
  bad = SupplierRequest();
  bad.set_due_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow()) - 1);
  EXPECT_THAT(book_->Create(admin_, bad).status().message(), HasSubstr("due"));
  bad.set_due_unix_seconds(std::numeric_limits<int64_t>::max());
  EXPECT_THAT(book_->Create(admin_, bad).status().message(), HasSubstr("due"));
  bad = SupplierRequest();
  bad.set_validity_seconds(60);
  EXPECT_THAT(book_->Create(admin_, bad).status().message(), HasSubstr("validity"));
  EXPECT_EQ(book_->List(admin_, false).size(), 2u);
}

TEST_F(RequestBookTest, AnApprovedAnswerBecomesAttestedEvidenceOnEveryAssetOfTheScope) {
  ASSERT_TRUE(book_->Create(admin_, SupplierRequest()).ok());
  absl::StatusOr<v1::EvidenceRequest> answered = Answer(acme_, "REQ-000001", kOutcome, v1::DLI_67);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->outcomes(0).status(), v1::ANSWER_SUBMITTED);
  ASSERT_EQ(answered->outcomes(0).answer().documents_size(), 1);
  EXPECT_TRUE(written_.empty());  // Nothing scores before approval.

  clock_.Advance(absl::Hours(1));
  absl::StatusOr<v1::EvidenceRequest> approved = Review(reviewer_, "REQ-000001", true);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->outcomes(0).status(), v1::ANSWER_APPROVED);
  ASSERT_EQ(written_.size(), 2u);
  for (const v1::Evidence& item : written_) {
    EXPECT_EQ(item.kind(), v1::ATTESTED);
    EXPECT_EQ(item.level(), v1::DLI_67);
    EXPECT_EQ(item.outcome_id(), kOutcome);
    EXPECT_EQ(item.check_id(), "request.REQ-000001");
    EXPECT_EQ(absl::FromUnixNanos(item.expires_at_unix_nanos()),
              clock_.TimeNow() + absl::Hours(24 * 365));
    EXPECT_EQ(item.content_sha256().size(), 32u);
  }
  EXPECT_EQ(Review(admin_, "REQ-000001", true).status().code(),
            absl::StatusCode::kFailedPrecondition);  // Twice.
  EXPECT_EQ(written_.size(), 2u);
  EXPECT_THAT(AuditActions(),
              ElementsAre("request.create", "answer.submit", "document.store", "answer.approve"));

  // Everything is read back from the store after a restart.
  OpenBook();
  absl::StatusOr<v1::EvidenceRequest> reread = book_->Get(acme_, "REQ-000001");
  ASSERT_TRUE(reread.ok());
  EXPECT_EQ(reread->outcomes(0).status(), v1::ANSWER_APPROVED);
  EXPECT_EQ(reread->document_bytes(), 18u);
  EXPECT_TRUE(book_->Create(admin_, SupplierRequest()).ok());
  EXPECT_EQ(book_->List(admin_, true).front().id(), "REQ-000002");
  EXPECT_EQ(AuditActions().size(), 5u);
}

TEST_F(RequestBookTest, FourEyesRejectionAndTenancy) {
  ASSERT_TRUE(book_->Create(admin_, SupplierRequest()).ok());
  // Another supplier neither sees nor answers it, and cannot fetch its document.
  EXPECT_EQ(book_->Get(other_, "REQ-000001").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(book_->List(other_, true).empty());
  EXPECT_EQ(Answer(other_, "REQ-000001", kOutcome, v1::DLI_100).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(Answer(admin_, "REQ-000001", kOutcome, v1::DLI_100).status().code(),
            absl::StatusCode::kPermissionDenied);  // A supplier's request.
  absl::StatusOr<v1::EvidenceRequest> answered = Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100);
  ASSERT_TRUE(answered.ok());
  const std::string sha = answered->outcomes(0).answer().documents(0).sha256_hex();
  EXPECT_TRUE(book_->FindDocument(acme_, sha).ok());
  EXPECT_TRUE(book_->FindDocument(admin_, sha).ok());
  EXPECT_EQ(book_->FindDocument(other_, sha).status().code(), absl::StatusCode::kNotFound);

  // The submitter may not review; a rejection sends it back for a new answer.
  EXPECT_EQ(Review(acme_, "REQ-000001", true).status().code(), absl::StatusCode::kPermissionDenied);
  v1::Actor submitter_as_admin = Person("s1", v1::ROLE_ADMIN);
  EXPECT_THAT(Review(submitter_as_admin, "REQ-000001", true).status().message(),
              HasSubstr("four eyes"));
  absl::StatusOr<v1::EvidenceRequest> rejected = Review(reviewer_, "REQ-000001", false);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->outcomes(0).status(), v1::ANSWER_REJECTED);
  EXPECT_EQ(Review(admin_, "REQ-000001", true).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(written_.empty());
  ASSERT_TRUE(Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100).ok());
  EXPECT_EQ(book_->Get(admin_, "REQ-000001")->outcomes(0).answers(), 2u);
}

TEST_F(RequestBookTest, NewCapsFromAReloadApplyToTheNextUpload) {
  ASSERT_TRUE(book_->Create(admin_, SupplierRequest()).ok());
  book_->SetLimits(
      {.max_document_bytes = 100, .max_request_document_bytes = 1500, .max_detail_bytes = 1024});
  absl::StatusOr<v1::EvidenceRequest> over =
      Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100, std::string(500, 'a'));
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.status().message(), HasSubstr("per-file cap of 100 bytes"));
  book_->SetLimits(
      {.max_document_bytes = 1000, .max_request_document_bytes = 1500, .max_detail_bytes = 1024});
  EXPECT_TRUE(Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100, std::string(500, 'a')).ok());
  EXPECT_EQ(book_->limits().max_document_bytes, 1000u);
}

TEST_F(RequestBookTest, BadAnswersAreRefusedAndStoreNothing) {
  ASSERT_TRUE(book_->Create(admin_, SupplierRequest()).ok());
  const size_t audit = AuditActions().size();
  EXPECT_EQ(Answer(acme_, "REQ-000009", kOutcome, v1::DLI_100).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(Answer(acme_, "REQ-000001", "NO_SUCH", v1::DLI_100).status().message(),
              HasSubstr("no outcome 'NO_SUCH' in the catalog"));
  EXPECT_THAT(Answer(acme_, "REQ-000001", "PR_AC_CSC_5_2", v1::DLI_100).status().message(),
              HasSubstr("does not ask for"));
  EXPECT_THAT(Answer(acme_, "REQ-000001", kOutcome, v1::LEVEL_UNSPECIFIED).status().message(),
              HasSubstr("DLI"));
  EXPECT_EQ(Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100, "").status().code(),
            absl::StatusCode::kInvalidArgument);  // Empty file.
  EXPECT_EQ(
      Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100, std::string(1001, 'a')).status().code(),
      absl::StatusCode::kResourceExhausted);  // Over the per-file cap.
  // Within the file cap, over what is left of the request's.
  ASSERT_TRUE(Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100, std::string(900, 'a')).ok());
  absl::StatusOr<v1::EvidenceRequest> over =
      Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100, std::string(900, 'b'));
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(over.status().message(), HasSubstr("request's cap"));
  EXPECT_EQ(AuditActions().size(), audit + 2);  // The one good answer and its document.

  // The ingest queue refuses: the approval is not recorded.
  sink_status_ = absl::ResourceExhaustedError("queue full");
  EXPECT_EQ(Review(reviewer_, "REQ-000001", true).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(book_->Get(admin_, "REQ-000001")->outcomes(0).status(), v1::ANSWER_SUBMITTED);

  ASSERT_TRUE(book_->Cancel(admin_, "REQ-000001", "supplier replaced").ok());
  EXPECT_EQ(book_->Cancel(admin_, "REQ-000001", "").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Answer(acme_, "REQ-000001", kOutcome, v1::DLI_100).status().message(),
              HasSubstr("cancelled"));
  EXPECT_TRUE(book_->List(acme_, false).empty());
  EXPECT_EQ(book_->List(acme_, true).size(), 1u);
}

// Many people at once: every request gets its own id, every step its own audit sequence,
// and every answer is approved exactly once.
TEST_F(RequestBookTest, ConcurrentCreatesAnswersAndReviewsStayConsistent) {
  constexpr int kThreads = 6;
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t, &results] {
      absl::StatusOr<v1::EvidenceRequest> created = book_->Create(admin_, SupplierRequest());
      if (!created.ok()) {
        results[t] = created.status();
        return;
      }
      absl::StatusOr<v1::EvidenceRequest> answered =
          Answer(acme_, created->id(), kOutcome, v1::DLI_100, absl::StrCat("Policy ", t, ".\n"));
      results[t] =
          answered.ok() ? Review(reviewer_, created->id(), true).status() : answered.status();
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& result : results) EXPECT_TRUE(result.ok()) << result;
  const std::vector<v1::EvidenceRequest> all = book_->List(admin_, true);
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads));
  absl::flat_hash_set<std::string> ids;
  for (const v1::EvidenceRequest& request : all) {
    ids.insert(request.id());
    EXPECT_EQ(request.outcomes(0).status(), v1::ANSWER_APPROVED);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads));
  EXPECT_EQ(written_.size(), 2u * kThreads);  // Two assets each.
  absl::StatusOr<std::vector<v1::AuditEntry>> audit = book_->Audit(absl::InfinitePast(), 1000);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 4u * kThreads);
  for (size_t i = 0; i < audit->size(); ++i) EXPECT_EQ((*audit)[i].sequence(), i + 1);
}

}  // namespace
}  // namespace postura::collector
