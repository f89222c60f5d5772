#ifndef POSTURA_COLLECTOR_API_HTTP_ADMIT_H_
#define POSTURA_COLLECTOR_API_HTTP_ADMIT_H_

// Who calls an HTTPS route, the parts of a request its handler reads, and its JSON answer. Every
// route but /healthz, the session and the dashboard's files admits its caller here, so the rule
// lives in one place:
//
// Reads (GET, HEAD) take the Authorization header or the dashboard's session cookie.
// Changes take the Authorization header; a route may also let the cookie sign a change,
// but only from the dashboard's own page: the request must carry "X-Postura-Dashboard: 1",
// which a page of another origin cannot send without a CORS preflight that the collector
// never grants, and an Origin naming the collector itself (its Host). The cookie is
// SameSite=Strict besides (docs/security.md, "The dashboard's session").
//
// Called by the route files of collector/api. Threading: pure functions over the
// borrowed, thread-safe gatekeeper.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "google/protobuf/message.h"

namespace postura::collector {

// Whether a change may be signed by the session cookie.
enum class CookieWrites { kRefused, kFromDashboard };

// True when `request` comes from the dashboard's page of this collector: it carries
// X-Postura-Dashboard: 1 and an Origin whose host and port are its Host header's.
bool IsDashboardWrite(const HttpRequest& request);

// The caller if admitted for `permission`, by the rules above; Unauthenticated or
// PermissionDenied as the gatekeeper says.
absl::StatusOr<Principal> AdmitPrincipal(const HttpRequest& request, const Gatekeeper& gate,
                                         Permission permission,
                                         CookieWrites cookie_writes = CookieWrites::kRefused);

// A handler that answers only callers admitted for `permission` (reads and cookie as
// above, no cookie-signed changes), with `handler(principal, request)`.
HttpHandler Admitted(const Gatekeeper& gate, Permission permission,
                     std::function<HttpResponse(const Principal&, const HttpRequest&)> handler);

// The named segment of the route's path, the query parameter, the header (names are
// lower-case); empty (or null) when absent.
std::string PathParam(const HttpRequest& request, const std::string& name);
std::string QueryParam(const HttpRequest& request, const std::string& name);
const std::string* HeaderValue(const HttpRequest& request, const std::string& name);

// Fills `message` from the request's JSON body (proto3 JSON names; an empty body leaves it
// as it is). InvalidArgument quoting the parser's complaint otherwise.
absl::Status ParseJsonBody(const HttpRequest& request, google::protobuf::Message& message);

// 200 with `answer` as JSON, or the error's status.
template <typename Message>
HttpResponse JsonOrError(const absl::StatusOr<Message>& answer) {
  return answer.ok() ? JsonResponse(*answer) : ErrorResponse(answer.status());
}

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_HTTP_ADMIT_H_
