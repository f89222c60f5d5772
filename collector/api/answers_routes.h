#ifndef POSTURA_COLLECTOR_API_ANSWERS_ROUTES_H_
#define POSTURA_COLLECTOR_API_ANSWERS_ROUTES_H_

// The answers given for one outcome of an asset through evidence requests, for the
// dashboard's asset page (docs/api.md, "Evidence requests"):
//   GET /api/v1/assets/{asset_id}/outcomes/{outcome_id}/answers   AnswerHistory
// (kReadRequests). An asset the caller may not see is NOT_FOUND, worded as for one that
// does not exist; a supplier or a department officer sees only the answers to its own
// requests (RequestBook::List; collector/requests/answer_history.h reads the events).
//
// Threading: the handler runs on the HTTP server's workers; the book, registry, store,
// catalog and gate are thread-safe, borrowed, and must outlive the server.

#include <vector>

#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/registry/registry.h"
#include "collector/requests/request_book.h"
#include "collector/store/evidence_store.h"
#include "common/model/catalog.h"

namespace postura::collector {

std::vector<HttpRoute> AnswersRoutes(const RequestBook& book, const Registry& registry,
                                     const EvidenceStore& store, const Catalog& catalog,
                                     const Gatekeeper& gate, const CredentialStore& credentials);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_ANSWERS_ROUTES_H_
