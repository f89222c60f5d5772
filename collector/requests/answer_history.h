#ifndef POSTURA_COLLECTOR_REQUESTS_ANSWER_HISTORY_H_
#define POSTURA_COLLECTOR_REQUESTS_ANSWER_HISTORY_H_

// The history of one outcome's answers in one request, folded from the request's stored
// events (request_records.h): each answer submitted, and the review that approved or
// rejected it, oldest first. The request book (RequestBook::AnswerHistory) gathers it over
// the requests that cover an asset, for the dashboard's asset page
// (collector/api/answers_routes.h).
//
// Threading: a pure function.

#include <vector>

#include "absl/strings/string_view.h"
#include "postura/v1/answer_history.pb.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// Appends to `history` the answers to `outcome_id` among `events` (one request's, in order
// of sequence), with their reviews. An answer that a newer one replaced before any review
// is marked replaced.
void AppendAnswerHistory(const v1::EvidenceRequest& request, absl::string_view outcome_id,
                         const std::vector<v1::RequestEvent>& events, v1::AnswerHistory& history);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_ANSWER_HISTORY_H_
