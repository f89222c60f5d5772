#ifndef POSTURA_COLLECTOR_API_REQUESTS_ADMIT_H_
#define POSTURA_COLLECTOR_API_REQUESTS_ADMIT_H_

// Who calls an evidence-request route over HTTPS (requests_routes.h, requests_upload.h,
// answers_routes.h), and when the dashboard's session cookie may sign a change.
//
// Reads take the Authorization header or the session cookie. Changes take the
// Authorization header; the routes the dashboard uses to answer and review also take the
// cookie, but only from the dashboard's own page: the request must carry
// "X-Postura-Dashboard: 1", which a page of another origin cannot send without a CORS
// preflight that the collector never grants, and an Origin header naming the collector
// itself (its Host). The cookie is SameSite=Strict besides (docs/security.md).
//
// Threading: pure functions over borrowed, thread-safe gate and credentials.

#include <string>

#include "absl/status/statusor.h"
#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_server.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// Whether a change may be signed by the session cookie.
enum class CookieWrites { kRefused, kFromDashboard };

// True when `request` comes from the dashboard's page of this collector: it carries
// X-Postura-Dashboard: 1 and an Origin whose host and port are its Host header's.
bool IsDashboardWrite(const HttpRequest& request);

// The caller as an Actor if admitted for `permission`. Reads may use the session cookie;
// changes only when `cookie_writes` is kFromDashboard and IsDashboardWrite.
absl::StatusOr<v1::Actor> AdmitActor(const HttpRequest& request, const Gatekeeper& gate,
                                     const CredentialStore& credentials, Permission permission,
                                     CookieWrites cookie_writes = CookieWrites::kRefused);

// The principal itself, same rules (for checks that need it, such as an asset's tenant).
absl::StatusOr<Principal> AdmitPrincipal(const HttpRequest& request, const Gatekeeper& gate,
                                         Permission permission,
                                         CookieWrites cookie_writes = CookieWrites::kRefused);

// The named segment of the route's path; empty if absent.
std::string PathParam(const HttpRequest& request, const std::string& name);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REQUESTS_ADMIT_H_
