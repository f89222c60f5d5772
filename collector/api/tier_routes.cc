#include "collector/api/tier_routes.h"

#include "collector/api/http_admit.h"

namespace postura::collector {
namespace {

HttpResponse Tiers(const TierQueries& tiers, const Gatekeeper& gate, const HttpRequest& request) {
  absl::StatusOr<Principal> principal = AdmitPrincipal(request, gate, Permission::kReadScores);
  if (!principal.ok()) return ErrorResponse(principal.status());
  absl::StatusOr<v1::TiersAnswer> answer = tiers.GetTiers(*principal, v1::GetTiersRequest());
  return answer.ok() ? JsonResponse(*answer) : ErrorResponse(answer.status());
}

}  // namespace

std::vector<HttpRoute> TierRoutes(const TierQueries& tiers, const Gatekeeper& gate) {
  return {{"GET", "/api/v1/tiers",
           [&tiers, &gate](const HttpRequest& request) { return Tiers(tiers, gate, request); }}};
}

}  // namespace postura::collector
