#ifndef POSTURA_COLLECTOR_API_REQUESTS_ADMIT_H_
#define POSTURA_COLLECTOR_API_REQUESTS_ADMIT_H_

// Who calls an evidence-request or exception route over HTTPS, as the Actor the requests
// room records (requests_routes.h, requests_upload.h, answers_routes.h,
// exceptions_service.h). The admission rules, and when the dashboard's cookie may sign a
// change, are http_admit.h's.
//
// Threading: pure functions over borrowed, thread-safe gate and credentials.

#include "absl/status/statusor.h"
#include "collector/access/credential_store.h"
#include "collector/access/gatekeeper.h"
#include "collector/api/http_admit.h"
#include "collector/api/http_server.h"
#include "postura/v1/requests.pb.h"

namespace postura::collector {

// The caller as an Actor if admitted for `permission` (AdmitPrincipal's rules).
absl::StatusOr<v1::Actor> AdmitActor(const HttpRequest& request, const Gatekeeper& gate,
                                     const CredentialStore& credentials, Permission permission,
                                     CookieWrites cookie_writes = CookieWrites::kRefused);

}  // namespace postura::collector

#endif  // POSTURA_COLLECTOR_API_REQUESTS_ADMIT_H_
