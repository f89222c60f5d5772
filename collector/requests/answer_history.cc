#include "collector/requests/answer_history.h"

namespace postura::collector {

void AppendAnswerHistory(const v1::EvidenceRequest& request, absl::string_view outcome_id,
                         const std::vector<v1::RequestEvent>& events, v1::AnswerHistory& history) {
  v1::AnswerHistoryEntry* waiting = nullptr;  // This request's answer not reviewed yet.
  for (const v1::RequestEvent& event : events) {
    if (event.outcome_id() != outcome_id) continue;
    if (event.has_answered()) {
      if (waiting != nullptr) waiting->set_replaced(true);
      waiting = history.add_entries();
      waiting->set_request_id(request.id());
      waiting->set_request_title(request.title());
      *waiting->mutable_answer() = event.answered();
      waiting->set_status(v1::ANSWER_SUBMITTED);
    } else if (event.has_reviewed() && waiting != nullptr) {
      *waiting->mutable_review() = event.reviewed();
      waiting->set_status(event.reviewed().approved() ? v1::ANSWER_APPROVED : v1::ANSWER_REJECTED);
      waiting = nullptr;
    }
  }
}

}  // namespace postura::collector
