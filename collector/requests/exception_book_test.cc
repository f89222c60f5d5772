#include "collector/requests/exception_book.h"

#include <string>
#include <vector>

#include "collector/requests/workflow_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace postura::collector {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ExceptionBookTest : public WorkflowTest {
 protected:
  v1::CreateRiskExceptionRequest Asked(const std::string& asset = "web",
                                       const std::string& outcome = kOutcome) {
    v1::CreateRiskExceptionRequest request;
    request.set_asset_id(asset);
    request.set_outcome_id(outcome);
    request.set_reason("Replacement supplier contracted for Q2; accepted by the board.");
    request.set_until_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 90)));
    request.set_requested_by("CISO");
    return request;
  }

  std::vector<std::string> Ids(const v1::Actor& viewer, const std::string& asset = "") {
    std::vector<std::string> ids;
    absl::StatusOr<std::vector<v1::RiskException>> list = exceptions_->List(viewer, asset);
    EXPECT_TRUE(list.ok()) << list.status();
    if (list.ok()) {
      for (const v1::RiskException& exception : *list) ids.push_back(exception.id());
    }
    return ids;
  }
};

TEST_F(ExceptionBookTest, CreatesListsAndRevokesWithAnAuditTrail) {
  absl::StatusOr<v1::RiskException> web = exceptions_->Create(admin_, Asked("web"));
  ASSERT_TRUE(web.ok()) << web.status();
  EXPECT_EQ(web->id(), "EXC-000001");
  EXPECT_EQ(web->status(), v1::RISK_EXCEPTION_ACTIVE);
  EXPECT_EQ(web->approved_by().credential_id(), admin_.credential_id());
  EXPECT_EQ(web->requested_by(), "CISO");
  EXPECT_EQ(web->supplier_id(), "acme");
  ASSERT_TRUE(exceptions_->Create(admin_, Asked("ledger")).ok());

  // Staff see both, newest first; acme those on its assets; another supplier none.
  EXPECT_THAT(Ids(auditor_), ElementsAre("EXC-000002", "EXC-000001"));
  EXPECT_THAT(Ids(acme_), ElementsAre("EXC-000001"));
  EXPECT_THAT(Ids(other_), ElementsAre());
  EXPECT_THAT(Ids(auditor_, "ledger"), ElementsAre("EXC-000002"));
  // A department officer sees its department's assets' exceptions only.
  v1::Actor finance = WorkflowActor("d1", v1::ROLE_DEPARTMENT);
  finance.set_department_id("finance");
  EXPECT_THAT(Ids(finance), ElementsAre("EXC-000002"));
  EXPECT_EQ(exceptions_->List(finance, "web").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(exceptions_->List(auditor_, "nope").status().code(), absl::StatusCode::kNotFound);
  // An asset a supplier may not see is absent to it, as one that does not exist.
  absl::Status foreign = exceptions_->List(acme_, "ledger").status();
  EXPECT_EQ(foreign.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(foreign.message(), "no asset 'ledger'");
  EXPECT_EQ(exceptions_->List(acme_, "nope").status().message(), "no asset 'nope'");

  absl::StatusOr<v1::RiskException> revoked =
      exceptions_->Revoke(reviewer_, "EXC-000001", "Supplier replaced early.");
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->status(), v1::RISK_EXCEPTION_REVOKED);
  EXPECT_EQ(revoked->revoked_by().credential_id(), reviewer_.credential_id());
  absl::Status twice = exceptions_->Revoke(reviewer_, "EXC-000001", "").status();
  EXPECT_EQ(twice.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(twice.message(), HasSubstr("revoked already"));
  EXPECT_EQ(exceptions_->Revoke(admin_, "EXC-000404", "").status().code(),
            absl::StatusCode::kNotFound);

  absl::StatusOr<std::vector<v1::AuditEntry>> audit = book_->Audit(absl::InfinitePast(), 100);
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->size(), 3u);
  EXPECT_EQ((*audit)[0].action(), "exception.create");
  EXPECT_EQ((*audit)[0].exception_id(), "EXC-000001");
  EXPECT_EQ((*audit)[0].outcome_id(), kOutcome);
  EXPECT_EQ((*audit)[0].content_sha256_hex().size(), 64u);
  EXPECT_EQ((*audit)[2].action(), "exception.revoke");
  EXPECT_THAT((*audit)[2].detail(), HasSubstr("Supplier replaced early."));
  // Exceptions write no evidence: nothing reaches the scores.
  EXPECT_TRUE(written_.empty());

  // Everything is read back after a restart, and the trail goes on in order.
  OpenBooks();
  std::vector<v1::RiskException> all = exceptions_->All();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status(), v1::RISK_EXCEPTION_REVOKED);
  EXPECT_EQ(all[0].revoke_reason(), "Supplier replaced early.");
  EXPECT_EQ(all[1].status(), v1::RISK_EXCEPTION_ACTIVE);
  ASSERT_TRUE(exceptions_->Create(admin_, Asked("web")).ok());  // The first is revoked.
  EXPECT_EQ(exceptions_->All().back().id(), "EXC-000003");
  audit = book_->Audit(absl::InfinitePast(), 100);
  EXPECT_EQ(audit->back().sequence(), 4u);
}

