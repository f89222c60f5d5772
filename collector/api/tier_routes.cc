#include "collector/api/tier_routes.h"

namespace postura::collector {
namespace {

const std::string* Header(const HttpRequest& request, const char* name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? nullptr : &it->second;
}

HttpResponse Tiers(const TierQueries& tiers, const Gatekeeper& gate, const HttpRequest& request) {
  absl::StatusOr<Principal> principal = gate.AdmitHttp(
      Header(request, "authorization"), Header(request, "cookie"), Permission::kReadScores);
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
