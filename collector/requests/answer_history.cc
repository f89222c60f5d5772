#include "collector/requests/answer_history.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "collector/requests/request_records.h"
#include "collector/requests/request_rules.h"

namespace postura::collector {
namespace {

bool Covers(const v1::EvidenceRequest& request, absl::string_view asset_id,
            absl::string_view outcome_id) {
  const bool asks = std::any_of(
      request.outcomes().begin(), request.outcomes().end(),
      [&](const v1::OutcomeAnswer& outcome) { return outcome.outcome_id() == outcome_id; });
  return asks && std::find(request.asset_ids().begin(), request.asset_ids().end(), asset_id) !=
                     request.asset_ids().end();
}

}  // namespace

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

absl::StatusOr<v1::AnswerHistory> ReadAnswerHistory(const EvidenceStore& store,
                                                    const Catalog& catalog,
                                                    const std::vector<v1::EvidenceRequest>& visible,
                                                    absl::string_view asset_id,
                                                    absl::string_view outcome_id) {
  if (!catalog.FindOutcome(outcome_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome: no outcome ", Quoted(outcome_id), " in the catalog"));
  }
  v1::AnswerHistory history;
  history.set_asset_id(std::string(asset_id));
  history.set_outcome_id(std::string(outcome_id));
  // RequestBook::List gives the newest first; request ids number them in order.
  std::vector<const v1::EvidenceRequest*> covering;
  for (const v1::EvidenceRequest& request : visible) {
    if (Covers(request, asset_id, outcome_id)) covering.push_back(&request);
  }
  std::sort(covering.begin(), covering.end(),
            [](const auto* a, const auto* b) { return a->id() < b->id(); });
  for (const v1::EvidenceRequest* request : covering) {
    std::vector<v1::RequestEvent> events;
    absl::Status corrupt;
    absl::Status scanned = store.ScanWorkflow(
        EvidenceStore::WorkflowFamily::kRequests, absl::StrCat(kEventPrefix, request->id(), "/"),
        [&](absl::string_view, absl::string_view value) {
          if (!events.emplace_back().ParseFromString(std::string(value))) {
            corrupt = absl::DataLossError("an evidence request's event record is corrupt");
            return false;
          }
          return true;
        });
    if (!scanned.ok()) return scanned;
    if (!corrupt.ok()) return corrupt;
    AppendAnswerHistory(*request, outcome_id, events, history);
  }
  return history;
}

}  // namespace postura::collector