TEST_F(ExceptionBookTest, RefusesBadInputWithSpecificErrorsAndStoresNothing) {
  struct Case {
    std::string name;
    v1::CreateRiskExceptionRequest request;
    absl::StatusCode code;
    std::string message;
  };
  std::vector<Case> cases;
  cases.push_back({"unknown asset", Asked("nope"), absl::StatusCode::kInvalidArgument,
                   "asset: no asset 'nope'"});
  cases.push_back({"unknown outcome", Asked("web", "XX_99"), absl::StatusCode::kInvalidArgument,
                   "outcome: no outcome 'XX_99'"});
  v1::CreateRiskExceptionRequest empty_reason = Asked();
  empty_reason.clear_reason();
  cases.push_back({"empty reason", empty_reason, absl::StatusCode::kInvalidArgument, "reason:"});
  v1::CreateRiskExceptionRequest past = Asked();
  past.set_until_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() - absl::Seconds(1)));
  cases.push_back({"end in the past", past, absl::StatusCode::kInvalidArgument, "until:"});
  v1::CreateRiskExceptionRequest far = Asked();
  far.set_until_unix_seconds(
      absl::ToUnixSeconds(clock_.TimeNow() + kMaxExceptionLength + absl::Hours(1)));
  cases.push_back({"end too far", far, absl::StatusCode::kInvalidArgument, "3 years"});
  v1::CreateRiskExceptionRequest own = Asked();
  own.set_requested_by(admin_.name());
  cases.push_back({"requester approves", own, absl::StatusCode::kInvalidArgument, "four eyes"});
  for (const Case& c : cases) {
    absl::Status status = exceptions_->Create(admin_, c.request).status();
    EXPECT_EQ(status.code(), c.code) << c.name << ": " << status;
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.name;
  }
  EXPECT_TRUE(exceptions_->All().empty());
  EXPECT_TRUE(AuditActions().empty());

  ASSERT_TRUE(exceptions_->Create(admin_, Asked()).ok());
  absl::Status duplicate = exceptions_->Create(reviewer_, Asked()).status();
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(duplicate.message(), HasSubstr("active exception already: EXC-000001"));
  EXPECT_EQ(exceptions_->All().size(), 1u);
  EXPECT_EQ(AuditActions().size(), 1u);
}

TEST_F(ExceptionBookTest, ExpiresAtItsEndDate) {
  ASSERT_TRUE(exceptions_->Create(admin_, Asked()).ok());
  clock_.Advance(absl::Hours(24 * 90) - absl::Seconds(1));
  EXPECT_EQ(exceptions_->All()[0].status(), v1::RISK_EXCEPTION_ACTIVE);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(exceptions_->All()[0].status(), v1::RISK_EXCEPTION_EXPIRED);
  absl::Status revoke = exceptions_->Revoke(admin_, "EXC-000001", "").status();
  EXPECT_EQ(revoke.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(revoke.message(), HasSubstr("expired already"));
  // An expired exception no longer blocks a new one for the same outcome.
  EXPECT_TRUE(exceptions_->Create(admin_, Asked()).ok());
}

}  // namespace
}  // namespace postura::collector
