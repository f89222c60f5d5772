#ifndef POSTURA_COLLECTOR_API_REQUESTS_UPLOAD_H_
#define POSTURA_COLLECTOR_API_REQUESTS_UPLOAD_H_

// Answering an evidence request over HTTPS (docs/api.md, "Evidence requests"):
//   POST /api/v1/requests/{id}/answers      (kAnswerRequests)
// The body is multipart/form-data: the fields outcome, level ("0", "0.33", "0.67" or "1")
// and statement, then zero or more parts named "file", each a document. The files stream
// into the document store as they arrive, through the same AnswerIntake as the gRPC
// SubmitAnswer stream (collector/requests/answer_intake.h): the same caps, type sniffing,
// rules and errors, and nothing is stored unless the whole answer is. A document over a
// cap is 413 with the code RESOURCE_EXHAUSTED naming the cap; a body over the request's
// document cap plus 1 MiB by its Content-Length is 413 before it is read. The answer is
// the request as after the answer (EvidenceRequest). Signed by the Authorization header,
// or by the dashboard's cookie from the dashboard's own page (http_admit.h).
//
// Threading: the handler runs on an HTTP worker, one request each; the book and gate are
// thread-safe, borrowed, and must outlive the server.

#include <vector>

#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "collector/requests/request_book.h"

namespace postura::collector {

// Bytes of a form beyond its documents allowed in the body (fields, part headers).
inline constexpr uint64_t kAnswerFormOverheadBytes = 1 << 20;
// The most bytes a form field (outcome, level, statement) may have.
inline constexpr size_t kMaxAnswerFieldBytes = 8192;

std::vector<HttpUploadRoute> RequestsUploadRoutes(RequestBook& book, const Gatekeeper& gate,
                                                  const CredentialStore& credentials);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REQUESTS_UPLOAD_H_
