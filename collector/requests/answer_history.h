#ifndef POSTURA_COLLECTOR_REQUESTS_ANSWER_HISTORY_H_
#define POSTURA_COLLECTOR_REQUESTS_ANSWER_HISTORY_H_

// The answers given for one outcome on one asset through evidence requests, for the
// dashboard's asset page (collector/api/answers_routes.h): each answer submitted, and the
// review that approved or rejected it, oldest first, folded from the requests' stored
// events (request_records.h), which are appended and never rewritten.
//
// Threading: AppendAnswerHistory is a pure function; ReadAnswerHistory reads the store,
// which is thread-safe, and may run on any thread.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"
#include "postura/v1/answer_history.pb.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// Appends to `history` the answers to `outcome_id` among `events` (one request's, in order
// of sequence), with their reviews. An answer that a newer one replaced before any review
// is marked replaced.
void AppendAnswerHistory(const v1::EvidenceRequest& request, absl::string_view outcome_id,
                         const std::vector<v1::RequestEvent>& events, v1::AnswerHistory& history);

// The answers to `outcome_id` in those of `visible` (the requests the caller may see:
// RequestBook::List) that cover `asset_id`, oldest request first. InvalidArgument for an
// outcome the catalog lacks; DataLoss for a corrupt event.
absl::StatusOr<v1::AnswerHistory> ReadAnswerHistory(const EvidenceStore& store,
                                                    const Catalog& catalog,
                                                    const std::vector<v1::EvidenceRequest>& visible,
                                                    absl::string_view asset_id,
                                                    absl::string_view outcome_id);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_REQUESTS_ANSWER_HISTORY_H_
