#ifndef POSTURA_COLLECTOR_API_REQUESTS_ROUTES_H_
#define POSTURA_COLLECTOR_API_REQUESTS_ROUTES_H_

// Evidence requests over HTTPS (docs/api.md, "Evidence requests"): the same as the gRPC
// service (requests_service.h); answering, whose documents stream in, is an upload route
// (requests_upload.h).
//   GET  /api/v1/requests[?all=true]              list (kReadRequests)
//   GET  /api/v1/requests/{id}                    one request
//   POST /api/v1/requests                         open (kManageRequests; JSON body)
//   POST /api/v1/requests/{id}/cancel             cancel ({"reason": ...})
//   POST /api/v1/requests/{id}/review             approve or reject (kReviewRequests)
//   POST /api/v1/requests/{id}/renew              re-open a complete one (kManageRequests)
//   GET  /api/v1/audit[?since=T]                  the audit trail (kReadAudit)
//   GET  /api/v1/documents/{sha256}               a document, always as an attachment
// POST routes take the token from the Authorization header; open, cancel and review also
// take the dashboard's cookie from the dashboard's own page (http_admit.h). Documents
// stream out chunk by chunk with Content-Disposition: attachment and
// X-Content-Type-Options: nosniff.
//
// Threading: handlers run on the HTTP server's workers; the book and gate are
// thread-safe and borrowed, and must outlive the server.

#include <vector>

#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/requests/request_book.h"

namespace postura::collector {

std::vector<HttpRoute> RequestsRoutes(RequestBook& book, const Gatekeeper& gate,
                                      const CredentialStore& credentials);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REQUESTS_ROUTES_H_
