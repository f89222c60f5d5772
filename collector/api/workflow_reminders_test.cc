#include "collector/api/workflow_reminders.h"

#include <string>
#include <vector>

#include "collector/requests/workflow_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace postura::collector {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class WorkflowRemindersTest : public WorkflowTest {
 protected:
  Principal As(v1::Role role, const std::string& tenant = "org") {
    Principal principal;
    principal.role = role;
    principal.tenant_id = tenant;
    principal.credential_id = "c";
    return principal;
  }

  ReminderFeed Feed(const Principal& principal) {
    return ReminderFeed([this] { return WorkflowDeadlines(*book_, *exceptions_); }, principal,
                        clock_, absl::Hours(24 * 30), absl::ZeroDuration());
  }

  // The subjects of every reminder waiting in `feed`, as "<kind> <subject>".
  static std::vector<std::string> Drain(ReminderFeed& feed) {
    std::vector<std::string> seen;
    while (std::optional<SseEvent> event = feed.Next()) {
      EXPECT_EQ(event->event, "reminder");
      nlohmann::json data = nlohmann::json::parse(event->data);
      seen.push_back(data["kind"].get<std::string>() + " " + data["subject"].get<std::string>());
    }
    return seen;
  }
};

TEST_F(WorkflowRemindersTest, RemindsOfRenewalsOnceWithinTheNoticeAndOnlyThoseWhoMaySee) {
  const std::string id = CompleteRequest(absl::Hours(24 * 40));
  ReminderFeed staff = Feed(As(v1::ROLE_AUDITOR));
  ReminderFeed acme = Feed(As(v1::ROLE_SUPPLIER, "acme"));
  ReminderFeed other = Feed(As(v1::ROLE_SUPPLIER, "other"));
  EXPECT_TRUE(Drain(staff).empty());  // 40 days left, the notice is 30.

  clock_.Advance(absl::Hours(24 * 11));
  const std::vector<std::string> due = {"renewal_due " + id + "/" + kOutcome,
                                        "renewal_due " + id + "/" + kSecondOutcome};
  EXPECT_THAT(Drain(staff), UnorderedElementsAre(due[0], due[1]));
  EXPECT_TRUE(Drain(staff).empty());  // Each once per stream.
  EXPECT_THAT(Drain(acme), UnorderedElementsAre(due[0], due[1]));
  EXPECT_TRUE(Drain(other).empty());

  // Once renewed, no reminder; the renewal itself is open and not due yet.
  v1::RenewEvidenceRequestRequest renew;
  renew.set_request_id(id);
  ASSERT_TRUE(book_->Renew(admin_, renew).ok());
  ReminderFeed later = Feed(As(v1::ROLE_ADMIN));
  EXPECT_TRUE(Drain(later).empty());
}

TEST_F(WorkflowRemindersTest, RemindsOfOverdueRequestsAndEndingExceptions) {
  const std::string id = OpenRequest();  // Due in 30 days.
  v1::CreateRiskExceptionRequest create;
  create.set_asset_id("ledger");
  create.set_outcome_id(kOutcome);
  create.set_reason("Accepted until the audit.");
  create.set_until_unix_seconds(absl::ToUnixSeconds(clock_.TimeNow() + absl::Hours(24 * 60)));
  ASSERT_TRUE(exceptions_->Create(admin_, create).ok());
  ReminderFeed staff = Feed(As(v1::ROLE_OPERATOR));
  EXPECT_TRUE(Drain(staff).empty());

  clock_.Advance(absl::Hours(24 * 31));
  EXPECT_THAT(Drain(staff),
              UnorderedElementsAre("request_overdue " + id, "exception_expiring EXC-000001"));
  // The supplier owns the request, not the ledger's exception.
  ReminderFeed acme = Feed(As(v1::ROLE_SUPPLIER, "acme"));
  EXPECT_THAT(Drain(acme), UnorderedElementsAre("request_overdue " + id));

  std::vector<WorkflowDeadline> deadlines = WorkflowDeadlines(*book_, *exceptions_);
  ASSERT_EQ(deadlines.size(), 2u);
  EXPECT_THAT(DeadlineSummary(deadlines[0], clock_.TimeNow()),
              HasSubstr("is open past its due date"));
  ASSERT_TRUE(exceptions_->Revoke(admin_, "EXC-000001", "").ok());
  EXPECT_FALSE(WorkflowDeadlines(*book_, *exceptions_)[1].pending);
}

}  // namespace
}  // namespace postura::collector
