#include "collector/api/requests_admit.h"

#include "collector/api/requests_service.h"

namespace postura::collector {

absl::StatusOr<v1::Actor> AdmitActor(const HttpRequest& request, const Gatekeeper& gate,
                                     const CredentialStore& credentials, Permission permission,
                                     CookieWrites cookie_writes) {
  absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, permission, cookie_writes);
  if (!principal.ok()) return principal.status();
  return ActorOf(*principal, credentials);
}

}  // namespace postura::collector
