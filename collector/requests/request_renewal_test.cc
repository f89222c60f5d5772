#include "collector/requests/request_renewal.h"

#include <string>
#include <vector>

#include "collector/requests/workflow_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using RequestRenewalTest = WorkflowTest;

v1::RenewEvidenceRequestRequest RenewOf(const std::string& id, int64_t due = 0) {
  v1::RenewEvidenceRequestRequest renew;
  renew.set_request_id(id);
  renew.set_due_unix_seconds(due);
  return renew;
}

TEST_F(RequestRenewalTest, ReopensACompleteRequestWithItsApprovedAnswersPending) {
  const std::string id = CompleteRequest();
  absl::StatusOr<v1::EvidenceRequest> before = book_->Get(admin_, id);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->status(), v1::REQUEST_COMPLETE);
  clock_.Advance(absl::Hours(24 * 300));
  const size_t documents_before = before->document_bytes();

  absl::StatusOr<v1::EvidenceRequest> renewal = book_->Renew(admin_, RenewOf(id));
  ASSERT_TRUE(renewal.ok()) << renewal.status();
  EXPECT_EQ(renewal->id(), "REQ-000002");
  EXPECT_EQ(renewal->renews_request_id(), id);
  EXPECT_EQ(renewal->status(), v1::REQUEST_OPEN);
  EXPECT_EQ(renewal->owner_tenant_id(), "acme");
  EXPECT_THAT(renewal->asset_ids(), ElementsAre("mail", "web"));
  EXPECT_EQ(renewal->validity_seconds(), before->validity_seconds());
  // Due when the first approval expires: approved at the start, valid 365 days.
  EXPECT_EQ(renewal->due_unix_seconds(),
            absl::ToUnixSeconds(kRegistryTestNow + absl::Hours(24 * 365)));
  ASSERT_EQ(renewal->outcomes_size(), 2);
  for (int i = 0; i < 2; ++i) {
    const v1::OutcomeAnswer& pending = renewal->outcomes(i);
    const v1::OutcomeAnswer& approved = before->outcomes(i);
    EXPECT_EQ(pending.status(), v1::ANSWER_SUBMITTED);
    EXPECT_EQ(pending.answer().level(), approved.answer().level());
    EXPECT_EQ(pending.answer().statement(), approved.answer().statement());
    EXPECT_EQ(pending.answer().submitted_by().credential_id(), acme_.credential_id());
    ASSERT_EQ(pending.answer().documents_size(), 1);
    EXPECT_EQ(pending.answer().documents(0).sha256_hex(),
              approved.answer().documents(0).sha256_hex());
    EXPECT_FALSE(pending.has_review());
  }
  // The documents are the same stored ones: counted, readable by the owner, not copied.
  EXPECT_EQ(renewal->document_bytes(), documents_before);
  EXPECT_TRUE(
      book_->FindDocument(acme_, renewal->outcomes(0).answer().documents(0).sha256_hex()).ok());
  EXPECT_EQ(book_->Get(admin_, id)->renewed_by_request_id(), "REQ-000002");
  std::vector<std::string> actions = AuditActions();
  EXPECT_EQ(actions.back(), "request.renew");
  absl::StatusOr<std::vector<v1::AuditEntry>> audit = book_->Audit(absl::InfinitePast(), 1000);
  EXPECT_THAT(audit->back().detail(), HasSubstr("renews " + id + ": 2 approved answers"));

  // A reviewer approves a pre-filled answer as any other: it scores again.
  written_.clear();
  ASSERT_TRUE(Approve(renewal->id(), kOutcome).ok());
  ASSERT_EQ(written_.size(), 2u);  // web and mail.
  EXPECT_EQ(written_[0].level(), v1::DLI_67);
  EXPECT_EQ(written_[0].check_id(), "request.REQ-000002");
  // The owner may also answer it anew instead.
  EXPECT_TRUE(Answer(renewal->id(), kSecondOutcome, "Policy v4.\n").ok());
}

TEST_F(RequestRenewalTest, RenewalAndItsLinkSurviveARestart) {
  const std::string id = CompleteRequest();
  ASSERT_TRUE(book_->Renew(admin_, RenewOf(id)).ok());
  absl::StatusOr<v1::EvidenceRequest> renewal = book_->Get(admin_, "REQ-000002");
  OpenBooks();
  absl::StatusOr<v1::EvidenceRequest> reread = book_->Get(admin_, "REQ-000002");
  ASSERT_TRUE(reread.ok()) << reread.status();
  EXPECT_EQ(reread->SerializeAsString(), renewal->SerializeAsString());
  EXPECT_EQ(book_->Get(admin_, id)->renewed_by_request_id(), "REQ-000002");
  EXPECT_GT(reread->document_bytes(), 0u);
  // Renewed already, after the restart too.
  absl::Status twice = book_->Renew(admin_, RenewOf(id)).status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.message(), HasSubstr("renewed already by REQ-000002"));
}

TEST_F(RequestRenewalTest, RefusesWhatCannotBeRenewedAndStoresNothing) {
  const std::string open = OpenRequest();
  ASSERT_TRUE(Answer(open, kOutcome, "Policy.\n").ok());
  ASSERT_TRUE(Approve(open, kOutcome).ok());
  const std::string cancelled = OpenRequest();
  ASSERT_TRUE(book_->Cancel(admin_, cancelled, "not needed").ok());
  const std::string complete = CompleteRequest();
  const std::vector<std::string> audit = AuditActions();

  absl::Status unknown = book_->Renew(admin_, RenewOf("REQ-999999")).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  absl::Status still_open = book_->Renew(admin_, RenewOf(open)).status();
  EXPECT_EQ(still_open.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(still_open.message(), HasSubstr("still open (1 of 2 outcomes approved)"));
  absl::Status was_cancelled = book_->Renew(admin_, RenewOf(cancelled)).status();
  EXPECT_EQ(was_cancelled.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(was_cancelled.message(), HasSubstr("cancelled"));
  const int64_t past = absl::ToUnixSeconds(clock_.TimeNow() - absl::Hours(1));
  absl::Status due_past = book_->Renew(admin_, RenewOf(complete, past)).status();
  EXPECT_EQ(due_past.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(due_past.message(), HasSubstr("due"));
  // Another tenant's request is absent to a supplier.
  EXPECT_EQ(book_->Renew(other_, RenewOf(complete)).status().code(), absl::StatusCode::kNotFound);

  EXPECT_EQ(AuditActions(), audit);
  EXPECT_EQ(book_->List(admin_, true).size(), 3u);
  EXPECT_TRUE(book_->Get(admin_, complete)->renewed_by_request_id().empty());
}

TEST_F(RequestRenewalTest, DueDateFallsBackWhenTheApprovalsExpireSoonerThanAMonth) {
  const std::string id = CompleteRequest(absl::Hours(24 * 10));
  absl::StatusOr<v1::EvidenceRequest> renewal = book_->Renew(admin_, RenewOf(id));
  ASSERT_TRUE(renewal.ok()) << renewal.status();
  EXPECT_EQ(renewal->due_unix_seconds(),
            absl::ToUnixSeconds(clock_.TimeNow() + kRenewalFallbackDue));
  const int64_t asked = absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 5));
  const std::string second = CompleteRequest();
  EXPECT_EQ(book_->Renew(admin_, RenewOf(second, asked))->due_unix_seconds(), asked);
}

}  // namespace
}  // namespace postura::collector
