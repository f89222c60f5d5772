#include "collector/requests/answer_history.h"

#include <vector>

#include "gtest/gtest.h"

namespace postura::collector {
namespace {

v1::RequestEvent Answered(const std::string& outcome, const std::string& statement) {
  v1::RequestEvent event;
  event.set_outcome_id(outcome);
  event.mutable_answered()->set_statement(statement);
  event.mutable_answered()->set_level(v1::DLI_67);
  return event;
}

v1::RequestEvent Reviewed(const std::string& outcome, bool approved, const std::string& comment) {
  v1::RequestEvent event;
  event.set_outcome_id(outcome);
  event.mutable_reviewed()->set_approved(approved);
  event.mutable_reviewed()->set_comment(comment);
  return event;
}

TEST(AnswerHistoryTest, EachAnswerWithItsReviewOldestFirstAndOtherOutcomesLeftOut) {
  v1::EvidenceRequest request;
  request.set_id("REQ-000007");
  request.set_title("Recovery");
  v1::RequestEvent created;
  *created.mutable_created() = request;
  const std::vector<v1::RequestEvent> events = {
      created,
      Answered("RC_RP_1", "draft"),
      Answered("RC_RP_1", "draft, revised"),  // Replaces the draft before any review.
      Answered("ID_AM_1", "another outcome"),
      Reviewed("RC_RP_1", false, "unsigned"),
      Reviewed("ID_AM_1", true, "fine"),
      Answered("RC_RP_1", "signed"),
      Reviewed("RC_RP_1", true, "signed copy seen"),
      Answered("RC_RP_1", "renewal"),  // Waits.
  };
  v1::AnswerHistory history;
  AppendAnswerHistory(request, "RC_RP_1", events, history);
  ASSERT_EQ(history.entries_size(), 4);
  EXPECT_EQ(history.entries(0).answer().statement(), "draft");
  EXPECT_TRUE(history.entries(0).replaced());
  EXPECT_EQ(history.entries(0).status(), v1::ANSWER_SUBMITTED);
  EXPECT_FALSE(history.entries(0).has_review());
  EXPECT_EQ(history.entries(1).status(), v1::ANSWER_REJECTED);
  EXPECT_EQ(history.entries(1).review().comment(), "unsigned");
  EXPECT_FALSE(history.entries(1).replaced());
  EXPECT_EQ(history.entries(2).status(), v1::ANSWER_APPROVED);
  EXPECT_EQ(history.entries(2).review().comment(), "signed copy seen");
  EXPECT_EQ(history.entries(3).status(), v1::ANSWER_SUBMITTED);
  EXPECT_FALSE(history.entries(3).replaced());
  for (const v1::AnswerHistoryEntry& entry : history.entries()) {
    EXPECT_EQ(entry.request_id(), "REQ-000007");
    EXPECT_EQ(entry.request_title(), "Recovery");
  }
}

TEST(AnswerHistoryTest, AReviewWithoutAPendingAnswerIsIgnored) {
  v1::EvidenceRequest request;
  request.set_id("REQ-000001");
  v1::AnswerHistory history;
  AppendAnswerHistory(request, "RC_RP_1", {Reviewed("RC_RP_1", true, "stray")}, history);
  EXPECT_EQ(history.entries_size(), 0);
}

}  // namespace
}  // namespace postura::collector
